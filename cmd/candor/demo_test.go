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
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
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
	for _, want := range []string{"Consent chain verified", "the rollups count 60 responses", demo.AdminEmail, "demo password 1", "30 accounts, 120 contacts, 120 invitations, 60 answers"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// What the demo stored adds up: every answer is one response, counted
	// once in the report; every named one has its consent in a chain that
	// verifies, and is its manager's follow-up.
	surveys, _, err := st.Surveys.List(ctx, store.SurveyFilter{}, store.Page{})
	if err != nil || len(surveys) != 1 {
		t.Fatalf("surveys: %d, %v", len(surveys), err)
	}
	sv := surveys[0]
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
	weeks, err := st.Rollups.Weeks(ctx, sv.ID)
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
