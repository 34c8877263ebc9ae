package webhook_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/webhook"
)

// released stands in for the report service: the overall cell the
// release shows, set by the test.
type released struct {
	mu   sync.Mutex
	cell report.Cell
}

func (r *released) set(nps float64, suppressed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 40
	r.cell = report.Cell{Responses: &n, NPS: &report.NPS{Score: nps}}
	if suppressed {
		r.cell = report.Cell{Suppressed: true, Reason: "small"}
	}
}

func (r *released) Report(_ context.Context, _ report.Query, _ ...survey.Survey) (report.Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return report.Report{Overall: r.cell}, nil
}

func TestThresholdCrossingsAreEventsOfReleasedNumbersOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	limit := 30
	ep, _, err := e.svc.Create(ctx, e.admin, webhook.Input{Name: "NPS watch", URL: rcv.URL, Kind: webhook.Generic,
		Events: []string{webhook.ThresholdCrossed}, Enabled: true, NPSThreshold: &limit})
	if err != nil {
		t.Fatal(err)
	}
	// Another endpoint without a threshold hears nothing of this one's.
	other, _ := e.endpoint(t, webhook.Generic, rcv.URL+"/other", webhook.ThresholdCrossed, webhook.CampaignFinished)
	sv, err := survey.New(respondtest.Definition(), store.NewID(), e.admin.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Open(e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Surveys.Insert(ctx, sv); err != nil {
		t.Fatal(err)
	}
	rep := &released{}
	w := webhook.NewWatch(e.st.Webhooks, rep, e.st.Surveys, e.svc)
	rival := webhook.NewWatch(e.st.Webhooks, rep, e.st.Surveys, e.svc)
	steps := []struct {
		nps        float64
		suppressed bool
		want       int
	}{
		{40, false, 0}, // the first look records the side
		{35, false, 0},
		{20, false, 1}, // down
		{60, true, 0},  // suppressed: never compared
		{25, false, 0},
		{30, false, 1}, // up: at the threshold counts as above
	}
	for i, st := range steps {
		rep.set(st.nps, st.suppressed)
		n, err := w.Once(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != st.want {
			t.Errorf("step %d (NPS %v): %d crossings, want %d", i, st.nps, n, st.want)
		}
		// The lease keeps a second process out meanwhile.
		if n, err := rival.Once(ctx); err != nil || n != 0 {
			t.Errorf("step %d: the rival watch found %d, %v", i, n, err)
		}
		e.clock.Advance(5 * time.Minute)
	}
	e.run(t, e.dispatcher(nil))
	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d posts, want 2", len(got))
	}
	var dirs []string
	for _, r := range got {
		var ev webhook.Event
		if err := json.Unmarshal(r.body, &ev); err != nil || ev.Threshold == nil {
			t.Fatalf("body = %s", r.body)
		}
		if ev.Threshold.SurveyID != sv.ID || ev.Threshold.Threshold != 30 {
			t.Errorf("threshold event = %+v", ev.Threshold)
		}
		dirs = append(dirs, ev.Threshold.Direction)
	}
	if len(dirs) != 2 || dirs[0] == dirs[1] {
		t.Errorf("directions = %v, want one down and one up", dirs)
	}
	if n := len(e.log(t, other.ID)); n != 0 {
		t.Errorf("an endpoint without a threshold got %d deliveries", n)
	}
	if n := len(e.log(t, ep.ID)); n != 2 {
		t.Errorf("the watching endpoint has %d deliveries, want 2", n)
	}
}
