package report

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Store keeps the rollups; *store.Rollups is one.
type Store interface {
	Apply(ctx context.Context, cs ...store.RollupChange) error
	Get(ctx context.Context, surveyID, dim string, weeks ...string) ([]store.Rollup, error)
	Weeks(ctx context.Context, surveyID string) (map[string]store.RollupWeek, error)
	Replace(ctx context.Context, surveyID string, weeks map[string]int64, docs []store.Rollup) error
	Snapshot(ctx context.Context, surveyID, quarter, dim string) (store.RollupSnapshot, error)
	SaveSnapshot(ctx context.Context, s store.RollupSnapshot) error
}

var _ Store = (*store.Rollups)(nil)

// Service keeps rollups and computes reports from them.
type Service struct {
	st    Store
	batch *batcher
}

// New returns a Service on st.
func New(st Store) *Service { return &Service{st: st, batch: newBatcher(st)} }

// Add counts a stored response. Call it once per response: rollups are
// not idempotent.
func (s *Service) Add(ctx context.Context, e Entry) error { return s.apply(ctx, e, 1) }

// Remove takes a deleted response away again; e must be what Add was given.
// Withdrawing consent changes no answer and so needs no Remove.
func (s *Service) Remove(ctx context.Context, e Entry) error { return s.apply(ctx, e, -1) }

func (s *Service) apply(ctx context.Context, e Entry, weight int64) error {
	c, err := e.change(weight)
	if err != nil {
		return err
	}
	if err := s.batch.apply(ctx, c); err != nil {
		return fmt.Errorf("report: count response: %w", err)
	}
	return nil
}

// Report computes a report on one survey, or on several together: then
// each cell adds up the surveys' cells (the first question of each scored
// type gives its NPS, CSAT and CES) and shows only if each of them shows;
// questions are listed for one survey only. Who may see which report — a
// manager only the filter to their own accounts, say — is the caller's to
// decide.
func (s *Service) Report(ctx context.Context, q Query, surveys ...survey.Survey) (Report, error) {
	return compute(ctx, &storeLoader{st: s.st, index: make(map[string]weekIndex)}, q, surveys)
}

// storeLoader reads rollups for one report: a survey's index of weeks
// once, then per quarter and dimension the snapshot, and the weeks it
// lacks or holds at an older version.
type storeLoader struct {
	st    Store
	index map[string]weekIndex
}

// weekIndex is a survey's weeks with responses, and the newest of them.
type weekIndex struct {
	weeks  map[week]store.RollupWeek
	newest week
}

func (l *storeLoader) weeks(ctx context.Context, surveyID string) ([]week, error) {
	raw, err := l.st.Weeks(ctx, surveyID)
	if err != nil {
		return nil, fmt.Errorf("report: load rollups: %w", err)
	}
	idx := weekIndex{weeks: make(map[week]store.RollupWeek, len(raw))}
	out := make([]week, 0, len(raw))
	for label, rw := range raw {
		w, err := parseWeek(label)
		if err != nil {
			return nil, err
		}
		idx.weeks[w] = rw
		out = append(out, w)
	}
	slices.Sort(out)
	if len(out) > 0 {
		idx.newest = out[len(out)-1]
	}
	l.index[surveyID] = idx
	return out, nil
}

func (l *storeLoader) quarter(ctx context.Context, surveyID string, q unit, dim Dimension, lay *layout) (map[week]*weekCounts, error) {
	out := make(map[week]*weekCounts)
	all, err := l.dimension(ctx, surveyID, q, dimAll, lay)
	if err != nil {
		return nil, err
	}
	for w, values := range all {
		out[w] = &weekCounts{all: values[""]}
	}
	if dim == "" {
		return out, nil
	}
	byValue, err := l.dimension(ctx, surveyID, q, string(dim), lay)
	if err != nil {
		return nil, err
	}
	for w, values := range byValue {
		wc := out[w]
		if wc == nil {
			wc = &weekCounts{}
			out[w] = wc
		}
		wc.values = values
	}
	return out, nil
}

// dimension returns the counts of a quarter's weeks with responses, by
// value of one dimension. It reads the snapshot, then the weeks whose
// version moved since, and saves a fresher snapshot when weeks other than
// the newest had moved: the newest one moves with every response.
func (l *storeLoader) dimension(ctx context.Context, surveyID string, q unit, dim string, lay *layout) (map[week]map[string]tally, error) {
	idx := l.index[surveyID]
	var want []week
	for w := q.first; w <= q.last; w++ {
		if _, ok := idx.weeks[w]; ok {
			want = append(want, w)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	snap, err := l.st.Snapshot(ctx, surveyID, q.label, dim)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("report: load rollups: %w", err)
	}
	var kept map[week]map[string]tally
	if err == nil {
		// An unreadable snapshot is as good as none.
		kept, _ = decodeSnapshot(snap.Data, lay)
	}
	out := make(map[week]map[string]tally, len(want))
	var stale []string
	newest := false
	for _, w := range want {
		if v, ok := snap.Versions[w.String()]; ok && kept != nil && v == idx.weeks[w].Version {
			if values, ok := kept[w]; ok {
				out[w] = values
			}
			continue
		}
		stale = append(stale, w.String())
		newest = newest || w == idx.newest
	}
	if len(stale) == 0 {
		return out, nil
	}
	docs, err := l.st.Get(ctx, surveyID, dim, stale...)
	if err != nil {
		return nil, fmt.Errorf("report: load rollups: %w", err)
	}
	for _, ru := range docs {
		w, err := parseWeek(ru.Week)
		if err != nil {
			return nil, err
		}
		values := make(map[string]tally, len(ru.Values))
		for v, c := range ru.Values {
			values[v] = lay.tally(c)
		}
		out[w] = values
	}
	if len(stale) > 1 || !newest {
		fresh := store.RollupSnapshot{SurveyID: surveyID, Quarter: q.label, Dim: dim, Versions: make(map[string]int64, len(want)), Data: encodeSnapshot(out, lay)}
		for _, w := range want {
			fresh.Versions[w.String()] = idx.weeks[w].Version
		}
		// A snapshot only saves work: a report is right without it.
		_ = l.st.SaveSnapshot(ctx, fresh)
	}
	return out, nil
}
