package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store/contacts"
)

// openAPIDoc is docs/openapi.json, decoded.
type openAPIDoc struct{ root map[string]any }

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	file, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(file, &root); err != nil {
		t.Fatalf("docs/openapi.json is not JSON: %v", err)
	}
	return openAPIDoc{root: root}
}

// deref follows a schema's or a response's $ref, if it has one.
func (d openAPIDoc) deref(v any) any {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v = resolveRef(d.root, ref)
	}
	return v
}

// wantDocumented checks that r's status is documented for the operation
// (path as in the document, without /api/v1) and that its JSON body
// conforms to the schema documented for that status.
func (d openAPIDoc) wantDocumented(t *testing.T, r response, path string) {
	t.Helper()
	method := strings.ToLower(r.Request.Method)
	op, _ := d.deref(dig(d.root, "paths", path, method)).(map[string]any)
	if op == nil {
		t.Fatalf("%s %s is not in docs/openapi.json", r.Request.Method, path)
	}
	status := strconv.Itoa(r.StatusCode)
	res := d.deref(dig(op, "responses", status))
	if res == nil {
		t.Errorf("%s %s answered %s, which is not documented; body:\n%s", r.Request.Method, path, status, truncate(r.body))
		return
	}
	schema := d.deref(dig(res, "content", "application/json", "schema"))
	if schema == nil {
		t.Errorf("%s %s %s: no JSON schema documented", r.Request.Method, path, status)
		return
	}
	var body any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v\n%s", r.Request.Method, path, err, truncate(r.body))
	}
	for _, p := range d.conform(schema, body, "body") {
		t.Errorf("%s %s %s: %s", r.Request.Method, path, status, p)
	}
}

// dig walks nested objects by key.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// conform lists where v departs from schema. It is stricter than JSON
// Schema in one way on purpose: an object whose schema lists properties
// may carry no others unless additionalProperties gives a schema, so that a
// field a handler adds or renames shows up as undocumented.
func (d openAPIDoc) conform(schema, v any, at string) []string {
	s, ok := d.deref(schema).(map[string]any)
	if !ok {
		return []string{at + ": schema is not an object"}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok {
			for _, alt := range alts {
				if len(d.conform(alt, v, at)) == 0 {
					return nil
				}
			}
			return []string{fmt.Sprintf("%s: %v matches none of %s", at, v, key)}
		}
	}
	if types := schemaTypes(s["type"]); len(types) > 0 && !slices.Contains(types, jsonType(v)) &&
		!(jsonType(v) == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: %s %v, want %s", at, jsonType(v), v, strings.Join(types, " or "))}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		return []string{fmt.Sprintf("%s: %v is not one of %v", at, v, enum)}
	}
	var out []string
	switch v := v.(type) {
	case string:
		layout := map[string]string{"date-time": time.RFC3339, "date": time.DateOnly}[fmt.Sprint(s["format"])]
		if _, err := time.Parse(layout, v); layout != "" && err != nil {
			out = append(out, fmt.Sprintf("%s: %q is not a %s", at, v, s["format"]))
		}
	case float64:
		if lo, ok := s["minimum"].(float64); ok && v < lo {
			out = append(out, fmt.Sprintf("%s: %v is below %v", at, v, lo))
		}
		if hi, ok := s["maximum"].(float64); ok && v > hi {
			out = append(out, fmt.Sprintf("%s: %v is above %v", at, v, hi))
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, e := range v {
				out = append(out, d.conform(items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case map[string]any:
		required, _ := s["required"].([]any)
		for _, k := range required {
			if _, ok := v[k.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: required %q is missing", at, k))
			}
		}
		props, _ := s["properties"].(map[string]any)
		extra, _ := s["additionalProperties"].(map[string]any)
		for k, e := range v {
			switch {
			case props[k] != nil:
				out = append(out, d.conform(props[k], e, at+"."+k)...)
			case extra != nil:
				out = append(out, d.conform(extra, e, at+"."+k)...)
			case props != nil:
				out = append(out, fmt.Sprintf("%s: %q is not documented", at, k))
			}
		}
	}
	return out
}

func schemaTypes(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, len(t))
		for i, e := range t {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return nil
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if v == math.Trunc(v) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// TestOpenAPIConform checks the schemas themselves: the checker must
// refuse what the document does not allow, or the tests below prove
// nothing.
func TestOpenAPIConform(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	followup := map[string]any{"responseId": "r", "contact": "Dora", "accountId": "a", "account": "Acme", "surveyId": "s",
		"survey": "Survey", "date": "2026-05-06", "score": 4.0, "detractor": true, "state": "open"}
	// with is the follow-up with k set to v, or without k when v is absent.
	with := func(k string, v ...any) map[string]any {
		m := maps.Clone(followup)
		delete(m, k)
		if len(v) > 0 {
			m[k] = v[0]
		}
		return m
	}
	schema := map[string]any{"$ref": "#/components/schemas/Followup"}
	for _, tc := range []struct {
		name string
		v    any
		want string // in the one problem expected; empty: none
	}{
		{"documented", followup, ""},
		{"no NPS answer", with("score", nil), ""},
		{"missing field", with("contact"), `required "contact"`},
		{"undocumented field", with("email", "dora@example.com"), `"email" is not documented`},
		{"wrong type", with("detractor", "yes"), "want boolean"},
		{"outside the enum", with("state", "closed"), "is not one of"},
		{"not a date", with("date", "06.05.2026"), "is not a date"},
		{"above the maximum", with("score", 11.0), "above 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := d.conform(schema, tc.v, "body")
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("problems %q, want none", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Errorf("problems %q, want one with %q", got, tc.want)
			}
		})
	}
}

// TestOpenAPIExamples checks that every example in the document, of a
// schema or of a body, conforms to its schema.
func TestOpenAPIExamples(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	checked := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ex, ok := v["example"]; ok {
				schema := v["schema"] // a body's
				if _, typed := v["type"]; schema == nil && typed {
					schema = v
				}
				if schema != nil {
					checked++
					for _, p := range d.conform(schema, ex, "example") {
						t.Errorf("%s: %s", at, p)
					}
				}
			}
			for k, e := range v {
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range v {
				walk(e, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(d.root, "#")
	if checked == 0 {
		t.Error("no examples found")
	}
}

// TestOpenAPICampaignsAsServed sends campaigns through the API and checks
// every answer against the document.
func TestOpenAPICampaignsAsServed(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	f := newCampaignFixture(t)
	ctx := context.Background()
	acme, cs := f.account(t, f.manager, "Acme", 3)
	if err := f.st.Contacts.SetStatus(ctx, cs[2].ID, contacts.Unsubscribed, f.now()); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	token, admin := f.token(t, f.manager), f.token(t, f.admin)
	create := "/api/v1/surveys/" + f.survey.ID + "/campaigns"

	r := c.api(http.MethodPost, create, token, `{"accountIds":["`+acme.ID+`"],"reminders":{"count":1,"afterDays":7}}`)
	wantStatus(t, r, http.StatusAccepted)
	d.wantDocumented(t, r, "/surveys/{id}/campaigns")
	var created struct {
		ID      string `json:"id"`
		Skipped []any  `json:"skipped"`
	}
	decodeBody(t, r, &created)
	if len(created.Skipped) != 1 {
		t.Fatalf("skipped %v, want the unsubscribed contact", created.Skipped)
	}
	one := "/api/v1/campaigns/" + created.ID

	r = c.api(http.MethodGet, one, token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/campaigns/{id}")

	f.deliver(t)
	r = c.api(http.MethodGet, create, token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/surveys/{id}/campaigns")
	if !strings.Contains(r.body, created.ID) {
		t.Errorf("the list lacks the campaign: %s", truncate(r.body))
	}

	r = c.api(http.MethodGet, "/api/v1/outbox?limit=1", admin, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/outbox")
	var outbox struct {
		Items []struct{ ID string } `json:"items"`
	}
	decodeBody(t, r, &outbox)
	if len(outbox.Items) != 1 {
		t.Fatalf("outbox items %v, want 1", outbox.Items)
	}
	r = c.api(http.MethodGet, "/api/v1/outbox/"+url.PathEscape(outbox.Items[0].ID), admin, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/outbox/{id}")

	r = c.api(http.MethodPost, one+"/cancel", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/campaigns/{id}/cancel")

	// Refusals answer with documented statuses and the error shape.
	for _, tc := range []struct {
		method, target, token, body, path string
		status                            int
	}{
		{http.MethodPost, create, token, `{"accountIds":["` + acme.ID + `"],"segment":{"tier":"gold"}}`, "/surveys/{id}/campaigns", http.StatusBadRequest},
		{http.MethodPost, create, token, `{"accountIds":["` + acme.ID + `"],"sendAt":"Monday"}`, "/surveys/{id}/campaigns", http.StatusBadRequest},
		{http.MethodPost, create, token, `{"accountIds":["` + acme.ID + `"]}`, "/surveys/{id}/campaigns", http.StatusUnprocessableEntity},
		{http.MethodPost, "/api/v1/surveys/nope/campaigns", token, `{"accountIds":["` + acme.ID + `"]}`, "/surveys/{id}/campaigns", http.StatusNotFound},
		{http.MethodGet, "/api/v1/campaigns/nope", token, "", "/campaigns/{id}", http.StatusNotFound},
		{http.MethodPost, "/api/v1/campaigns/nope/cancel", token, "", "/campaigns/{id}/cancel", http.StatusNotFound},
		{http.MethodGet, "/api/v1/outbox", token, "", "/outbox", http.StatusForbidden},
		{http.MethodGet, "/api/v1/outbox?offset=-1", admin, "", "/outbox", http.StatusBadRequest},
		{http.MethodGet, "/api/v1/outbox/nope", admin, "", "/outbox/{id}", http.StatusNotFound},
		{http.MethodGet, "/api/v1/campaigns/" + created.ID, "", "", "/campaigns/{id}", http.StatusUnauthorized},
	} {
		r := c.api(tc.method, tc.target, tc.token, tc.body)
		wantStatus(t, r, tc.status)
		d.wantDocumented(t, r, tc.path)
	}
}

// TestOpenAPIFollowupsAsServed lists follow-ups through the API, open and
// done, and checks the answers against the document.
func TestOpenAPIFollowupsAsServed(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	f := newFollowupFixture(t)
	_, id := f.answer(t, f.mia, "Dora Detractor", "3", true)
	token := f.token(t, f.mia)

	r := f.miaC.api(http.MethodGet, "/api/v1/followups?state=open", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/followups")
	if !strings.Contains(r.body, id) {
		t.Fatalf("the list lacks the follow-up: %s", truncate(r.body))
	}

	wantStatus(t, f.miaC.get("/followups/"+id), http.StatusOK) // for its form's CSRF token
	wantSeeOther(t, f.miaC.post("/followups/"+id+"/resolve", url.Values{"note": {"Called her."}}), "/followups/"+id)
	r = f.miaC.api(http.MethodGet, "/api/v1/followups?state=done&limit=10", token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/followups")
	if !strings.Contains(r.body, `"doneAt"`) {
		t.Errorf("a done follow-up without doneAt: %s", truncate(r.body))
	}

	for _, tc := range []struct {
		target, token string
		status        int
	}{
		{"/api/v1/followups?state=closed", token, http.StatusBadRequest},
		{"/api/v1/followups?limit=x", token, http.StatusBadRequest},
		{"/api/v1/followups", f.token(t, f.ana), http.StatusForbidden},
		{"/api/v1/followups", "", http.StatusUnauthorized},
	} {
		r := f.miaC.api(http.MethodGet, tc.target, tc.token, "")
		wantStatus(t, r, tc.status)
		d.wantDocumented(t, r, "/followups")
	}
}

// The schedule routes answer as documented, bad input included.
func TestOpenAPISchedulesAsServed(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	f := newCampaignFixture(t)
	acme, _ := f.account(t, f.manager, "Acme", 1)
	c := f.client(t)
	token := f.token(t, f.manager)
	base := "/api/v1/surveys/" + f.survey.ID + "/schedules"

	r := c.api(http.MethodPost, base, token, `{"accountIds":["`+acme.ID+`"],"cadence":"weekly","firstRunAt":"not a time"}`)
	wantStatus(t, r, http.StatusBadRequest)
	d.wantDocumented(t, r, "/surveys/{id}/schedules")
	r = c.api(http.MethodPost, base, token, `{"accountIds":["`+acme.ID+`"],"cadence":"weekly","firstRunAt":"2099-01-01T09:00:00Z"}`)
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, `"cadence"`) {
		t.Errorf("no message on cadence: %s", truncate(r.body))
	}
	first := f.now().UTC().Add(24 * time.Hour).Truncate(time.Minute).Format(time.RFC3339)
	r = c.api(http.MethodPost, base, token, `{"accountIds":["`+acme.ID+`"],"cadence":"quarterly","firstRunAt":"`+first+`"}`)
	wantStatus(t, r, http.StatusCreated)
	d.wantDocumented(t, r, "/surveys/{id}/schedules")
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || created.ID == "" {
		t.Fatalf("created %s, %v", truncate(r.body), err)
	}
	r = c.api(http.MethodGet, base, token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/surveys/{id}/schedules")
	if !strings.Contains(r.body, `"nextRunAt":"`+first) {
		t.Errorf("list lacks the next run %s: %s", first, truncate(r.body))
	}
	for _, action := range []string{"pause", "resume"} {
		r = c.api(http.MethodPost, "/api/v1/schedules/"+created.ID+"/"+action, token, "")
		wantStatus(t, r, http.StatusOK)
		d.wantDocumented(t, r, "/schedules/{id}/"+action)
	}
	r = c.api(http.MethodDelete, "/api/v1/schedules/"+created.ID, token, "")
	wantStatus(t, r, http.StatusNoContent)
	wantStatus(t, c.api(http.MethodDelete, "/api/v1/schedules/"+created.ID, token, ""), http.StatusNotFound)
}
