package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
)

// FollowupService is what the web layer uses of the closed loop
// (*followup.Service).
type FollowupService interface {
	List(ctx context.Context, actor store.User, q followup.Query) ([]followup.Item, int64, error)
	Surveys(ctx context.Context, actor store.User) ([]followup.SurveyChoice, error)
	Open(ctx context.Context, actor store.User, responseID, requestID string) (followup.Detail, error)
	SetDone(ctx context.Context, actor store.User, responseID string, done bool, note, requestID string) error
}

var _ FollowupService = (*followup.Service)(nil)

// followupRoutes registers the follow-up pages and API. Analysts are
// refused before any handler runs: named responses are never theirs.
func (s *Server) followupRoutes(api fiber.Router, app fiber.Router) {
	if s.followups == nil {
		return
	}
	managers := requireRole(store.RoleAdmin, store.RoleManager)
	page := func(h fiber.Handler) []fiber.Handler {
		return []fiber.Handler{s.csrf, s.requireSession, managers, h}
	}
	app.Get("/followups", page(s.followupList)...)
	app.Get("/followups/:id", page(s.followupShow)...)
	app.Post("/followups/:id/done", page(s.followupDone)...)
	app.Post("/followups/:id/reopen", page(s.followupReopen)...)

	api.Get("/followups", s.requireBearer, managers, s.apiFollowups)
}
