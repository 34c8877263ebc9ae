// Package web is Candor's HTTP front: the Fiber app, its routes and
// middleware, the staff pages rendered from views/ and the JSON API.
package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/api"
	"github.com/candorhq/candor/internal/web/builder"
	"github.com/candorhq/candor/internal/web/home"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/candorhq/candor/internal/web/reports"
	"github.com/candorhq/candor/internal/web/respondent"
	"github.com/candorhq/candor/internal/web/staff"
	"github.com/candorhq/candor/internal/web/view"
	"github.com/candorhq/candor/public"
	"github.com/candorhq/candor/views"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// AuthService is staff users and their sessions (*auth.Service): what the
// server's sessions and sign-in pages use of it, and its areas'.
type AuthService interface {
	staff.AuthService
	api.AuthService
	DeviceToken(userID string) (string, time.Time, error)
	ParseToken(raw, audience string) (*auth.Claims, error)
	Authenticate(ctx context.Context, raw, audience string) (store.User, *auth.Claims, error)
	NeedsRenewal(c *auth.Claims) bool
	RequestPasswordReset(ctx context.Context, email, ip string) error
	CheckResetLink(ctx context.Context, secret string) error
	ResetPassword(ctx context.Context, secret, password, confirm string) error
	PasswordsOff() bool
	SignInSSO(ctx context.Context, id auth.ExternalIdentity) (store.User, error)
}

var _ AuthService = (*auth.Service)(nil)

// Deps is what the web server is built from.
type Deps struct {
	Config  config.Config
	Auth    AuthService
	DB      Pinger
	Keys    *keys.Ring // signs CSRF tokens, so that every replica accepts them
	Logger  *slog.Logger
	Version string
	Metrics *metrics.Metrics // what /metrics serves; nil: HTTP and process metrics of its own

	Customers   CustomerService
	Surveys     builder.SurveyService
	Campaigns   CampaignService              // campaigns, the dev outbox and unsubscribing
	Respondents respondent.RespondentService // answering a survey from a link
	// RespondentAccounts names the company in prompts that show it
	// (optional: they read without it).
	RespondentAccounts respondent.AccountNames
	Privacy            PrivacyService        // consent, data-subject rights and the audit log
	Followups          FollowupService       // named responses for account managers (optional)
	Reports            reports.ReportService // dashboards and report exports; none: their routes answer 404
	// ReportCampaigns gives reports the invitations sent, for the response
	// rate (optional).
	ReportCampaigns reports.SurveyCampaigns
	// ReportAccounts names the accounts of a breakdown by account
	// (optional: ids shown).
	ReportAccounts reports.AccountNames

	Quotes reports.QuoteService // quotable comments; none: their routes answer 404

	// Relationships is the account pages' relationship view (optional).
	Relationships RelationshipService

	// SSO is staff sign-in with OpenID Connect (optional: none, no routes).
	SSO SSOProvider
	// Bounces takes relays' bounce events at /api/v1/inbound/bounces,
	// signed with Config.Bounces.WebhookSecrets (optional).
	Bounces api.BounceReports
	// Retention is the retention policy's page and API (optional).
	Retention RetentionService
	// Webhooks is the admins' webhook endpoints (optional: none, no routes).
	Webhooks WebhookService
}

// Server is the configured Fiber app with everything its handlers need.
type Server struct {
	app     *fiber.App
	cfg     config.Config
	auth    AuthService
	db      Pinger
	logger  *slog.Logger
	version string
	views   *view.Set
	assets  *assets
	metrics *metrics.Metrics
	csrf    fiber.Handler
	// csrfTokens signs CSRF tokens and binds them to sessions.
	csrfTokens *csrfTokens

	customers   CustomerService
	surveys     builder.SurveyService
	builder     *builder.Pages
	home        *home.Page
	staff       *staff.Pages
	campaigns   CampaignService
	respondents respondent.RespondentService
	respondent  *respondent.Pages
	api         *api.API
	privacy     PrivacyService
	followups   FollowupService
	reports     *reports.Reports
	sso         SSOProvider
	retention   RetentionService
	webhooks    WebhookService

	// limits holds, by method and path, the routes allowed a larger body
	// or more time than the defaults; routes register before serving.
	limits map[string]map[string]fasthttp.RequestConfig
}

// Server timeouts and limits.
const (
	readTimeout     = 30 * time.Second
	writeTimeout    = 30 * time.Second
	idleTimeout     = 2 * time.Minute
	bodyLimit       = 1 << 20 // routes that take uploads raise their own
	readBufferSize  = 16 << 10
	shutdownTimeout = 10 * time.Second
)

// New builds the server. Every view and static file is loaded here, so a
// missing or broken one fails start-up rather than a request.
func New(d Deps) (*Server, error) {
	switch {
	case d.Auth == nil:
		return nil, errors.New("web: Deps.Auth is required")
	case d.DB == nil:
		return nil, errors.New("web: Deps.DB is required")
	case d.Keys == nil:
		return nil, errors.New("web: Deps.Keys is required")
	case d.Customers == nil:
		return nil, errors.New("web: Deps.Customers is required")
	case d.Surveys == nil:
		return nil, errors.New("web: Deps.Surveys is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New(d.Version)
	}
	st, err := loadAssets(public.FS)
	if err != nil {
		return nil, err
	}
	vs, err := parseViews(views.FS, st)
	if err != nil {
		return nil, err
	}
	tokens, err := newCSRFTokens(d.Keys)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     d.Config,
		auth:    d.Auth,
		db:      d.DB,
		logger:  d.Logger,
		version: d.Version,
		views:   vs,
		assets:  st,
		metrics: d.Metrics,

		customers:   d.Customers,
		surveys:     d.Surveys,
		campaigns:   d.Campaigns,
		respondents: d.Respondents,
		privacy:     d.Privacy,
		followups:   d.Followups,
		sso:         d.SSO,
		retention:   d.Retention,
		webhooks:    d.Webhooks,

		limits: map[string]map[string]fasthttp.RequestConfig{},
	}
	s.csrfTokens = tokens
	s.csrf = s.csrfProtection(tokens)
	s.app = fiber.New(fiber.Config{
		AppName:               "Candor",
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           readTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		BodyLimit:             bodyLimit,
		// Room for a long query string, so that an over-long search is
		// answered by its handler with a message rather than refused by
		// fasthttp before routing (its default is 4 KB of headers).
		ReadBufferSize: readBufferSize,
		// Respondent links are matched, and redacted from logs, by exact prefix.
		CaseSensitive: true,
		// X-Forwarded-* headers count only from CANDOR_TRUSTED_PROXIES; with
		// none listed, c.IP() is the peer address and a client cannot pose
		// as another (sign-in rate limits are per IP).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.Config.TrustedProxies,
		ProxyHeader:             proxyHeader(d.Config.TrustedProxies),
	})
	s.app.Server().HeaderReceived = s.requestConfig
	var subscriptions respondent.SubscriptionService
	if d.Campaigns != nil {
		subscriptions = d.Campaigns
	}
	s.respondent = respondent.New(respondent.Deps{Views: vs, Logger: d.Logger, LogFailure: s.logFailure,
		Respondents: d.Respondents, Privacy: d.Privacy, Subscriptions: subscriptions, Logos: logos(d.Surveys),
		Accounts: d.RespondentAccounts})
	s.api = api.New(api.Deps{Auth: d.Auth, Customers: d.Customers, Surveys: d.Surveys, Campaigns: d.Campaigns, Followups: d.Followups,
		Bounces: d.Bounces, BounceSecrets: d.Config.Bounces.WebhookSecrets, Retention: d.Retention, Webhooks: d.Webhooks})
	s.reports = reports.New(reports.Deps{Views: s, Surveys: d.Surveys, Users: d.Auth, Reports: d.Reports,
		Campaigns: d.ReportCampaigns, Quotes: d.Quotes, Accounts: d.ReportAccounts})
	s.builder = builder.New(s, d.Surveys, d.Auth)
	s.staff = staff.New(staff.Deps{Views: s, Auth: d.Auth, Customers: d.Customers, Campaigns: d.Campaigns,
		Privacy: d.Privacy, Followups: d.Followups, Relationships: d.Relationships, SMTP: d.Config.SMTPURL != "",
		Retention: d.Retention, Webhooks: d.Webhooks})
	hd := home.Deps{Views: s, Surveys: d.Surveys, Headlines: s.reports, Accounts: d.Customers}
	if d.Followups != nil {
		hd.Followups = d.Followups
	}
	if d.Relationships != nil {
		hd.Relationships = d.Relationships
	}
	if d.Campaigns != nil {
		hd.Campaigns = d.Campaigns
	}
	s.home = home.New(hd)
	s.register()
	return s, nil
}

// logos is where respondent pages find survey logos: the survey service,
// when there is one.
func logos(surveys builder.SurveyService) respondent.LogoSource {
	if surveys == nil {
		return nil
	}
	return surveys
}

// routeLimits gives one route other limits than the defaults: a larger
// body, or more time to receive it or to send the answer.
func (s *Server) routeLimits(method, path string, rc fasthttp.RequestConfig) {
	if s.limits[method] == nil {
		s.limits[method] = map[string]fasthttp.RequestConfig{}
	}
	s.limits[method][path] = rc
}

// requestConfig runs once a request's headers are read, before its body
// is, so that fasthttp refuses an oversized body before reading it (413).
// Only exact paths match: anything else keeps bodyLimit.
func (s *Server) requestConfig(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	path, _, _ := bytes.Cut(h.RequestURI(), []byte("?"))
	rc := s.routeConfig(h.Method(), path)
	// A compressed body gets no more room on the wire than any other; the
	// route's own limit applies to it once decoded (decodeBody).
	if ce := h.Peek(fiber.HeaderContentEncoding); len(ce) > 0 && !bytes.EqualFold(ce, []byte("identity")) {
		rc.MaxRequestBodySize = 0
	}
	return rc
}

// routeConfig is the limits registered for one route, zero for defaults.
func (s *Server) routeConfig(method, path []byte) fasthttp.RequestConfig {
	if len(path) > 1 {
		path = bytes.TrimSuffix(path, []byte("/"))
	}
	return s.limits[string(method)][string(path)]
}

// routeBodyLimit is the largest body, decoded, a route accepts.
func (s *Server) routeBodyLimit(method, path []byte) int {
	if n := s.routeConfig(method, path).MaxRequestBodySize; n > 0 {
		return n
	}
	return bodyLimit
}

// tooLarge is the answer to a body over its route's limit.
func (s *Server) tooLarge(c *fiber.Ctx) *problem.Problem {
	limit := s.wireLimit(c)
	size := fmt.Sprintf("%d MB", limit>>20)
	if limit < 1<<20 {
		size = fmt.Sprintf("%d KB", limit>>10)
	}
	return &problem.Problem{
		Status:  fiber.StatusRequestEntityTooLarge,
		Msg:     "request body too large: the limit is " + size,
		Heading: "File too large",
		Detail:  "Candor accepts files of up to " + size + ". Split the file into smaller ones and upload them one after another.",
	}
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// App returns the Fiber app, for tests.
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until ctx is cancelled, then lets requests in
// flight finish for up to shutdownTimeout.
func (s *Server) Listen(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.app.Listener(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	shutdownErr := s.app.ShutdownWithContext(shutdownCtx)
	// Shutdown may run before the server registered the listener; closing it
	// here makes sure the serving goroutine ends either way.
	_ = ln.Close()
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("web: shutdown: %w", shutdownErr)
	}
	return nil
}
