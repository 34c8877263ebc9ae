package relationship_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/relationship"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is two surveys of three accounts: first answers both (6 of 7
// contacts, then 6 of 6), other once with one respondent, third 5 and 5;
// never was never surveyed.
type fixture struct {
	w                          *respondtest.World
	svc                        *relationship.Service
	s1, s2                     survey.Survey
	first, other, third, never store.Account
	stranger                   store.User // a manager of none of them
	contacts                   map[string][]customer.Contact
	deps                       relationship.Deps
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	f := fixture{w: w}
	f.s1 = w.OpenSurvey(t, nil)
	contacts := map[string][]customer.Contact{}
	invited := map[string]respondtest.Person{} // the first contact's, to s1
	account := func(name string, n int) store.Account {
		p := w.Invite(t, f.s1, name+" 0", name+"0@example.com", "en")
		invited[p.Account.ID] = p
		contacts[p.Account.ID] = append(contacts[p.Account.ID], p.Contact)
		for i := 1; i < n; i++ {
			c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{AccountID: p.Account.ID, Name: fmt.Sprint(name, " ", i), Email: fmt.Sprintf("%s%d@example.com", name, i), Locale: "en"})
			if err != nil {
				t.Fatal(err)
			}
			contacts[p.Account.ID] = append(contacts[p.Account.ID], c)
		}
		return p.Account
	}
	f.first, f.other, f.third = account("first", 7), account("other", 1), account("third", 5)
	f.never = w.Invite(t, f.s1, "never", "never@example.com", "en").Account
	if _, err := st.Invitations.ByAccount(ctx, f.never.ID); err != nil {
		t.Fatal(err)
	}
	answer := func(sv survey.Survey, a store.Account, n int, nps string, skipInvite bool) {
		for i, c := range contacts[a.ID][:n] {
			var p respondtest.Person
			if i == 0 && skipInvite {
				p = invited[a.ID] // invited with the account above
			} else {
				p = w.InviteContact(t, sv, c, a)
			}
			l, err := w.Respond.Resolve(ctx, p.Token)
			if err != nil {
				t.Fatal(err)
			}
			values := respondtest.Answers()
			values["q.nps"] = []string{nps}
			if _, err := w.Respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	answer(f.s1, f.first, 6, "9", true)
	// The seventh contact of first is invited and stays silent.
	w.InviteContact(t, f.s1, contacts[f.first.ID][6], f.first)
	answer(f.s1, f.other, 1, "2", true)
	answer(f.s1, f.third, 5, "8", true)
	// The invitation of never's contact is revoked: never was not surveyed.
	if invs, err := st.Invitations.ByAccount(ctx, f.never.ID); err != nil || len(invs) != 1 {
		t.Fatal(invs, err)
	} else if _, err := st.Invitations.Transition(ctx, invs[0].ID, store.InvitationPending, store.InvitationRevoked); err != nil {
		t.Fatal(err)
	}

	w.Advance(100 * 24 * time.Hour)
	f.s2 = w.OpenSurvey(t, nil)
	answer(f.s2, f.first, 6, "3", false)
	answer(f.s2, f.third, 5, "10", false)

	f.stranger = store.User{ID: store.NewID(), Email: "m@example.com", Name: "Max Manager", Role: store.RoleManager, PasswordHash: "x"}
	if err := st.Users.Insert(ctx, f.stranger); err != nil {
		t.Fatal(err)
	}
	// A named answer of first's, as the follow-ups keep it.
	score := 3
	if err := st.Followups.Insert(ctx, store.Followup{ID: "named-1", SurveyID: f.s2.ID, ContactID: contacts[f.first.ID][0].ID, AccountID: f.first.ID,
		ManagerIDs: f.first.ManagerIDs, Date: "2026-01-05", Score: &score, Detractor: true, State: store.FollowupOpen, CreatedAt: w.Now()}); err != nil {
		t.Fatal(err)
	}
	fu := followup.New(followupDeps(st, w))
	f.contacts = contacts
	f.deps = relationship.Deps{
		Accounts: w.Customers, Invitations: st.Invitations, Surveys: st.Surveys, Reports: report.New(st.Rollups), Followups: fu,
	}
	f.svc = relationship.New(f.deps).WithClock(w.Now)
	return f
}

func TestAccountView(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	type row struct {
		survey     string
		invited    int
		heard      int // -1: not shown
		nps        *float64
		suppressed report.Reason
	}
	score := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		account store.Account
		rows    []row
		named   int
	}{
		{"answered both", f.first, []row{{f.s1.ID, 7, 6, score(100), ""}, {f.s2.ID, 6, 6, score(-100), ""}}, 1},
		// One respondent: neither the score nor how many answered.
		{"one respondent", f.other, []row{{f.s1.ID, 1, -1, nil, report.FewResponses}}, 0},
		// Hidden in s1 so that other's one cannot be worked out.
		{"protecting one", f.third, []row{{f.s1.ID, 5, -1, nil, report.Complement}, {f.s2.ID, 5, 5, score(100), ""}}, 0},
		{"never surveyed", f.never, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := f.svc.AccountView(ctx, f.w.Admin, tt.account.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Never() != (len(tt.rows) == 0) || len(v.Surveys) != len(tt.rows) {
				t.Fatalf("surveys %+v, want %d", v.Surveys, len(tt.rows))
			}
			for i, want := range tt.rows {
				got := v.Surveys[i]
				if got.SurveyID != want.survey || got.Invited != want.invited {
					t.Errorf("row %d: %s invited %d, want %s invited %d", i, got.SurveyID, got.Invited, want.survey, want.invited)
				}
				if heard := map[bool]int{true: got.Answered, false: -1}[got.HeardShown]; heard != want.heard || (!got.HeardShown && got.Answered != 0) {
					t.Errorf("row %d: heard from %d (shown %v), want %d", i, got.Answered, got.HeardShown, want.heard)
				}
				switch c := got.Cell; {
				case want.suppressed != "":
					if !c.Suppressed || c.Reason != want.suppressed || c.NPS != nil || c.Responses != nil {
						t.Errorf("row %d: %+v, want suppressed (%s)", i, c, want.suppressed)
					}
				case c.Suppressed || c.NPS == nil || c.NPS.Score != *want.nps:
					t.Errorf("row %d: %+v, want NPS %v", i, c, *want.nps)
				}
			}
			if len(v.Named) != tt.named || v.NamedTotal != int64(tt.named) {
				t.Errorf("named %+v (%d), want %d", v.Named, v.NamedTotal, tt.named)
			}
			if len(tt.rows) > 0 && len(v.Quarters) == 0 {
				t.Error("no quarters")
			}
			for _, q := range v.Quarters {
				if !q.Suppressed && tt.account.ID == f.other.ID {
					if q.Responses != nil && *q.Responses > 0 {
						t.Errorf("a quarter of one respondent shown: %+v", q)
					}
				}
			}
		})
	}

	// A manager of other accounts is told the account does not exist.
	if _, err := f.svc.AccountView(ctx, f.stranger, f.first.ID); fault.KindOf(err) != fault.NotFound {
		t.Errorf("a stranger's view: %v, want not found", err)
	}
}

func TestAccountSummaries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	got, err := f.svc.AccountSummaries(ctx, f.w.Admin, []string{f.first.ID, f.other.ID, f.third.ID, f.never.ID, "no-such-account"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d summaries, want 4: %+v", len(got), got)
	}
	first, other, third, never := got[0], got[1], got[2], got[3]
	if first.Latest == nil || first.Latest.NPS == nil || first.Latest.NPS.Score != -100 || first.LatestSurvey == "" || first.Trend != relationship.TrendDown {
		t.Errorf("first: %+v", first)
	}
	if first.ResponseRate == nil || fmt.Sprintf("%.1f", *first.ResponseRate) != "92.3" {
		t.Errorf("first's response rate: %v, want 12 of 13", first.ResponseRate)
	}
	if other.Latest == nil || !other.Latest.Suppressed || other.ResponseRate != nil || other.Trend != relationship.TrendUnknown {
		t.Errorf("other: %+v", other)
	}
	// Hidden in s1, shown in s2: one shown score, no trend.
	if third.Latest == nil || third.Latest.Suppressed || third.Trend != relationship.TrendUnknown || third.ResponseRate == nil || *third.ResponseRate != 100 {
		t.Errorf("third: %+v", third)
	}
	if never.Latest != nil || never.Surveys != 0 || never.ResponseRate != nil {
		t.Errorf("never: %+v", never)
	}
	if mine, err := f.svc.AccountSummaries(ctx, f.stranger, []string{f.first.ID}); err != nil || len(mine) != 0 {
		t.Errorf("a stranger's summaries: %+v, %v", mine, err)
	}
}

func followupDeps(st *store.Store, w *respondtest.World) followup.Deps {
	return followup.Deps{Store: st.Followups, Accounts: st.Accounts, Surveys: st.Surveys, Subjects: w.Customers}
}

// roles is contacts' roles as the contacts will record them.
type roles map[string]string

func (r roles) RolesOf(_ context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = r[id]
	}
	return out, nil
}

func TestAccountViewCountsInvitedByRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.contacts[f.first.ID]
	d := f.deps
	d.Roles = roles{first[0].ID: "decision maker", first[1].ID: "influencer", first[2].ID: "influencer"}
	v, err := relationship.New(d).WithClock(f.w.Now).AccountView(context.Background(), f.w.Admin, f.first.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []relationship.RoleCount{{Role: "", Invited: 4}, {Role: "decision maker", Invited: 1}, {Role: "influencer", Invited: 2}}
	if got := v.Surveys[0].Roles; !slices.Equal(got, want) {
		t.Errorf("roles in s1: %+v, want %+v", got, want)
	}
	if v, err := f.svc.AccountView(context.Background(), f.w.Admin, f.first.ID); err != nil || v.Surveys[0].Roles != nil {
		t.Errorf("roles without roles known: %+v, %v", v.Surveys[0].Roles, err)
	}
}
