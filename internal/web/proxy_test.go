package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Behind a trusted TLS proxy the client's address comes from
// X-Forwarded-For, and staff forms still pass the CSRF check, which then
// wants a same-origin Referer.
func TestTrustedProxy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		proxies []string
		wantIP  string
	}{
		{"untrusted forwarding headers are ignored", nil, "ip=0.0.0.0"},
		{"a trusted proxy names the client", []string{"0.0.0.0"}, "ip=203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, testOptions{proxies: tt.proxies})
			c := s.client(t)
			c.header.Set("X-Forwarded-For", "203.0.113.9")
			c.header.Set("X-Forwarded-Proto", "https")
			c.get("/login")
			if !strings.Contains(s.logs.String(), tt.wantIP) {
				t.Fatalf("access log lacks %q:\n%s", tt.wantIP, s.logs.String())
			}
			c.header.Set("Referer", "https://example.com/login") // the host httptest requests go to
			r := c.post("/login", url.Values{"email": {"a@example.com"}, "password": {"whatever-long-enough"}})
			if r.StatusCode == http.StatusForbidden {
				t.Fatalf("sign-in form refused as CSRF behind the proxy:\n%s", truncate(r.body))
			}
		})
	}
}
