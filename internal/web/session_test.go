package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("success sets the session cookie and redirects", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		c.get("/login")
		before := c.csrf
		r := c.post("/login", url.Values{"email": {"ADMIN@example.com "}, "password": {testPassword}})
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Errorf("Location = %q, want /", loc)
		}
		ck := setCookie(r, sessionCookie)
		if ck == nil || ck.Value == "" {
			t.Fatal("no session cookie")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
			t.Errorf("cookie attributes: HttpOnly=%v SameSite=%v Path=%q Secure=%v", ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
		}
		if d := time.Until(ck.Expires); d < 29*time.Minute || d > 31*time.Minute {
			t.Errorf("cookie expires in %s, want the session lifetime", d)
		}
		if r := c.get("/"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, `<span class="account-name">Test admin</span>`) {
			t.Errorf("GET / after sign-in: %d", r.StatusCode)
		}
		if c.csrf == before {
			t.Error("the CSRF token was not rotated at sign-in")
		}
	})

	t.Run("wrong password and unknown email read the same", func(t *testing.T) {
		t.Parallel()
		var bodies []string
		for _, email := range []string{"manager@example.com", "nobody@example.com"} {
			c := f.client(t)
			c.get("/login")
			r := c.post("/login", url.Values{"email": {email}, "password": {"not the password"}})
			wantStatus(t, r, http.StatusUnauthorized)
			if !strings.Contains(r.body, "Email or password is incorrect.") {
				t.Errorf("%s: page lacks the message", email)
			}
			if !strings.Contains(r.body, `value="`+email+`"`) {
				t.Errorf("%s: email not kept in the form", email)
			}
			if setCookie(r, sessionCookie) != nil {
				t.Errorf("%s: a failed sign-in set a session cookie", email)
			}
			bodies = append(bodies, csrfInput.ReplaceAllString(strings.ReplaceAll(r.body, email, ""), ""))
		}
		if bodies[0] != bodies[1] {
			t.Error("the pages for a wrong password and an unknown email differ")
		}
	})

	t.Run("next is followed only within the site", func(t *testing.T) {
		t.Parallel()
		for next, want := range map[string]string{
			"/admin/users?page=1":  "/admin/users?page=1",
			"//evil.example":       "/",
			"https://evil.example": "/",
		} {
			c := f.client(t)
			c.get("/login?next=" + url.QueryEscape(next))
			r := c.post("/login", url.Values{"email": {f.admin.Email}, "password": {testPassword}, "next": {next}})
			wantStatus(t, r, http.StatusSeeOther)
			if loc := r.Header.Get("Location"); loc != want {
				t.Errorf("next=%q: Location = %q, want %q", next, loc, want)
			}
		}
	})

	t.Run("signed-in visitors skip the form", func(t *testing.T) {
		t.Parallel()
		r := f.signIn(t, f.analyst).get("/login")
		wantStatus(t, r, http.StatusSeeOther)
	})

	t.Run("sign out", func(t *testing.T) {
		t.Parallel()
		c := f.signIn(t, f.manager)
		c.get("/")
		r := c.post("/logout", nil)
		wantStatus(t, r, http.StatusSeeOther)
		if ck := setCookie(r, sessionCookie); ck == nil || ck.Value != "" || ck.Expires.After(time.Now()) {
			t.Errorf("session cookie not cleared: %v", ck)
		}
		wantStatus(t, c.get("/"), http.StatusSeeOther)
	})
}

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	c.get("/login")
	var r response
	for range 6 {
		r = c.post("/login", url.Values{"email": {f.manager.Email}, "password": {"guessing again"}})
		if r.StatusCode != http.StatusUnauthorized {
			break
		}
	}
	wantStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.body, "Too many sign-in attempts") || r.Header.Get("Retry-After") == "" {
		t.Errorf("429 without explanation or Retry-After:\n%s", truncate(r.body))
	}
	// Even the right password waits now.
	r = c.post("/login", url.Values{"email": {f.manager.Email}, "password": {testPassword}})
	wantStatus(t, r, http.StatusTooManyRequests)

	api := f.client(t).api(http.MethodPost, "/api/v1/auth/token", "", `{"email":"manager@example.com","password":"x"}`)
	wantStatus(t, api, http.StatusTooManyRequests)
	if got := decodeError(t, api).Error; got != "too many sign-in attempts, try again later" {
		t.Errorf("API error = %q", got)
	}
}

func TestSecureSessionCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := newTestServer(t, testOptions{users: f.st.Users, db: f.st, baseURL: "https://candor.example"})
	c := s.client(t)
	// The jar keeps Secure cookies from this plain-http test client; pass it by hand.
	page := c.get("/login")
	csrf, pre := setCookie(page, csrfCookie), setCookie(page, presessionCookie)
	if csrf == nil || !csrf.Secure || pre == nil || !pre.Secure {
		t.Fatalf("CSRF cookies on an https origin: %+v, %+v", csrf, pre)
	}
	c.header.Set("Cookie", csrfCookie+"="+csrf.Value+"; "+presessionCookie+"="+pre.Value)
	r := c.post("/login", url.Values{"email": {f.admin.Email}, "password": {testPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	if ck := setCookie(r, sessionCookie); ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Errorf("session cookie on an https origin: %+v", ck)
	}
}

func TestSessionRenewedWhileActive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.analyst)

	f.advance(10 * time.Minute)
	if r := c.get("/"); setCookie(r, sessionCookie) != nil {
		t.Error("renewed a session early in its life")
	}
	f.advance(10 * time.Minute) // past half of the 30-minute lifetime
	r := c.get("/")
	wantStatus(t, r, http.StatusOK)
	if setCookie(r, sessionCookie) == nil {
		t.Fatal("session not renewed past half its life")
	}
	f.advance(25 * time.Minute) // the first cookie would have expired by now
	wantStatus(t, c.get("/"), http.StatusOK)
	f.advance(31 * time.Minute) // idle longer than a session lasts
	wantStatus(t, c.get("/"), http.StatusSeeOther)
}

func TestDisabledUserLosesAccessAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	browser := f.signIn(t, f.analyst)
	bearer := f.token(t, f.analyst)
	wantStatus(t, browser.get("/"), http.StatusOK)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", bearer, ""), http.StatusOK)

	r := f.client(t).api(http.MethodPatch, "/api/v1/users/"+f.analyst.ID, f.token(t, f.admin), `{"disabled":true}`)
	wantStatus(t, r, http.StatusOK)

	r = browser.get("/")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login" {
		t.Errorf("Location = %q", loc)
	}
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", bearer, ""), http.StatusUnauthorized)

	c := f.client(t)
	c.get("/login")
	wantStatus(t, c.post("/login", url.Values{"email": {f.analyst.Email}, "password": {testPassword}}), http.StatusUnauthorized)
}

func TestRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		user       store.User
		wantAdmin  int // for admin pages and API
		wantCreate int // for an incomplete new-user form
	}{
		{f.admin, http.StatusOK, http.StatusBadRequest},
		{f.manager, http.StatusForbidden, http.StatusForbidden},
		{f.analyst, http.StatusForbidden, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(string(tt.user.Role), func(t *testing.T) {
			t.Parallel()
			c := f.signIn(t, tt.user)
			home := c.get("/")
			wantStatus(t, home, http.StatusOK)
			if got := strings.Contains(home.body, `href="/admin/users"`); got != (tt.wantAdmin == http.StatusOK) {
				t.Errorf("nav shows Users = %v", got)
			}
			for _, path := range []string{"/admin/users", "/admin/users/new", "/admin/users/" + f.admin.ID} {
				r := c.get(path)
				wantStatus(t, r, tt.wantAdmin)
				if tt.wantAdmin == http.StatusForbidden && !strings.Contains(r.body, "Not allowed") {
					t.Errorf("%s: 403 page lacks its heading", path)
				}
			}
			wantStatus(t, c.post("/admin/users/new", url.Values{"email": {"x@example.com"}}), tt.wantCreate)

			r := f.client(t).api(http.MethodGet, "/api/v1/users", f.token(t, tt.user), "")
			wantStatus(t, r, tt.wantAdmin)
			if tt.wantAdmin == http.StatusForbidden && decodeError(t, r).Error != "forbidden" {
				t.Errorf("API 403 body: %s", r.body)
			}
			wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", f.token(t, tt.user), ""), http.StatusOK)
		})
	}
}
