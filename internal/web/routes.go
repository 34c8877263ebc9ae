package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/valyala/fasthttp"

	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/sso"
	"github.com/candorhq/candor/internal/web/api"
	"github.com/candorhq/candor/internal/web/builder"
	"github.com/candorhq/candor/internal/web/staff"
)

// route is one entry of the route table: a path, the chain of middleware
// that decides who may reach it, and the handler. limits, when set, give
// the route another body size or time than the defaults.
type route struct {
	method, path string
	chain        []fiber.Handler
	handler      fiber.Handler
	limits       fasthttp.RequestConfig
}

// chains are the named middleware chains. Each route carries a whole one,
// never a group's, so that no route's protection depends on what was
// registered before it. How a caller is identified decides the chain:
//
//   - open: operations and static files; anonymous, no cookies;
//   - api…: /api/v1, bearer tokens only, never a cookie, so CSRF cannot apply;
//   - signIn, staff…, admins: staff pages, the session cookie, so every
//     unsafe request needs a CSRF token;
//   - respondent, unsubscribe: links carrying their own token, no staff
//     session and no cookies.
type chains struct {
	open []fiber.Handler

	// After identifying the caller, each chain asks the question of
	// package policy that the area's service asks too.
	api          []fiber.Handler // any staff member
	apiWriters   []fiber.Handler // policy.CanWriteSurveys
	apiCustomers []fiber.Handler // policy.CanManageCustomers
	apiCampaigns []fiber.Handler // policy.CanRunCampaigns
	apiFollowups []fiber.Handler // policy.CanSeeFollowups
	apiAdmins    []fiber.Handler // policy.CanAdminister

	signIn    []fiber.Handler // before sign-in: CSRF only
	staff     []fiber.Handler // any signed-in staff member
	writers   []fiber.Handler // policy.CanWriteSurveys
	customers []fiber.Handler // policy.CanManageCustomers
	campaigns []fiber.Handler // policy.CanRunCampaigns
	followups []fiber.Handler // policy.CanSeeFollowups
	admins    []fiber.Handler // policy.CanAdminister

	respondent  []fiber.Handler
	unsubscribe []fiber.Handler
}

func (s *Server) chains() chains {
	api := func(allowed func(policy.Actor) bool) []fiber.Handler {
		return []fiber.Handler{s.requireBearer, requirePolicy(allowed)}
	}
	page := func(allowed func(policy.Actor) bool) []fiber.Handler {
		return []fiber.Handler{s.csrf, s.requireSession, requirePolicy(allowed)}
	}
	r := s.respondent
	return chains{
		api:          []fiber.Handler{s.requireBearer},
		apiWriters:   api(policy.CanWriteSurveys),
		apiCustomers: api(policy.CanManageCustomers),
		apiCampaigns: api(policy.CanRunCampaigns),
		apiFollowups: api(policy.CanSeeFollowups),
		apiAdmins:    api(policy.CanAdminister),

		signIn:    []fiber.Handler{s.csrf},
		staff:     []fiber.Handler{s.csrf, s.requireSession},
		writers:   page(policy.CanWriteSurveys),
		customers: page(policy.CanManageCustomers),
		campaigns: page(policy.CanRunCampaigns),
		followups: page(policy.CanSeeFollowups),
		admins:    page(policy.CanAdminister),

		// A post from another site is refused by the guard, since there is
		// no CSRF token without a cookie to bind it to.
		respondent:  []fiber.Handler{r.Guard, r.LimitPosts, r.ShowErrors},
		unsubscribe: []fiber.Handler{r.UnsubscribeGuard, r.LimitPosts},
	}
}

// routes is the route table. Within a path, fixed segments come before
// parameters ("/contacts/new" before "/contacts/:id"): the first match wins.
// Areas whose service is not configured have no routes.
func (s *Server) routes() []route {
	ch := s.chains()
	get := func(path string, chain []fiber.Handler, h fiber.Handler) route {
		return route{method: fiber.MethodGet, path: path, chain: chain, handler: h}
	}
	post := func(path string, chain []fiber.Handler, h fiber.Handler) route {
		return route{method: fiber.MethodPost, path: path, chain: chain, handler: h}
	}
	patch := func(path string, chain []fiber.Handler, h fiber.Handler) route {
		return route{method: fiber.MethodPatch, path: path, chain: chain, handler: h}
	}
	put := func(path string, chain []fiber.Handler, h fiber.Handler) route {
		return route{method: fiber.MethodPut, path: path, chain: chain, handler: h}
	}
	del := func(path string, chain []fiber.Handler, h fiber.Handler) route {
		return route{method: fiber.MethodDelete, path: path, chain: chain, handler: h}
	}
	upload := fasthttp.RequestConfig{MaxRequestBodySize: staff.MaxImportBytes, ReadTimeout: staff.ImportReadTimeout}
	download := fasthttp.RequestConfig{WriteTimeout: staff.ExportWriteTimeout}
	limited := func(r route, rc fasthttp.RequestConfig) route { r.limits = rc; return r }

	t := []route{
		get("/healthz", ch.open, s.healthz),
		get("/static/*", ch.open, s.assets.serve),
		// A survey's logo and accent colour, for respondent pages and
		// emails: no session, named by content, cached for good.
		get("/brand/logo/:id", ch.open, s.respondent.Logo),
		get("/brand/accent/:file", ch.open, s.respondent.AccentStylesheet),

		// Signing in and the staff member's own account.
		get("/api/v1/openapi.json", ch.open, s.api.OpenAPI),
		post("/api/v1/auth/token", ch.open, s.api.Token),
		post("/api/v1/auth/revoke", ch.api, s.api.Revoke),
		post("/api/v1/auth/logout-all", ch.api, s.api.LogoutAll),
		post("/api/v1/auth/password", ch.api, s.api.ChangePassword),
		get("/api/v1/me", ch.api, s.api.Me),
		get("/login", ch.signIn, s.loginPage),
		post("/login", ch.signIn, s.login),
		post("/logout", ch.signIn, s.logout),
		get("/password/forgot", ch.signIn, s.forgotPage),
		post("/password/forgot", ch.signIn, s.forgot),
		get("/password/reset", ch.signIn, s.resetPage),
		post("/password/reset", ch.signIn, s.reset),
		get("/profile", ch.staff, s.profilePage),
		post("/profile/password", ch.staff, s.changePassword),
		post("/profile/signout", ch.staff, s.signOutEverywhere),
		post("/profile/token", ch.staff, s.createAPIToken),
		get("/", ch.staff, s.home.Show),
		get("/surveys", ch.staff, s.builder.List),

		// Users: admins only.
		get("/api/v1/users", ch.apiAdmins, s.api.ListUsers),
		post("/api/v1/users", ch.apiAdmins, s.api.CreateUser),
		get("/api/v1/users/:id", ch.apiAdmins, s.api.User),
		patch("/api/v1/users/:id", ch.apiAdmins, s.api.UpdateUser),
		get("/admin/users", ch.admins, s.staff.AdminUsers),
		get("/admin/users/new", ch.admins, s.staff.AdminUserNew),
		post("/admin/users/new", ch.admins, s.staff.AdminUserCreate),
		get("/admin/users/:id", ch.admins, s.staff.AdminUserEdit),
		post("/admin/users/:id", ch.admins, s.staff.AdminUserSave),
		post("/admin/users/:id/reset", ch.admins, s.staff.AdminUserReset),

		// Accounts and contacts: analysts see aggregates, never a contact.
		get("/api/v1/accounts", ch.apiCustomers, s.api.ListAccounts),
		post("/api/v1/accounts", ch.apiCustomers, s.api.CreateAccount),
		get("/api/v1/accounts/:id", ch.apiCustomers, s.api.Account),
		patch("/api/v1/accounts/:id", ch.apiCustomers, s.api.UpdateAccount),
		del("/api/v1/accounts/:id", ch.apiCustomers, s.api.DeleteAccount),
		get("/api/v1/contacts", ch.apiCustomers, s.api.ListContacts),
		post("/api/v1/contacts", ch.apiCustomers, s.api.CreateContact),
		limited(post("/api/v1/contacts/import", ch.apiCustomers, s.api.ImportContacts), upload),
		limited(get("/api/v1/contacts/export", ch.apiCustomers, s.api.ExportContacts), download),
		get("/api/v1/contacts/:id", ch.apiCustomers, s.api.Contact),
		patch("/api/v1/contacts/:id", ch.apiCustomers, s.api.UpdateContact),
		get("/accounts", ch.customers, s.staff.AccountsPage),
		get("/accounts/new", ch.customers, s.staff.AccountNew),
		post("/accounts/new", ch.customers, s.staff.AccountCreate),
		get("/accounts/:id", ch.customers, s.staff.AccountPage),
		post("/accounts/:id", ch.customers, s.staff.AccountSave),
		get("/accounts/:id/delete", ch.customers, s.staff.AccountDeletePage),
		post("/accounts/:id/delete", ch.customers, s.staff.AccountDelete),
		get("/contacts", ch.customers, s.staff.ContactsPage),
		get("/contacts/new", ch.customers, s.staff.ContactNew),
		post("/contacts/new", ch.customers, s.staff.ContactCreate),
		limited(get("/contacts/export.csv", ch.customers, s.api.ExportContacts), download),
		get("/contacts/import", ch.customers, s.staff.ImportPage),
		limited(post("/contacts/import", ch.customers, s.staff.ImportUpload), upload),
		get("/contacts/import/template.csv", ch.customers, s.staff.ImportTemplate),
		get("/contacts/import/:job", ch.customers, s.staff.ImportJobPage),
		post("/contacts/import/:job", ch.customers, s.staff.ImportStart),
		get("/contacts/import/:job/errors.csv", ch.customers, s.staff.ImportErrors),
		get("/contacts/:id", ch.customers, s.staff.ContactPage),
		post("/contacts/:id", ch.customers, s.staff.ContactSave),

		// Surveys: every staff role reads them; admins and managers write
		// them, and the service further limits changes to the owner or an
		// admin. Reports and comments: every staff role; a manager sees
		// their own accounts only.
		get("/api/v1/surveys", ch.api, s.api.ListSurveys),
		post("/api/v1/surveys", ch.apiWriters, s.api.CreateSurvey),
		get("/api/v1/surveys/:id", ch.api, s.api.Survey),
		patch("/api/v1/surveys/:id", ch.apiWriters, s.api.UpdateSurvey),
		post("/api/v1/surveys/:id/open", ch.apiWriters, s.api.OpenSurvey),
		post("/api/v1/surveys/:id/close", ch.apiWriters, s.api.CloseSurvey),
		post("/api/v1/surveys/:id/duplicate", ch.apiWriters, s.api.DuplicateSurvey),
		get("/api/v1/surveys/:id/comments", ch.api, s.reports.CommentsJSON),
		get("/api/v1/surveys/:id/report", ch.api, s.reports.JSON),
		get("/api/v1/surveys/:id/report.csv", ch.api, s.reports.CSV),
		get("/surveys/new", ch.writers, s.builder.New),
		post("/surveys/new", ch.writers, s.builder.Create),
		post(builder.LivePreviewPath, ch.writers, s.builder.LivePreview),
		get("/surveys/:id", ch.staff, s.builder.View),
		get("/surveys/:id/edit", ch.writers, s.builder.Edit),
		post("/surveys/:id/edit", ch.writers, s.builder.Save),
		get("/surveys/:id/preview", ch.staff, s.builder.Preview),
		get("/surveys/:id/open", ch.writers, s.builder.ConfirmOpen),
		post("/surveys/:id/open", ch.writers, s.builder.Open),
		get("/surveys/:id/close", ch.writers, s.builder.ConfirmClose),
		post("/surveys/:id/close", ch.writers, s.builder.Close),
		post("/surveys/:id/duplicate", ch.writers, s.builder.Duplicate),
		get("/surveys/:id/comments", ch.staff, s.reports.CommentsPage),
		get("/surveys/:id/report", ch.staff, s.reports.Page),
		get("/surveys/:id/report.csv", ch.staff, s.reports.CSV),
	}
	if s.campaigns != nil {
		// Campaigns, and the dev outbox for admins.
		t = append(t,
			post("/api/v1/surveys/:id/campaigns", ch.apiCampaigns, s.api.CreateCampaign),
			get("/api/v1/surveys/:id/campaigns", ch.apiCampaigns, s.api.ListCampaigns),
			get("/api/v1/campaigns/:id", ch.apiCampaigns, s.api.Campaign),
			post("/api/v1/campaigns/:id/cancel", ch.apiCampaigns, s.api.CancelCampaign),
			post("/api/v1/surveys/:id/schedules", ch.apiCampaigns, s.api.CreateSchedule),
			get("/api/v1/surveys/:id/schedules", ch.apiCampaigns, s.api.ListSchedules),
			post("/api/v1/schedules/:id/pause", ch.apiCampaigns, s.api.PauseSchedule),
			post("/api/v1/schedules/:id/resume", ch.apiCampaigns, s.api.ResumeSchedule),
			del("/api/v1/schedules/:id", ch.apiCampaigns, s.api.DeleteSchedule),
			get("/api/v1/outbox", ch.apiAdmins, s.api.Outbox),
			get("/api/v1/outbox/:id", ch.apiAdmins, s.api.OutboxMessage),
			get("/surveys/:id/campaigns", ch.campaigns, s.staff.CampaignList),
			get("/surveys/:id/campaigns/new", ch.campaigns, s.staff.CampaignNew),
			post("/surveys/:id/campaigns/preview", ch.campaigns, s.staff.CampaignPreview),
			get("/surveys/:id/campaigns/email", ch.campaigns, s.staff.CampaignEmail),
			post("/surveys/:id/campaigns", ch.campaigns, s.staff.CampaignCreate),
			get("/surveys/:id/schedules/new", ch.campaigns, s.staff.ScheduleNew),
			post("/surveys/:id/schedules", ch.campaigns, s.staff.ScheduleCreate),
			post("/schedules/:id/pause", ch.campaigns, s.staff.SchedulePause),
			post("/schedules/:id/resume", ch.campaigns, s.staff.ScheduleResume),
			post("/schedules/:id/delete", ch.campaigns, s.staff.ScheduleDelete),
			get("/campaigns/:id", ch.campaigns, s.staff.CampaignShow),
			get("/campaigns/:id/cancel", ch.campaigns, s.staff.CampaignCancelConfirm),
			post("/campaigns/:id/cancel", ch.campaigns, s.staff.CampaignCancel),
			get("/admin/outbox", ch.admins, s.staff.OutboxList),
			get("/admin/outbox/:id", ch.admins, s.staff.OutboxMessage),
			get("/admin/outbox/:id/html", ch.admins, s.staff.OutboxHTML),
			get("/admin/outbox/:id/raw", ch.admins, s.staff.OutboxRaw),
			// One-click unsubscribing (RFC 8058) posts without a session,
			// cookie or CSRF token.
			get("/u/:token", ch.unsubscribe, s.respondent.UnsubscribePage),
			post("/u/:token", ch.unsubscribe, s.respondent.UnsubscribeSubmit),
		)
	}
	if s.respondents != nil && s.privacy != nil {
		r := s.respondent
		t = append(t,
			get("/s/:token", ch.respondent, r.AnswerPage),
			post("/s/:token", ch.respondent, r.AnswerSubmit),
			get("/s/:token/thanks", ch.respondent, r.ThanksPage),
			post("/s/:token/withdraw", ch.respondent, r.ThanksWithdraw),
			get("/s/:token/privacy", ch.respondent, r.PrivacyPage),
			post("/s/:token/privacy/export", ch.respondent, r.PrivacyExport),
			post("/s/:token/privacy/rectify", ch.respondent, r.PrivacyRectify),
			post("/s/:token/privacy/withdraw", ch.respondent, r.PrivacyWithdraw),
			get("/s/:token/privacy/erase", ch.respondent, r.PrivacyEraseConfirm),
			post("/s/:token/privacy/erase", ch.respondent, r.PrivacyErase),
			// A new email address is confirmed from the link mailed to it,
			// which carries a token of its own, not the survey link's.
			get("/e/:token", ch.respondent, r.EmailChangePage),
			post("/e/:token", ch.respondent, r.EmailChangeConfirm),
		)
	}
	if s.privacy != nil {
		// Data-subject requests and the audit log: admins only.
		t = append(t,
			get("/admin/privacy", ch.admins, s.staff.AdminPrivacy),
			post("/admin/privacy", ch.admins, s.staff.AdminPrivacySearch),
			get("/admin/privacy/:id", ch.admins, s.staff.AdminPrivacyPerson),
			get("/admin/privacy/:id/responses/:response", ch.admins, s.staff.AdminPrivacyResponse),
			post("/admin/privacy/:id/export", ch.admins, s.staff.AdminPrivacyExport),
			post("/admin/privacy/:id/rectify", ch.admins, s.staff.AdminPrivacyRectify),
			post("/admin/privacy/:id/withdraw", ch.admins, s.staff.AdminPrivacyWithdraw),
			get("/admin/privacy/:id/erase", ch.admins, s.staff.AdminPrivacyEraseConfirm),
			post("/admin/privacy/:id/erase", ch.admins, s.staff.AdminPrivacyErase),
			get("/admin/audit", ch.admins, s.staff.AdminAudit),
		)
	}
	if s.sso != nil {
		// Single sign-on: browser routes before sign-in; the attempt
		// cookie, not a CSRF token, ties the callback to its start.
		t = append(t,
			get("/auth/oidc/start", ch.signIn, s.ssoStart),
			get(sso.CallbackPath, ch.signIn, s.ssoCallback),
		)
	}
	if s.retention != nil {
		// The retention policy, its preview and past runs: admins only.
		t = append(t,
			get("/api/v1/retention", ch.apiAdmins, s.api.Retention),
			put("/api/v1/retention", ch.apiAdmins, s.api.SaveRetention),
			get("/api/v1/retention/preview", ch.apiAdmins, s.api.RetentionPreview),
			get("/admin/retention", ch.admins, s.staff.AdminRetention),
			post("/admin/retention", ch.admins, s.staff.AdminRetentionSave),
		)
	}
	if s.followups != nil {
		// Follow-ups: analysts are refused before any handler runs, since
		// named responses are never theirs.
		t = append(t,
			get("/api/v1/followups", ch.apiFollowups, s.api.Followups),
			get("/followups", ch.followups, s.staff.FollowupList),
			get("/followups/:id", ch.followups, s.staff.FollowupShow),
			post("/followups/:id/contacted", ch.followups, s.staff.FollowupContacted),
			post("/followups/:id/resolve", ch.followups, s.staff.FollowupResolve),
			post("/followups/:id/reopen", ch.followups, s.staff.FollowupReopen),
			post("/followups/:id/owner", ch.followups, s.staff.FollowupAssign),
		)
	}
	if s.api.ReceivesBounces() {
		// Relays report bounces and complaints: no session, a signature
		// over the body instead (checked by the handler), and a small body.
		t = append(t, limited(post("/api/v1/inbound/bounces", ch.open, s.api.InboundBounces),
			fasthttp.RequestConfig{MaxRequestBodySize: api.MaxInboundBytes}))
	}
	if s.webhooks != nil {
		// Webhooks: admins only.
		t = append(t,
			get("/api/v1/webhooks", ch.apiAdmins, s.api.Webhooks),
			post("/api/v1/webhooks", ch.apiAdmins, s.api.CreateWebhook),
			get("/api/v1/webhooks/:id", ch.apiAdmins, s.api.Webhook),
			patch("/api/v1/webhooks/:id", ch.apiAdmins, s.api.UpdateWebhook),
			del("/api/v1/webhooks/:id", ch.apiAdmins, s.api.DeleteWebhook),
			post("/api/v1/webhooks/:id/rotate", ch.apiAdmins, s.api.RotateWebhookSecret),
			get("/api/v1/webhooks/:id/deliveries", ch.apiAdmins, s.api.WebhookDeliveries),
			post("/api/v1/webhooks/:id/deliveries/:delivery/replay", ch.apiAdmins, s.api.ReplayWebhookDelivery),
			get("/admin/webhooks", ch.admins, s.staff.AdminWebhooks),
			get("/admin/webhooks/new", ch.admins, s.staff.AdminWebhookNew),
			post("/admin/webhooks/new", ch.admins, s.staff.AdminWebhookCreate),
			get("/admin/webhooks/:id", ch.admins, s.staff.AdminWebhook),
			post("/admin/webhooks/:id", ch.admins, s.staff.AdminWebhookSave),
			post("/admin/webhooks/:id/rotate", ch.admins, s.staff.AdminWebhookRotate),
			get("/admin/webhooks/:id/delete", ch.admins, s.staff.AdminWebhookDeleteConfirm),
			post("/admin/webhooks/:id/delete", ch.admins, s.staff.AdminWebhookDelete),
			post("/admin/webhooks/:id/deliveries/:delivery/replay", ch.admins, s.staff.AdminWebhookReplay),
		)
	}
	// Whatever else lies under an area's prefix meets the area's chain
	// before its 404, so that a visitor without the right learns nothing
	// of what exists there.
	all := func(prefix string, chain []fiber.Handler) route {
		return route{method: methodAll, path: prefix, chain: chain, handler: notFound}
	}
	t = append(t,
		all("/api/v1/users", ch.apiAdmins),
		all("/api/v1/retention", ch.apiAdmins),
		all("/api/v1/webhooks", ch.apiAdmins),
		all("/api/v1/accounts", ch.apiCustomers),
		all("/api/v1/contacts", ch.apiCustomers),
		all("/api/v1/surveys", ch.api),
		all("/admin", ch.admins),
		all("/accounts", ch.customers),
		all("/contacts", ch.customers),
		all("/surveys", ch.staff),
	)
	if s.respondents != nil && s.privacy != nil {
		t = append(t, all("/s", ch.respondent), all("/e", ch.respondent))
	}
	return t
}

// methodAll registers a handler for every method and every path under its
// prefix, as middleware would be.
const methodAll = "ALL"

// register installs the middleware every request passes and the route
// table, then answers everything else with 404.
func (s *Server) register() {
	app := s.app
	app.Use(s.requestID())
	app.Use(s.observe)
	app.Use(s.securityHeaders)
	app.Use(s.recoverPanics())
	app.Use(s.decodeBody)

	// With a listener of their own, metrics are not served here at all;
	// without a token, nowhere: they tell what the service is doing.
	if s.cfg.MetricsAddr == "" && s.cfg.MetricsToken != "" {
		app.Get("/metrics", adaptor.HTTPHandler(metrics.RequireToken(s.cfg.MetricsToken, s.metrics.Handler())))
	}
	for _, r := range s.routes() {
		handlers := append(r.chain[:len(r.chain):len(r.chain)], r.handler)
		switch r.method {
		case fiber.MethodGet:
			app.Get(r.path, handlers...) // and HEAD
		case methodAll:
			args := []any{r.path}
			for _, h := range handlers {
				args = append(args, h)
			}
			app.Use(args...)
		default:
			app.Add(r.method, r.path, handlers...)
		}
		if r.limits != (fasthttp.RequestConfig{}) {
			s.routeLimits(r.method, r.path, r.limits)
		}
	}
	app.Use(notFound)
}

// notFound ends every request no route matched; the error handler answers
// in JSON under /api and with a page elsewhere.
func notFound(c *fiber.Ctx) error {
	c.Locals(unmatchedKey{}, true)
	return fiber.ErrNotFound
}
