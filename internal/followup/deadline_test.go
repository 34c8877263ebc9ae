package followup_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
)

// accountOf stores a company managed by managers, in that order.
func (e *env) accountOf(t *testing.T, managers ...store.User) store.Account {
	t.Helper()
	a := e.account(t, managers[0])
	for _, m := range managers[1:] {
		a.ManagerIDs = append(a.ManagerIDs, m.ID)
	}
	if _, err := e.st.Accounts.Collection().UpdateOne(context.Background(), map[string]any{"_id": a.ID},
		map[string]any{"$set": map[string]any{"managerIds": a.ManagerIDs}}); err != nil {
		t.Fatal(err)
	}
	return a
}

// followupOf reads a follow-up as stored.
func (e *env) followupOf(t *testing.T, id string) store.Followup {
	t.Helper()
	f, err := e.st.Followups.ByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// advanceTo moves the world's clock to at.
func (e *env) advanceTo(at time.Time) { e.w.Advance(at.Sub(e.w.Now())) }

// mail is a message in the dev outbox.
type mail struct{ To, Subject, Text, Raw string }

// mailsWith returns the dev outbox's messages whose subject starts with prefix.
func (e *env) mailsWith(t *testing.T, prefix string) []mail {
	t.Helper()
	list, _, err := e.st.DevMails.List(context.Background(), store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []mail
	for _, m := range list {
		if strings.HasPrefix(m.Subject, prefix) {
			out = append(out, mail{m.To, m.Subject, m.Text, m.Raw})
		}
	}
	return out
}

func recipients(ms []mail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	slices.Sort(out)
	return out
}

const (
	reminderSubject   = "Follow-up due soon: "
	escalationSubject = "Overdue follow-up: "
)

func TestANewFollowupGetsAnOwnerAndADueTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.accountOf(t, e.m2, e.m1)
	_, detractor := e.answer(t, a, "Dora Detractor", 4, true)
	_, promoter := e.answer(t, a, "Pia Promoter", 9, true)
	orphan := e.account(t, e.m1)
	orphan.ManagerIDs = nil
	if _, err := e.st.Accounts.Collection().UpdateOne(context.Background(), map[string]any{"_id": orphan.ID},
		map[string]any{"$set": map[string]any{"managerIds": []string{}}}); err != nil {
		t.Fatal(err)
	}
	_, unowned := e.answer(t, orphan, "Una Unowned", 2, true)

	for _, tc := range []struct {
		id    string
		owner string
		days  int
	}{{detractor, e.m2.ID, 2}, {promoter, e.m2.ID, 5}, {unowned, "", 2}} {
		f := e.followupOf(t, tc.id)
		want := followup.AddBusinessDays(f.CreatedAt, tc.days)
		if f.OwnerID != tc.owner || f.DueAt == nil || !f.DueAt.Equal(want) {
			t.Errorf("follow-up: owner %q due %v, want %q and %s", f.OwnerID, f.DueAt, tc.owner, want)
			continue
		}
		if f.Reminder.At == nil || !f.Reminder.At.Equal(want.Add(-24*time.Hour)) || f.Escalation.At == nil || !f.Escalation.At.Equal(want) {
			t.Errorf("notices due %v and %v, want a day before %s and at it", f.Reminder.At, f.Escalation.At, want)
		}
	}
}

func TestFollowupStates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, e.m1)
	_, id := e.answer(t, a, "Stan States", 3, true)
	contacted := func() error { return e.fu.MarkContacted(ctx, e.m1, id, "r") }
	resolve := func(note string) func() error {
		return func() error { return e.fu.Resolve(ctx, e.m1, id, note, "r") }
	}
	reopen := func() error { return e.fu.Reopen(ctx, e.m1, id, "r") }
	steps := []struct {
		name string
		do   func() error
		want error // nil: allowed
		then store.FollowupState
	}{
		{"reopen an open one", reopen, followup.ErrState, store.FollowupOpen},
		{"mark contacted", contacted, nil, store.FollowupContacted},
		{"mark contacted twice", contacted, followup.ErrState, store.FollowupContacted},
		{"resolve without a note", resolve("   "), followup.ErrNoteRequired, store.FollowupContacted},
		{"resolve with too long a note", resolve(strings.Repeat("x", followup.MaxNote+1)), errField, store.FollowupContacted},
		{"resolve", resolve("Called him; replaced the sensor."), nil, store.FollowupResolved},
		{"resolve twice", resolve("Again"), followup.ErrState, store.FollowupResolved},
		{"mark a resolved one contacted", contacted, followup.ErrState, store.FollowupResolved},
		{"reopen", reopen, nil, store.FollowupOpen},
		{"resolve straight from open", resolve("Sorted by phone."), nil, store.FollowupResolved},
	}
	for _, st := range steps {
		err := st.do()
		switch {
		case st.want == nil && err != nil:
			t.Fatalf("%s: %v", st.name, err)
		case st.want == errField && fault.FieldsOf(err)["note"] == "":
			t.Fatalf("%s: %v, want a message on the note", st.name, err)
		case st.want != nil && st.want != errField && !errors.Is(err, st.want) && fault.FieldsOf(err)["note"] == "":
			t.Fatalf("%s: %v, want %v", st.name, err, st.want)
		}
		if got := e.followupOf(t, id).State; got != st.then {
			t.Fatalf("after %s: %s, want %s", st.name, got, st.then)
		}
	}
	if err := e.fu.MarkContacted(ctx, e.m2, id, "r"); !errors.Is(err, followup.ErrNotFound) {
		t.Errorf("another manager marks it contacted: %v, want ErrNotFound", err)
	}
	f := e.followupOf(t, id)
	var actions []string
	for _, h := range f.History {
		if h.By != e.m1.ID || h.At.IsZero() {
			t.Errorf("history step %+v lacks who or when", h)
		}
		actions = append(actions, h.Action)
	}
	if want := []string{"contacted", "resolved", "open", "resolved"}; !slices.Equal(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	if f.ContactedAt != nil {
		t.Error("reopening kept when it was contacted")
	}
	d, err := e.fu.Open(ctx, e.m1, id, "r")
	if err != nil || d.Note != "Sorted by phone." || d.ResolvedBy != e.m1.Name || len(d.History) != 4 || d.Email != "stan.states@customer.example" {
		t.Errorf("opened: note %q by %q, %d steps, email %q, %v", d.Note, d.ResolvedBy, len(d.History), d.Email, err)
	}
	entries, _, _ := e.w.Audit.List(ctx, store.AuditFilter{}, store.Page{Limit: 100})
	n := 0
	for _, en := range entries {
		if en.Action == string(audit.FollowupContacted) && en.Detail == id {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d contacted entries audit-logged, want 1", n)
	}
}

// errField stands for a per-field validation error.
var errField = errors.New("a field error")

func TestAssign(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.accountOf(t, e.m1, e.m2)
	other := e.account(t, e.m2) // m1 is not its manager
	_, id := e.answer(t, a, "Ada Assign", 5, true)
	_, elsewhere := e.answer(t, other, "Eli Elsewhere", 5, true)

	d, err := e.fu.Open(ctx, e.m1, id, "r")
	if err != nil {
		t.Fatal(err)
	}
	var owners []string
	for _, p := range d.Owners {
		owners = append(owners, p.ID)
	}
	if want := []string{e.m1.ID, e.m2.ID, e.w.Admin.ID}; !slices.Equal(owners, want) {
		t.Errorf("owners %v, want the managers then the admin %v", owners, want)
	}
	for _, bad := range []string{e.analyst.ID, "", "nobody"} {
		if err := e.fu.Assign(ctx, e.m1, id, bad, "r"); fault.FieldsOf(err)["owner"] == "" {
			t.Errorf("assign to %q: %v, want a message on the owner", bad, err)
		}
	}
	if err := e.fu.Assign(ctx, e.m1, elsewhere, e.m1.ID, "r"); !errors.Is(err, followup.ErrNotFound) {
		t.Errorf("assign another manager's follow-up: %v, want ErrNotFound", err)
	}
	for _, to := range []store.User{e.m2, e.w.Admin} {
		if err := e.fu.Assign(ctx, e.m1, id, to.ID, "r"); err != nil {
			t.Fatal(err)
		}
		if f := e.followupOf(t, id); f.OwnerID != to.ID {
			t.Errorf("owner %s, want %s", f.OwnerID, to.ID)
		}
	}
	mine, _, err := e.fu.List(ctx, e.w.Admin, followup.Query{Mine: true})
	if err != nil || len(mine) != 1 || mine[0].ResponseID != id || mine[0].Owner != e.w.Admin.Name {
		t.Errorf("the admin's own: %+v, %v", mine, err)
	}
	f := e.followupOf(t, id)
	if last := f.History[len(f.History)-1]; last.Action != store.EventAssigned || last.OwnerID != e.w.Admin.ID || last.By != e.m1.ID {
		t.Errorf("history ends with %+v", last)
	}
}

func TestRemindersAndEscalationsGoOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	shared := e.accountOf(t, e.m1, e.m2)
	alone := e.account(t, e.m1)
	_, detractor := e.answer(t, shared, "Dora Detractor", 2, true)
	_, resolved := e.answer(t, shared, "Rob Resolved", 1, true)
	_, passive := e.answer(t, alone, "Pat Passive", 8, true)
	if err := e.fu.Resolve(ctx, e.m1, resolved, "Called.", "r"); err != nil {
		t.Fatal(err)
	}
	send := func(want int) {
		t.Helper()
		if n, err := e.fu.SendNotices(ctx); err != nil || n != want {
			t.Fatalf("SendNotices at %s = %d, %v; want %d", e.w.Now().UTC(), n, err, want)
		}
	}
	send(0)
	due := *e.followupOf(t, detractor).DueAt

	e.advanceTo(due.Add(-time.Hour))
	send(1)
	send(0)
	reminders := e.mailsWith(t, reminderSubject)
	if got := recipients(reminders); !slices.Equal(got, []string{e.m1.Email}) {
		t.Fatalf("reminders to %v, want the owner alone", got)
	}
	m := reminders[0]
	if !strings.Contains(m.Subject, "Dora Detractor ("+shared.Name+")") || !strings.Contains(m.Text, baseURL+"/followups/"+detractor) ||
		!strings.Contains(m.Text, due.Format("Mon 2 Jan 2006 15:04")+" UTC") {
		t.Errorf("reminder:\n%s\n%s", m.Subject, m.Text)
	}

	e.advanceTo(due.Add(time.Hour))
	send(1)
	send(0)
	escalations := e.mailsWith(t, escalationSubject)
	if got := recipients(escalations); !slices.Equal(got, []string{e.m2.Email}) {
		t.Fatalf("escalations to %v, want the other manager", got)
	}
	if !strings.Contains(escalations[0].Text, "Its owner is "+e.m1.Name) {
		t.Errorf("escalation:\n%s", escalations[0].Text)
	}

	// The passive follow-up's account has no other manager: its
	// escalation goes to the admins.
	e.advanceTo(e.followupOf(t, passive).DueAt.Add(time.Hour))
	send(2)
	send(0)
	if got := recipients(e.mailsWith(t, escalationSubject)); !slices.Equal(got, sortedOf(e.m2.Email, e.w.Admin.Email)) {
		t.Errorf("escalations to %v, want the other manager's and the admin's", got)
	}
	if got := recipients(e.mailsWith(t, reminderSubject)); !slices.Equal(got, []string{e.m1.Email, e.m1.Email}) {
		t.Errorf("reminders to %v, want the owner's two", got)
	}
	for _, m := range append(e.mailsWith(t, reminderSubject), e.mailsWith(t, escalationSubject)...) {
		for _, never := range []string{"Rob Resolved", "Faster repairs", "hard to reach"} {
			if strings.Contains(m.Raw, never) {
				t.Errorf("%q contains %q", m.Subject, never)
			}
		}
	}
	f := e.followupOf(t, detractor)
	if f.Reminder.SentAt == nil || f.Escalation.SentAt == nil || f.Reminder.At != nil || f.Escalation.At != nil ||
		!slices.Equal(f.Escalation.To, []string{e.m2.ID}) {
		t.Errorf("notices as stored: %+v %+v", f.Reminder, f.Escalation)
	}

	// Reopened, resolved or not, a follow-up never sends a notice again.
	if err := e.fu.Resolve(ctx, e.m1, detractor, "Done.", "r"); err != nil {
		t.Fatal(err)
	}
	if err := e.fu.Reopen(ctx, e.m1, detractor, "r"); err != nil {
		t.Fatal(err)
	}
	e.w.Advance(30 * 24 * time.Hour)
	send(0)
	if got, _ := e.fu.Open(ctx, e.m1, detractor, "r"); !slices.ContainsFunc(got.History, func(ev followup.Event) bool { return ev.Action == "escalation" }) {
		t.Errorf("the history does not show the escalation: %+v", got.History)
	}
}

func sortedOf(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestTwoSweepersSendOneEscalation races two sweepers for one escalation,
// holding one of them inside its claim, before and after its write.
func TestTwoSweepersSendOneEscalation(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		name := "held before its lease"
		if after {
			name = "held after its lease"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			a := e.accountOf(t, e.m1, e.m2)
			_, id := e.answer(t, a, "Rita Race", 0, true)
			e.advanceTo(e.followupOf(t, id).DueAt.Add(time.Minute))

			p := newPauser()
			var held atomic.Bool
			hold := func(kind store.NoticeKind, _ string) {
				if kind == store.NoticeEscalation && held.CompareAndSwap(false, true) {
					p.pause()
				}
			}
			hooks := store.FollowupHooks{BeforeClaimNotice: hold}
			if after {
				hooks = store.FollowupHooks{AfterClaimNotice: hold}
			}
			e.st.Followups.SetHooks(hooks)

			first := make(chan error, 1)
			go func() {
				_, err := e.fu.SendNotices(ctx)
				first <- err
			}()
			<-p.at
			second := e.fu.WithClock(e.w.Now) // another replica
			if _, err := second.SendNotices(ctx); err != nil {
				t.Fatal(err)
			}
			close(p.release)
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			if got := recipients(e.mailsWith(t, escalationSubject)); !slices.Equal(got, []string{e.m2.Email}) {
				t.Errorf("escalations to %v, want one to the other manager", got)
			}
			if got := recipients(e.mailsWith(t, reminderSubject)); len(got) != 1 {
				t.Errorf("reminders to %v, want one", got)
			}
		})
	}
}

// pauser holds the operation that calls it until release, after telling
// the test it got there.
type pauser struct{ at, release chan struct{} }

func newPauser() pauser { return pauser{at: make(chan struct{}), release: make(chan struct{})} }

func (p pauser) pause() {
	p.at <- struct{}{}
	<-p.release
}

func TestSummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a1, a2 := e.account(t, e.m1), e.account(t, e.m2)
	_, d1 := e.answer(t, a1, "Dan One", 1, true)  // due in 2 business days
	_, p1 := e.answer(t, a1, "Pam One", 10, true) // due in 5
	_, r1 := e.answer(t, a1, "Ray One", 3, true)  // resolved
	_, d2 := e.answer(t, a2, "Dee Two", 2, true)  // another manager's
	if err := e.fu.Resolve(ctx, e.m1, r1, "Called.", "r"); err != nil {
		t.Fatal(err)
	}
	due := *e.followupOf(t, d1).DueAt

	e.advanceTo(due.Add(-time.Hour))
	sum, err := e.fu.Summary(ctx, e.m1)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Open != 2 || sum.Overdue != 0 || sum.DueSoon != 1 || len(sum.Next) != 2 || sum.Next[0].ResponseID != d1 || sum.Next[1].ResponseID != p1 {
		t.Errorf("manager's summary before due: %+v", sum)
	}
	e.advanceTo(due.Add(time.Hour))
	if sum, err = e.fu.Summary(ctx, e.m1); err != nil || sum.Open != 2 || sum.Overdue != 1 || sum.DueSoon != 0 || !sum.Next[0].Overdue {
		t.Errorf("manager's summary after due: %+v, %v", sum, err)
	}
	if sum, err = e.fu.Summary(ctx, e.w.Admin); err != nil || sum.Open != 3 || sum.Overdue != 2 {
		t.Errorf("admin's summary: %+v, %v", sum, err)
	}
	overdue, total, err := e.fu.List(ctx, e.w.Admin, followup.Query{Overdue: true})
	if err != nil || total != 2 || !slices.Equal(responseIDs(overdue), sorted(d1, d2)) {
		t.Errorf("admin's overdue list: %v (%d), %v", responseIDs(overdue), total, err)
	}
	if _, err := e.fu.Summary(ctx, e.analyst); !errors.Is(err, followup.ErrForbidden) {
		t.Errorf("analyst's summary: %v, want ErrForbidden", err)
	}
}
