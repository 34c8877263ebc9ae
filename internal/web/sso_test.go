package web

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/sso"
	"github.com/candorhq/candor/internal/store"
)

// idpUser is a user of the test provider with the claims Candor reads;
// mockoidc's own user has no name and sends groups only for a "groups"
// scope.
type idpUser struct {
	sub, email, name string
	groups           []string
	verified         any // email_verified; nil leaves the claim out
}

type idpClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified any      `json:"email_verified,omitempty"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups,omitempty"`
}

func (u idpUser) ID() string { return u.sub }

func (u idpUser) Userinfo([]string) ([]byte, error) { return []byte(`{"sub":"` + u.sub + `"}`), nil }

func (u idpUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &idpClaims{IDTokenClaims: base, Email: u.email, EmailVerified: u.verified, Name: u.name, Groups: u.groups}, nil
}

// ssoFixture is a fixture whose staff sign in at a real OpenID Connect
// provider running in the test, on loopback.
type ssoFixture struct {
	*fixture
	idp *mockoidc.MockOIDC
	// tamperNonce makes the provider put another nonce in the ID token
	// than the one Candor sent.
	tamperNonce atomic.Bool
	// endSession makes the provider's discovery document name an
	// end_session_endpoint, which mockoidc's lacks.
	endSession atomic.Bool
	browser    *http.Client // the browser's visits to the provider
}

func newSSOFixture(t *testing.T, passwordsOff bool, adjust func(*config.OIDC)) *ssoFixture {
	t.Helper()
	f := &ssoFixture{browser: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	idp, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if f.tamperNonce.Load() && r.URL.Path == mockoidc.AuthorizationEndpoint {
				q := r.URL.Query()
				q.Set("nonce", "forged-"+q.Get("nonce"))
				r.URL.RawQuery = q.Encode()
			}
			if f.endSession.Load() && strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				var doc map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				doc["end_session_endpoint"] = f.idp.Issuer() + "/logout?tenant=t1"
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(doc)
				return
			}
			next.ServeHTTP(w, r)
		})
	}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	f.idp = idp
	cfg := config.OIDC{
		Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
		Scopes: []string{"openid", "email", "profile"}, RoleClaim: "groups", Button: "Sign in with Example ID",
		RoleMap: []config.RoleRule{{Group: "candor-admins", Role: "admin"}, {Group: "cx-managers", Role: "manager"}, {Group: "analysts", Role: "analyst"}},
	}
	if adjust != nil {
		adjust(&cfg)
	}
	ring, err := keys.Generate("sso")
	if err != nil {
		t.Fatal(err)
	}
	f.fixture = newFixtureWith(t, func(o *testOptions) {
		provider, err := sso.New(cfg, "http://candor.test", ring, sso.Options{Now: f.now})
		if err != nil {
			t.Fatal(err)
		}
		o.sso, o.passwordsOff = provider, passwordsOff
	})
	return f
}

// now is the fixture's clock, once there is a fixture.
func (f *ssoFixture) now() time.Time {
	if f.fixture == nil {
		return time.Now()
	}
	return f.fixture.now()
}

// authorize is the browser at the provider: it follows the start's
// redirect to the provider, which signs u in at once and sends the
// browser back; the callback URL it sends it to is returned.
func (f *ssoFixture) authorize(t *testing.T, c *client, next string, u idpUser) *url.URL {
	t.Helper()
	f.idp.QueueUser(u)
	r := c.get("/auth/oidc/start?next=" + url.QueryEscape(next))
	wantStatus(t, r, http.StatusSeeOther)
	ck := setCookie(r, ssoCookie)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != ssoCookiePath || ck.MaxAge <= 0 || ck.MaxAge > 600 {
		t.Fatalf("attempt cookie = %+v", ck)
	}
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, f.idp.AuthorizationEndpoint()+"?") {
		t.Fatalf("start sent the browser to %q", loc)
	}
	q := mustParse(t, loc).Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("redirect_uri") != "http://candor.test/auth/oidc/callback" {
		t.Fatalf("authorization request lacks PKCE, nonce, state or the configured redirect: %v", q)
	}
	resp, err := f.browser.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("provider answered %d", resp.StatusCode)
	}
	back := mustParse(t, resp.Header.Get("Location"))
	if back.Host != "candor.test" || back.Path != sso.CallbackPath {
		t.Fatalf("provider sent the browser to %s", back)
	}
	return back
}

// signIn runs the whole flow for u and returns the callback's answer.
func (f *ssoFixture) signInAt(t *testing.T, c *client, next string, u idpUser) response {
	t.Helper()
	return c.get(f.authorize(t, c, next, u).RequestURI())
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *ssoFixture) user(t *testing.T, email string) store.User {
	t.Helper()
	u, err := f.st.Users.ByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

func (f *ssoFixture) auditActions(t *testing.T) []string {
	t.Helper()
	entries, _, err := f.st.Audit.List(context.Background(), store.AuditFilter{}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action+" "+e.Detail)
	}
	return out
}

// wantRefused checks a sign-in answered status with the sign-in page
// saying msg, and no session.
func wantRefused(t *testing.T, c *client, r response, status int, msg string) {
	t.Helper()
	wantStatus(t, r, status)
	if !strings.Contains(r.body, `id="login-title"`) || !strings.Contains(r.body, msg) {
		t.Errorf("page does not say %q:\n%s", msg, truncate(r.body))
	}
	if ck := setCookie(r, sessionCookie); ck != nil && ck.Value != "" {
		t.Error("a refused sign-in set a session cookie")
	}
	if ck := setCookie(r, ssoCookie); ck == nil || ck.Value != "" {
		t.Errorf("the attempt cookie was not cleared: %+v", ck)
	}
	if c.cookie(sessionCookie) != nil {
		t.Error("the browser holds a session")
	}
}

var jane = idpUser{sub: "sub-jane", email: "jane@example.com", name: "Jane Doe", groups: []string{"staff", "cx-managers"}, verified: true}

func TestSSOSignIn(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, false, nil)
	ctx := context.Background()

	c := f.client(t)
	r := f.signInAt(t, c, "/surveys?page=2", jane)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/surveys?page=2" {
		t.Errorf("returned to %q, want the next path", loc)
	}
	ck := setCookie(r, sessionCookie)
	if ck == nil || ck.Value == "" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v", ck)
	}
	if ck := setCookie(r, ssoCookie); ck == nil || ck.Value != "" {
		t.Errorf("the attempt cookie was not cleared: %+v", ck)
	}
	u := f.user(t, "jane@example.com")
	if u.Role != store.RoleManager || u.Name != "Jane Doe" || u.PasswordHash != "" || u.OIDCSubject != "sub-jane" || u.OIDCIssuer != f.idp.Issuer() {
		t.Fatalf("just-in-time user = %+v", u)
	}
	wantStatus(t, c.get("/profile"), http.StatusOK)

	// The same session as a password sign-in: CSRF-protected sign-out
	// revokes it.
	old := c.cookie(sessionCookie).Value
	c.get("/profile")
	out := c.post("/logout", nil)
	wantStatus(t, out, http.StatusSeeOther)
	if loc := out.Header.Get("Location"); loc != "/login?done=sso" {
		t.Errorf("signed out to %q, want the page offering the provider's sign-out", loc)
	}
	if r := c.get("/login?done=sso"); !strings.Contains(r.body, "signed out of Candor") || strings.Contains(r.body, "sign out there too") {
		t.Errorf("without an end_session_endpoint the page should only say Candor signed out:\n%s", truncate(r.body))
	}
	c2 := f.client(t)
	c2.jar.SetCookies(mustParse(t, "http://example.com/"), []*http.Cookie{{Name: sessionCookie, Value: old}})
	wantStatus(t, c2.get("/profile"), http.StatusSeeOther)

	// The second sign-in takes the role the provider now gives.
	promoted := jane
	promoted.groups = []string{"candor-admins", "analysts"}
	c = f.client(t)
	wantStatus(t, f.signInAt(t, c, "/", promoted), http.StatusSeeOther)
	after := f.user(t, "jane@example.com")
	if after.ID != u.ID || after.Role != store.RoleAdmin || after.CredGen != u.CredGen+1 {
		t.Fatalf("after the second sign-in: %+v", after)
	}
	wantStatus(t, c.get("/admin/users"), http.StatusOK)
	if r := c.get("/admin/users/" + u.ID); !strings.Contains(r.body, "Signs in with single sign-on") {
		t.Errorf("the user's page does not say their role follows the provider:\n%s", truncate(r.body))
	}
	if r := c.get("/admin/users/" + f.admin.ID); strings.Contains(r.body, "Signs in with single sign-on") {
		t.Error("a password user's page says single sign-on")
	}

	// A new email at the provider follows the subject.
	moved := promoted
	moved.email = "jane.doe@example.com"
	wantStatus(t, f.signInAt(t, f.client(t), "/", moved), http.StatusSeeOther)
	if got := f.user(t, "jane.doe@example.com"); got.ID != u.ID {
		t.Errorf("the email change made another user: %+v", got)
	}
	if n, _ := f.st.Users.Count(ctx); n != 4 {
		t.Errorf("%d users, want the fixture's 3 and Jane", n)
	}
	audit := f.auditActions(t)
	if len(audit) != 2 || !strings.HasPrefix(audit[0], "user.sso_role role manager → admin") || audit[1] != "user.sso_create role manager" {
		t.Errorf("audit = %q", audit)
	}
}

func TestSSORefusals(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, false, nil)
	ctx := context.Background()
	tests := []struct {
		name   string
		user   idpUser
		run    func(t *testing.T, c *client, u idpUser) response
		status int
		msg    string
	}{
		{name: "no mapped role", user: idpUser{sub: "s-norole", email: "norole@example.com", groups: []string{"staff"}},
			status: http.StatusForbidden, msg: "has no Candor role"},
		{name: "role claim missing", user: idpUser{sub: "s-nogroups", email: "nogroups@example.com"},
			status: http.StatusForbidden, msg: "has no Candor role"},
		{name: "unverified email", user: idpUser{sub: "s-unverified", email: "unverified@example.com", groups: []string{"analysts"}, verified: false},
			status: http.StatusForbidden, msg: "not verified"},
		{name: "unverified email as a string", user: idpUser{sub: "s-unverified2", email: "unverified2@example.com", groups: []string{"analysts"}, verified: "false"},
			status: http.StatusForbidden, msg: "not verified"},
		{name: "no email", user: idpUser{sub: "s-noemail", groups: []string{"analysts"}},
			status: http.StatusForbidden, msg: "did not tell Candor your email address"},
		{name: "email of a user linked to another subject", user: idpUser{sub: "s-impostor", email: "linked@example.com", groups: []string{"candor-admins"}},
			status: http.StatusForbidden, msg: "linked to a different identity"},
		{name: "disabled user", user: idpUser{sub: "s-disabled", email: "disabled@example.com", groups: []string{"analysts"}},
			status: http.StatusForbidden, msg: "account is disabled"},
		{name: "tampered state", user: jane, status: http.StatusBadRequest, msg: "could not be matched to this browser",
			run: func(t *testing.T, c *client, u idpUser) response {
				back := f.authorize(t, c, "/", u)
				q := back.Query()
				q.Set("state", q.Get("state")+"x")
				back.RawQuery = q.Encode()
				return c.get(back.RequestURI())
			}},
		{name: "tampered attempt cookie", user: jane, status: http.StatusBadRequest, msg: "could not be matched to this browser",
			run: func(t *testing.T, c *client, u idpUser) response {
				back := f.authorize(t, c, "/", u)
				site := mustParse(t, "http://example.com"+ssoCookiePath)
				var v string
				for _, ck := range c.jar.Cookies(site) {
					if ck.Name == ssoCookie {
						v = ck.Value
					}
				}
				head, sum, _ := strings.Cut(v, ".")
				c.jar.SetCookies(site, []*http.Cookie{{Name: ssoCookie, Value: head + "." + strings.ToUpper(sum[:1]) + strings.ToLower(sum[1:]), Path: ssoCookiePath}})
				return c.get(back.RequestURI())
			}},
		{name: "no attempt cookie", user: jane, status: http.StatusBadRequest, msg: "took too long or was started in another browser",
			run: func(t *testing.T, c *client, u idpUser) response {
				back := f.authorize(t, c, "/", u)
				return f.client(t).get(back.RequestURI())
			}},
		{name: "expired attempt", user: jane, status: http.StatusBadRequest, msg: "took too long",
			run: func(t *testing.T, c *client, u idpUser) response {
				back := f.authorize(t, c, "/", u)
				f.advance(11 * time.Minute)
				defer f.advance(-11 * time.Minute)
				return c.get(back.RequestURI())
			}},
		{name: "cancelled at the provider", user: jane, status: http.StatusUnauthorized, msg: "cancelled or refused at the sign-in service",
			run: func(t *testing.T, c *client, u idpUser) response {
				back := f.authorize(t, c, "/", u)
				q := url.Values{"error": {"access_denied"}, "error_description": {"<b>the user said no</b>"}, "state": {back.Query().Get("state")}}
				return c.get(sso.CallbackPath + "?" + q.Encode())
			}},
		{name: "code used twice", user: jane, status: http.StatusUnauthorized, msg: "could not be verified",
			run: func(t *testing.T, c *client, u idpUser) response {
				back := f.authorize(t, c, "/", u)
				wantStatus(t, c.get(back.RequestURI()), http.StatusSeeOther)
				// The attempt of another start, with the used code.
				fresh := f.authorize(t, c, "/", u)
				q := fresh.Query()
				q.Set("code", back.Query().Get("code"))
				fresh.RawQuery = q.Encode()
				c.jar.SetCookies(mustParse(t, "http://example.com/"), []*http.Cookie{{Name: sessionCookie, MaxAge: -1}})
				return c.get(fresh.RequestURI())
			}},
		{name: "code of another attempt", user: jane, status: http.StatusUnauthorized, msg: "could not be verified",
			run: func(t *testing.T, c *client, u idpUser) response {
				first := f.authorize(t, c, "/", u)
				second := f.authorize(t, c, "/", u) // its cookie replaces the first's
				q := second.Query()
				q.Set("code", first.Query().Get("code")) // whose PKCE challenge is the first verifier's
				second.RawQuery = q.Encode()
				return c.get(second.RequestURI())
			}},
	}
	// One user already linked to a subject, and one disabled.
	if _, err := f.auth.SignInSSO(ctx, authIdentity(f.idp.Issuer(), "s-linked", "linked@example.com")); err != nil {
		t.Fatal(err)
	}
	disabled, err := f.auth.SignInSSO(ctx, authIdentity(f.idp.Issuer(), "s-disabled", "disabled@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	off := true
	if _, err := f.auth.UpdateUser(ctx, f.admin.ID, disabled.ID, auth.UserChange{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the cases share the provider's user queue and clock.
			c := f.client(t)
			var r response
			if tt.run != nil {
				r = tt.run(t, c, tt.user)
			} else {
				r = f.signInAt(t, c, "/", tt.user)
			}
			wantRefused(t, c, r, tt.status, tt.msg)
			if strings.Contains(r.body, "the user said no") {
				t.Error("the page repeats the provider's error description")
			}
		})
	}
	for _, email := range []string{"norole@example.com", "nogroups@example.com", "unverified@example.com"} {
		if _, err := f.st.Users.ByEmail(ctx, email); err == nil {
			t.Errorf("a refused sign-in created %s", email)
		}
	}
}

func TestSSOTamperedNonce(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, false, nil)
	f.tamperNonce.Store(true)
	c := f.client(t)
	wantRefused(t, c, f.signInAt(t, c, "/", jane), http.StatusUnauthorized, "could not be verified")
	if !strings.Contains(f.logs.String(), "nonce does not match") {
		t.Errorf("the log does not say why:\n%s", f.logs.String())
	}
	if _, err := f.st.Users.ByEmail(context.Background(), jane.email); err == nil {
		t.Error("a forged nonce created the user")
	}
}

func TestSSODefaultRole(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, false, func(o *config.OIDC) { o.DefaultRole = "analyst"; o.RoleMap = nil })
	c := f.client(t)
	wantStatus(t, f.signInAt(t, c, "/", idpUser{sub: "s1", email: "ann@example.com", verified: true}), http.StatusSeeOther)
	if u := f.user(t, "ann@example.com"); u.Role != store.RoleAnalyst || u.Name != "ann" {
		t.Errorf("user = %+v", u)
	}
}

func TestSSOProviderDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String() + "/oidc"
	ln.Close()
	ring, err := keys.Generate("sso")
	if err != nil {
		t.Fatal(err)
	}
	provider, err := sso.New(config.OIDC{Issuer: issuer, ClientID: "c", ClientSecret: "s", Scopes: []string{"openid"}, DefaultRole: "analyst", Button: "SSO"},
		"http://candor.test", ring, sso.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, testOptions{sso: provider})
	c := s.client(t)
	r := c.get("/auth/oidc/start")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if !strings.Contains(r.body, "cannot be reached right now") {
		t.Errorf("page:\n%s", truncate(r.body))
	}
}

func TestLoginPageWithSSO(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, false, nil)
	r := f.client(t).get("/login?next=%2Fsurveys")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{`href="/auth/oidc/start?next=%2fsurveys"`, "Sign in with Example ID", `<form method="post" action="/login"`, "Forgot your password?"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s:\n%s", want, truncate(r.body))
		}
	}
	// Without single sign-on there is no button and no route.
	s := newTestServer(t, testOptions{})
	c := s.client(t)
	if r := c.get("/login"); strings.Contains(r.body, "/auth/oidc/start") {
		t.Error("a button without single sign-on")
	}
	wantStatus(t, c.get("/auth/oidc/start"), http.StatusNotFound)
}

func TestPasswordLoginOff(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, true, nil)
	token := f.token(t, f.admin) // issued before, from the profile page or the API

	c := f.client(t)
	r := c.get("/login")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Sign in with Example ID") || strings.Contains(r.body, `action="/login"`) ||
		strings.Contains(r.body, `type="password"`) || strings.Contains(r.body, "/password/forgot") {
		t.Errorf("the page offers more than single sign-on:\n%s", truncate(r.body))
	}
	// Without a form there is no CSRF token, so a password sent anyway
	// is refused before it is read.
	wantStatus(t, c.post("/login", url.Values{"email": {f.admin.Email}, "password": {testPassword}}), http.StatusForbidden)

	for _, p := range []string{"/password/forgot", "/password/reset?token=x"} {
		r := c.get(p)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, "managed by your organisation's single sign-on") || strings.Contains(r.body, `type="password"`) {
			t.Errorf("%s:\n%s", p, truncate(r.body))
		}
	}
	c.get("/login")
	wantStatus(t, c.post("/password/forgot", url.Values{"email": {f.admin.Email}}), http.StatusForbidden)
	wantStatus(t, c.post("/password/reset", url.Values{"token": {"x"}, "password": {testPassword}, "confirm": {testPassword}}), http.StatusForbidden)

	api := f.client(t)
	r = api.api(http.MethodPost, "/api/v1/auth/token", "", `{"email":"admin@example.com","password":"`+testPassword+`"}`)
	wantStatus(t, r, http.StatusForbidden)
	if !strings.Contains(r.body, `"error":"Password sign-in is turned off`) {
		t.Errorf("token answer: %s", r.body)
	}
	wantStatus(t, api.api(http.MethodGet, "/api/v1/me", token, ""), http.StatusOK)
	wantStatus(t, api.api(http.MethodPost, "/api/v1/auth/password", token,
		`{"current":"`+testPassword+`","password":"another long password"}`), http.StatusForbidden)

	// Single sign-on works, and the profile issues API tokens.
	c = f.client(t)
	wantStatus(t, f.signInAt(t, c, "/", jane), http.StatusSeeOther)
	r = c.get("/profile")
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, `action="/profile/password"`) || !strings.Contains(r.body, "managed by your organisation") {
		t.Errorf("profile offers a password change:\n%s", truncate(r.body))
	}
	wantStatus(t, c.post("/profile/password", url.Values{"current": {"x"}, "password": {testPassword}, "confirm": {testPassword}}), http.StatusForbidden)
	// With a CSRF token, from a page behind the session, it is refused
	// by the sign-in handler.
	r = c.post("/login", url.Values{"email": {f.admin.Email}, "password": {testPassword}})
	wantStatus(t, r, http.StatusForbidden)
	if !strings.Contains(r.body, "Password sign-in is turned off") || strings.Contains(r.body, "This form has expired") {
		t.Errorf("password sign-in:\n%s", truncate(r.body))
	}
	c.get("/profile")
	r = c.post("/profile/token", nil)
	wantStatus(t, r, http.StatusOK)
	m := apiTokenInput.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no token shown:\n%s", truncate(r.body))
	}
	r = api.api(http.MethodGet, "/api/v1/me", m[1], "")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "jane@example.com") {
		t.Errorf("the token is not Jane's: %s", r.body)
	}
}

// apiTokenInput finds the token the profile page shows once.
var apiTokenInput = regexp.MustCompile(`id="api-token" type="text" value="([^"]+)"`)

func authIdentity(issuer, sub, email string) auth.ExternalIdentity {
	return auth.ExternalIdentity{Issuer: issuer, Subject: sub, Email: email, Role: store.RoleAnalyst}
}

// TestSSOLogoutOffersTheProvidersSignOut: signing out of a session begun
// at a provider that has an end_session_endpoint links to it, with the
// client and the way back; a password session signs out plainly.
func TestSSOLogoutOffersTheProvidersSignOut(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, false, nil)
	f.endSession.Store(true)
	c := f.client(t)
	wantStatus(t, f.signInAt(t, c, "/", jane), http.StatusSeeOther)
	c.get("/profile")
	out := c.post("/logout", nil)
	if loc := out.Header.Get("Location"); loc != "/login?done=sso" {
		t.Fatalf("signed out to %q", loc)
	}
	if ck := setCookie(out, ssoSessionCookie); ck == nil || ck.Value != "" {
		t.Errorf("the single sign-on mark was not cleared: %+v", ck)
	}
	page := c.get("/login?done=sso")
	m := regexp.MustCompile(`href="([^"]*)">sign out there too`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no link to the provider's sign-out:\n%s", truncate(page.body))
	}
	link, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	q := link.Query()
	if !strings.HasPrefix(link.String(), f.idp.Issuer()+"/logout?") || q.Get("tenant") != "t1" || q.Get("client_id") != f.idp.ClientID ||
		q.Get("post_logout_redirect_uri") != "http://candor.test/login?done=provider" {
		t.Errorf("provider sign-out link %s", link)
	}
	if r := c.get("/login?done=provider"); !strings.Contains(r.body, "and of your organisation") {
		t.Errorf("the way back does not say both ended:\n%s", truncate(r.body))
	}

	// A password session on the same server signs out to the plain page.
	p := f.signIn(t, f.manager)
	p.get("/")
	if loc := p.post("/logout", nil).Header.Get("Location"); loc != "/login" {
		t.Errorf("a password session signed out to %q", loc)
	}
}
