package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/store"
)

// TestAPIRejectsBadRequests covers what the API answers before it needs
// the database.
func TestAPIRejectsBadRequests(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	sessionToken, _, err := s.auth.IssueToken(store.User{ID: "u1"}, "candor-session")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, token, body string
		authorization, cookie           string
		wantStatus                      int
		wantError                       string
		wantFields                      map[string]string
	}{
		{name: "malformed JSON", method: "POST", path: "/api/v1/auth/token", body: `{"email":`,
			wantStatus: 400, wantError: "request body is not valid JSON"},
		{name: "empty body", method: "POST", path: "/api/v1/auth/token",
			wantStatus: 400, wantError: "request body is not valid JSON"},
		{name: "two JSON values", method: "POST", path: "/api/v1/auth/token", body: `{} {}`,
			wantStatus: 400, wantError: "request body is not valid JSON"},
		{name: "missing fields", method: "POST", path: "/api/v1/auth/token", body: `{}`,
			wantStatus: 400, wantError: "invalid input", wantFields: map[string]string{"email": "is required", "password": "is required"}},
		{name: "wrong type", method: "POST", path: "/api/v1/auth/token", body: `{"email":1,"password":"x"}`,
			wantStatus: 400, wantError: "invalid input", wantFields: map[string]string{"email": "has the wrong type"}},
		{name: "unknown field", method: "POST", path: "/api/v1/auth/token", body: `{"email":"a@b.c","password":"x","remember":true}`,
			wantStatus: 400, wantError: "invalid input", wantFields: map[string]string{"remember": "is not a known field"}},
		{name: "no bearer token", method: "GET", path: "/api/v1/me",
			wantStatus: 401, wantError: "missing bearer token"},
		{name: "not a bearer scheme", method: "GET", path: "/api/v1/users", authorization: "Basic YTpi",
			wantStatus: 401, wantError: "missing bearer token"},
		{name: "the session cookie is not accepted", method: "GET", path: "/api/v1/me", cookie: sessionToken,
			wantStatus: 401, wantError: "missing bearer token"},
		{name: "a session token is not an API token", method: "GET", path: "/api/v1/me", token: sessionToken,
			wantStatus: 401, wantError: "invalid or expired token"},
		{name: "garbage token", method: "GET", path: "/api/v1/users", token: "abc",
			wantStatus: 401, wantError: "invalid or expired token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := s.client(t)
			if tt.cookie != "" {
				c.header.Set("Cookie", sessionCookie+"="+tt.cookie)
			}
			if tt.authorization != "" {
				c.header.Set("Authorization", tt.authorization)
			}
			r := c.api(tt.method, tt.path, tt.token, tt.body)
			wantStatus(t, r, tt.wantStatus)
			got := decodeError(t, r)
			if got.Error != tt.wantError {
				t.Errorf("error = %q, want %q", got.Error, tt.wantError)
			}
			for k, v := range tt.wantFields {
				if got.Fields[k] != v {
					t.Errorf("fields[%q] = %q, want %q (all: %v)", k, got.Fields[k], v, got.Fields)
				}
			}
			if tt.wantStatus == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Error("401 without WWW-Authenticate: Bearer")
			}
		})
	}
}

func decodeError(t *testing.T, r response) errorBody {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON; body: %s", ct, truncate(r.body))
	}
	var e errorBody
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return e
}

func TestAPIRequestsAreNotCSRFChecked(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	c := s.client(t)
	c.header.Set("Sec-Fetch-Site", "cross-site")
	r := c.api(http.MethodPost, "/api/v1/auth/token", "", `{"email":"a@example.com","password":"long enough password"}`)
	// The database is down, so getting that far proves no CSRF check ran.
	wantStatus(t, r, http.StatusServiceUnavailable)
}
