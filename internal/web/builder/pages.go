// Package builder serves the staff pages of surveys: the list (the start
// page), a survey's page, the builder that creates and edits one, the
// respondent's preview, and opening, closing and duplicating.
package builder

import (
	"context"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/gofiber/fiber/v2"
)

// SurveyService is authoring surveys (*authoring.Service).
type SurveyService interface {
	Create(ctx context.Context, actor store.User, def survey.Survey) (survey.Survey, error)
	Get(ctx context.Context, id string) (survey.Survey, error)
	List(ctx context.Context, actor store.User, f authoring.Filter, p store.Page) ([]survey.Survey, int64, error)
	Update(ctx context.Context, actor store.User, id string, edited survey.Survey) (survey.Survey, error)
	Open(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Close(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Duplicate(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	UploadLogo(ctx context.Context, actor store.User, data []byte) (store.Logo, error)
	Logo(ctx context.Context, id string) (store.Logo, error)
}

var _ SurveyService = (*authoring.Service)(nil)

// Renderer draws a staff page within the staff layout, or one block of a
// page on its own.
type Renderer interface {
	Render(c *fiber.Ctx, status int, name, title string, page any) error
	RenderBlock(c *fiber.Ctx, status int, name, block string, data any) error
}

// Users names staff members (*auth.Service).
type Users interface {
	User(ctx context.Context, id string) (store.User, error)
}

// Pages holds the survey pages' handlers.
type Pages struct {
	views   Renderer
	surveys SurveyService
	auth    Users
}

// New builds the survey pages.
func New(views Renderer, surveys SurveyService, users Users) *Pages {
	return &Pages{views: views, surveys: surveys, auth: users}
}
