package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/webhook"
)

// newWebhookFixture is the fixture with webhooks configured.
func newWebhookFixture(t *testing.T) *fixture {
	t.Helper()
	ring, err := keys.Generate("w1")
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureWith(t, func(o *testOptions) {
		st := o.db.(*store.Store)
		o.webhooks = webhook.New(webhook.Deps{Store: st.Webhooks, Sealer: seal.New(ring)})
	})
}

func TestAdminManagesWebhooks(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	c := f.signIn(t, f.admin)

	r := c.get("/admin/webhooks")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "No webhooks yet") || !strings.Contains(r.body, `href="/admin/webhooks"`) {
		t.Fatalf("empty list or nav link missing:\n%s", truncate(r.body))
	}
	c.get("/admin/webhooks/new")

	// Bad input: the form again, with what was typed and why.
	r = c.post("/admin/webhooks/new", url.Values{"name": {"CRM"}, "url": {"http://crm.example.com/in"}, "kind": {"generic"},
		"events": {"campaign.finished"}, "npsThreshold": {"abc"}})
	wantStatus(t, r, http.StatusBadRequest)
	for _, want := range []string{`value="CRM"`, `value="http://crm.example.com/in"`, "NPS threshold must be a whole number", `aria-invalid="true"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused form lacks %s", want)
		}
	}
	r = c.post("/admin/webhooks/new", url.Values{"name": {"CRM"}, "url": {"http://crm.example.com/in"}, "kind": {"generic"}, "events": {"campaign.finished"}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "URL must use https") || !strings.Contains(r.body, `value="campaign.finished" checked`) {
		t.Errorf("the refused form lacks the URL's message or the ticked event:\n%s", truncate(r.body))
	}

	// Good input: the secret, once.
	r = c.post("/admin/webhooks/new", url.Values{"name": {"CRM"}, "url": {"https://crm.example.com/in?token=s3cr3t"}, "kind": {"generic"},
		"events": {"campaign.finished", "followup.created"}, "enabled": {"on"}})
	wantStatus(t, r, http.StatusCreated)
	if !strings.Contains(r.body, "whsec_") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the secret is not shown once:\n%s", truncate(r.body))
	}
	list := c.get("/admin/webhooks")
	if !strings.Contains(list.body, "https://crm.example.com/in?…") || strings.Contains(list.body, "s3cr3t") || strings.Contains(list.body, "whsec_") {
		t.Errorf("the list shows a credential or lacks the endpoint:\n%s", truncate(list.body))
	}
	ids, _, err := f.testServer.webhooks.List(t.Context(), f.admin, store.Page{})
	if err != nil || len(ids) != 1 {
		t.Fatalf("endpoints: %v %v", ids, err)
	}
	page := "/admin/webhooks/" + ids[0].ID
	r = c.get(page)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Nothing delivered yet") || !strings.Contains(r.body, "Rotate the secret") {
		t.Errorf("the endpoint's page lacks its log or rotation:\n%s", truncate(r.body))
	}

	// Edit: an empty URL keeps the URL; a bad threshold is a field error.
	r = c.post(page, url.Values{"name": {"CRM"}, "url": {""}, "kind": {"generic"}, "events": {"report.threshold_crossed"}, "npsThreshold": {"300"}, "enabled": {"on"}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "NPS threshold must be between -100 and 100") {
		t.Errorf("the refused edit lacks its message:\n%s", truncate(r.body))
	}
	r = c.post(page, url.Values{"name": {"CRM sink"}, "url": {""}, "kind": {"generic"}, "events": {"report.threshold_crossed"}, "npsThreshold": {"30"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = c.get(r.Header.Get("Location"))
	if !strings.Contains(r.body, "The changes were saved.") || !strings.Contains(r.body, `value="30"`) || !strings.Contains(r.body, "Disabled") {
		t.Errorf("the saved endpoint:\n%s", truncate(r.body))
	}

	r = c.post(page+"/rotate", url.Values{})
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "New secret for CRM sink") || !strings.Contains(r.body, "whsec_") {
		t.Errorf("rotation page:\n%s", truncate(r.body))
	}
	wantStatus(t, c.post(page+"/deliveries/nope/replay", url.Values{}), http.StatusNotFound)
	wantStatus(t, c.post(page, url.Values{"_csrf": {""}, "name": {"x"}}), http.StatusForbidden)

	wantStatus(t, c.get(page+"/delete"), http.StatusOK)
	r = c.post(page+"/delete", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	if r = c.get(r.Header.Get("Location")); !strings.Contains(r.body, "were deleted") {
		t.Errorf("after deleting:\n%s", truncate(r.body))
	}
	wantStatus(t, c.get(page), http.StatusNotFound)

	// Managers never reach the pages.
	m := f.signIn(t, f.manager)
	wantStatus(t, m.get("/admin/webhooks"), http.StatusForbidden)
}

func TestAPIWebhooks(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	f := newWebhookFixture(t)
	c := f.client(t)
	token := f.token(t, f.admin)

	r := c.api(http.MethodPost, "/api/v1/webhooks", token, `{"name":"","url":"ftp://x","events":["nope"]}`)
	wantStatus(t, r, http.StatusBadRequest)
	d.wantDocumented(t, r, "/webhooks")
	if e := decodeError(t, r); e.Fields["name"] == "" || e.Fields["url"] == "" || e.Fields["events"] == "" {
		t.Errorf("fields = %v", e.Fields)
	}
	r = c.api(http.MethodPost, "/api/v1/webhooks", token, `{"name":"CRM","url":"https://crm.example.com/in","events":["campaign.finished"],"colour":"red"}`)
	wantStatus(t, r, http.StatusBadRequest)

	r = c.api(http.MethodPost, "/api/v1/webhooks", token, `{"name":"CRM","url":"https://crm.example.com/in","events":["campaign.finished","followup.created"]}`)
	wantStatus(t, r, http.StatusCreated)
	d.wantDocumented(t, r, "/webhooks")
	var created struct {
		ID, Secret string
		Enabled    bool
	}
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || !strings.HasPrefix(created.Secret, "whsec_") || !created.Enabled {
		t.Fatalf("created = %s", r.body)
	}
	base := "/api/v1/webhooks/" + created.ID

	r = c.api(http.MethodGet, "/api/v1/webhooks", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/webhooks")
	if strings.Contains(r.body, "whsec_") || !strings.Contains(r.body, `"total":1`) {
		t.Errorf("list = %s", r.body)
	}
	r = c.api(http.MethodGet, base, token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/webhooks/{id}")

	r = c.api(http.MethodPatch, base, token, `{"events":["report.threshold_crossed"],"npsThreshold":25}`)
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/webhooks/{id}")
	if !strings.Contains(r.body, `"npsThreshold":25`) {
		t.Errorf("patched = %s", r.body)
	}
	r = c.api(http.MethodPatch, base, token, `{"npsThreshold":null}`)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, "npsThreshold") {
		t.Errorf("the threshold stayed: %s", r.body)
	}
	r = c.api(http.MethodPatch, base, token, `{"npsThreshold":"high"}`)
	wantStatus(t, r, http.StatusBadRequest)
	d.wantDocumented(t, r, "/webhooks/{id}")
	r = c.api(http.MethodPatch, base, token, `{"kind":"slack"}`)
	wantStatus(t, r, http.StatusBadRequest)

	r = c.api(http.MethodPost, base+"/rotate", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/webhooks/{id}/rotate")
	if !strings.Contains(r.body, "previousSecretValidUntil") || strings.Contains(r.body, created.Secret) {
		t.Errorf("rotated = %s", r.body)
	}

	r = c.api(http.MethodGet, base+"/deliveries?limit=x", token, "")
	wantStatus(t, r, http.StatusBadRequest)
	r = c.api(http.MethodGet, base+"/deliveries", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/webhooks/{id}/deliveries")
	r = c.api(http.MethodPost, base+"/deliveries/dlv_none/replay", token, "")
	wantStatus(t, r, http.StatusNotFound)
	d.wantDocumented(t, r, "/webhooks/{id}/deliveries/{delivery}/replay")

	for _, tc := range []struct {
		method, target, token string
		status                int
	}{
		{http.MethodGet, "/api/v1/webhooks", f.token(t, f.manager), http.StatusForbidden},
		{http.MethodGet, "/api/v1/webhooks", "", http.StatusUnauthorized},
		{http.MethodGet, "/api/v1/webhooks/unknown", token, http.StatusNotFound},
		{http.MethodPost, "/api/v1/webhooks/unknown/rotate", f.token(t, f.analyst), http.StatusForbidden},
	} {
		r := c.api(tc.method, tc.target, tc.token, "")
		wantStatus(t, r, tc.status)
	}

	r = c.api(http.MethodDelete, base, token, "")
	wantStatus(t, r, http.StatusNoContent)
	r = c.api(http.MethodDelete, base, token, "")
	wantStatus(t, r, http.StatusNotFound)
	d.wantDocumented(t, r, "/webhooks/{id}")
}

func TestAdminReplaysADelivery(t *testing.T) {
	t.Parallel()
	ring, err := keys.Generate("w1")
	if err != nil {
		t.Fatal(err)
	}
	var st *store.Store
	f := newFixtureWith(t, func(o *testOptions) {
		st = o.db.(*store.Store)
		o.webhooks = webhook.New(webhook.Deps{Store: st.Webhooks, Sealer: seal.New(ring)})
	})
	ctx := t.Context()
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rcv.Close()
	svc := f.testServer.webhooks
	ep, _, err := svc.Create(ctx, f.admin, webhook.Input{Name: "CRM", URL: rcv.URL, Kind: webhook.Generic, Events: []string{webhook.CampaignFinished}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.(*webhook.Service).Publish(ctx, webhook.Event{ID: "evt_1", Type: webhook.CampaignFinished, Campaign: &webhook.CampaignSummary{ID: "c1"}}); err != nil {
		t.Fatal(err)
	}
	d := webhook.NewDispatcher(webhook.DispatcherDeps{Store: st.Webhooks, Sealer: seal.New(ring)})
	if n, err := d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	c := f.signIn(t, f.admin)
	page := "/admin/webhooks/" + ep.ID
	r := c.get(page)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"Campaign finished", "delivered", "evt_1", "Replay"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the log lacks %q:\n%s", want, truncate(r.body))
		}
	}
	replay := page + "/deliveries/" + webhook.DeliveryID("evt_1", ep.ID) + "/replay"
	r = c.post(replay, url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	if r = c.get(r.Header.Get("Location")); !strings.Contains(r.body, "queued again") || !strings.Contains(r.body, "pending") {
		t.Errorf("after the replay:\n%s", truncate(r.body))
	}
	// A pending delivery cannot be replayed: the page says so.
	r = c.post(replay, url.Values{})
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "Only a delivered or failed delivery can be replayed") {
		t.Errorf("the refused replay:\n%s", truncate(r.body))
	}
}
