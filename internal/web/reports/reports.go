// Package reports serves what the anonymity engine lets out of a survey:
// its report and its quotable comments, as staff pages, as JSON under
// /api/v1 and as CSV. The page and the API share their parameters, their
// checks and the engine's suppression, so they live together.
package reports

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Renderer draws a staff page within the staff layout.
type Renderer interface {
	Render(c *fiber.Ctx, status int, name, title string, page any) error
}

// Surveys reads surveys (*authoring.Service).
type Surveys interface {
	Get(ctx context.Context, id string) (survey.Survey, error)
}

var _ Surveys = (*authoring.Service)(nil)

// Users names staff members (*auth.Service).
type Users interface {
	User(ctx context.Context, id string) (store.User, error)
}

var _ Users = (*auth.Service)(nil)

// Deps is what the report routes are built from. Reports and Quotes may be
// nil: their routes then answer 404.
type Deps struct {
	Views     Renderer
	Surveys   Surveys
	Users     Users
	Reports   ReportService
	Campaigns SurveyCampaigns // invitations sent, for the response rate; may be nil
	Quotes    QuoteService
	Accounts  AccountNames // names a breakdown's accounts; may be nil (ids shown)
}

// AccountNames finds accounts by id (*store.Accounts).
type AccountNames interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

var _ AccountNames = (*store.Accounts)(nil)

// Reports holds the report and comment handlers.
type Reports struct {
	views           Renderer
	surveys         Surveys
	auth            Users
	reports         ReportService
	reportCampaigns SurveyCampaigns
	quotes          QuoteService
	accounts        AccountNames
}

// New builds the report handlers.
func New(d Deps) *Reports {
	return &Reports{views: d.Views, surveys: d.Surveys, auth: d.Users, reports: d.Reports, reportCampaigns: d.Campaigns, quotes: d.Quotes, accounts: d.Accounts}
}

func (s *Reports) render(c *fiber.Ctx, status int, name, title string, page any) error {
	return s.views.Render(c, status, name, title, page)
}
