package report

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
)

// buildLease is how long a rebuild holds a survey without renewing;
// answers wait, as intents, while it does, and a rebuild that stops
// renewing is aborted by the sweeper once its lease runs out.
const (
	buildLease = 2 * time.Minute
	renewEvery = buildLease / 4
)

// Rebuilt is what a rebuild counted.
type Rebuilt struct {
	Responses int // counted
	Skipped   int // refused, as Add refuses them
	Weeks     int
	Gen       int64 // the generation it made current
}

// Rebuild recomputes a survey's rollups from all its responses, counted
// in memory as Add counts them, into a new generation, and makes that
// current in one write. Answers arriving meanwhile are not counted in the
// old generation but wait as intents: those whose responses the scan
// counted are marked so before the swap, and the rest are counted in the
// new generation after it (by the sweeper). ErrBuildUnderWay (from store)
// when another rebuild of the survey holds it.
func (s *Service) Rebuild(ctx context.Context, surveyID string, src Source) (Rebuilt, error) {
	token := store.NewID()
	now := s.now()
	gen, err := s.st.BeginBuild(ctx, surveyID, token, now, now.Add(buildLease))
	if err != nil {
		return Rebuilt{}, fmt.Errorf("report: rebuild %s: %w", surveyID, err)
	}
	res, err := s.build(ctx, surveyID, src, token, gen)
	if err != nil {
		if !errors.Is(err, rollups.ErrBuildLost) {
			// Answers are counted in the current generation again.
			_ = s.st.AbortBuild(context.WithoutCancel(ctx), surveyID, token)
		}
		return Rebuilt{}, fmt.Errorf("report: rebuild %s: %w", surveyID, err)
	}
	return res, nil
}

func (s *Service) build(ctx context.Context, surveyID string, src Source, token string, gen int64) (Rebuilt, error) {
	s.step(StepBuilding)
	res := Rebuilt{Gen: gen}
	docs := make(map[string]*rollups.Rollup) // by week and dimension
	weeks := make(map[string]int64)
	// The responses counted, as 64-bit hashes of their ids: a million cost
	// 8 MB, and two ids share a hash with odds of about 1 in 10^13.
	seed := maphash.MakeSeed()
	var counted []uint64
	renewAt := s.now().Add(renewEvery)
	err := src(func(e Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.SurveyID != surveyID {
			return fmt.Errorf("%w: a response to survey %q", ErrInvalidEntry, e.SurveyID)
		}
		if now := s.now(); now.After(renewAt) {
			if err := s.st.RenewBuild(ctx, surveyID, token, now.Add(buildLease)); err != nil {
				return err
			}
			renewAt = now.Add(renewEvery)
		}
		if e.ResponseID != "" {
			counted = append(counted, maphash.String(seed, e.ResponseID))
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
				ru = &rollups.Rollup{SurveyID: surveyID, Week: c.Week, Dim: seg.Dim, Values: make(map[string]rollups.Counts)}
				docs[key] = ru
			}
			counts := ru.Values[seg.Value]
			counts.AddPattern(c.Pattern, 1)
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
		return Rebuilt{}, err
	}
	out := make([]rollups.Rollup, 0, len(docs))
	for _, ru := range docs {
		out = append(out, *ru)
	}
	slices.SortFunc(out, func(a, b rollups.Rollup) int {
		return strings.Compare(a.Week+"|"+a.Dim, b.Week+"|"+b.Dim)
	})
	res.Weeks = len(weeks)
	if err := s.st.WriteGeneration(ctx, surveyID, gen, weeks, out); err != nil {
		return Rebuilt{}, err
	}
	// Intents are written before their responses: one written after this
	// read is of a response stored after the scan, which the new
	// generation has yet to count.
	intents, err := s.st.Intents(ctx, surveyID)
	if err != nil {
		return Rebuilt{}, err
	}
	slices.Sort(counted)
	var marked []string
	for _, in := range intents {
		if _, found := slices.BinarySearch(counted, maphash.String(seed, in.ResponseID)); found {
			marked = append(marked, in.ID)
		}
	}
	if err := s.st.MarkCounted(ctx, gen, marked...); err != nil {
		return Rebuilt{}, err
	}
	s.step(StepBuilt)
	if err := s.st.SwapBuild(ctx, surveyID, token, gen); err != nil {
		return Rebuilt{}, err
	}
	s.step(StepSwapped)
	// When this fails, the new generation is current all the same, and
	// the old one waits for the next rebuild to delete it.
	_ = s.st.DropGenerations(ctx, surveyID, gen)
	return res, nil
}
