package invite_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/webhook"
)

// events records what the dispatcher publishes; with fail set, it refuses
// every event, as a database that is down would.
type events struct {
	mu   sync.Mutex
	got  []webhook.Event
	fail bool
}

func (e *events) Publish(_ context.Context, ev webhook.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ev)
	if e.fail {
		return errors.New("webhook: down")
	}
	return nil
}

func (e *events) all() []webhook.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]webhook.Event(nil), e.got...)
}

func TestFinishedCampaignPublishesItsCounts(t *testing.T) {
	t.Parallel()
	for _, fail := range []bool{false, true} {
		e := newEnv(t)
		ctx := context.Background()
		a := e.account(e.alice, "Acme", store.Segment{})
		cs := e.contacts(a, "pat", 4, "en")
		created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
		rec := &events{fail: fail}
		d := e.deps()
		d.Events = rec
		run(t, e.dispatcherWith(d, smtpSender(t, e.smtp)))
		// A failing publisher never holds up the campaign. The event is
		// published just after the campaign is marked sent.
		waitFor(t, 30*time.Second, "the campaign to be sent", func() bool {
			c, _ := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
			return c.State == store.CampaignSent && len(rec.all()) > 0
		})
		time.Sleep(100 * time.Millisecond) // time for a second event, were there one
		got := rec.all()
		if len(got) != 1 {
			t.Fatalf("published %d events, want 1", len(got))
		}
		ev := got[0]
		if ev.Type != webhook.CampaignFinished || ev.ID != webhook.EventID(webhook.CampaignFinished, created.Campaign.ID) || ev.Campaign == nil {
			t.Fatalf("event = %+v", ev)
		}
		if c := ev.Campaign; c.ID != created.Campaign.ID || c.Sent != 4 || c.Invited != 4 || c.SurveyTitle == "" {
			t.Errorf("campaign summary = %+v", c)
		}
		if ev.Followup != nil || ev.Threshold != nil {
			t.Errorf("a campaign event carries more: %+v", ev)
		}
		for _, c := range cs {
			if s := ev.Campaign.SurveyTitle + ev.Campaign.ID; strings.Contains(s, c.Email) || strings.Contains(s, c.Name) {
				t.Errorf("the event names a contact")
			}
		}
	}
}
