package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/retention"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

// newRetention is the retention service over st, with the shipped defaults.
func newRetention(t *testing.T, st *store.Store) *retention.Service {
	t.Helper()
	ring, err := keys.Generate("r1")
	if err != nil {
		t.Fatal(err)
	}
	sealer := seal.New(ring)
	log := audit.New(st.Audit)
	people := privacy.New(privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: customer.New(st.Accounts, st.Contacts, st.Users, sealer),
		Eraser: st.Contacts, Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: log, Sealer: sealer, Outbox: st.Outbox, DevMails: st.DevMails, Scrubber: st,
	})
	return retention.New(retention.Deps{
		Store: st.Retention, Contacts: st.Contacts, Responses: st.Responses, Surveys: st.Surveys, Accounts: st.Accounts,
		DevMails: st.DevMails, DeadLetters: st.Outbox, Bounces: st.Bounces, SoftBounceWindow: 30 * 24 * time.Hour, People: people, Audit: log,
		Defaults: retention.Policy{DevOutboxDays: 30, DeadLetterDays: 30},
	})
}

func newRetentionFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, func(o *testOptions) { o.retention = newRetention(t, o.db.(*store.Store)) })
}

// The retention page shows the policy, saves a valid one, shows an invalid
// one again with what was typed, and is for admins only.
func TestRetentionPage(t *testing.T) {
	t.Parallel()
	f := newRetentionFixture(t)
	admin := f.signIn(t, f.admin)
	r := admin.get("/admin/retention")
	pageHas(t, r, "<h1>Retention</h1>", "What the next run removes", "No run yet", `name="devOutboxDays"`, `value="30"`, "Not saved yet")
	if !strings.Contains(r.body, `<a href="/admin/retention" aria-current="page">Retention</a>`) {
		t.Error("no current link to the page in the navigation")
	}

	r = admin.post("/admin/retention", url.Values{"contactMonths": {"soon"}, "namedMonths": {"12"}, "devOutboxDays": {"30"}, "deadLetterDays": {"30"}})
	wantStatus(t, r, http.StatusBadRequest)
	pageHas(t, r, "must be a whole number", `value="soon"`, `value="12"`, `aria-invalid="true"`)
	r = admin.post("/admin/retention", url.Values{"contactMonths": {"24"}, "namedMonths": {"121"}, "devOutboxDays": {"30"}, "deadLetterDays": {"-1"}})
	wantStatus(t, r, http.StatusBadRequest)
	pageHas(t, r, "must be between 0 and 120 months", "must be between 0 and 3650 days", `value="121"`)

	wantSeeOther(t, admin.post("/admin/retention", url.Values{"contactMonths": {"24"}, "namedMonths": {"12"}, "devOutboxDays": {"7"}, "deadLetterDays": {""}}), "/admin/retention?saved=1")
	r = admin.get("/admin/retention?saved=1")
	pageHas(t, r, "The retention policy was saved", `value="24"`, `value="7"`, "Saved by admin@example.com")

	for _, u := range []store.User{f.manager, f.analyst} {
		c := f.signIn(t, u)
		if r := c.get("/admin/retention"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET status %d, want 403", u.Role, r.StatusCode)
		}
		if r := c.post("/admin/retention", url.Values{"contactMonths": {"1"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: POST status %d, want 403", u.Role, r.StatusCode)
		}
	}
}

// The retention API answers as documented, bad input included.
func TestOpenAPIRetentionAsServed(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	f := newRetentionFixture(t)
	c := f.client(t)
	token := f.token(t, f.admin)

	r := c.api(http.MethodGet, "/api/v1/retention", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/retention")
	if !strings.Contains(r.body, `"devOutboxDays":30`) || strings.Contains(r.body, "updatedAt") {
		t.Errorf("defaults: %s", r.body)
	}
	for _, body := range []string{`{"contactMonths":"12"}`, `{"contactMonths":12,"forever":true}`, `not json`, `{"namedMonths":500}`} {
		r = c.api(http.MethodPut, "/api/v1/retention", token, body)
		wantStatus(t, r, http.StatusBadRequest)
		d.wantDocumented(t, r, "/retention")
	}
	r = c.api(http.MethodPut, "/api/v1/retention", token, `{"contactMonths":36,"namedMonths":24,"devOutboxDays":14,"deadLetterDays":60}`)
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/retention")
	if !strings.Contains(r.body, `"contactMonths":36`) || !strings.Contains(r.body, `"updatedAt"`) {
		t.Errorf("saved: %s", r.body)
	}
	r = c.api(http.MethodGet, "/api/v1/retention/preview", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/retention/preview")

	for _, tc := range []struct {
		method, path, token string
		status              int
	}{
		{http.MethodGet, "/api/v1/retention", f.token(t, f.manager), http.StatusForbidden},
		{http.MethodPut, "/api/v1/retention", f.token(t, f.analyst), http.StatusForbidden},
		{http.MethodGet, "/api/v1/retention/preview", "", http.StatusUnauthorized},
	} {
		r := c.api(tc.method, tc.path, tc.token, `{}`)
		wantStatus(t, r, tc.status)
		d.wantDocumented(t, r, strings.TrimPrefix(tc.path, "/api/v1"))
	}
}
