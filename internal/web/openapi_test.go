package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/webhook"
)

// TestOpenAPIDocument checks that the served document is docs/openapi.json
// and that it describes exactly the routes registered under /api/v1, so
// that neither can change without the other.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := s.client(t).get("/api/v1/openapi.json")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	file, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.body != string(file) {
		t.Error("the served document differs from docs/openapi.json")
	}

	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(file, &doc); err != nil {
		t.Fatalf("docs/openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}

	const prefix = "/api/v1"
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	served := map[string]bool{} // "GET /surveys/{id}"
	for _, rt := range s.App().GetRoutes(true) {
		if rt.Method == fiber.MethodHead || !strings.HasPrefix(rt.Path, prefix+"/") {
			continue
		}
		p := strings.TrimSuffix(strings.TrimPrefix(rt.Path, prefix), "/")
		p = param.ReplaceAllString(p, "{$1}")
		served[rt.Method+" "+p] = true
	}
	if len(served) == 0 {
		t.Fatal("no API routes found")
	}

	documented := map[string]bool{}
	for p, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			documented[strings.ToUpper(method)+" "+p] = true
			var o struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s: operation without an id or responses (%v)", method, p, err)
			}
		}
	}
	for _, route := range slices.Sorted(maps.Keys(served)) {
		if !documented[route] {
			t.Errorf("%s is served but not in docs/openapi.json", route)
		}
	}
	for _, route := range slices.Sorted(maps.Keys(documented)) {
		if !served[route] {
			t.Errorf("%s is in docs/openapi.json but not served", route)
		}
	}

	// Every reference points at something.
	var whole any
	if err := json.Unmarshal(file, &whole); err != nil {
		t.Fatal(err)
	}
	for _, ref := range jsonRefs(whole) {
		if resolveRef(whole, ref) == nil {
			t.Errorf("dangling reference %q", ref)
		}
	}
}

// newAPIServer is a server with every service that adds routes under
// /api/v1, the campaign and follow-up services among them, so that the
// routes compared with the document are those a wired server serves.
func newAPIServer(t *testing.T) *testServer {
	t.Helper()
	st := store.New(storetest.DB(t))
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	sealer := seal.New(ring)
	customers := customer.New(st.Accounts, st.Contacts, st.Users, sealer)
	campaigns, err := invite.NewService(invite.Deps{
		Stores: invite.StoresOf(st), Customers: customers, Links: link.New(ring, "http://candor.test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	followups := followup.New(followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys,
		Subjects: customers, Users: st.Users, Sealer: sealer, BaseURL: "http://candor.test",
	})
	bounces, err := bounce.NewHandler(bounce.Deps{ReturnPaths: bounce.NewReturnPaths(ring, "bounces.candor.test"),
		Invitations: st.Invitations, Recipients: customers, Suppressions: st.Suppressions, Contacts: st.Contacts,
		Campaigns: st.Campaigns, Events: st.Bounces})
	if err != nil {
		t.Fatal(err)
	}
	return newTestServer(t, testOptions{users: st.Users, db: st, customers: customers, campaigns: campaigns, followups: followups,
		bounces: bounces, bounceSecrets: []string{strings.Repeat("s", 32)}, retention: newRetention(t, st),
		webhooks: webhook.New(webhook.Deps{Store: st.Webhooks, Sealer: sealer})})
}

// jsonRefs returns every "$ref" in a decoded JSON document.
func jsonRefs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				out = append(out, s)
			} else {
				out = append(out, jsonRefs(e)...)
			}
		}
	case []any:
		for _, e := range v {
			out = append(out, jsonRefs(e)...)
		}
	}
	return out
}

// resolveRef follows a local JSON pointer ("#/components/schemas/Survey").
func resolveRef(doc any, ref string) any {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	cur := doc
	for part := range strings.SplitSeq(p, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}
