package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/mail/smtptest"
)

const newPassword = "an entirely new passphrase"

// wantSignedOut checks that c's session no longer opens a staff page.
func wantSignedOut(t *testing.T, c *client) {
	t.Helper()
	r := c.get("/")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("Location = %q, want the sign-in page", loc)
	}
}

func TestLogoutRevokesTheSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	other := f.signIn(t, f.manager)
	saved := c.cookie(sessionCookie).Value
	c.get("/")
	wantStatus(t, c.post("/logout", nil), http.StatusSeeOther)

	// A copy of the cookie taken before signing out no longer works.
	thief := f.client(t)
	thief.header.Set("Cookie", sessionCookie+"="+saved)
	wantSignedOut(t, thief)
	// Only that session ended.
	wantStatus(t, other.get("/"), http.StatusOK)
	// And signing in again works.
	wantStatus(t, f.signIn(t, f.manager).get("/"), http.StatusOK)
}

func TestCredentialChangesEndSessionsAndTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(t *testing.T, f *fixture)
	}{
		{"password changed by an admin", func(t *testing.T, f *fixture) {
			r := f.client(t).api(http.MethodPatch, "/api/v1/users/"+f.manager.ID, f.token(t, f.admin), `{"password":"`+newPassword+`"}`)
			wantStatus(t, r, http.StatusOK)
		}},
		{"disabled, then enabled again", func(t *testing.T, f *fixture) {
			admin := f.token(t, f.admin)
			wantStatus(t, f.client(t).api(http.MethodPatch, "/api/v1/users/"+f.manager.ID, admin, `{"disabled":true}`), http.StatusOK)
			wantStatus(t, f.client(t).api(http.MethodPatch, "/api/v1/users/"+f.manager.ID, admin, `{"disabled":false}`), http.StatusOK)
		}},
		{"role changed", func(t *testing.T, f *fixture) {
			r := f.client(t).api(http.MethodPatch, "/api/v1/users/"+f.manager.ID, f.token(t, f.admin), `{"role":"analyst"}`)
			wantStatus(t, r, http.StatusOK)
		}},
		{"signed out everywhere from the API", func(t *testing.T, f *fixture) {
			r := f.client(t).api(http.MethodPost, "/api/v1/auth/logout-all", f.token(t, f.manager), "")
			wantStatus(t, r, http.StatusNoContent)
		}},
		{"signed out everywhere from the profile page", func(t *testing.T, f *fixture) {
			c := f.signIn(t, f.manager)
			c.get("/profile")
			r := c.post("/profile/signout", nil)
			wantStatus(t, r, http.StatusSeeOther)
			wantSignedOut(t, c)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			browser := f.signIn(t, f.manager)
			bearer := f.token(t, f.manager)
			tt.change(t, f)
			wantSignedOut(t, browser)
			wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", bearer, ""), http.StatusUnauthorized)

			// Credentials issued afterwards work.
			u, err := f.auth.User(t.Context(), f.manager.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", f.token(t, u), ""), http.StatusOK)
		})
	}
}

func TestAPIRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first, second := f.token(t, f.analyst), f.token(t, f.analyst)
	wantStatus(t, f.client(t).api(http.MethodPost, "/api/v1/auth/revoke", first, ""), http.StatusNoContent)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", first, ""), http.StatusUnauthorized)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", second, ""), http.StatusOK)
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	here, elsewhere := f.signIn(t, f.manager), f.signIn(t, f.manager)
	bearer := f.token(t, f.manager)

	page := here.get("/profile")
	wantStatus(t, page, http.StatusOK)
	r := here.post("/profile/password", url.Values{"current": {"not my password"}, "password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "Current password is not your current password.") || strings.Contains(r.body, newPassword) {
		t.Errorf("wrong current password: page lacks the message or echoes a password:\n%s", truncate(r.body))
	}
	r = here.post("/profile/password", url.Values{"current": {testPassword}, "password": {newPassword}, "confirm": {newPassword + "x"}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "The confirmation does not match the new password.") {
		t.Errorf("mismatched confirmation: page lacks the message")
	}
	r = here.post("/profile/password", url.Values{"current": {testPassword}, "password": {"short"}, "confirm": {"short"}})
	wantStatus(t, r, http.StatusBadRequest)

	r = here.post("/profile/password", url.Values{"current": {testPassword}, "password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.Contains(here.get(r.Header.Get("Location")).body, "Your password has been changed.") {
		t.Error("this browser was signed out by its own password change")
	}
	wantSignedOut(t, elsewhere)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", bearer, ""), http.StatusUnauthorized)

	c := f.client(t)
	c.get("/login")
	wantStatus(t, c.post("/login", url.Values{"email": {f.manager.Email}, "password": {testPassword}}), http.StatusUnauthorized)
	wantStatus(t, c.post("/login", url.Values{"email": {f.manager.Email}, "password": {newPassword}}), http.StatusSeeOther)
}

func TestChangeOwnPasswordFromTheAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.token(t, f.analyst)
	r := f.client(t).api(http.MethodPost, "/api/v1/auth/password", old, `{"current":"wrong","password":"`+newPassword+`"}`)
	wantStatus(t, r, http.StatusBadRequest)
	if decodeError(t, r).Fields["current"] == "" {
		t.Errorf("no message for the current password: %s", r.body)
	}
	r = f.client(t).api(http.MethodPost, "/api/v1/auth/password", old, `{"current":"`+testPassword+`","password":"`+newPassword+`"}`)
	wantStatus(t, r, http.StatusOK)
	fresh := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(r.body)
	if fresh == nil {
		t.Fatalf("no new token: %s", r.body)
	}
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", old, ""), http.StatusUnauthorized)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/me", fresh[1], ""), http.StatusOK)
}

func TestCSRFTokenSources(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	login := func() url.Values { return url.Values{"email": {f.admin.Email}, "password": {testPassword}} }

	t.Run("not from the query string", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		c.get("/login")
		token := c.csrf
		c.csrf = ""
		r := c.post("/login?_csrf="+url.QueryEscape(token), login())
		wantStatus(t, r, http.StatusForbidden)
	})
	t.Run("from the X-CSRF-Token header", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		c.get("/login")
		c.header.Set("X-CSRF-Token", c.csrf)
		c.csrf = ""
		wantStatus(t, c.post("/login", login()), http.StatusSeeOther)
	})
	t.Run("not another browser's, before sign-in", func(t *testing.T) {
		t.Parallel()
		victim, attacker := f.client(t), f.client(t)
		victim.get("/login")
		attacker.get("/login")
		// The attacker plants their double-submit cookie and token; the
		// victim's pre-session cookie still tells them apart.
		victim.plant(csrfCookie, attacker.cookie(csrfCookie).Value)
		r := victim.post("/login", url.Values{"_csrf": {attacker.csrf}, "email": {f.admin.Email}, "password": {testPassword}})
		wantStatus(t, r, http.StatusForbidden)
	})
	t.Run("not another user's session", func(t *testing.T) {
		t.Parallel()
		attacker, victim := f.signIn(t, f.analyst), f.signIn(t, f.manager)
		attacker.get("/profile")
		victim.get("/profile")
		victim.plant(csrfCookie, attacker.cookie(csrfCookie).Value)
		wantStatus(t, victim.post("/profile/signout", url.Values{"_csrf": {attacker.csrf}}), http.StatusForbidden)
		wantStatus(t, victim.get("/"), http.StatusOK)
		// Its own token, with its own cookie, still works.
		victim.plant(csrfCookie, "")
		victim.get("/profile")
		wantStatus(t, victim.post("/profile/signout", nil), http.StatusSeeOther)
	})
}

// plant sets a cookie in c's jar, as a script on a sibling domain could.
func (c *client) plant(name, value string) {
	c.jar.SetCookies(&url.URL{Scheme: "http", Host: "example.com", Path: "/"}, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

var resetLinkPattern = regexp.MustCompile(`http://candor\.test/password/reset\?token=[A-Za-z0-9_-]+`)

// resetFixture is a fixture whose reset mail goes to a real SMTP server.
func resetFixture(t *testing.T) (*fixture, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	sender, err := mail.NewSMTPSender(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, func(o *testOptions) { o.sender = sender })
	return f, srv
}

// lastLink is the reset link in the n-th message srv received.
func lastLink(t *testing.T, f *fixture, srv *smtptest.Server, n int) string {
	t.Helper()
	f.auth.Wait()
	msgs := srv.WaitFor(n, 5*time.Second)
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	raw := strings.ReplaceAll(strings.ReplaceAll(string(msgs[n-1].Raw), "=\r\n", ""), "=3D", "=")
	link := resetLinkPattern.FindString(raw)
	if link == "" {
		t.Fatalf("no reset link in:\n%s", raw)
	}
	return strings.TrimPrefix(link, "http://candor.test")
}

func TestForgotPassword(t *testing.T) {
	t.Parallel()
	f, srv := resetFixture(t)

	login := f.client(t).get("/login")
	if !strings.Contains(login.body, `href="/password/forgot"`) {
		t.Error("the sign-in page does not link to the forgotten-password form")
	}
	ask := func(email string) response {
		// A forged Host header must not make its way into the link.
		c := f.client(t)
		c.get("http://evil.example/password/forgot")
		return c.post("http://evil.example/password/forgot", url.Values{"email": {email}})
	}
	known, unknown := ask(f.manager.Email), ask("nobody@example.com")
	wantStatus(t, known, http.StatusOK)
	wantStatus(t, unknown, http.StatusOK)
	if !strings.Contains(known.body, "If an account exists for that address, we have sent a link") {
		t.Errorf("answer lacks the message:\n%s", truncate(known.body))
	}
	if a, b := csrfInput.ReplaceAllString(known.body, ""), csrfInput.ReplaceAllString(unknown.body, ""); a != b {
		t.Error("the answers for a known and an unknown email differ")
	}
	path := lastLink(t, f, srv, 1)
	if to := srv.Messages()[0].To; len(to) != 1 || to[0] != "<"+f.manager.Email+">" && to[0] != f.manager.Email {
		t.Errorf("mail went to %v", to)
	}
	if n := srv.Accepted(); n != 1 {
		t.Errorf("%d messages; the unknown email got one too", n)
	}

	other := f.signIn(t, f.manager)
	c := f.client(t)
	page := c.get(path)
	wantStatus(t, page, http.StatusOK)
	token := strings.TrimPrefix(path, "/password/reset?token=")
	r := c.post("/password/reset", url.Values{"token": {token}, "password": {newPassword}, "confirm": {"different"}})
	wantStatus(t, r, http.StatusBadRequest)
	r = c.post("/password/reset", url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login?done=reset" {
		t.Errorf("Location = %q", loc)
	}
	if setCookie(r, sessionCookie) != nil && setCookie(r, sessionCookie).Value != "" {
		t.Error("a reset signed the user in")
	}
	wantSignedOut(t, other)

	// Once only.
	again := f.client(t)
	wantStatus(t, again.get(path), http.StatusBadRequest)
	r = c.post("/password/reset", url.Values{"token": {token}, "password": {"yet another passphrase"}, "confirm": {"yet another passphrase"}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "This link has expired or has been used already.") {
		t.Errorf("second use: page lacks the message")
	}
	in := f.client(t)
	in.get("/login")
	wantStatus(t, in.post("/login", url.Values{"email": {f.manager.Email}, "password": {newPassword}}), http.StatusSeeOther)

	// Expired after 30 minutes.
	ask(f.manager.Email)
	expiring := lastLink(t, f, srv, 2)
	f.advance(31 * time.Minute)
	wantStatus(t, f.client(t).get(expiring), http.StatusBadRequest)
	late := f.client(t)
	late.get("/login")
	r = late.post("/password/reset", url.Values{"token": {strings.TrimPrefix(expiring, "/password/reset?token=")}, "password": {"yet another passphrase"}, "confirm": {"yet another passphrase"}})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestForgotPasswordRateLimit(t *testing.T) {
	t.Parallel()
	f, _ := resetFixture(t)
	var last response
	for range 6 {
		c := f.client(t)
		c.get("/password/forgot")
		last = c.post("/password/forgot", url.Values{"email": {"someone@example.com"}})
		if last.StatusCode != http.StatusOK {
			break
		}
	}
	wantStatus(t, last, http.StatusTooManyRequests)
	f.auth.Wait()
}

func TestAdminSendsResetLink(t *testing.T) {
	t.Parallel()
	f, srv := resetFixture(t)
	victim := f.signIn(t, f.analyst)
	admin := f.signIn(t, f.admin)
	page := admin.get("/admin/users/" + f.analyst.ID)
	if !strings.Contains(page.body, `action="/admin/users/`+f.analyst.ID+`/reset"`) {
		t.Fatal("the edit page has no reset button")
	}
	r := admin.post("/admin/users/"+f.analyst.ID+"/reset", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.Contains(admin.get(r.Header.Get("Location")).body, "A link to choose a new password was sent to "+f.analyst.Email) {
		t.Error("no confirmation on the edit page")
	}
	wantSignedOut(t, victim)
	path := lastLink(t, f, srv, 1)
	c := f.client(t)
	wantStatus(t, c.get(path), http.StatusOK)
	token := strings.TrimPrefix(path, "/password/reset?token=")
	wantStatus(t, c.post("/password/reset", url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword}}), http.StatusSeeOther)

	// A disabled user gets no link.
	disabled := true
	if _, err := f.auth.UpdateUser(t.Context(), f.admin.ID, f.manager.ID, auth.UserChange{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	admin.get("/admin/users/" + f.manager.ID)
	wantStatus(t, admin.post("/admin/users/"+f.manager.ID+"/reset", nil), http.StatusConflict)
}

func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, func(o *testOptions) { o.proxies = []string{"0.0.0.0"} })
	from := func(ip string) *client {
		c := f.client(t)
		c.header.Set("X-Forwarded-For", ip)
		c.get("/login")
		return c
	}
	try := func(c *client, pw string) int {
		return c.post("/login", url.Values{"email": {f.manager.Email}, "password": {pw}}).StatusCode
	}
	// The owner signed in from this browser before.
	laptop := from("192.0.2.10")
	if got := try(laptop, testPassword); got != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", got)
	}
	laptop.get("/")
	wantStatus(t, laptop.post("/logout", nil), http.StatusSeeOther)
	laptop.get("/login")

	attacker := from("198.51.100.1")
	failures := 0
	for failures < 20 {
		switch got := try(attacker, "a wrong guess!!"); got {
		case http.StatusUnauthorized:
			failures++
		case http.StatusTooManyRequests:
			if failures < 5 {
				t.Fatalf("limited after only %d failures", failures)
			}
			f.advance(15 * time.Minute) // the attacker waits as long as asked
		default:
			t.Fatalf("attempt: %d", got)
		}
	}
	if got := try(attacker, testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("attacker after 20 failures: %d, want 429", got)
	}
	// A new browser elsewhere is not kept out by the attack.
	if got := try(from("192.0.2.20"), testPassword); got != http.StatusSeeOther {
		t.Fatalf("right password from a new device elsewhere: %d", got)
	}

	// Many addresses at once slow new devices down for a while, never the
	// browser the owner signed in from before.
	for i := range 60 {
		try(from(fmt.Sprintf("203.0.113.%d", i)), "a wrong guess!!")
	}
	if got := try(from("192.0.2.30"), testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("new device during a spray: %d, want 429", got)
	}
	if got := try(laptop, testPassword); got != http.StatusSeeOther {
		t.Fatalf("known device during a spray: %d", got)
	}
}
