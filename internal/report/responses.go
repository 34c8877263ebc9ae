package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// ResponseReader reads a survey's stored responses (*store.Responses).
type ResponseReader interface {
	Each(ctx context.Context, surveyID string, fn func(store.Response) error) error
}

// Opened is what of a stored response only keys open: its answers with
// the sealed ones opened, and its account.
type Opened struct {
	Answers   survey.Answers
	AccountID string // "" for a response stored before accounts were recorded
}

// Opener opens a stored response (privacy.OpenAnswers and
// privacy.OpenAccount with the sealer): answers to confidential scale
// questions count in reports like any other, and so does the account.
type Opener func(store.Response) (Opened, error)

// EntryOf is what a stored response to survey def contributes to
// reports: exactly what the respondent's submission added to the rollups
// when it was stored.
func EntryOf(def survey.Survey, resp store.Response, o Opened) Entry {
	day, _ := time.Parse(time.DateOnly, resp.Date) // an unreadable date is refused as an invalid entry
	return Entry{
		ResponseID: resp.ID,
		SurveyID:   resp.SurveyID,
		Day:        day,
		Segment: Segment{Region: resp.Segment.Region, Country: resp.Segment.Country, Industry: resp.Segment.Industry,
			Tier: resp.Segment.Tier, ManagerID: resp.Segment.ManagerID, AccountID: o.AccountID},
		Answers:     o.Answers,
		Conditional: ConditionalOf(def, ShownKeys(def, resp.Shown, o.Answers)),
	}
}

// ShownKeys returns the keys of the questions of def a response was
// shown: those stored with it, or, for a response stored before they
// were, those def shows to its answers — every question without a
// condition. Everything that counts responses asks this, so that old and
// new responses count alike.
func ShownKeys(def survey.Survey, stored []string, answers survey.Answers) []string {
	if stored != nil {
		return stored
	}
	return def.ShownKeys(answers)
}

// ConditionalOf says, of each conditional scale and choice question of
// def, whether it is among the shown keys; nil when def has none.
func ConditionalOf(def survey.Survey, shown []string) map[string]bool {
	var out map[string]bool
	for _, q := range def.Questions {
		if q.ShowIf == nil || q.Type == survey.TypeText {
			continue
		}
		if out == nil {
			out = make(map[string]bool)
		}
		out[q.Key] = slices.Contains(shown, q.Key)
	}
	return out
}

// ResponseSource yields the entries of a survey's stored responses, for
// Rebuild.
func ResponseSource(ctx context.Context, rs ResponseReader, def survey.Survey, open Opener) Source {
	return func(yield func(Entry) error) error {
		return rs.Each(ctx, def.ID, func(resp store.Response) error {
			o, err := open(resp)
			if err != nil {
				return fmt.Errorf("report: response %s: %w", resp.ID, err)
			}
			return yield(EntryOf(def, resp, o))
		})
	}
}

// SurveyLister lists surveys (*store.Surveys).
type SurveyLister interface {
	List(ctx context.Context, f store.SurveyFilter, p store.Page) ([]survey.Survey, int64, error)
}

// RebuildAll rebuilds the rollups of every survey, or of only the one
// named, from their stored responses, calling progress after each.
// ErrNoSurvey when the one named does not exist.
func (s *Service) RebuildAll(ctx context.Context, surveys SurveyLister, rs ResponseReader, open Opener, only string,
	progress func(sv survey.Survey, r Rebuilt)) error {
	return s.rebuild(ctx, surveys, rs, open, func(sv survey.Survey) (bool, error) { return only == "" || sv.ID == only, nil }, only, progress)
}

// RebuildOutdated rebuilds the rollups of the surveys still counted as
// before generations, by ISO week as before months were calendar
// months, or without accounts, so that a start after an upgrade needs no
// manual rebuild.
func (s *Service) RebuildOutdated(ctx context.Context, surveys SurveyLister, rs ResponseReader, open Opener,
	progress func(sv survey.Survey, r Rebuilt)) error {
	outdated := func(sv survey.Survey) (bool, error) {
		if legacy, err := s.st.HasLegacy(ctx, sv.ID); err != nil || legacy {
			return legacy, err
		}
		g, err := s.st.Generation(ctx, sv.ID)
		if err != nil {
			return false, fmt.Errorf("report: rebuild: %w", err)
		}
		idx, err := s.st.Weeks(ctx, sv.ID, g.Current)
		if err != nil {
			return false, fmt.Errorf("report: rebuild: %w", err)
		}
		var oldest part
		found := false
		for label, w := range idx {
			p, err := parsePart(label)
			if err != nil {
				return true, nil
			}
			if w.N > 0 && (!found || p.first() < oldest.first()) {
				oldest, found = p, true
			}
		}
		if !found {
			return false, nil
		}
		// Every part counted since accounts were has an account document,
		// and the oldest part was counted first.
		has, err := s.st.Has(ctx, sv.ID, g.Current, oldest.String(), string(Account))
		if err != nil {
			return false, fmt.Errorf("report: rebuild: %w", err)
		}
		return !has, nil
	}
	return s.rebuild(ctx, surveys, rs, open, outdated, "", progress)
}

func (s *Service) rebuild(ctx context.Context, surveys SurveyLister, rs ResponseReader, open Opener,
	want func(survey.Survey) (bool, error), only string, progress func(sv survey.Survey, r Rebuilt)) error {
	var all []survey.Survey
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		list, total, err := surveys.List(ctx, store.SurveyFilter{}, page)
		if err != nil {
			return fmt.Errorf("report: rebuild: %w", err)
		}
		for _, sv := range list {
			ok, err := want(sv)
			if err != nil {
				return err
			}
			if ok {
				all = append(all, sv)
			}
		}
		if len(list) == 0 || page.Offset+int64(len(list)) >= total {
			break
		}
	}
	if only != "" && len(all) == 0 {
		return fmt.Errorf("%w: no survey %q", ErrNoSurvey, only)
	}
	for _, sv := range all {
		r, err := s.Rebuild(ctx, sv.ID, ResponseSource(ctx, rs, sv, open))
		if err != nil {
			return err
		}
		if progress != nil {
			progress(sv, r)
		}
	}
	return nil
}
