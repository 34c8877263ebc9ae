package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/candorhq/candor/internal/store"
)

// Rebuilt is what a rebuild counted.
type Rebuilt struct {
	Responses int // counted
	Skipped   int // refused, as Add refuses them
	Weeks     int
}

// Rebuild recomputes a survey's rollups from all its responses, counted
// in memory as Add counts them, and replaces the stored ones with them.
// Responses stored or deleted meanwhile may be lost or counted twice, so
// rebuild a survey while it receives none.
func (s *Service) Rebuild(ctx context.Context, surveyID string, src Source) (Rebuilt, error) {
	var res Rebuilt
	docs := make(map[string]*store.Rollup) // by week and dimension
	weeks := make(map[string]int64)
	err := src(func(e Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.SurveyID != surveyID {
			return fmt.Errorf("%w: a response to survey %q", ErrInvalidEntry, e.SurveyID)
		}
		c, err := e.change(1)
		if err != nil {
			res.Skipped++
			return nil
		}
		for _, seg := range c.Segments {
			key := c.Week + "|" + seg.Dim
			ru := docs[key]
			if ru == nil {
				ru = &store.Rollup{SurveyID: surveyID, Week: c.Week, Dim: seg.Dim, Values: make(map[string]store.RollupCounts)}
				docs[key] = ru
			}
			counts := ru.Values[seg.Value]
			if seg.CountOnly {
				counts.N++
			} else if err := counts.Add(c.Answers, 1); err != nil {
				return err
			}
			ru.Values[seg.Value] = counts
		}
		weeks[c.Week]++
		res.Responses++
		return nil
	})
	if err != nil {
		return Rebuilt{}, fmt.Errorf("report: rebuild %s: %w", surveyID, err)
	}
	out := make([]store.Rollup, 0, len(docs))
	for _, ru := range docs {
		out = append(out, *ru)
	}
	slices.SortFunc(out, func(a, b store.Rollup) int {
		return strings.Compare(a.Week+"|"+a.Dim, b.Week+"|"+b.Dim)
	})
	if err := s.st.Replace(ctx, surveyID, weeks, out); err != nil {
		return Rebuilt{}, fmt.Errorf("report: rebuild %s: %w", surveyID, err)
	}
	res.Weeks = len(weeks)
	return res, nil
}
