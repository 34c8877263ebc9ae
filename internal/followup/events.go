package followup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/webhook"
)

// Events publishes what happens to follow-ups to the webhooks
// (*webhook.Service). Publishing is durable and idempotent on its side;
// a failure is logged and never fails the follow-up.
type Events interface {
	Publish(ctx context.Context, e webhook.Event) error
}

// publish sends a follow-up's event, when events are wired. Only named
// answers have follow-ups, so an anonymous answer never becomes an event.
// answers, when given, supply the comment: the answer's first free text
// outside confidential questions, which the respondent attached their
// name to.
func (s *Service) publish(ctx context.Context, eventType string, f store.Followup, answers survey.Answers) {
	if s.d.Events == nil {
		return
	}
	sum, err := s.summary(ctx, f, answers)
	if err == nil {
		err = s.d.Events.Publish(ctx, webhook.Event{
			ID: webhook.EventID(eventType, f.ID), Type: eventType, CreatedAt: s.now().UTC(), Followup: &sum,
		})
	}
	if err != nil {
		s.d.Logger.WarnContext(ctx, "follow-up event not published", "event", eventType, "response", f.ID, "err", err)
	}
}

func (s *Service) summary(ctx context.Context, f store.Followup, answers survey.Answers) (webhook.FollowupSummary, error) {
	sum := webhook.FollowupSummary{
		ID: f.ID, SurveyID: f.SurveyID, Score: f.Score, Detractor: f.Detractor,
		URL: s.d.BaseURL + "/followups/" + url.PathEscape(f.ID),
	}
	if f.DueAt != nil {
		due := f.DueAt.UTC().Truncate(time.Second)
		sum.DueAt = &due
	}
	if a, err := s.d.Accounts.ByID(ctx, f.AccountID); err == nil {
		sum.Account = a.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return sum, fmt.Errorf("followup: %w", err)
	}
	sv, err := s.d.Surveys.ByID(ctx, f.SurveyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return sum, fmt.Errorf("followup: %w", err)
	}
	sum.SurveyTitle = sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale)
	for _, q := range sv.Questions {
		if q.Type != survey.TypeText || q.Confidential {
			continue
		}
		if a, ok := answers.Get(q.Key); ok && a.Text != "" {
			sum.Comment = a.Text
			break
		}
	}
	return sum, nil
}

// recordedAnswers opens a stored response's answers for its event.
func (s *Service) recordedAnswers(resp store.Response) survey.Answers {
	answers, err := privacy.OpenAnswers(s.d.Sealer, resp)
	if err != nil {
		return nil
	}
	return answers
}
