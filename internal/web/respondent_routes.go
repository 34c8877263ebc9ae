package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/store"
)

// RespondentService is what the web layer uses of answering
// (*respond.Service).
type RespondentService interface {
	Resolve(ctx context.Context, token string) (respond.Link, error)
	Submit(ctx context.Context, l respond.Link, sub respond.Submission) (respond.Result, error)
	Withdraw(ctx context.Context, l respond.Link, via string) error
}

var _ RespondentService = (*respond.Service)(nil)

// PrivacyService is what the web layer uses of consent, data-subject
// rights and the audit log (*privacy.Service).
type PrivacyService interface {
	Overview(ctx context.Context, contactID, locale string, by privacy.Requester) (privacy.Overview, error)
	NamedResponse(ctx context.Context, contactID, responseID, locale string, by privacy.Requester) (privacy.NamedResponse, error)
	Export(ctx context.Context, contactID, locale string, by privacy.Requester) (privacy.Export, error)
	Rectify(ctx context.Context, contactID, name, email string, by privacy.Requester) (customer.Contact, error)
	RequestCorrection(ctx context.Context, contactID, name, email, locale string) (privacy.Correction, error)
	PendingEmailChange(ctx context.Context, token string) (privacy.EmailChange, error)
	ConfirmEmailChange(ctx context.Context, token string) (privacy.EmailChange, error)
	Withdraw(ctx context.Context, contactID, consentID string, by privacy.Requester) error
	Erase(ctx context.Context, contactID string, by privacy.Requester) error
	FindByEmail(ctx context.Context, email string) (customer.Contact, error)
	AuditLog(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error)
}

var _ PrivacyService = (*privacy.Service)(nil)

// respondentRoutes registers the respondent pages under /s and the admin
// pages for data-subject requests.
//
// Respondent pages are outside the staff group on purpose: the token in
// the URL is the credential, there is no session, and no cookie is ever
// set, so there is no CSRF token either; respondentGuard refuses
// cross-site posts instead.
func (s *Server) respondentRoutes(api fiber.Router, app fiber.Router) {
	if s.respondents != nil && s.privacy != nil {
		r := app.Group("/s", s.respondentGuard, s.limitRespondentPosts)
		r.Get("/:token", s.respondentPage(s.answerPage))
		r.Post("/:token", s.respondentPage(s.answerSubmit))
		r.Get("/:token/thanks", s.respondentPage(s.thanksPage))
		r.Post("/:token/withdraw", s.respondentPage(s.thanksWithdraw))
		r.Get("/:token/privacy", s.respondentPage(s.privacyPage))
		r.Post("/:token/privacy/export", s.respondentPage(s.privacyExport))
		r.Post("/:token/privacy/rectify", s.respondentPage(s.privacyRectify))
		r.Post("/:token/privacy/withdraw", s.respondentPage(s.privacyWithdraw))
		r.Get("/:token/privacy/erase", s.respondentPage(s.privacyEraseConfirm))
		r.Post("/:token/privacy/erase", s.respondentPage(s.privacyErase))

		// A new email address is confirmed from the link mailed to it,
		// which carries a token of its own, not the survey link's.
		e := app.Group("/e", s.respondentGuard, s.limitRespondentPosts)
		e.Get("/:token", s.respondentPage(s.emailChangePage))
		e.Post("/:token", s.respondentPage(s.emailChangeConfirm))
	}
	if s.privacy != nil {
		// Each route carries the admin chain itself rather than through a
		// group on /admin, whose middleware would run for every admin page.
		admin := func(h fiber.Handler) []fiber.Handler {
			return []fiber.Handler{s.csrf, s.requireSession, requireRole(store.RoleAdmin), h}
		}
		app.Get("/admin/privacy", admin(s.adminPrivacy)...)
		app.Post("/admin/privacy", admin(s.adminPrivacySearch)...)
		app.Get("/admin/privacy/:id", admin(s.adminPrivacyPerson)...)
		app.Get("/admin/privacy/:id/responses/:response", admin(s.adminPrivacyResponse)...)
		app.Post("/admin/privacy/:id/export", admin(s.adminPrivacyExport)...)
		app.Post("/admin/privacy/:id/rectify", admin(s.adminPrivacyRectify)...)
		app.Post("/admin/privacy/:id/withdraw", admin(s.adminPrivacyWithdraw)...)
		app.Get("/admin/privacy/:id/erase", admin(s.adminPrivacyEraseConfirm)...)
		app.Post("/admin/privacy/:id/erase", admin(s.adminPrivacyErase)...)
		app.Get("/admin/audit", admin(s.adminAudit)...)
	}
}
