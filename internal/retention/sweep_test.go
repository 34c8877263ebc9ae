package retention_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/retention"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const month = 30 * 24 * time.Hour

// fixture is a world a year and more along: people answered named a year
// ago and last week, contacts were surveyed long ago and lately, and mail
// piled up in the dev outbox and the dead letters.
type fixture struct {
	w *respondtest.World
	// Named answers: a year old, to a survey keeping names for 3 months,
	// and recent ones.
	oldNamed, shortNamed, recentNamed string
	// Contacts: last surveyed 14 months ago, never surveyed and created
	// long ago, surveyed lately, and created lately.
	staleSurveyed, staleNever, fresh, newcomer string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Store(t)
	f := &fixture{w: respondtest.New(t, st)}
	w := f.w
	long := w.OpenSurvey(t, nil)
	short := respondtest.Definition()
	short.NamedRetentionMonths = 3
	shortSv := w.OpenSurvey(t, &short)

	answer := func(sv survey.Survey, name, email string) (respondtest.Person, string) {
		p := w.Invite(t, sv, name, email, "en")
		l, err := w.Respond.Resolve(ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Respond.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en", Named: true, ConsentVersion: sv.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		named, err := st.Responses.NamedBy(ctx, p.Contact.ID)
		if err != nil || len(named) != 1 {
			t.Fatalf("named responses of %s: %v, %v", name, named, err)
		}
		return p, named[0].ID
	}
	var oldP, shortP respondtest.Person
	oldP, f.oldNamed = answer(long, "Olga Old", "olga@example.com")
	shortP, f.shortNamed = answer(shortSv, "Sven Short", "sven@example.com")
	// Fourteen months on.
	w.Advance(14 * month)
	recentP, recent := answer(long, "Rita Recent", "rita@example.com")
	f.recentNamed = recent
	now := w.Now().UTC()

	// Olga was surveyed 14 months ago (her invitation); Sven never was
	// (his lastSurveyedAt is taken away) and was created long ago; Rita
	// was surveyed just now; Nina was created just now, never surveyed.
	f.staleSurveyed, f.staleNever, f.fresh = oldP.Contact.ID, shortP.Contact.ID, recentP.Contact.ID
	set := func(id string, update bson.D) {
		if _, err := st.DB().Collection("contacts").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
			t.Fatal(err)
		}
	}
	set(f.staleSurveyed, bson.D{{Key: "$set", Value: bson.D{{Key: "lastSurveyedAt", Value: now.Add(-14 * month)}}}})
	set(f.staleNever, bson.D{{Key: "$unset", Value: bson.D{{Key: "lastSurveyedAt", Value: ""}}}})
	set(f.fresh, bson.D{{Key: "$set", Value: bson.D{{Key: "lastSurveyedAt", Value: now}}}})
	nina, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{AccountID: recentP.Account.ID, Name: "Nina New", Email: "nina@example.com", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	f.newcomer = nina.ID
	set(f.newcomer, bson.D{{Key: "$set", Value: bson.D{{Key: "createdAt", Value: now.Add(-time.Hour)}}}})
	// Everyone else was created at the real time, 14 months before the
	// world's now.

	if err := st.DevMails.Insert(ctx, []outbox.DevMail{
		{ID: "old-mail", To: "x@example.com", Subject: "old", CreatedAt: now.Add(-40 * 24 * time.Hour)},
		{ID: "new-mail", To: "y@example.com", Subject: "new", CreatedAt: now.Add(-10 * 24 * time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	// Bounce records: an event past BounceEventDays and a recent one; a
	// soft-bounce streak that ended and one still running.
	for _, e := range []store.BounceEvent{
		{ID: "old-msg|bounce", Kind: "bounce", At: now.AddDate(0, 0, -retention.BounceEventDays-1)},
		{ID: "new-msg|complaint", Kind: "complaint", At: now.AddDate(0, 0, -30)},
	} {
		if _, err := st.Bounces.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for idx, at := range map[string]time.Time{"ended-streak": now.Add(-softWindow - time.Hour), "running-streak": now.Add(-time.Hour)} {
		if _, err := st.Bounces.CountSoft(ctx, idx, at, at.Add(-softWindow)); err != nil {
			t.Fatal(err)
		}
	}
	oldEnd, newEnd := now.Add(-31*24*time.Hour), now.Add(-time.Hour)
	if _, err := st.DB().Collection("outbox_dead").InsertMany(ctx, []any{
		outbox.Message{ID: "old-dead", CampaignID: "c", ContactID: "someone", State: outbox.Bounced, FinishedAt: &oldEnd},
		outbox.Message{ID: "new-dead", CampaignID: "c", ContactID: "someone", State: outbox.Failed, FinishedAt: &newEnd},
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) service(defaults retention.Policy) *retention.Service {
	st := f.w.Store
	return retention.New(retention.Deps{
		Store: st.Retention, Contacts: st.Contacts, Responses: st.Responses, Surveys: st.Surveys, Accounts: st.Accounts,
		DevMails: st.DevMails, DeadLetters: st.Outbox, Bounces: st.Bounces, SoftBounceWindow: softWindow,
		People: f.w.Privacy, Audit: f.w.Audit, Defaults: defaults,
	}).WithClock(f.w.Now)
}

// softWindow is how close soft bounces add up.
const softWindow = 30 * 24 * time.Hour

// policy keeps contacts 12 months, names 12 months, mail 30 days.
var policy = retention.Policy{ContactMonths: 12, NamedMonths: 12, DevOutboxDays: 30, DeadLetterDays: 30}

func TestTheSweepRemovesExactlyWhatIsPastTheLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	svc := f.service(policy).WithBatchSize(1) // a batch, and a lease renewal, per contact and answer
	st := f.w.Store

	preview, err := svc.Preview(ctx, f.w.Admin)
	if err != nil {
		t.Fatal(err)
	}
	// Olga's and Sven's named answers are past 12 and 3 months; Olga and
	// Sven are past 12 months unsurveyed.
	want := retention.Counts{Contacts: 2, Named: 2, DevMails: 1, DeadLetters: 1, BounceRecords: 2}
	if preview.Counts != want {
		t.Errorf("preview counts %+v, want %+v", preview.Counts, want)
	}
	previewed := map[string]bool{}
	for _, c := range preview.Contacts {
		previewed[c.ID] = true
		if c.Account == "" {
			t.Errorf("previewed contact %s without its company", c.ID)
		}
	}
	if len(previewed) != 2 || !previewed[f.staleSurveyed] || !previewed[f.staleNever] {
		t.Errorf("previewed contacts %v", preview.Contacts)
	}
	if len(preview.Surveys) != 2 {
		t.Errorf("previewed surveys %+v", preview.Surveys)
	}

	r, ran, err := svc.RunNow(ctx)
	if err != nil || !ran {
		t.Fatalf("RunNow: %v, %v", ran, err)
	}
	if r.Counts != want {
		t.Errorf("run counts %+v, want %+v", r.Counts, want)
	}
	for id, erased := range map[string]bool{f.staleSurveyed: true, f.staleNever: true, f.fresh: false, f.newcomer: false} {
		c, err := st.Contacts.ByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (c.Status == contacts.Erased) != erased {
			t.Errorf("contact %s: status %s, want erased %v", id, c.Status, erased)
		}
	}
	for id, named := range map[string]bool{f.oldNamed: false, f.shortNamed: false, f.recentNamed: true} {
		resp, err := st.Responses.ByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (resp.Named != nil) != named {
			t.Errorf("response %s: named %v, want %v", id, resp.Named != nil, named)
		}
		if len(resp.Answers) == 0 {
			t.Errorf("response %s lost its answers", id)
		}
	}
	for id, kept := range map[string]bool{"old-mail": false, "new-mail": true} {
		if _, err := st.DevMails.ByID(ctx, id); (err == nil) != kept {
			t.Errorf("dev mail %s: %v, want kept %v", id, err, kept)
		}
	}
	for id, kept := range map[string]bool{"old-dead": false, "new-dead": true} {
		if dead, err := st.Outbox.IsDead(ctx, id); err != nil || dead != kept {
			t.Errorf("dead letter %s: %v, %v, want kept %v", id, dead, err, kept)
		}
	}

	for id, kept := range map[string]bool{"old-msg|bounce": false, "new-msg|complaint": true} {
		if _, err := st.Bounces.Event(ctx, id); (err == nil) != kept {
			t.Errorf("bounce event %s: %v, want kept %v", id, err, kept)
		}
	}

	// A second run finds nothing more to do.
	again, ran, err := svc.RunNow(ctx)
	if err != nil || !ran {
		t.Fatalf("second RunNow: %v, %v", ran, err)
	}
	if !again.Counts.Zero() {
		t.Errorf("the second run removed %+v", again.Counts)
	}
	runs, total, err := svc.Runs(ctx, f.w.Admin, store.Page{Limit: 10})
	if err != nil || total != 2 || runs[0].Counts != (retention.Counts{}) || runs[1].Counts != want {
		t.Errorf("runs %+v (%d), %v", runs, total, err)
	}
	// The daily run is not due again for a day.
	if _, ran, err := svc.RunDue(ctx); err != nil || ran {
		t.Errorf("RunDue right after a run: ran %v, %v", ran, err)
	}
	f.w.Advance(25 * time.Hour)
	if _, ran, err := svc.RunDue(ctx); err != nil || !ran {
		t.Errorf("RunDue a day later: ran %v, %v", ran, err)
	}
}

func TestTheSavedPolicyOverridesTheDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	svc := f.service(retention.Policy{DevOutboxDays: 30, DeadLetterDays: 30})
	if p, err := svc.Preview(ctx, f.w.Admin); err != nil || p.Counts != (retention.Counts{Named: 1, DevMails: 1, DeadLetters: 1, BounceRecords: 2}) {
		// Without limits of its own, only the survey keeping names 3 months applies.
		t.Fatalf("preview under the defaults: %+v, %v", p.Counts, err)
	}
	if _, err := svc.SavePolicy(ctx, f.w.Admin, retention.Policy{ContactMonths: 200}); err == nil {
		t.Fatal("a policy out of bounds was saved")
	}
	if _, err := svc.SavePolicy(ctx, f.w.Admin, retention.Policy{NamedMonths: 12}); err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Preview(ctx, f.w.Admin); err != nil || p.Counts != (retention.Counts{Named: 2, BounceRecords: 2}) {
		t.Fatalf("preview under the saved policy: %+v, %v", p.Counts, err)
	}
	analyst := store.User{ID: "u-analyst", Email: "analyst@example.com", Role: store.RoleAnalyst}
	if _, err := svc.Preview(ctx, analyst); err == nil {
		t.Error("an analyst saw the preview")
	}
	if _, err := svc.SavePolicy(ctx, analyst, retention.Policy{}); err == nil {
		t.Error("an analyst changed the policy")
	}
}

func TestTwoSweepersRacingRunItOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	const n = 4
	var wg sync.WaitGroup
	results := make([]retention.Run, n)
	ran := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		svc := f.service(policy) // a process of its own, with its own lease token
		wg.Go(func() { results[i], ran[i], errs[i] = svc.RunDue(ctx) })
	}
	wg.Wait()
	runs, total := 0, retention.Counts{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("sweeper %d: %v", i, errs[i])
		}
		if ran[i] {
			runs++
			total = results[i].Counts
		}
	}
	if runs != 1 {
		t.Fatalf("%d sweepers ran, want 1", runs)
	}
	if want := (retention.Counts{Contacts: 2, Named: 2, DevMails: 1, DeadLetters: 1, BounceRecords: 2}); total != want {
		t.Errorf("counts %+v, want %+v", total, want)
	}
	logged, count, err := f.service(policy).Runs(ctx, f.w.Admin, store.Page{Limit: 10})
	if err != nil || count != 1 {
		t.Errorf("runs logged: %+v (%d), %v", logged, count, err)
	}
}
