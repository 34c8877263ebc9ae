package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/demo"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
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

	// Alerts of answers older than a week went out back then: only recent
	// detractors' alerts wait in the queue.
	weekAgo := time.Now().Add(-8 * 24 * time.Hour).Format(time.DateOnly)
	due, err := st.Followups.DueAlerts(ctx, time.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range due {
		if f, err := st.Followups.ByID(ctx, a.ID); err != nil || f.Date < weekAgo || !f.Detractor {
			t.Errorf("alert queued for %+v, %v", f, err)
		}
	}

	// A second demo is refused rather than piled on the first.
	if out, err := runCandor(env, "demo", "--responses", "10"); err == nil || !strings.Contains(err.Error(), "already holds the demo") {
		t.Errorf("second demo: %v\n%s", err, out)
	}
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
