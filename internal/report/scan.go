package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Scan computes the report Service.Report would, straight from the
// responses src yields (of any survey; others are skipped), counting them
// as Service.Add does. It is the reference the rollups are checked against
// and the baseline they are measured against.
func Scan(ctx context.Context, src Source, q Query, surveys ...survey.Survey) (Report, error) {
	q, err := q.normalized()
	if err != nil {
		return Report{}, err
	}
	ld := &scanLoader{dim: q.By, data: make(map[string]map[week]*scannedWeek)}
	if q.Filter != (Filter{}) {
		ld.dim = q.Filter.Dimension
	}
	for _, s := range surveys {
		ld.data[s.ID] = make(map[week]*scannedWeek)
	}
	err = src(func(e Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ld.add(e)
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("report: scan: %w", err)
	}
	return compute(ctx, ld, q, surveys)
}

// scanLoader holds the counts of scanned responses, by survey and week,
// as rollup documents would hold them.
type scanLoader struct {
	dim  Dimension
	data map[string]map[week]*scannedWeek
}

type scannedWeek struct {
	all    store.RollupCounts
	values map[string]store.RollupCounts
}

// add counts an entry of a wanted survey, unless Add would refuse it.
func (l *scanLoader) add(e Entry) {
	weeks := l.data[e.SurveyID]
	if weeks == nil {
		return
	}
	c, err := e.change(1)
	if err != nil {
		return
	}
	w := weekOf(e.Day)
	sw := weeks[w]
	if sw == nil {
		sw = &scannedWeek{values: make(map[string]store.RollupCounts)}
		weeks[w] = sw
	}
	_ = sw.all.Add(c.Answers, 1) // change validated the answers
	if l.dim != "" {
		v := e.Segment.Value(l.dim)
		counts := sw.values[v]
		_ = counts.Add(c.Answers, 1)
		sw.values[v] = counts
	}
}

func (l *scanLoader) weeks(_ context.Context, surveyID string) ([]week, error) {
	out := make([]week, 0, len(l.data[surveyID]))
	for w := range l.data[surveyID] {
		out = append(out, w)
	}
	slices.Sort(out)
	return out, nil
}

func (l *scanLoader) quarter(_ context.Context, surveyID string, q unit, dim Dimension, lay *layout) (map[week]*weekCounts, error) {
	out := make(map[week]*weekCounts)
	for w := q.first; w <= q.last; w++ {
		sw := l.data[surveyID][w]
		if sw == nil {
			continue
		}
		wc := &weekCounts{all: lay.tally(sw.all)}
		if dim != "" {
			wc.values = make(map[string]tally, len(sw.values))
			for v, c := range sw.values {
				wc.values[v] = lay.tally(c)
			}
		}
		out[w] = wc
	}
	return out, nil
}
