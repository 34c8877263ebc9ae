package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/keys"
)

func TestCSRFTokens(t *testing.T) {
	t.Parallel()
	old, err := keys.Parse("old:" + strings.Repeat("A", 43))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse("new:" + strings.Repeat("B", 43) + ",old:" + strings.Repeat("A", 43))
	if err != nil {
		t.Fatal(err)
	}
	other, err := keys.Generate("old")
	if err != nil {
		t.Fatal(err)
	}
	mustTokens := func(r *keys.Ring) *csrfTokens {
		tok, err := newCSRFTokens(r)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	issuer := mustTokens(old)
	token := issuer.generate()
	sig := token[strings.LastIndexByte(token, '.')+1:]

	tests := []struct {
		name   string
		verify *csrfTokens
		token  string
		want   bool
	}{
		{"fresh token", issuer, token, true},
		{"after key rotation", mustTokens(rotated), token, true},
		{"another deployment's key", mustTokens(other), token, false},
		{"tampered expiry", issuer, strings.Replace(token, ".", ".z", 1), false},
		{"tampered signature", issuer, strings.TrimSuffix(token, sig) + strings.Repeat("A", len(sig)), false},
		{"unknown key id", issuer, "zz" + token, false},
		{"garbage", issuer, "not-a-token", false},
		{"empty", issuer, "", false},
	}
	for _, tt := range tests {
		if got := tt.verify.valid(tt.token); got != tt.want {
			t.Errorf("%s: valid = %v, want %v", tt.name, got, tt.want)
		}
	}

	expired := mustTokens(old)
	expired.now = func() time.Time { return time.Now().Add(csrfTTL + time.Minute) }
	if expired.valid(token) {
		t.Error("a token past its expiry is valid")
	}
}

func TestCSRFProtectsStaffForms(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	login := url.Values{"email": {"a@example.com"}, "password": {"correct horse battery"}}

	tests := []struct {
		name  string
		setup func(c *client) url.Values
		want  int
	}{
		{"no token, no cookie", func(c *client) url.Values { return login }, http.StatusForbidden},
		{"cookie but no token", func(c *client) url.Values {
			c.get("/login")
			c.csrf = ""
			return login
		}, http.StatusForbidden},
		{"token that does not match the cookie", func(c *client) url.Values {
			c.get("/login")
			f := url.Values{"_csrf": {otherToken(t, s)}}
			for k, v := range login {
				f[k] = v
			}
			return f
		}, http.StatusForbidden},
		{"cross-site request per fetch metadata", func(c *client) url.Values {
			c.get("/login")
			c.header.Set("Sec-Fetch-Site", "cross-site")
			return login
		}, http.StatusForbidden},
		// Past the CSRF check the handler runs; its database is down here.
		{"valid token", func(c *client) url.Values {
			c.get("/login")
			return login
		}, http.StatusServiceUnavailable},
		{"valid token, same-origin fetch metadata", func(c *client) url.Values {
			c.get("/login")
			c.header.Set("Sec-Fetch-Site", "same-origin")
			return login
		}, http.StatusServiceUnavailable},
		{"valid token behind a TLS proxy, no Referer", func(c *client) url.Values {
			c.get("/login")
			c.header.Set("X-Forwarded-Proto", "https")
			return login
		}, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := s.client(t)
			form := url.Values{}
			for k, v := range tt.setup(c) {
				form[k] = v
			}
			r := c.post("/login", form)
			wantStatus(t, r, tt.want)
			if tt.want == http.StatusForbidden && !strings.Contains(r.body, "This form has expired") {
				t.Errorf("403 page does not explain:\n%s", truncate(r.body))
			}
		})
	}
}

// otherToken is a valid token issued to another browser.
func otherToken(t *testing.T, s *testServer) string {
	t.Helper()
	c := s.client(t)
	c.get("/login")
	if c.csrf == "" {
		t.Fatal("login page has no CSRF token")
	}
	return c.csrf
}

func TestCSRFCookie(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"http://candor.test", "https://candor.example"} {
		s := newTestServer(t, testOptions{baseURL: base})
		ck := setCookie(s.client(t).get("/login"), csrfCookie)
		if ck == nil {
			t.Fatalf("%s: GET /login sets no %s cookie", base, csrfCookie)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
			t.Errorf("%s: cookie attributes %+v", base, ck)
		}
		if ck.Secure != strings.HasPrefix(base, "https") {
			t.Errorf("%s: Secure = %v", base, ck.Secure)
		}
	}
}

func TestNoCSRFCookieOutsideStaffPages(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	for _, path := range []string{"/healthz", "/static/css/candor.css", "/api/v1/nothing", "/s/token", "/u/token"} {
		if r := s.client(t).get(path); len(r.Cookies()) > 0 {
			t.Errorf("GET %s sets cookies %v", path, r.Cookies())
		}
	}
}
