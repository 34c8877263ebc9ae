package web

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/store"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"Content-Security-Policy":    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	plain := newTestServer(t, testOptions{})
	secure := newTestServer(t, testOptions{baseURL: "https://candor.example"})
	tests := []struct {
		name     string
		s        *testServer
		path     string
		wantHSTS bool
		referrer string
	}{
		{"login page", plain, "/login", false, "same-origin"},
		{"not found page", plain, "/nowhere", false, "same-origin"},
		{"api error", plain, "/api/v1/nowhere", false, "same-origin"},
		{"health", plain, "/healthz", false, "same-origin"},
		{"static file", plain, "/static/css/candor.css", false, "same-origin"},
		{"https origin adds HSTS", secure, "/login", true, "same-origin"},
		{"https origin, error page", secure, "/nowhere", true, "same-origin"},
		{"respondent link never passes its address on", plain, "/s/some.token.here", false, "no-referrer"},
		{"unsubscribe link never passes its address on", plain, "/u/some.token.here", false, "no-referrer"},
		{"email confirmation link never passes its address on", plain, "/e/some-token", false, "no-referrer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.s.client(t).get(tt.path)
			for h, v := range want {
				if got := r.Header.Get(h); got != v {
					t.Errorf("%s = %q, want %q", h, got, v)
				}
			}
			if got := r.Header.Get("Referrer-Policy"); got != tt.referrer {
				t.Errorf("Referrer-Policy = %q, want %q", got, tt.referrer)
			}
			if r.Header.Get("Permissions-Policy") == "" {
				t.Error("Permissions-Policy missing")
			}
			if got := r.Header.Get("Strict-Transport-Security") != ""; got != tt.wantHSTS {
				t.Errorf("HSTS present = %v, want %v", got, tt.wantHSTS)
			}
			if r.Header.Get("X-Request-ID") == "" {
				t.Error("X-Request-ID missing")
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	tests := []struct {
		name, incoming string
		kept           bool
	}{
		{"none is generated", "", false},
		{"a well-formed id from a proxy is kept", "edge-1234.abc_DEF", true},
		{"an id with spaces is replaced", "evil id\twith tabs", false},
		{"an overlong id is replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := s.client(t)
			if tt.incoming != "" {
				c.header.Set("X-Request-ID", tt.incoming)
			}
			got := c.get("/healthz").Header.Get("X-Request-ID")
			if got == "" {
				t.Fatal("no X-Request-ID")
			}
			if (got == tt.incoming) != tt.kept {
				t.Errorf("X-Request-ID = %q for incoming %q; kept = %v, want %v", got, tt.incoming, got == tt.incoming, tt.kept)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		ping       pingFunc
		wantStatus int
		wantBody   string
	}{
		{"database answers", func(context.Context) error { return nil }, http.StatusOK, `{"status":"ok"}`},
		{"database fails", func(context.Context) error { return errors.New("connection refused") }, http.StatusServiceUnavailable, `{"status":"unavailable"}`},
		{"the check is bounded by a deadline", func(ctx context.Context) error {
			dl, ok := ctx.Deadline()
			if !ok || time.Until(dl) > healthTimeout {
				return nil // would report healthy, failing the test
			}
			<-ctx.Done()
			return ctx.Err()
		}, http.StatusServiceUnavailable, `{"status":"unavailable"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, testOptions{db: tt.ping})
			r := s.client(t).get("/healthz")
			wantStatus(t, r, tt.wantStatus)
			if r.body != tt.wantBody {
				t.Errorf("body = %s, want %s", r.body, tt.wantBody)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

const metricsToken = "a-metrics-token-of-24-chars"

func TestMetrics(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{metrics: config.Config{MetricsToken: metricsToken}})
	c := s.client(t)
	c.get("/login")
	c.get("/login")
	c.get("/s/secret-respondent-token/thanks")
	c.header.Set("Authorization", "Bearer "+metricsToken)
	body := c.get("/metrics").body
	c.header.Del("Authorization")

	for _, want := range []string{
		`candor_http_requests_total{method="GET",route="/login",status="200"} 2`,
		`candor_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`candor_http_request_duration_seconds_count{method="GET",route="/login"} 2`,
		`candor_build_info{version="test"} 1`,
		"go_goroutines",
		"process_cpu_seconds_total",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "secret-respondent-token") {
		t.Error("a path token became a metric label")
	}
}

// TestMetricsNeedTheToken: /metrics tells what the service is doing, so
// it is served on the main address only to a scraper with the token.
func TestMetricsNeedTheToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		cfg           config.Config
		authorization string
		want          int
	}{
		{"no token configured", config.Config{}, "", http.StatusNotFound},
		{"no token configured, one sent", config.Config{}, "Bearer " + metricsToken, http.StatusNotFound},
		{"token configured, none sent", config.Config{MetricsToken: metricsToken}, "", http.StatusUnauthorized},
		{"wrong token", config.Config{MetricsToken: metricsToken}, "Bearer " + metricsToken + "x", http.StatusUnauthorized},
		{"token without Bearer", config.Config{MetricsToken: metricsToken}, metricsToken, http.StatusUnauthorized},
		{"right token", config.Config{MetricsToken: metricsToken}, "Bearer " + metricsToken, http.StatusOK},
		{"served on its own address", config.Config{MetricsToken: metricsToken, MetricsAddr: "127.0.0.1:9090"}, "Bearer " + metricsToken, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestServer(t, testOptions{metrics: tt.cfg}).client(t)
			if tt.authorization != "" {
				c.header.Set("Authorization", tt.authorization)
			}
			r := c.get("/metrics")
			wantStatus(t, r, tt.want)
			if tt.want != http.StatusOK && strings.Contains(r.body, "candor_build_info") {
				t.Error("metrics served without the token")
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	c := s.client(t)
	c.header.Set("X-Request-ID", "req-42")
	c.get("/s/abc.def.ghi/thanks?email=jane%40example.com&name=Jane")

	var line string
	for _, l := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(l, "request_id=req-42") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no access log line for the request in:\n%s", s.logs.String())
	}
	for _, want := range []string{"method=GET", "path=/s/:token/thanks", "status=404", "duration=", "bytes=", "ip="} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	for _, leak := range []string{"abc.def.ghi", "jane", "example.com", "email", "?"} {
		if strings.Contains(line, leak) {
			t.Errorf("log line contains %q: %s", leak, line)
		}
	}
}

func TestRedactPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/s/abc.def.ghi/thanks", "/s/:token/thanks"},
		{"/s/abc.def.ghi", "/s/:token"},
		{"/s/abc/privacy/download", "/s/:token/privacy/download"},
		{"/u/xyz", "/u/:token"},
		{"/u/xyz/", "/u/:token/"},
		{"/e/Zm9vYmFy", "/e/:token"},
		{"/E/Zm9vYmFy", "/E/:token"},
		{"/export", "/export"},
		{"/S/xyz", "/S/:token"},
		{"/s/", "/s/:token"},
		{"/s", "/s"},
		{"/static/css/candor.css", "/static/css/candor.css"},
		{"/survey/1", "/survey/1"},
		{"/admin/users/0123", "/admin/users/0123"},
		{"/", "/"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := redactPath(tt.in); got != tt.want {
			t.Errorf("redactPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/no/such/page", "text/html; charset=utf-8", "Page not found"},
		{"/api/v1/no/such/thing", "application/json", `{"error":"not found"}`},
		{"/api", "application/json", `{"error":"not found"}`},
		{"/static/no-such-file.css", "text/html; charset=utf-8", "Page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			r := s.client(t).get(tt.path)
			wantStatus(t, r, http.StatusNotFound)
			if ct := r.Header.Get("Content-Type"); ct != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantType)
			}
			if !strings.Contains(r.body, tt.wantBody) {
				t.Errorf("body lacks %q:\n%s", tt.wantBody, truncate(r.body))
			}
			if strings.Contains(r.body, "Cannot GET") {
				t.Error("body echoes Fiber's internal message")
			}
		})
	}
}

func TestPanicBecomesErrorPage(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{users: panickingUsers{}})
	c := s.client(t)
	c.get("/login")
	r := c.post("/login", map[string][]string{"email": {"a@example.com"}, "password": {"whatever-it-is"}})
	wantStatus(t, r, http.StatusInternalServerError)
	if !strings.Contains(r.body, "Something went wrong") {
		t.Errorf("page lacks the friendly heading:\n%s", truncate(r.body))
	}
	id := r.Header.Get("X-Request-ID")
	if id == "" || !strings.Contains(r.body, id) {
		t.Errorf("page does not quote request id %q", id)
	}
	if strings.Contains(r.body, "kaboom") || strings.Contains(r.body, "goroutine") {
		t.Error("page shows panic internals")
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "kaboom") || !regexp.MustCompile(`stack=.*goroutine`).MatchString(logs) {
		t.Errorf("panic and stack not logged:\n%s", logs)
	}
}

// panickingUsers is a user store with a bug.
type panickingUsers struct{ downUsers }

func (panickingUsers) ByEmail(context.Context, string) (store.User, error) { panic("kaboom") }
