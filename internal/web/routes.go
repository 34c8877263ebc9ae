package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/store"
)

// routes registers middleware and handlers. Route groups differ in how a
// caller is identified, and that decides which protections apply:
//
//   - operations and static files: anonymous, no cookies;
//   - /api/v1: bearer tokens only, never a cookie, so CSRF cannot apply;
//   - staff pages: the session cookie, so every unsafe request needs a CSRF token;
//   - respondent pages (/s, /u): links carrying their own token, no staff
//     session and no cookies; they must stay outside the staff group.
func (s *Server) routes() {
	app := s.app
	app.Use(s.requestID())
	app.Use(s.observe)
	app.Use(s.securityHeaders)
	app.Use(s.recoverPanics())
	app.Use(s.decodeBody)

	app.Get("/healthz", s.healthz)
	// With a listener of their own, metrics are not served here at all;
	// without a token, nowhere: they tell what the service is doing.
	if s.cfg.MetricsAddr == "" && s.cfg.MetricsToken != "" {
		app.Get("/metrics", adaptor.HTTPHandler(metrics.RequireToken(s.cfg.MetricsToken, s.metrics.Handler())))
	}
	app.Get("/static/*", s.assets.serve)

	api := app.Group("/api/v1")
	api.Get("/openapi.json", s.apiOpenAPI)
	api.Post("/auth/token", s.apiToken)
	api.Post("/auth/revoke", s.requireBearer, s.apiRevoke)
	api.Post("/auth/logout-all", s.requireBearer, s.apiLogoutAll)
	api.Post("/auth/password", s.requireBearer, s.apiChangePassword)
	api.Get("/me", s.requireBearer, s.apiMe)
	users := api.Group("/users", s.requireBearer, requireRole(store.RoleAdmin))
	users.Get("/", s.apiListUsers)
	users.Post("/", s.apiCreateUser)
	users.Get("/:id", s.apiUser)
	users.Patch("/:id", s.apiUpdateUser)

	app.Get("/login", s.csrf, s.loginPage)
	app.Post("/login", s.csrf, s.login)
	app.Post("/logout", s.csrf, s.logout)
	app.Get("/password/forgot", s.csrf, s.forgotPage)
	app.Post("/password/forgot", s.csrf, s.forgot)
	app.Get("/password/reset", s.csrf, s.resetPage)
	app.Post("/password/reset", s.csrf, s.reset)
	app.Get("/profile", s.csrf, s.requireSession, s.profilePage)
	app.Post("/profile/password", s.csrf, s.requireSession, s.changePassword)
	app.Post("/profile/signout", s.csrf, s.requireSession, s.signOutEverywhere)
	app.Get("/", s.csrf, s.requireSession, s.home)

	s.customerRoutes(api, app)
	s.surveyRoutes(api, app)
	s.campaignRoutes(api, app)
	s.respondentRoutes(api, app)
	s.followupRoutes(api, app)

	admin := app.Group("/admin", s.csrf, s.requireSession, requireRole(store.RoleAdmin))
	admin.Get("/users", s.adminUsers)
	admin.Get("/users/new", s.adminUserNew)
	admin.Post("/users/new", s.adminUserCreate)
	admin.Get("/users/:id", s.adminUserEdit)
	admin.Post("/users/:id", s.adminUserSave)
	admin.Post("/users/:id/reset", s.adminUserReset)

	app.Use(notFound)
}

// notFound ends every request no route matched; the error handler answers
// in JSON under /api and with a page elsewhere.
func notFound(c *fiber.Ctx) error {
	c.Locals(unmatchedKey{}, true)
	return fiber.ErrNotFound
}
