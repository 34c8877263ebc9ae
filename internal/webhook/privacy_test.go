package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	netmail "net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/store/webhooks"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/webhook"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// world is answering, follow-ups and webhooks wired as cmd/candor wires
// them, over a fresh database.
type world struct {
	w       *respondtest.World
	st      *store.Store
	hooks   *webhook.Service
	fu      *followup.Service
	priv    *privacy.Service
	respond *respond.Service
	sv      survey.Survey
	disp    *webhook.Dispatcher
	acct    store.Account
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	x := &world{w: w, st: st}
	x.hooks = webhook.New(webhook.Deps{Store: st.Webhooks, Sealer: w.Sealer}).WithClock(w.Now)
	x.priv = privacy.New(privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: w.Customers, Eraser: st.Contacts,
		Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: w.Audit, Sealer: w.Sealer, Followups: st.Followups, Webhooks: st.Webhooks,
	}).WithClock(w.Now)
	x.fu = followup.New(followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys,
		Subjects: w.Customers, Named: x.priv, Audit: w.Audit, Sealer: w.Sealer,
		Users: st.Users, Sender: invite.NewDevOutbox(st.DevMails),
		From: netmail.Address{Name: "Candor", Address: "candor@example.com"}, BaseURL: "https://candor.example",
		Events: x.hooks,
	}).WithClock(w.Now)
	x.respond = respond.New(respond.Deps{
		Signer: w.Signer, Keys: w.Ring, Sealer: w.Sealer, Invitations: st.Invitations, Surveys: st.Surveys,
		Contacts: st.Contacts, Accounts: st.Accounts, Responses: st.Responses, Consents: x.priv,
		Tally: report.New(st.Rollups), Followups: x.fu,
	}).WithClock(w.Now)
	x.sv = w.OpenSurvey(t, nil)
	x.disp = webhook.NewDispatcher(webhook.DispatcherDeps{Store: st.Webhooks, Sealer: w.Sealer, Followups: st.Followups, Now: w.Now})
	name := "Company " + store.NewID()[:8]
	now := w.Now().UTC().Truncate(time.Millisecond)
	x.acct = store.Account{ID: store.NewID(), Name: name, NameKey: store.FoldName(name), Country: "FI", Region: "EMEA",
		Industry: "Retail", Tier: "Gold", ManagerIDs: []string{w.Admin.ID}, CreatedAt: now, UpdatedAt: now}
	if err := st.Accounts.Insert(ctx, x.acct); err != nil {
		t.Fatal(err)
	}
	return x
}

// answer has a new contact answer with nps and the two texts, named or not.
func (x *world) answer(t *testing.T, name string, nps int, comment, private string, named bool) string {
	t.Helper()
	ctx := context.Background()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@customer.example"
	c, err := x.w.Customers.CreateContact(ctx, x.w.Admin, customer.ContactInput{AccountID: x.acct.ID, Name: name, Email: email, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	p := x.w.InviteContact(t, x.sv, c, x.acct)
	l, err := x.respond.Resolve(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	values := respondtest.Answers()
	values["q.nps"] = []string{strconv.Itoa(nps)}
	values["q.comment"] = []string{comment}
	values["q.private"] = []string{private}
	if _, err := x.respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en", Named: named, ConsentVersion: x.sv.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	ids, err := respond.ResponseIDs(x.w.Ring, p.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func (x *world) endpoint(t *testing.T, kind, url string) webhook.Info {
	t.Helper()
	info, _, err := x.hooks.Create(context.Background(), x.w.Admin, webhook.Input{Name: kind, URL: url, Kind: kind,
		Events: []string{webhook.FollowupCreated, webhook.FollowupOverdue}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestAnonymousAnswersNeverLeave(t *testing.T) {
	t.Parallel()
	x := newWorld(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	x.endpoint(t, webhook.Generic, rcv.URL+"/generic")
	x.endpoint(t, webhook.Slack, rcv.URL+"/slack")

	// Detractors both, so that either would be an alert if named.
	x.answer(t, "Anna Anonymous", 1, "ANON-the-lift-is-a-disgrace", "ANON-private-remark", false)
	named := x.answer(t, "Nora Named", 3, "NAMED-call-me-about-the-lift", "NAMED-private-remark", true)
	if _, err := x.disp.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("receivers got %d posts, want 2 (the named answer's follow-up, generic and Slack)", len(got))
	}
	for _, r := range got {
		body := string(r.body)
		if strings.Contains(body, "ANON-") || strings.Contains(body, "Anna") {
			t.Errorf("a delivery carries the anonymous answer: %s", body)
		}
		if strings.Contains(body, "NAMED-private") {
			t.Errorf("a delivery carries the answer to a confidential question: %s", body)
		}
		if r.header.Get(webhook.HeaderSignature) != "" { // generic
			var ev webhook.Event
			if err := json.Unmarshal(r.body, &ev); err != nil || ev.Type != webhook.FollowupCreated || ev.Followup == nil {
				t.Fatalf("generic body = %s", body)
			}
			f := ev.Followup
			if f.ID != named || f.Account != x.acct.Name || f.Score == nil || *f.Score != 3 || !f.Detractor || f.DueAt == nil ||
				f.URL != "https://candor.example/followups/"+named || f.Comment != "NAMED-call-me-about-the-lift" {
				t.Errorf("follow-up summary = %+v", f)
			}
		} else if strings.Contains(body, "NAMED-call-me") {
			t.Errorf("the Slack message carries the answer's text: %s", body)
		}
	}

	// Overdue: the escalation publishes followup.overdue.
	x.w.Advance(30 * 24 * time.Hour)
	if _, err := x.fu.SendNotices(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := x.disp.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got = rcv.requests()
	if len(got) != 4 {
		t.Fatalf("receivers got %d posts in all, want 4", len(got))
	}
	for _, r := range got[2:] {
		if ev := r.header.Get(webhook.HeaderEvent); ev != webhook.FollowupOverdue {
			t.Errorf("after the due time: %s", ev)
		}
		if strings.Contains(string(r.body), "ANON-") {
			t.Errorf("an overdue event carries the anonymous answer")
		}
	}
}

func TestWithdrawnConsentStopsTheEvent(t *testing.T) {
	t.Parallel()
	x := newWorld(t)
	ctx := context.Background()
	rcv := newReceiver(t, http.StatusOK)
	ep := x.endpoint(t, webhook.Generic, rcv.URL)
	id := x.answer(t, "Wanda Withdraws", 2, "WITHDRAWN-text", "", true)
	r, err := x.st.Responses.ByID(ctx, id)
	if err != nil || r.Named == nil {
		t.Fatalf("response %s: %v", id, err)
	}
	// Consent is withdrawn before the dispatcher runs: the follow-up goes.
	if err := x.priv.Withdraw(ctx, r.Named.ContactID, r.Named.ConsentID, privacy.Requester{Via: privacy.ViaThanksPage}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.disp.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.requests()); n != 0 {
		t.Errorf("the receiver got %d posts about a withdrawn answer", n)
	}
	log, _, err := x.hooks.Deliveries(ctx, x.w.Admin, ep.ID, store.Page{})
	if err != nil || len(log) != 1 || log[0].State != "dropped" {
		t.Errorf("log = %+v, %v", log, err)
	}
}

// TestErasureForgetsDeliveredEvents: once the person behind a delivered
// follow-up event is erased, its entry in the delivery log no longer holds
// what the event said, though the entry stays.
func TestErasureForgetsDeliveredEvents(t *testing.T) {
	t.Parallel()
	x := newWorld(t)
	ctx := context.Background()
	rcv := newReceiver(t, http.StatusOK)
	ep := x.endpoint(t, webhook.Generic, rcv.URL)
	id := x.answer(t, "Erin Erased", 1, "ERASED-comment", "", true)
	kept := x.answer(t, "Kim Kept", 3, "KEPT-comment", "", true)
	if _, err := x.disp.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.requests()); n != 2 {
		t.Fatalf("the receiver got %d posts, want both follow-ups", n)
	}
	r, err := x.st.Responses.ByID(ctx, id)
	if err != nil || r.Named == nil {
		t.Fatalf("response %s: %v", id, err)
	}
	if err := x.priv.Erase(ctx, r.Named.ContactID, privacy.Requester{Via: privacy.ViaThanksPage}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]bool{}
	for _, subject := range []string{id, kept} {
		var d webhooks.Delivery
		if err := x.st.DB().Collection("webhook_deliveries").FindOne(ctx, bson.D{{Key: "subject", Value: subject}}).Decode(&d); err != nil {
			t.Fatalf("delivery about %s: %v", subject, err)
		}
		bodies[subject] = !d.Body.IsZero()
		if d.State != webhooks.Delivered {
			t.Errorf("delivery about %s is %s, want it kept as delivered", subject, d.State)
		}
	}
	if bodies[id] || !bodies[kept] {
		t.Errorf("bodies left: erased %v (want false), kept %v (want true)", bodies[id], bodies[kept])
	}
	if log, _, err := x.hooks.Deliveries(ctx, x.w.Admin, ep.ID, store.Page{}); err != nil || len(log) != 2 {
		t.Errorf("log = %+v, %v", log, err)
	}
}
