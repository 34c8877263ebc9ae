package web

import (
	"context"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/surveys"
)

// SurveyService is the part of *surveys.Service the web layer uses.
type SurveyService interface {
	Create(ctx context.Context, actor store.User, def survey.Survey) (survey.Survey, error)
	Get(ctx context.Context, id string) (survey.Survey, error)
	List(ctx context.Context, actor store.User, f surveys.Filter, p store.Page) ([]survey.Survey, int64, error)
	Update(ctx context.Context, actor store.User, id string, edited survey.Survey) (survey.Survey, error)
	Open(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Close(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Duplicate(ctx context.Context, actor store.User, id string) (survey.Survey, error)
}

var _ SurveyService = (*surveys.Service)(nil)

// canChange mirrors the service's rule, so that pages offer only the
// actions that will be allowed; the service still decides.
func canChange(u store.User, sv survey.Survey) bool {
	return u.Role == store.RoleAdmin || (u.Role == store.RoleManager && sv.OwnerID == u.ID)
}

func canWrite(u store.User) bool {
	return u.Role == store.RoleAdmin || u.Role == store.RoleManager
}
