package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/candorhq/candor/internal/store/rollups"
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
	ld := &scanLoader{data: make(map[string]map[part]map[string]map[string]rollups.Counts)}
	for _, s := range surveys {
		ld.data[s.ID] = make(map[part]map[string]map[string]rollups.Counts)
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
	return compute(ctx, ld, nil, q, surveys)
}

// scanLoader holds the counts of scanned responses, by survey, part,
// rollup dimension and value, as rollup documents would hold them.
type scanLoader struct {
	data map[string]map[part]map[string]map[string]rollups.Counts
}

// add counts an entry of a wanted survey, unless Add would refuse it.
func (l *scanLoader) add(e Entry) {
	parts := l.data[e.SurveyID]
	if parts == nil {
		return
	}
	c, err := e.change(1)
	if err != nil {
		return
	}
	p := partOf(dayOf(e.Day))
	dims := parts[p]
	if dims == nil {
		dims = make(map[string]map[string]rollups.Counts)
		parts[p] = dims
	}
	for _, seg := range c.Segments {
		values := dims[seg.Dim]
		if values == nil {
			values = make(map[string]rollups.Counts)
			dims[seg.Dim] = values
		}
		counts := values[seg.Value]
		counts.AddPattern(c.Pattern, 1)
		if seg.CountOnly {
			counts.N++
		} else {
			_ = counts.Add(c.Answers, 1) // change validated the answers
		}
		values[seg.Value] = counts
	}
}

func (l *scanLoader) index(_ context.Context, surveyID string) ([]part, string, error) {
	out := make([]part, 0, len(l.data[surveyID]))
	for p := range l.data[surveyID] {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b part) int { return int(a.first() - b.first()) })
	return out, "", nil
}

func (l *scanLoader) counts(_ context.Context, surveyID, _ string, parts []part, dim string, lay *layout) (map[part]map[string]tally, error) {
	out := make(map[part]map[string]tally, len(parts))
	for _, p := range parts {
		values := l.data[surveyID][p][dim]
		if values == nil {
			continue
		}
		ts := make(map[string]tally, len(values))
		for v, c := range values {
			ts[v] = lay.tally(c)
		}
		out[p] = ts
	}
	return out, nil
}
