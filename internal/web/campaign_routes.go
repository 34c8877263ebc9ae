package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// CampaignService is what the web layer uses of campaigns, the dev
// outbox and unsubscribing (*invite.Service).
type CampaignService interface {
	FormOptions(ctx context.Context, actor store.User, surveyID string) (invite.FormOptions, error)
	SearchContacts(ctx context.Context, actor store.User, search string, p store.Page) ([]customer.Contact, int64, error)
	Preview(ctx context.Context, actor store.User, surveyID string, req invite.Request) (invite.Preview, error)
	PreviewEmail(ctx context.Context, actor store.User, surveyID, locale string, kind store.MessageKind) (invite.Email, error)
	Create(ctx context.Context, actor store.User, surveyID string, req invite.Request) (invite.Created, error)
	List(ctx context.Context, actor store.User, surveyID string) (survey.Survey, []store.Campaign, error)
	Report(ctx context.Context, actor store.User, id string) (invite.Report, error)
	Cancel(ctx context.Context, actor store.User, id string) (invite.Report, error)

	OutboxMessages(ctx context.Context, actor store.User, p store.Page) ([]store.DevMail, int64, error)
	OutboxMessage(ctx context.Context, actor store.User, id string) (store.DevMail, error)

	Subscription(ctx context.Context, token string) (invite.Subscription, error)
	Unsubscribe(ctx context.Context, token string) (invite.Subscription, error)
}

var _ CampaignService = (*invite.Service)(nil)

// campaignRoutes registers campaigns, the dev outbox and unsubscribe links.
//
// Staff routes each carry their whole chain rather than a group's: a group
// on /surveys or /admin would add its middleware to other areas' pages.
// Unsubscribe links are respondent pages: no session, no cookie, no CSRF
// token, as one-click unsubscribing (RFC 8058) requires.
func (s *Server) campaignRoutes(api fiber.Router, app fiber.Router) {
	if s.campaigns == nil {
		return
	}
	sender := requireRole(store.RoleAdmin, store.RoleManager)
	page := func(h fiber.Handler) []fiber.Handler {
		return []fiber.Handler{s.csrf, s.requireSession, sender, h}
	}
	app.Get("/surveys/:id/campaigns", page(s.campaignList)...)
	app.Get("/surveys/:id/campaigns/new", page(s.campaignNew)...)
	app.Post("/surveys/:id/campaigns/preview", page(s.campaignPreview)...)
	app.Get("/surveys/:id/campaigns/email", page(s.campaignEmail)...)
	app.Post("/surveys/:id/campaigns", page(s.campaignCreate)...)
	app.Get("/campaigns/:id", page(s.campaignShow)...)
	app.Get("/campaigns/:id/cancel", page(s.campaignCancelConfirm)...)
	app.Post("/campaigns/:id/cancel", page(s.campaignCancel)...)

	admin := func(h fiber.Handler) []fiber.Handler {
		return []fiber.Handler{s.csrf, s.requireSession, requireRole(store.RoleAdmin), h}
	}
	app.Get("/admin/outbox", admin(s.outboxList)...)
	app.Get("/admin/outbox/:id", admin(s.outboxMessage)...)
	app.Get("/admin/outbox/:id/html", admin(s.outboxHTML)...)
	app.Get("/admin/outbox/:id/raw", admin(s.outboxRaw)...)

	bearer := func(h fiber.Handler, roles ...store.Role) []fiber.Handler {
		return []fiber.Handler{s.requireBearer, requireRole(roles...), h}
	}
	api.Post("/surveys/:id/campaigns", bearer(s.apiCreateCampaign, store.RoleAdmin, store.RoleManager)...)
	api.Get("/surveys/:id/campaigns", bearer(s.apiListCampaigns, store.RoleAdmin, store.RoleManager)...)
	api.Get("/campaigns/:id", bearer(s.apiCampaign, store.RoleAdmin, store.RoleManager)...)
	api.Post("/campaigns/:id/cancel", bearer(s.apiCancelCampaign, store.RoleAdmin, store.RoleManager)...)
	api.Get("/outbox", bearer(s.apiOutbox, store.RoleAdmin)...)
	api.Get("/outbox/:id", bearer(s.apiOutboxMessage, store.RoleAdmin)...)

	app.Get("/u/:token", s.unsubscribeGuard, s.unsubscribePage)
	app.Post("/u/:token", s.unsubscribeGuard, s.limitRespondentPosts, s.unsubscribeSubmit)
}
