// Package authoring is where staff keep their surveys: creating, editing,
// opening, closing and duplicating them under the rules of package policy,
// persisted in the store. The definitions and their rules live in package
// survey.
//
// Every staff member may read every survey (managers send company-wide
// surveys to their own accounts; analysts report on them); only the
// survey's owner or an admin may change one.
package authoring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Errors callers branch on.
var (
	ErrNotFound  = fault.New(fault.NotFound, "authoring", "not found")
	ErrForbidden = fault.New(fault.Forbidden, "authoring", "only the survey's owner or an admin may change it")
	ErrConflict  = fault.New(fault.Conflict, "authoring", "the survey was changed by someone else; reload and try again").
			ShownAs("the survey was changed by someone else; reload it and try again")
)

// Store is what the service needs of the surveys collection.
type Store interface {
	Insert(ctx context.Context, s survey.Survey) error
	ByID(ctx context.Context, id string) (survey.Survey, error)
	List(ctx context.Context, f store.SurveyFilter, p store.Page) ([]survey.Survey, int64, error)
	Replace(ctx context.Context, s survey.Survey, previous int) error
	PutLogo(ctx context.Context, l store.Logo) error
	Logo(ctx context.Context, id string) (store.Logo, error)
}

// AnswerIndex tells whether a question has been answered, which limits
// what may change on an open survey.
type AnswerIndex interface {
	HasAnswers(ctx context.Context, surveyID, questionKey string) (bool, error)
}

// Service manages surveys.
type Service struct {
	store   Store
	answers AnswerIndex
	now     func() time.Time
}

// New returns a Service. answers may be nil while no survey can have
// answers yet.
func New(st Store, answers AnswerIndex) *Service {
	return &Service{store: st, answers: answers, now: time.Now}
}

// Create stores a new draft owned by the actor.
func (s *Service) Create(ctx context.Context, actor store.User, def survey.Survey) (survey.Survey, error) {
	if !policy.CanWriteSurveys(policy.Of(actor)) {
		return survey.Survey{}, ErrForbidden
	}
	sv, err := survey.New(def, store.NewID(), actor.ID, s.now())
	if err != nil {
		return survey.Survey{}, err
	}
	if err := s.checkLogo(ctx, sv); err != nil {
		return survey.Survey{}, err
	}
	if err := s.store.Insert(ctx, sv); err != nil {
		return survey.Survey{}, fmt.Errorf("authoring: %w", err)
	}
	return sv, nil
}

// Get returns one survey.
func (s *Service) Get(ctx context.Context, id string) (survey.Survey, error) {
	sv, err := s.store.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return survey.Survey{}, ErrNotFound
	}
	if err != nil {
		return survey.Survey{}, fmt.Errorf("authoring: %w", err)
	}
	return sv, nil
}

// Filter narrows a survey list.
type Filter struct {
	Mine   bool // only the actor's own surveys
	Status survey.Status
}

// List returns a page of surveys, newest first.
func (s *Service) List(ctx context.Context, actor store.User, f Filter, p store.Page) ([]survey.Survey, int64, error) {
	sf := store.SurveyFilter{Status: f.Status}
	if f.Mine {
		sf.OwnerID = actor.ID
	}
	items, total, err := s.store.List(ctx, sf, p)
	if err != nil {
		return nil, 0, fmt.Errorf("authoring: %w", err)
	}
	return items, total, nil
}

// editable loads a survey the actor may change.
func (s *Service) editable(ctx context.Context, actor store.User, id string) (survey.Survey, error) {
	sv, err := s.Get(ctx, id)
	if err != nil {
		return survey.Survey{}, err
	}
	if !policy.CanEditSurvey(policy.Of(actor), sv.OwnerID) {
		return survey.Survey{}, ErrForbidden
	}
	return sv, nil
}

// save writes a changed survey over the revision it was loaded at.
func (s *Service) save(ctx context.Context, sv survey.Survey, previous int) (survey.Survey, error) {
	err := s.store.Replace(ctx, sv, previous)
	switch {
	case errors.Is(err, store.ErrConflict):
		return survey.Survey{}, ErrConflict
	case errors.Is(err, store.ErrNotFound):
		return survey.Survey{}, ErrNotFound
	case err != nil:
		return survey.Survey{}, fmt.Errorf("authoring: %w", err)
	}
	return sv, nil
}

// Update applies an edited definition (see survey.ApplyEdit for what an
// open survey may take). A non-zero edited.Revision must match the stored one.
func (s *Service) Update(ctx context.Context, actor store.User, id string, edited survey.Survey) (survey.Survey, error) {
	cur, err := s.editable(ctx, actor, id)
	if err != nil {
		return survey.Survey{}, err
	}
	var lookupErr error
	hasAnswers := func(key string) bool {
		if s.answers == nil || cur.Status == survey.StatusDraft {
			return false
		}
		ok, err := s.answers.HasAnswers(ctx, id, key)
		if err != nil {
			lookupErr = err
			return true // refuse the risky change rather than guess
		}
		return ok
	}
	next, err := survey.ApplyEdit(cur, edited, hasAnswers, s.now())
	if lookupErr != nil {
		return survey.Survey{}, fmt.Errorf("authoring: %w", lookupErr)
	}
	if errors.Is(err, survey.ErrStale) {
		return survey.Survey{}, ErrConflict
	}
	if err != nil {
		return survey.Survey{}, err
	}
	if err := s.checkLogo(ctx, next); err != nil {
		return survey.Survey{}, err
	}
	return s.save(ctx, next, cur.Revision)
}

// Open starts a draft accepting answers.
func (s *Service) Open(ctx context.Context, actor store.User, id string) (survey.Survey, error) {
	return s.transition(ctx, actor, id, (*survey.Survey).Open)
}

// Close stops an open survey accepting answers.
func (s *Service) Close(ctx context.Context, actor store.User, id string) (survey.Survey, error) {
	return s.transition(ctx, actor, id, (*survey.Survey).Close)
}

func (s *Service) transition(ctx context.Context, actor store.User, id string, step func(*survey.Survey, time.Time) error) (survey.Survey, error) {
	sv, err := s.editable(ctx, actor, id)
	if err != nil {
		return survey.Survey{}, err
	}
	previous := sv.Revision
	if err := step(&sv, s.now()); err != nil {
		return survey.Survey{}, err
	}
	return s.save(ctx, sv, previous)
}

// Duplicate copies any survey into a new draft owned by the actor.
func (s *Service) Duplicate(ctx context.Context, actor store.User, id string) (survey.Survey, error) {
	if !policy.CanWriteSurveys(policy.Of(actor)) {
		return survey.Survey{}, ErrForbidden
	}
	src, err := s.Get(ctx, id)
	if err != nil {
		return survey.Survey{}, err
	}
	dup := survey.Duplicate(src, store.NewID(), actor.ID, s.now())
	if err := s.store.Insert(ctx, dup); err != nil {
		return survey.Survey{}, fmt.Errorf("authoring: %w", err)
	}
	return dup, nil
}
