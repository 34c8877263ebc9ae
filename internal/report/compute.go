package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/candorhq/candor/internal/survey"
)

// loader gives a computation a survey's counts: from rollups, or from a
// scan of its responses.
type loader interface {
	// weeks returns the weeks with responses, in order.
	weeks(ctx context.Context, surveyID string) ([]week, error)
	// quarter returns the counts of a quarter's weeks, by the values of dim
	// too unless it is empty, numbered by the survey's layout.
	quarter(ctx context.Context, surveyID string, q unit, dim Dimension, l *layout) (map[week]*weekCounts, error)
}

// source is one survey of a report.
type source struct {
	def      survey.Survey
	k        int64
	headline headline
	layout   *layout
	scores   []scoring       // what each counter adds to a cell's scores
	tables   map[week]*table // by their quarter's first week
}

// headline names the questions a cell's NPS, CSAT and CES come from: the
// first of each type.
type headline struct{ nps, csat, ces string }

func headlineOf(s survey.Survey) headline {
	var h headline
	for _, q := range s.Questions {
		switch {
		case q.Type == survey.TypeNPS && h.nps == "":
			h.nps = q.Key
		case q.Type == survey.TypeCSAT && h.csat == "":
			h.csat = q.Key
		case q.Type == survey.TypeCES && h.ces == "":
			h.ces = q.Key
		}
	}
	return h
}

// threshold returns a survey's k, never below the minimum a survey may
// have, whatever an unnormalised definition says.
func threshold(s survey.Survey) int64 {
	if s.AnonymityThreshold == 0 {
		return survey.DefaultAnonymityThreshold
	}
	return int64(max(s.AnonymityThreshold, survey.MinAnonymityThreshold))
}

func (q Query) normalized() (Query, error) {
	if q.Period == "" {
		q.Period = Monthly
	}
	switch {
	case !q.Period.Valid():
		return q, fmt.Errorf("%w: period %q", ErrInvalidQuery, q.Period)
	case q.By != "" && !q.By.Valid():
		return q, fmt.Errorf("%w: dimension %q", ErrInvalidQuery, q.By)
	case q.Filter != (Filter{}) && !q.Filter.Dimension.Valid():
		return q, fmt.Errorf("%w: filter dimension %q", ErrInvalidQuery, q.Filter.Dimension)
	case q.By != "" && q.Filter != (Filter{}):
		// Rollups count one dimension at a time; a breakdown within a
		// filter would need their intersection.
		return q, fmt.Errorf("%w: a breakdown and a filter together", ErrInvalidQuery)
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return q, fmt.Errorf("%w: the range ends before it starts", ErrInvalidQuery)
	case q.Invitations < 0:
		return q, fmt.Errorf("%w: negative invitations", ErrInvalidQuery)
	}
	return q, nil
}

// compute builds a report: it loads whole quarters, decides per quarter
// which cells to hide, and shows only sums of shown cells.
func compute(ctx context.Context, ld loader, q Query, defs []survey.Survey) (Report, error) {
	q, err := q.normalized()
	if err != nil {
		return Report{}, err
	}
	if len(defs) == 0 {
		return Report{}, ErrNoSurvey
	}
	rep := Report{Period: q.Period, By: q.By, Invitations: q.Invitations}
	dim := q.By
	if q.Filter != (Filter{}) {
		f := q.Filter
		rep.Filter, dim = &f, f.Dimension
	}
	r := &run{series: series{all: q.Filter == (Filter{}), value: q.Filter.Value}}
	var first, last week
	found := false
	for _, def := range defs {
		src := &source{def: def, k: threshold(def), headline: headlineOf(def), layout: newLayout(def), tables: make(map[week]*table)}
		r.sources = append(r.sources, src)
		rep.Surveys = append(rep.Surveys, def.ID)
		rep.Threshold = max(rep.Threshold, int(src.k))
		ws, err := ld.weeks(ctx, def.ID)
		if err != nil {
			return Report{}, err
		}
		if len(ws) > 0 {
			if !found || ws[0] < first {
				first = ws[0]
			}
			if !found || ws[len(ws)-1] > last {
				last = ws[len(ws)-1]
			}
			found = true
		}
	}
	r.k = int64(rep.Threshold)

	from, to := first, last
	if !q.From.IsZero() {
		from = weekOf(q.From)
	}
	if !q.To.IsZero() {
		to = weekOf(q.To)
	}
	if !found && (q.From.IsZero() || q.To.IsZero()) {
		zero := 0
		rep.Overall = Cell{Responses: &zero}
		return rep, nil
	}
	// An open end before the other, fixed one: a range of one period.
	if to < from {
		if q.To.IsZero() {
			to = from
		} else {
			from = to
		}
	}
	periods := units(q.Period, from, to)
	if len(periods) > MaxPeriods {
		return Report{}, fmt.Errorf("%w: more than %d periods", ErrInvalidQuery, MaxPeriods)
	}
	rangeFirst, rangeLast := periods[0].first, periods[len(periods)-1].last
	prevFirst := rangeFirst
	for range periods {
		prevFirst = unitOf(q.Period, prevFirst-1).first
	}

	for _, src := range r.sources {
		for _, qu := range units(Quarterly, prevFirst, rangeLast) {
			data, err := ld.quarter(ctx, src.def.ID, qu, dim, src.layout)
			if err != nil {
				return Report{}, err
			}
			t := newTable(qu, data, dim != "")
			t.protect(src.k)
			src.tables[qu.first] = t
		}
		src.scores = src.scoring()
	}

	rep.From, rep.To = periods[0].from(), periods[len(periods)-1].to()
	inRange := cover(rangeFirst, rangeLast)
	rep.Overall = r.cell("", inRange, r.series)
	if rep.Overall.Responses != nil && q.Invitations > 0 {
		rate := float64(*rep.Overall.Responses) * 100 / float64(q.Invitations)
		rep.ResponseRate = &rate
	}
	if len(r.sources) == 1 {
		rep.Questions = r.questions(inRange, rep.Overall)
	}
	if q.By != "" {
		rep.Breakdown, rep.BreakdownReason = r.breakdown(inRange)
	}
	for _, u := range periods {
		p := Point{Cell: r.cell(u.label, []unit{u}, r.series), From: u.from(), To: u.to()}
		if q.By != "" {
			p.Breakdown, p.BreakdownReason = r.breakdown([]unit{u})
		}
		rep.Trend = append(rep.Trend, p)
	}
	prev := Point{Cell: r.cell("", cover(prevFirst, rangeFirst-1), r.series), From: prevFirst.monday(), To: rangeFirst.monday().AddDate(0, 0, -1)}
	rep.Previous = &prev
	rep.Change = change(rep.Overall, prev.Cell)
	return rep, nil
}

// series is every response, or the responses with one value.
type series struct {
	all   bool
	value string
}

// run is one computation's surveys and what it shows.
type run struct {
	sources []*source
	k       int64  // the largest threshold
	series  series // the report's main series: every response or the filter's value
}

// part is one canonical cell a shown number adds up.
type part struct {
	src *source
	c   *cell
}

// parts returns the non-empty cells of series s that make up the units,
// in every survey; false when the values are not shown by week where a
// unit is a week.
func (r *run) parts(us []unit, s series) ([]part, bool) {
	var out []part
	for _, src := range r.sources {
		for _, u := range us {
			t := src.tables[unitOf(Quarterly, u.first).first]
			i := 0
			if !s.all {
				if u.period == Weekly && !t.weekly {
					return nil, false
				}
				if i = t.series(s.value); i < 0 {
					continue
				}
			}
			if c := t.at(t.node(u), i); c.counts.n != 0 {
				out = append(out, part{src, c})
			}
		}
	}
	return out, true
}

// cell sums the cells of series s over the units into one shown cell, or
// returns it suppressed when any of them is hidden.
func (r *run) cell(label string, us []unit, s series) Cell {
	ps, ok := r.parts(us, s)
	if !ok {
		return Cell{Label: label, Suppressed: true, Reason: SparseWeeks}
	}
	var sum summary
	hidden := 0
	var why Reason
	for _, p := range ps {
		if p.c.hidden {
			hidden++
			why = p.c.reason
		}
		sum.add(p.src.summarize(&p.c.counts))
	}
	if hidden == 0 {
		return sum.cell(label)
	}
	if len(ps) > 1 {
		why = PartHidden
		if sum.n < r.k {
			why = FewResponses
		}
	}
	return Cell{Label: label, Suppressed: true, Reason: why}
}

// breakdown returns a cell per value with responses in the units, sorted
// by value; a value is listed even when hidden, never when it has none.
// Where values are not shown by week, it lists none: which values had
// responses in a week would tell where counts are zero.
func (r *run) breakdown(us []unit) ([]Cell, Reason) {
	var values []string
	for _, src := range r.sources {
		for _, u := range us {
			t := src.tables[unitOf(Quarterly, u.first).first]
			if u.period == Weekly && !t.weekly {
				return nil, SparseWeeks
			}
			for i, v := range t.values {
				if t.at(t.node(u), 1+i).counts.n != 0 {
					values = append(values, v)
				}
			}
		}
	}
	slices.Sort(values)
	values = slices.Compact(values)
	out := make([]Cell, 0, len(values))
	for _, v := range values {
		out = append(out, r.cell(v, us, series{value: v}))
	}
	return out, ""
}

// questions returns the distribution of every scale and choice question
// of the one survey over the units, withheld when the overall cell is.
func (r *run) questions(us []unit, overall Cell) []Question {
	src := r.sources[0]
	var sum tally
	if !overall.Suppressed {
		ps, _ := r.parts(us, r.series) // shown, so available
		for _, p := range ps {
			sum.add(&p.c.counts)
		}
	}
	count := func(q, v string) int64 {
		if i, ok := src.layout.lookup(slot{q, v}); ok {
			return sum.get(i)
		}
		return 0
	}
	var extra []slot // counters the definition does not name
	defined := newLayout(src.def)
	for _, s := range src.layout.all() {
		if _, ok := defined.lookup(s); !ok {
			extra = append(extra, s)
		}
	}
	slices.SortFunc(extra, func(a, b slot) int { return strings.Compare(a.value, b.value) })

	var out []Question
	for _, q := range src.def.Questions {
		if q.Type == survey.TypeText || !q.Type.Valid() {
			continue
		}
		qs := Question{Key: q.Key, Type: q.Type}
		if overall.Suppressed {
			qs.Suppressed, qs.Reason = true, overall.Reason
			out = append(out, qs)
			continue
		}
		answered := int(count(q.Key, ""))
		qs.Answered = &answered
		counts := make(map[string]int64)
		bucket := func(v string) {
			b := Bucket{Value: v, Count: int(count(q.Key, v))}
			counts[v] = int64(b.Count)
			if answered > 0 {
				b.Share = float64(b.Count) * 100 / float64(answered)
			}
			qs.Distribution = append(qs.Distribution, b)
		}
		if lo, hi, ok := q.Type.Scale(); ok {
			var total, weighted int64
			for v := lo; v <= hi; v++ {
				bucket(strconv.Itoa(v))
				total += counts[strconv.Itoa(v)]
				weighted += int64(v) * counts[strconv.Itoa(v)]
			}
			if total > 0 {
				mean := float64(weighted) / float64(total)
				qs.Mean = &mean
			}
		} else {
			for _, o := range q.Options {
				bucket(o.Key)
			}
		}
		for _, s := range extra {
			if s.question == q.Key && s.value != "" && count(s.question, s.value) != 0 {
				bucket(s.value)
			}
		}
		sc := scores(q.Type, counts)
		qs.NPS, qs.CSAT = sc.nps(), sc.csat()
		out = append(out, qs)
	}
	return out
}

// summary is what a cell shows: responses and the headline scores.
type summary struct {
	n                               int64
	promoters, passives, detractors int64
	satisfied, csatAnswered         int64
	effort, cesAnswered             int64
}

func (s *summary) add(o summary) {
	s.n += o.n
	s.promoters += o.promoters
	s.passives += o.passives
	s.detractors += o.detractors
	s.satisfied += o.satisfied
	s.csatAnswered += o.csatAnswered
	s.effort += o.effort
	s.cesAnswered += o.cesAnswered
}

// scoring is what one counter adds to a cell's headline scores.
type scoring struct {
	slot  int
	kind  survey.QuestionType
	score int
}

// scoring lists the counters of the headline questions' values.
func (src *source) scoring() []scoring {
	var out []scoring
	for i, s := range src.layout.all() {
		var kind survey.QuestionType
		switch s.question {
		case src.headline.nps:
			kind = survey.TypeNPS
		case src.headline.csat:
			kind = survey.TypeCSAT
		case src.headline.ces:
			kind = survey.TypeCES
		default:
			continue
		}
		lo, hi, _ := kind.Scale()
		if score, err := strconv.Atoi(s.value); err == nil && score >= lo && score <= hi && s.value != "" {
			out = append(out, scoring{slot: i, kind: kind, score: score})
		}
	}
	return out
}

// summarize reads a cell's headline scores.
func (src *source) summarize(t *tally) summary {
	s := summary{n: t.n}
	for _, sc := range src.scores {
		if n := t.get(sc.slot); n != 0 {
			s.count(sc.kind, sc.score, n)
		}
	}
	return s
}

// scores reads the answer counts of a question of type t; values outside
// its scale count for nothing.
func scores(t survey.QuestionType, counts map[string]int64) summary {
	var s summary
	lo, hi, ok := t.Scale()
	if !ok {
		return s
	}
	for v, n := range counts {
		score, err := strconv.Atoi(v)
		if err != nil || score < lo || score > hi {
			continue
		}
		s.count(t, score, n)
	}
	return s
}

// count adds n answers of score to a question of type t.
func (s *summary) count(t survey.QuestionType, score int, n int64) {
	switch t {
	case survey.TypeNPS:
		switch survey.NPSCategory(score) {
		case survey.Promoter:
			s.promoters += n
		case survey.Passive:
			s.passives += n
		case survey.Detractor:
			s.detractors += n
		}
	case survey.TypeCSAT:
		s.csatAnswered += n
		if survey.CSATSatisfied(score) {
			s.satisfied += n
		}
	case survey.TypeCES:
		s.cesAnswered += n
		s.effort += int64(score) * n
	}
}

func (s summary) nps() *NPS {
	score, ok := survey.NPS(int(s.promoters), int(s.passives), int(s.detractors))
	if !ok {
		return nil
	}
	return &NPS{Score: score, Promoters: int(s.promoters), Passives: int(s.passives), Detractors: int(s.detractors),
		Answered: int(s.promoters + s.passives + s.detractors)}
}

func (s summary) csat() *CSAT {
	percent, ok := survey.CSAT(int(s.satisfied), int(s.csatAnswered))
	if !ok {
		return nil
	}
	return &CSAT{Percent: percent, Satisfied: int(s.satisfied), Answered: int(s.csatAnswered)}
}

func (s summary) ces() *CES {
	if s.cesAnswered <= 0 {
		return nil
	}
	return &CES{Average: float64(s.effort) / float64(s.cesAnswered), Answered: int(s.cesAnswered)}
}

func (s summary) cell(label string) Cell {
	n := int(s.n)
	return Cell{Label: label, Responses: &n, NPS: s.nps(), CSAT: s.csat(), CES: s.ces()}
}

// change returns how cur differs from prev where both show a number.
func change(cur, prev Cell) *Change {
	var c Change
	diff := func(a, b float64) *float64 { d := a - b; return &d }
	if cur.Responses != nil && prev.Responses != nil {
		d := *cur.Responses - *prev.Responses
		c.Responses = &d
	}
	if cur.NPS != nil && prev.NPS != nil {
		c.NPS = diff(cur.NPS.Score, prev.NPS.Score)
	}
	if cur.CSAT != nil && prev.CSAT != nil {
		c.CSAT = diff(cur.CSAT.Percent, prev.CSAT.Percent)
	}
	if cur.CES != nil && prev.CES != nil {
		c.CES = diff(cur.CES.Average, prev.CES.Average)
	}
	if c == (Change{}) {
		return nil
	}
	return &c
}
