package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/store/webhooks"
	"github.com/candorhq/candor/internal/webhook"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is a test's time, moved by hand.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server on loopback that answers with the
// statuses it is given in turn (then the last one) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
}

func newReceiver(t testing.TB, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		status := http.StatusOK
		if n := len(r.got); len(r.statuses) > 0 {
			status = r.statuses[min(n-1, len(r.statuses)-1)]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

type env struct {
	st     *store.Store
	ring   *keys.Ring
	sealer *seal.Sealer
	clock  *clock
	svc    *webhook.Service
	admin  store.User
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, ring: ring, sealer: seal.New(ring), clock: &clock{}}
	e.svc = webhook.New(webhook.Deps{Store: st.Webhooks, Sealer: e.sealer}).WithClock(e.clock.Now)
	e.admin = store.User{ID: store.NewID(), Email: "admin@staff.example.com", Name: "Ada Admin", Role: store.RoleAdmin, PasswordHash: "x"}
	return e
}

func (e *env) dispatcher(hook func(string)) *webhook.Dispatcher {
	return webhook.NewDispatcher(webhook.DispatcherDeps{Store: e.st.Webhooks, Sealer: e.sealer, Followups: e.st.Followups,
		Now: e.clock.Now, AfterClaim: hook})
}

func (e *env) endpoint(t *testing.T, kind, url string, events ...string) (webhook.Info, string) {
	t.Helper()
	if len(events) == 0 {
		events = []string{webhook.CampaignFinished, webhook.FollowupCreated}
	}
	info, secret, err := e.svc.Create(context.Background(), e.admin, webhook.Input{Name: "Receiver " + kind, URL: url, Kind: kind, Events: events, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return info, secret
}

func campaignEvent(id string) webhook.Event {
	return webhook.Event{ID: webhook.EventID(webhook.CampaignFinished, id), Type: webhook.CampaignFinished,
		Campaign: &webhook.CampaignSummary{ID: id, SurveyID: "s1", SurveyTitle: "Customer survey", Invited: 10, Sent: 9, Bounced: 1}}
}

func (e *env) publish(t *testing.T, ev webhook.Event) {
	t.Helper()
	if err := e.svc.Publish(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
}

func (e *env) run(t *testing.T, d *webhook.Dispatcher) int {
	t.Helper()
	n, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) log(t *testing.T, endpointID string) []webhook.DeliveryInfo {
	t.Helper()
	list, _, err := e.svc.Deliveries(context.Background(), e.admin, endpointID, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func timestamp(t *testing.T, r received) int64 {
	t.Helper()
	ts, err := strconv.ParseInt(r.header.Get(webhook.HeaderTimestamp), 10, 64)
	if err != nil {
		t.Fatalf("timestamp header %q: %v", r.header.Get(webhook.HeaderTimestamp), err)
	}
	return ts
}

func TestGenericDeliveriesAreSignedAndVerify(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t)
	ep, secret := e.endpoint(t, webhook.Generic, rcv.URL+"/hooks/candor")
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
		t.Fatalf("secret = %q", secret)
	}
	ev := campaignEvent("c1")
	e.publish(t, ev)
	if n := e.run(t, e.dispatcher(nil)); n != 1 {
		t.Fatalf("delivered %d, want 1", n)
	}
	got := rcv.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	ts := timestamp(t, r)
	if d := time.Since(time.Unix(ts, 0)); d < -time.Minute || d > time.Minute {
		t.Errorf("timestamp %d is not now", ts)
	}
	sig := r.header.Get(webhook.HeaderSignature)
	if strings.Count(sig, "v1=") != 1 || !webhook.Verify(sig, secret, ts, r.body) {
		t.Errorf("signature %q does not verify", sig)
	}
	if webhook.Verify(sig, secret, ts+1, r.body) || webhook.Verify(sig, "whsec_other", ts, r.body) {
		t.Error("signature verifies with the wrong timestamp or secret")
	}
	if id := r.header.Get(webhook.HeaderID); id != webhook.DeliveryID(ev.ID, ep.ID) {
		t.Errorf("delivery id header = %q", id)
	}
	var back webhook.Event
	if err := json.Unmarshal(r.body, &back); err != nil || back.ID != ev.ID || back.Type != webhook.CampaignFinished || back.Campaign == nil || back.Campaign.Sent != 9 {
		t.Errorf("body = %s (%v)", r.body, err)
	}
	log := e.log(t, ep.ID)
	if len(log) != 1 || log[0].State != webhooks.Delivered || log[0].Attempts != 1 || log[0].LastStatus != 200 || log[0].DeliveredAt == nil {
		t.Errorf("log = %+v", log)
	}
}

func TestRotationSignsWithBothSecretsForADay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	ep, old := e.endpoint(t, webhook.Generic, rcv.URL)
	info, fresh, err := e.svc.Rotate(ctx, e.admin, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old || info.PreviousUntil == nil {
		t.Fatalf("rotation gave %q, previous until %v", fresh, info.PreviousUntil)
	}
	d := e.dispatcher(nil)
	e.publish(t, campaignEvent("during"))
	e.run(t, d)
	e.clock.Advance(webhook.Rotation + time.Minute)
	e.publish(t, campaignEvent("after"))
	e.run(t, d)

	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(got))
	}
	during, after := got[0], got[1]
	sig := during.header.Get(webhook.HeaderSignature)
	if strings.Count(sig, "v1=") != 2 || !webhook.Verify(sig, fresh, timestamp(t, during), during.body) || !webhook.Verify(sig, old, timestamp(t, during), during.body) {
		t.Errorf("during the rotation, signature %q does not carry both secrets", sig)
	}
	sig = after.header.Get(webhook.HeaderSignature)
	if strings.Count(sig, "v1=") != 1 || !webhook.Verify(sig, fresh, timestamp(t, after), after.body) || webhook.Verify(sig, old, timestamp(t, after), after.body) {
		t.Errorf("after the rotation, signature %q should carry the new secret only", sig)
	}
	if info, err := e.svc.Endpoint(ctx, e.admin, ep.ID); err != nil || info.PreviousUntil != nil {
		t.Errorf("after the window the endpoint still shows a rotation: %+v, %v", info, err)
	}
}

func TestRetriesAfterServerErrorsWithBackoff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t, 500, 503, 200)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	e.publish(t, campaignEvent("c1"))
	posts := &posted{}
	d := webhook.NewDispatcher(webhook.DispatcherDeps{Store: e.st.Webhooks, Sealer: e.sealer, Now: e.clock.Now, Observer: posts})

	e.run(t, d)
	log := e.log(t, ep.ID)
	if len(log) != 1 || log[0].State != webhooks.Pending || log[0].LastStatus != 500 || log[0].NextAttemptAt == nil {
		t.Fatalf("after a 500: %+v", log)
	}
	wait := log[0].NextAttemptAt.Sub(e.clock.Now())
	if wait < 20*time.Second || wait > 40*time.Second {
		t.Errorf("first retry in %v, want about 30 s", wait)
	}
	if n := e.run(t, d); n != 0 || len(rcv.requests()) != 1 {
		t.Fatalf("retried before its time: %d requests", len(rcv.requests()))
	}
	e.clock.Advance(40 * time.Second)
	e.run(t, d)
	log = e.log(t, ep.ID)
	if log[0].State != webhooks.Pending || log[0].LastStatus != 503 || log[0].Attempts != 2 {
		t.Fatalf("after a 503: %+v", log[0])
	}
	e.clock.Advance(90 * time.Second)
	if n := e.run(t, d); n != 1 {
		t.Fatalf("third attempt delivered %d", n)
	}
	log = e.log(t, ep.ID)
	if log[0].State != webhooks.Delivered || log[0].Attempts != 3 || log[0].LastStatus != 200 {
		t.Errorf("after a 200: %+v", log[0])
	}
	ids := map[string]bool{}
	for _, r := range rcv.requests() {
		ids[r.header.Get(webhook.HeaderID)] = true
	}
	if len(ids) != 1 {
		t.Errorf("retries carried %d delivery ids, want 1", len(ids))
	}
	want := []string{"campaign.finished retry", "campaign.finished retry", "campaign.finished delivered"}
	if !slices.Equal(posts.seen(), want) {
		t.Errorf("observed %v, want %v", posts.seen(), want)
	}
}

// posted records what a dispatcher tells its observer.
type posted struct {
	mu  sync.Mutex
	got []string
}

func (p *posted) Posted(event string, o webhook.Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, event+" "+string(o))
}

func (p *posted) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.got)
}

func TestBackoffDoublesToAnHour(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{1, 0.5, 30 * time.Second},
		{2, 0.5, time.Minute},
		{3, 0.5, 2 * time.Minute},
		{8, 0.5, time.Hour},
		{12, 0.5, time.Hour},
		{1, 0, 24 * time.Second},
		{1, 0.999999, 36 * time.Second},
		{20, 0.999999, 72 * time.Minute},
	} {
		got := webhook.Backoff(tc.n, tc.jitter)
		if d := got - tc.want; d < -10*time.Millisecond || d > 10*time.Millisecond {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.n, tc.jitter, got, tc.want)
		}
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t, 500)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	e.publish(t, campaignEvent("c1"))
	d := e.dispatcher(nil)
	for range webhook.MaxAttempts + 3 {
		e.run(t, d)
		e.clock.Advance(2 * time.Hour)
	}
	if n := len(rcv.requests()); n != webhook.MaxAttempts {
		t.Errorf("receiver got %d attempts, want %d", n, webhook.MaxAttempts)
	}
	log := e.log(t, ep.ID)
	if len(log) != 1 || log[0].State != webhooks.Failed || log[0].Attempts != webhook.MaxAttempts || !strings.Contains(log[0].LastError, "gave up") {
		t.Errorf("log = %+v", log)
	}
}

func TestGoneDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rcv := newReceiver(t, http.StatusGone)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	e.publish(t, campaignEvent("c1"))
	d := e.dispatcher(nil)
	e.run(t, d)
	info, err := e.svc.Endpoint(ctx, e.admin, ep.ID)
	if err != nil || info.Enabled || !strings.Contains(info.DisabledReason, "410") {
		t.Fatalf("endpoint after a 410: %+v, %v", info, err)
	}
	if log := e.log(t, ep.ID); log[0].State != webhooks.Failed || log[0].LastStatus != 410 {
		t.Errorf("delivery after a 410: %+v", log[0])
	}
	e.publish(t, campaignEvent("c2"))
	e.clock.Advance(time.Hour)
	e.run(t, d)
	if n := len(rcv.requests()); n != 1 || len(e.log(t, ep.ID)) != 1 {
		t.Errorf("a disabled endpoint got %d posts, %d deliveries", n, len(e.log(t, ep.ID)))
	}
	// Enabled again, it clears the reason.
	on := true
	if info, err = e.svc.Update(ctx, e.admin, ep.ID, webhook.Patch{Enabled: &on}); err != nil || !info.Enabled || info.DisabledReason != "" {
		t.Errorf("enabled again: %+v, %v", info, err)
	}
}

func TestReplayRequeuesWithTheSameIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	ev := campaignEvent("c1")
	e.publish(t, ev)
	d := e.dispatcher(nil)
	e.run(t, d)
	id := e.log(t, ep.ID)[0].ID
	if _, err := e.svc.Replay(ctx, e.admin, "other-endpoint", id); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("replay under another endpoint: %v", err)
	}
	again, err := e.svc.Replay(ctx, e.admin, ep.ID, id)
	if err != nil || again.State != webhooks.Pending || again.Replays != 1 {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	if _, err := e.svc.Replay(ctx, e.admin, ep.ID, id); !errors.Is(err, webhook.ErrReplay) {
		t.Errorf("replaying a pending delivery: %v", err)
	}
	e.run(t, d)
	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(got))
	}
	var first, second webhook.Event
	_ = json.Unmarshal(got[0].body, &first)
	_ = json.Unmarshal(got[1].body, &second)
	if got[0].header.Get(webhook.HeaderID) != got[1].header.Get(webhook.HeaderID) || first.ID != ev.ID || second.ID != ev.ID {
		t.Errorf("the replay changed ids: %q/%q, %q/%q", got[0].header.Get(webhook.HeaderID), got[1].header.Get(webhook.HeaderID), first.ID, second.ID)
	}
	if log := e.log(t, ep.ID); len(log) != 1 || log[0].State != webhooks.Delivered || log[0].Replays != 1 {
		t.Errorf("log after the replay: %+v", log)
	}
}

func TestPublishingTwiceDeliversOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	other, _ := e.endpoint(t, webhook.Generic, rcv.URL+"/second")
	ev := campaignEvent("c1")
	e.publish(t, ev)
	e.publish(t, ev)
	e.run(t, e.dispatcher(nil))
	if n := len(rcv.requests()); n != 2 {
		t.Errorf("receiver got %d requests for one event and two endpoints, want 2", n)
	}
	for _, id := range []string{ep.ID, other.ID} {
		if log := e.log(t, id); len(log) != 1 {
			t.Errorf("endpoint %s has %d deliveries, want 1", id, len(log))
		}
	}
}

func TestTwoDispatchersDeliverEachEventOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	const events = 6
	for i := range events {
		e.publish(t, campaignEvent("c"+strconv.Itoa(i)))
	}
	// A stops between its first claim and its post; B runs meanwhile.
	claimed, release := make(chan string, 1), make(chan struct{})
	var once sync.Once
	a := e.dispatcher(func(id string) {
		once.Do(func() {
			claimed <- id
			<-release
		})
	})
	b := e.dispatcher(nil)
	var wg sync.WaitGroup
	var aDelivered int
	var aErr error
	wg.Go(func() { aDelivered, aErr = a.RunOnce(context.Background()) })
	held := <-claimed
	bDelivered := e.run(t, b)
	for _, r := range rcv.requests() {
		if r.header.Get(webhook.HeaderID) == held {
			t.Errorf("B posted %s, which A holds", held)
		}
	}
	close(release)
	wg.Wait()
	if aErr != nil {
		t.Fatal(aErr)
	}
	if aDelivered+bDelivered != events || bDelivered == 0 {
		t.Errorf("A delivered %d, B %d; want %d in all, some by B", aDelivered, bDelivered, events)
	}
	perID := map[string]int{}
	for _, r := range rcv.requests() {
		perID[r.header.Get(webhook.HeaderID)]++
	}
	if len(perID) != events {
		t.Errorf("receiver got %d deliveries, want %d", len(perID), events)
	}
	for id, n := range perID {
		if n != 1 {
			t.Errorf("delivery %s posted %d times", id, n)
		}
	}
	for _, d := range e.log(t, ep.ID) {
		if d.State != webhooks.Delivered || d.Attempts != 1 {
			t.Errorf("delivery %+v", d)
		}
	}
}

func followupEvent(typ string, score int, comment string) webhook.Event {
	due := time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC)
	return webhook.Event{ID: webhook.EventID(typ, "f-"+strconv.Itoa(score)), Type: typ, Followup: &webhook.FollowupSummary{
		ID: "f-" + strconv.Itoa(score), SurveyID: "s1", SurveyTitle: "Customer survey", Account: "Acme <Lifts> & Co",
		Score: &score, Detractor: score <= 6, DueAt: &due, URL: "https://candor.example/followups/f-" + strconv.Itoa(score), Comment: comment,
	}}
}

// followup stores a follow-up with id, so that its events may leave.
func (e *env) followup(t *testing.T, id string) {
	t.Helper()
	if err := e.st.Followups.Insert(context.Background(), store.Followup{ID: id, SurveyID: "s1", ContactID: "c", AccountID: "a", State: store.FollowupOpen, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
}

func TestSlackAndTeamsGetMessagesWithoutTheComment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t)
	slack, _ := e.endpoint(t, webhook.Slack, rcv.URL+"/slack", webhook.FollowupCreated, webhook.FollowupOverdue)
	teams, _ := e.endpoint(t, webhook.Teams, rcv.URL+"/teams", webhook.FollowupCreated, webhook.FollowupOverdue)
	e.followup(t, "f-3")
	e.followup(t, "f-9")
	e.publish(t, followupEvent(webhook.FollowupCreated, 3, "The lift broke twice"))
	e.publish(t, followupEvent(webhook.FollowupCreated, 9, "All good")) // not a detractor: no chat message
	e.publish(t, followupEvent(webhook.FollowupOverdue, 9, ""))
	e.run(t, e.dispatcher(nil))
	if n := len(e.log(t, slack.ID)); n != 2 {
		t.Errorf("slack has %d deliveries, want 2 (the detractor and the overdue one)", n)
	}
	if n := len(e.log(t, teams.ID)); n != 2 {
		t.Errorf("teams has %d deliveries, want 2", n)
	}
	got := rcv.requests()
	if len(got) != 4 {
		t.Fatalf("receiver got %d requests, want 4", len(got))
	}
	for _, r := range got {
		body := string(r.body)
		if strings.Contains(body, "lift broke") || strings.Contains(body, "All good") {
			t.Errorf("a chat message carries the answer's text: %s", body)
		}
		if r.header.Get(webhook.HeaderSignature) != "" {
			t.Errorf("a chat message is signed")
		}
		if !strings.Contains(body, "https://candor.example/followups/f-") {
			t.Errorf("no link back in %s", body)
		}
		var msg map[string]any
		if err := json.Unmarshal(r.body, &msg); err != nil {
			t.Fatalf("not JSON: %s", body)
		}
		if _, slackish := msg["blocks"]; slackish {
			text, _ := msg["text"].(string)
			if !strings.Contains(text, "Acme &lt;Lifts&gt; &amp; Co") {
				t.Errorf("slack message does not escape the account: %s", body)
			}
		} else if msg["@type"] != "MessageCard" {
			t.Errorf("neither a Slack message nor a MessageCard: %s", body)
		}
	}
}

func TestEndpointsAreForAdminsAndValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	manager := store.User{ID: store.NewID(), Name: "Max Manager", Role: store.RoleManager}
	if _, _, err := e.svc.Create(ctx, manager, webhook.Input{Name: "x", URL: "https://hooks.example.com", Kind: webhook.Generic, Events: webhook.EventTypes}); !errors.Is(err, webhook.ErrForbidden) {
		t.Errorf("a manager creating an endpoint: %v", err)
	}
	threshold := 200
	for _, tc := range []struct {
		name   string
		in     webhook.Input
		fields []string
	}{
		{"empty", webhook.Input{}, []string{"events", "name", "url"}},
		{"bad kind", webhook.Input{Name: "x", URL: "https://hooks.example.com", Kind: "irc", Events: []string{webhook.FollowupCreated}}, []string{"kind"}},
		{"plain http elsewhere", webhook.Input{Name: "x", URL: "http://hooks.example.com", Events: []string{webhook.FollowupCreated}}, []string{"url"}},
		{"unknown event", webhook.Input{Name: "x", URL: "https://hooks.example.com", Events: []string{"survey.deleted"}}, []string{"events"}},
		{"slack with campaigns", webhook.Input{Name: "x", URL: "https://hooks.slack.com/services/T/B/X", Kind: webhook.Slack, Events: []string{webhook.CampaignFinished}}, []string{"events"}},
		{"threshold out of range", webhook.Input{Name: "x", URL: "https://hooks.example.com", Events: []string{webhook.ThresholdCrossed}, NPSThreshold: &threshold}, []string{"npsThreshold"}},
	} {
		_, _, err := e.svc.Create(ctx, e.admin, tc.in)
		f, ok := fault.As(err)
		if !ok || f.Kind() != fault.Invalid {
			t.Errorf("%s: %v, want invalid fields", tc.name, err)
			continue
		}
		var got []string
		for k := range f.Fields() {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.fields)
		}
	}
	list, total, err := e.svc.List(ctx, e.admin, store.Page{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Errorf("refused endpoints were stored: %v %d %v", list, total, err)
	}
	info, _, err := e.svc.Create(ctx, e.admin, webhook.Input{Name: "Slack", URL: "https://hooks.slack.com/services/T000/B000/SECRETPATH", Kind: webhook.Slack, Events: []string{webhook.FollowupCreated}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(info.Display, "SECRETPATH") {
		t.Errorf("the list shows the Slack credential: %q", info.Display)
	}
	if err := e.svc.Delete(ctx, e.admin, info.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(ctx, e.admin, info.ID); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestDeliveriesOfAGoneFollowupAreDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rcv := newReceiver(t)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	// No follow-up f-3 exists: its person withdrew consent before the post.
	e.publish(t, followupEvent(webhook.FollowupCreated, 3, "Too slow"))
	e.run(t, e.dispatcher(nil))
	if n := len(rcv.requests()); n != 0 {
		t.Errorf("receiver got %d posts about a withdrawn answer", n)
	}
	log := e.log(t, ep.ID)
	if len(log) != 1 || log[0].State != webhooks.Dropped {
		t.Fatalf("log = %+v", log)
	}
	d, err := e.st.Webhooks.Delivery(context.Background(), log[0].ID)
	if err != nil || !d.Body.IsZero() {
		t.Errorf("the dropped delivery keeps its event: %v", err)
	}
}

func TestResealMovesSecretsAndEventsToTheCurrentKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	ep, _ := e.endpoint(t, webhook.Generic, rcv.URL)
	_, secret, err := e.svc.Rotate(ctx, e.admin, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.publish(t, campaignEvent("c1"))

	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + e.ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	svc := webhook.New(webhook.Deps{Store: e.st.Webhooks, Sealer: seal.New(rotated)})
	if n, err := svc.Reseal(ctx); err != nil || n != 2 {
		t.Fatalf("reseal changed %d (%v), want the endpoint and the event", n, err)
	}
	if n, err := svc.Reseal(ctx); err != nil || n != 0 {
		t.Fatalf("a second reseal changed %d (%v)", n, err)
	}
	// Without the old key at all, the delivery still goes, signed.
	d := webhook.NewDispatcher(webhook.DispatcherDeps{Store: e.st.Webhooks, Sealer: seal.New(fresh), Now: e.clock.Now})
	if n := e.run(t, d); n != 1 {
		t.Fatalf("delivered %d after the reseal", n)
	}
	r := rcv.requests()[0]
	if !webhook.Verify(r.header.Get(webhook.HeaderSignature), secret, timestamp(t, r), r.body) {
		t.Error("the resealed secret does not sign")
	}
}

func TestSavingAnEndpointChangedMeanwhileConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ep, _ := e.endpoint(t, webhook.Generic, "https://hooks.example.com/in")
	stale, err := e.st.Webhooks.Endpoint(ctx, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Rotate(ctx, e.admin, ep.ID); err != nil {
		t.Fatal(err)
	}
	stale.Name = "Overwritten"
	if err := e.st.Webhooks.SaveEndpoint(ctx, stale, stale.UpdatedAt); !errors.Is(err, store.ErrConflict) {
		t.Errorf("saving a stale endpoint: %v, want a conflict", err)
	}
	now, err := e.svc.Endpoint(ctx, e.admin, ep.ID)
	if err != nil || now.Name == "Overwritten" || now.PreviousUntil == nil {
		t.Errorf("the rotation was undone: %+v, %v", now, err)
	}
	name := "Renamed"
	if now, err = e.svc.Update(ctx, e.admin, ep.ID, webhook.Patch{Name: &name}); err != nil || now.Name != name || now.PreviousUntil == nil {
		t.Errorf("update after the rotation: %+v, %v", now, err)
	}
}
