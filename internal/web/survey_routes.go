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

// statusLabel names a survey status for staff.
func statusLabel(st survey.Status) string {
	switch st {
	case survey.StatusDraft:
		return "Draft"
	case survey.StatusOpen:
		return "Open"
	case survey.StatusClosed:
		return "Closed"
	}
	return string(st)
}

// questionTypes are the question types in the order the builder offers them.
func questionTypes() []survey.QuestionType {
	return []survey.QuestionType{survey.TypeNPS, survey.TypeCSAT, survey.TypeCES, survey.TypeSingle, survey.TypeMulti, survey.TypeText}
}

// typeLabel names a question type for staff.
func typeLabel(t survey.QuestionType) string {
	switch t {
	case survey.TypeNPS:
		return "NPS — likelihood to recommend, 0–10"
	case survey.TypeCSAT:
		return "CSAT — satisfaction, 1–5"
	case survey.TypeCES:
		return "CES — customer effort, 1–7"
	case survey.TypeSingle:
		return "Single choice"
	case survey.TypeMulti:
		return "Multiple choice"
	case survey.TypeText:
		return "Free text"
	}
	return string(t)
}

// shortTypeLabel is typeLabel for tight spaces.
func shortTypeLabel(t survey.QuestionType) string {
	switch t {
	case survey.TypeNPS:
		return "NPS 0–10"
	case survey.TypeCSAT:
		return "CSAT 1–5"
	case survey.TypeCES:
		return "CES 1–7"
	}
	return typeLabel(t)
}
