package main

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/demo"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	db := storetest.DB(t)
	st := store.New(db)
	ctx := context.Background()
	ring, err := keys.Generate("d1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(storetest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db.Name()
	env := map[string]string{"CANDOR_MONGODB_URI": u.String(), "CANDOR_SECRET_KEYS": ring.Encode()}

	out, err := runCandor(env, "demo", "--responses", "60", "--contacts", "120", "--seed", "7", "--password", "demo password 1")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"Consent chain verified", "the rollups count 60 responses", demo.AdminEmail, "demo password 1", "30 accounts, 120 contacts, 120 invitations, 60 answers", "Last year's survey: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// What the demo stored adds up: every answer is one response, counted
	// once in the report; every named one has its consent in a chain that
	// verifies, and is its manager's follow-up.
	sv, lastYear := demoSurveys(t, st)
	responses, named := 0, 0
	if err := st.Responses.Each(ctx, sv.ID, func(r store.Response) error {
		responses++
		if r.Named != nil {
			named++
			if _, err := st.Followups.ByID(ctx, r.ID); err != nil {
				t.Errorf("named response %s has no follow-up: %v", r.ID, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if responses != 60 || named == 0 || named == responses {
		t.Errorf("%d responses, %d named; want 60, some named", responses, named)
	}
	// Sixty answers over half a year leave months below the threshold, so
	// the report's total is read where it comes from: the weeks' counts.
	weeks, err := st.Rollups.CurrentWeeks(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	counted := int64(0)
	for _, w := range weeks {
		counted += w.N
	}
	if counted != int64(responses) || len(weeks) < 10 {
		t.Errorf("rollups count %d responses in %d weeks, want %d over half a year", counted, len(weeks), responses)
	}
	// Last year's named answers have their consents in the chain too.
	if err := st.Responses.Each(ctx, lastYear.ID, func(r store.Response) error {
		if r.Named != nil {
			named++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := privacy.NewChain(st.Consents).Verify(ctx); err != nil || n != named {
		t.Errorf("consent chain: %d records, %v; want %d verified", n, err, named)
	}
	if out, err := runCandor(env, "consent", "verify"); err != nil {
		t.Errorf("consent verify: %v\n%s", err, out)
	}

	// Every alert went out when its answer came: the first start mails
	// none of the demo's history.
	due, err := st.Followups.DueAlerts(ctx, time.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Errorf("%d detractor alerts queued after the demo, want none", len(due))
	}

	// The campaign counts what happened: every answer is an answered
	// invitation and counted on it, and every invited contact was last
	// surveyed when their invitation went out.
	camps, err := st.Campaigns.ListBySurvey(ctx, sv.ID, "")
	if err != nil || len(camps) != 1 {
		t.Fatalf("campaigns: %d, %v", len(camps), err)
	}
	camp := camps[0]
	byState, err := st.Invitations.CountByState(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if camp.Answered() != responses || byState[store.InvitationAnswered] != responses || camp.Counts.Sent != 120 {
		t.Errorf("campaign answered %d, sent %d; invitations %v; want %d answered of 120", camp.Answered(), camp.Counts.Sent, byState, responses)
	}
	if camp.ActiveUntil.Before(time.Now()) {
		t.Errorf("campaign active until %s: its latest links are still valid", camp.ActiveUntil)
	}
	var invited []store.Invitation
	for _, c := range mustContacts(t, st) {
		// The largest accounts' people were invited to last year's
		// survey too: one invitation to this one, last surveyed by the
		// latest.
		invs, err := st.Invitations.ByContact(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var this []store.Invitation
		latest := time.Time{}
		for _, inv := range invs {
			if inv.SurveyID == sv.ID {
				this = append(this, inv)
			}
			if inv.CreatedAt.After(latest) {
				latest = inv.CreatedAt
			}
		}
		if len(this) != 1 {
			t.Fatalf("contact %s: %d invitations to %s", c.ID, len(this), sv.ID)
		}
		invited = append(invited, this[0])
		if c.LastSurveyedAt == nil || !c.LastSurveyedAt.Equal(latest) {
			t.Errorf("contact %s last surveyed %v, last invited %s", c.ID, c.LastSurveyedAt, latest)
		}
	}
	if len(invited) != 120 {
		t.Errorf("%d contacts invited, want 120", len(invited))
	}

	// A second demo is refused rather than piled on the first.
	if out, err := runCandor(env, "demo", "--responses", "10"); err == nil || !strings.Contains(err.Error(), "already holds the demo") {
		t.Errorf("second demo: %v\n%s", err, out)
	}
}

func mustContacts(t *testing.T, st *store.Store) []contacts.Contact {
	t.Helper()
	var out []contacts.Contact
	if err := st.Contacts.Each(context.Background(), contacts.Filter{}, func(c contacts.Contact) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDemoReports runs the full demo and reads its dashboards as an
// analyst would: the breakdowns by region, tier and industry show every
// group, the headline shows by week as it does by month, and every
// month's total is there.
func TestDemoReports(t *testing.T) {
	if testing.Short() {
		t.Skip("gives 3,000 answers")
	}
	t.Parallel()
	db := storetest.DB(t)
	st := store.New(db)
	ctx := context.Background()
	ring, err := keys.Generate("d1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(storetest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db.Name()
	env := map[string]string{"CANDOR_MONGODB_URI": u.String(), "CANDOR_SECRET_KEYS": ring.Encode()}
	if out, err := runCandor(env, "demo", "--seed", "1", "--password", "demo password 1"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	sv, lastYear := demoSurveys(t, st)
	reports := report.New(st.Rollups)
	// An account shows in both surveys: its page has a trend.
	both := 0
	if rep, err := reports.Report(ctx, report.Query{By: report.Account}, lastYear); err != nil {
		t.Fatal(err)
	} else {
		for _, c := range rep.Breakdown {
			now, err := reports.Report(ctx, report.Query{Filter: report.Filter{Dimension: report.Account, Value: c.Label}}, sv)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Suppressed && !now.Overall.Suppressed && now.Overall.NPS != nil && c.NPS != nil {
				both++
			}
		}
	}
	if both == 0 {
		t.Error("no account shows in both surveys")
	}
	for _, by := range []report.Dimension{report.Region, report.Tier, report.Industry} {
		rep, err := reports.Report(ctx, report.Query{By: by}, sv)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Breakdown) < 3 {
			t.Errorf("by %s: %d groups", by, len(rep.Breakdown))
		}
		for _, c := range rep.Breakdown {
			if c.Suppressed {
				t.Errorf("by %s: %s hidden (%s)", by, c.Label, c.Reason)
			}
		}
		for _, p := range rep.Trend {
			if p.Suppressed {
				t.Errorf("by %s: month %s hidden (%s)", by, p.Label, p.Reason)
			}
		}
	}
	for _, p := range []report.Period{report.Weekly, report.Monthly, report.Quarterly} {
		rep, err := reports.Report(ctx, report.Query{Period: p}, sv)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Overall.Responses == nil || *rep.Overall.Responses != 3000 {
			t.Errorf("by %s: the headline shows %+v, want 3000 responses", p, rep.Overall)
		}
	}
	// The detractors' follow-up counts those shown it: the detractors.
	if rep, err := reports.Report(ctx, report.Query{}, sv); err != nil {
		t.Fatal(err)
	} else if i := slices.IndexFunc(rep.Questions, func(q report.Question) bool { return q.Key == "reason" }); i < 0 || rep.Overall.NPS == nil ||
		rep.Questions[i].Shown == nil || *rep.Questions[i].Shown != rep.Overall.NPS.Detractors || *rep.Questions[i].Answered != *rep.Questions[i].Shown {
		t.Errorf("the reason question shows %+v, want one answer of each of the detractors (%+v)", rep.Questions, rep.Overall.NPS)
	}
	// Each manager breaks their own accounts down.
	users, _, err := st.Users.List(ctx, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	managers := 0
	for _, m := range users {
		if m.Role != store.RoleManager {
			continue
		}
		managers++
		rep, err := reports.Report(ctx, report.Query{By: report.Tier, Filter: report.Filter{Dimension: report.Manager, Value: m.ID}}, sv)
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for _, c := range rep.Breakdown {
			if !c.Suppressed {
				shown++
			}
		}
		if rep.Overall.Suppressed || shown == 0 {
			t.Errorf("manager %s: overall %+v, %d of %d tiers shown: %+v", m.Email, rep.Overall, shown, len(rep.Breakdown), rep.Breakdown)
		}
	}
	if managers == 0 {
		t.Error("the demo has no managers")
	}
	checkDemoThemes(t, st, ring, sv, u.String(), "demo password 1")
}

// demoSurveys returns the demo's survey and last year's, which the
// largest accounts answered too.
func demoSurveys(t *testing.T, st *store.Store) (current, lastYear survey.Survey) {
	t.Helper()
	surveys, _, err := st.Surveys.List(context.Background(), store.SurveyFilter{}, store.Page{})
	if err != nil || len(surveys) != 2 {
		t.Fatalf("surveys: %d, %v", len(surveys), err)
	}
	for _, sv := range surveys {
		if sv.Title.Get("en", "en") == "Customer survey 2025" {
			lastYear = sv
		} else {
			current = sv
		}
	}
	if lastYear.ID == "" || current.ID == "" {
		t.Fatalf("surveys: %+v", surveys)
	}
	return current, lastYear
}
