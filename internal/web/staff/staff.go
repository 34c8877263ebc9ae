// Package staff serves the staff's pages other than surveys and reports:
// accounts and contacts, their import, campaigns and the dev outbox,
// follow-ups, users, data-subject requests and the audit log. Every page
// sits behind the staff session, and every form carries a CSRF token;
// both are web's.
package staff

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
)

// Renderer draws a staff page within the staff layout.
type Renderer interface {
	Render(c *fiber.Ctx, status int, name, title string, page any) error
}

// AuthService is what the staff pages use of staff users (*auth.Service).
type AuthService interface {
	AdminResetPassword(ctx context.Context, id string) error
	CreateUser(ctx context.Context, in auth.NewUser) (store.User, error)
	ListUsers(ctx context.Context, p store.Page) ([]store.User, int64, error)
	User(ctx context.Context, id string) (store.User, error)
	UpdateUser(ctx context.Context, actorID, id string, in auth.UserChange) (store.User, error)
}

var _ AuthService = (*auth.Service)(nil)

// Deps is what the staff pages are built from. Campaigns, Privacy and
// Followups may be nil: their routes are then not served.
type Deps struct {
	Views     Renderer
	Auth      AuthService
	Customers CustomerService
	Campaigns CampaignService
	Privacy   PrivacyService
	Followups FollowupService
	// Relationships is the account pages' Relationship section
	// (optional: none, no section).
	Relationships RelationshipService
	// SMTP says whether mail goes to an SMTP server rather than only to
	// the dev outbox.
	SMTP bool
	// Retention is the retention policy's page (optional: none, no page).
	Retention RetentionService
	// Webhooks is the admins' webhook endpoints (optional: no pages).
	Webhooks WebhookService
}

// Pages holds the staff pages' handlers.
type Pages struct {
	views     Renderer
	auth      AuthService
	customers CustomerService
	campaigns CampaignService
	privacy   PrivacyService
	followups FollowupService
	relations RelationshipService
	smtp      bool
	retention RetentionService
	webhooks  WebhookService
}

// New builds the staff pages.
func New(d Deps) *Pages {
	return &Pages{views: d.Views, auth: d.Auth, customers: d.Customers, campaigns: d.Campaigns,
		privacy: d.Privacy, followups: d.Followups, relations: d.Relationships, smtp: d.SMTP, retention: d.Retention,
		webhooks: d.Webhooks}
}
