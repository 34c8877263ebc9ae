package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/api"
	"github.com/candorhq/candor/internal/web/builder"
	"github.com/candorhq/candor/internal/web/reports"
	"github.com/candorhq/candor/internal/web/respondent"
)

// testOptions adjust the server newTestServer builds.
type testOptions struct {
	users   auth.UserStore // default: downUsers, a database that never answers
	db      Pinger         // default: answers
	baseURL string         // default: http://candor.test
	now     func() time.Time
	proxies []string              // trusted proxies
	metrics config.Config         // only its MetricsAddr and MetricsToken count
	surveys builder.SurveyService // default: a service whose store is never reached

	customers CustomerService // default: a service whose store is never reached

	respondents respondent.RespondentService // default: none, and no respondent routes
	accounts    respondent.AccountNames      // the company names prompts show; default: none
	campaigns   CampaignService              // default: none, and no campaign routes
	privacy     PrivacyService               // default: none, and no privacy routes
	followups   FollowupService              // default: none, and no follow-up routes
	// relationships: default none, and no Relationship section on account pages
	relationships RelationshipService
	retention     RetentionService // default: none, and no retention routes
	webhooks      WebhookService   // default: none, and no webhook routes

	sender auth.Sender // password-reset mail; default: none

	sso           SSOProvider       // single sign-on; default: none, and no routes
	passwordsOff  bool              // CANDOR_PASSWORD_LOGIN=off
	bounces       api.BounceReports // default: none, and no inbound bounce route
	bounceSecrets []string
}

type testServer struct {
	*Server
	auth *auth.Service
	logs *syncBuffer
}

func newTestServer(t testing.TB, o testOptions) *testServer {
	t.Helper()
	if o.users == nil {
		o.users = downUsers{}
	}
	if o.db == nil {
		o.db = pingFunc(func(context.Context) error { return nil })
	}
	if o.baseURL == "" {
		o.baseURL = "http://candor.test"
	}
	if o.surveys == nil {
		o.surveys = authoring.New(nil, nil)
	}
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	if o.customers == nil {
		o.customers = customer.New(nil, nil, nil, seal.New(ring))
	}
	// Revoked tokens and reset links live in the same database as the users.
	ad := auth.Deps{Users: o.users, Revoked: downRevoked{}, Resets: downResets{}, Keys: ring, Sender: o.sender,
		From: netmail.Address{Name: "Candor", Address: "candor@example.com"}, BaseURL: o.baseURL}
	if st, ok := o.db.(*store.Store); ok {
		ad.Revoked, ad.Resets = st.RevokedTokens, st.PasswordResets
		ad.Audit = audit.New(st.Audit)
	}
	svc := auth.New(ad, auth.Options{BcryptCost: bcrypt.MinCost, Now: o.now, PasswordsOff: o.passwordsOff})
	logs := &syncBuffer{}
	s, err := New(Deps{
		Config: config.Config{Env: config.Development, BaseURL: o.baseURL, TrustedProxies: o.proxies,
			MetricsAddr: o.metrics.MetricsAddr, MetricsToken: o.metrics.MetricsToken,
			Bounces: config.Bounces{WebhookSecrets: o.bounceSecrets}},
		Auth:    svc,
		DB:      o.db,
		Keys:    ring,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Version: "test",
		// Services whose routes these tests do not reach.
		Customers: o.customers,
		Surveys:   o.surveys,

		Respondents: o.respondents,
		Campaigns:   o.campaigns,

		RespondentAccounts: o.accounts,
		Privacy:            o.privacy,
		Followups:          o.followups,

		Relationships: o.relationships,
		SSO:           o.sso,
		Bounces:       o.bounces,
		Retention:     o.retention,
		Webhooks:      o.webhooks,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testServer{Server: s, auth: svc, logs: logs}
}

type pingFunc func(context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

// errDown is what the driver reports when no server can be selected in time.
var errDown = fmt.Errorf("store: find user: %w", context.DeadlineExceeded)

// downUsers is a user store whose database never answers.
type downUsers struct{}

func (downUsers) Insert(context.Context, store.User) error            { return errDown }
func (downUsers) ByID(context.Context, string) (store.User, error)    { return store.User{}, errDown }
func (downUsers) ByEmail(context.Context, string) (store.User, error) { return store.User{}, errDown }
func (downUsers) BySubject(context.Context, string, string) (store.User, error) {
	return store.User{}, errDown
}
func (downUsers) Count(context.Context) (int64, error)             { return 0, errDown }
func (downUsers) CountActiveAdmins(context.Context) (int64, error) { return 0, errDown }
func (downUsers) List(context.Context, store.Page) ([]store.User, int64, error) {
	return nil, 0, errDown
}
func (downUsers) Update(context.Context, string, store.UserChange, time.Time) (store.User, error) {
	return store.User{}, errDown
}

var _ auth.UserStore = downUsers{}

// downRevoked and downResets are their collections in that database.
type (
	downRevoked struct{}
	downResets  struct{}
)

func (downRevoked) Revoke(context.Context, string, time.Time) error  { return errDown }
func (downRevoked) IsRevoked(context.Context, string) (bool, error)  { return false, errDown }
func (downRevoked) Sweep(context.Context, time.Time) (int64, error)  { return 0, errDown }
func (downResets) Insert(context.Context, store.PasswordReset) error { return errDown }
func (downResets) ByID(context.Context, string) (store.PasswordReset, error) {
	return store.PasswordReset{}, errDown
}
func (downResets) Consume(context.Context, string, time.Time) (store.PasswordReset, error) {
	return store.PasswordReset{}, errDown
}
func (downResets) Sweep(context.Context, time.Time) (int64, error) { return 0, errDown }

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client is a browser stand-in: it keeps cookies and knows the last CSRF
// token a page rendered.
type client struct {
	t    *testing.T
	s    *Server
	jar  *cookiejar.Jar
	csrf string
	// header is added to every request.
	header http.Header
}

func (s *testServer) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, s: s.Server, jar: jar, header: http.Header{}}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// response is a finished response with its body read.
type response struct {
	*http.Response
	body string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	site := &url.URL{Scheme: "http", Host: req.Host, Path: req.URL.Path}
	for _, ck := range c.jar.Cookies(site) {
		req.AddCookie(ck)
	}
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.s.App().Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.jar.SetCookies(site, resp.Cookies())
	if m := csrfInput.FindStringSubmatch(string(body)); m != nil {
		c.csrf = m[1]
	}
	return response{Response: resp, body: string(body)}
}

func (c *client) get(target string) response {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// post sends a form with the last CSRF token seen, unless form has one.
func (c *client) post(target string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("_csrf") && c.csrf != "" {
		form.Set("_csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// api sends a JSON request with an optional bearer token.
func (c *client) api(method, target, token, body string) response {
	c.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req)
}

func (c *client) cookie(name string) *http.Cookie {
	for _, ck := range c.jar.Cookies(&url.URL{Scheme: "http", Host: "example.com", Path: "/"}) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// setCookie is the response's Set-Cookie for name, with its attributes.
func setCookie(r response, name string) *http.Cookie {
	for _, ck := range r.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", r.Request.Method, r.Request.URL, r.StatusCode, want, truncate(r.body))
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// useReports gives the report and comment routes other services than the
// server was built with; the routes keep their handlers, so these change
// in place.
func (s *Server) useReports(d reports.Deps) {
	d.Views, d.Surveys, d.Users = s, s.surveys, s.auth
	*s.reports = *reports.New(d)
}
