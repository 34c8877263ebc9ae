package report

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/report/release"
	"github.com/candorhq/candor/internal/survey"
)

// loader gives a computation a survey's counts: from rollups, or from a
// scan of its responses.
type loader interface {
	// index returns the parts with responses, in order, and a key that
	// changes whenever their counts do ("" when it cannot tell).
	index(ctx context.Context, surveyID string) (parts []part, key string, err error)
	// counts returns the counts of one quarter's parts by the values of a
	// rollup dimension, numbered by the survey's layout.
	counts(ctx context.Context, surveyID, quarter string, parts []part, dim string, l *layout) (map[part]map[string]tally, error)
}

// source is one survey of a report.
type source struct {
	def      survey.Survey
	k        int64
	headline headline
	layout   *layout
	scores   []scoring // what each counter adds to a cell's scores
	parts    []part
	quarters map[string][]part     // the parts by quarter label
	span     [2]date               // the first date of the first month with responses, the last of the last
	rel      *release.Release      // what may be shown
	data     map[string]partCounts // rollup dimension → counts
	lines    map[lineKey]timeline  // what each selection's shown forms of a measure tie together
}

type lineKey struct {
	sel     selection
	measure release.Measure
}

type partCounts map[part]map[string]tally

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
		return q, ErrInvalidQuery.Becausef("period %q", q.Period)
	case q.By != "" && !q.By.Valid():
		return q, ErrInvalidQuery.Becausef("dimension %q", q.By)
	case q.Filter != (Filter{}) && !q.Filter.Dimension.Valid():
		return q, ErrInvalidQuery.Becausef("filter dimension %q", q.Filter.Dimension)
	case q.By == Account && q.Filter != (Filter{}):
		// An account lies within one manager's accounts: it has no
		// manager's breakdown.
		return q, ErrInvalidQuery.Becausef("a breakdown by account within a filter")
	case q.By != "" && q.Filter != (Filter{}) && (q.Filter.Dimension != Manager || q.By == Manager):
		// The release breaks down every response, and each manager's.
		return q, ErrInvalidQuery.Becausef("a breakdown within a filter other than a manager's accounts")
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return q, ErrInvalidQuery.Becausef("the range ends before it starts")
	case q.Invitations < 0:
		return q, ErrInvalidQuery.Becausef("negative invitations")
	}
	return q, nil
}

// releases keeps decided releases between reports; nil decides afresh.
type releases interface {
	Get(surveyID, key string, k int64) *release.Release
	Put(surveyID, key string, k int64, r *release.Release)
}

// compute builds a report: it loads each survey's parts and release, and
// shows a number only where the release's shown forms determine it.
func compute(ctx context.Context, ld loader, cache releases, q Query, defs []survey.Survey) (Report, error) {
	q, err := q.normalized()
	if err != nil {
		return Report{}, err
	}
	if len(defs) == 0 {
		return Report{}, ErrNoSurvey
	}
	today := dayOf(time.Now())
	if !q.Today.IsZero() {
		today = dayOf(q.Today)
	}
	rep := Report{Period: q.Period, By: q.By, Invitations: q.Invitations}
	r := &run{}
	if q.Filter != (Filter{}) {
		f := q.Filter
		rep.Filter = &f
		r.main = selection{dim: f.Dimension, value: f.Value}
		if f.Dimension == Manager {
			r.manager, r.cross = f.Value, true
		}
	}
	var first, last date
	found := false
	for _, def := range defs {
		src := &source{def: def, k: threshold(def), headline: headlineOf(def), layout: newLayout(def),
			quarters: make(map[string][]part), data: make(map[string]partCounts), lines: make(map[lineKey]timeline)}
		r.sources = append(r.sources, src)
		rep.Surveys = append(rep.Surveys, def.ID)
		rep.Threshold = max(rep.Threshold, int(src.k))
		if err := src.load(ctx, ld, cache, q); err != nil {
			return Report{}, err
		}
		if len(src.parts) > 0 {
			a, b := src.parts[0].first(), src.parts[len(src.parts)-1].last()
			if !found || a < first {
				first = a
			}
			if !found || b > last {
				last = b
			}
			found = true
		}
		src.scores = src.scoring()
	}
	r.k = int64(rep.Threshold)
	if !found && (q.From.IsZero() || q.To.IsZero()) {
		zero := 0
		rep.Overall = Cell{Responses: &zero}
		return rep, nil
	}

	from, to := first, min(last, today)
	if !q.From.IsZero() {
		from = dayOf(q.From)
	}
	if !q.To.IsZero() {
		to = min(dayOf(q.To), today)
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
		return Report{}, ErrInvalidQuery.Becausef("more than %d periods", MaxPeriods)
	}
	rangeFirst, rangeLast := periods[0].first, periods[len(periods)-1].last
	rep.From, rep.To = periods[0].from(), min(rangeLast, max(today, rangeFirst)).time()

	rep.Overall = r.cell("", r.main, rangeFirst, rangeLast, "")
	if rep.Overall.Responses != nil && q.Invitations > 0 {
		rate := float64(*rep.Overall.Responses) * 100 / float64(q.Invitations)
		rep.ResponseRate = &rate
	}
	if len(r.sources) == 1 {
		rep.Questions = r.questions(rangeFirst, rangeLast, rep.Overall)
	}
	var values []string
	if q.By != "" {
		values, rep.BreakdownReason = r.values(q.By)
		rep.Breakdown = r.breakdown(q.By, values, rangeFirst, rangeLast, "")
	}
	for _, u := range periods {
		p := Point{Cell: r.cell(u.label, r.main, u.first, u.last, u.period), From: u.from(), To: u.to()}
		if q.By != "" {
			switch {
			case rep.BreakdownReason != "":
				p.BreakdownReason = rep.BreakdownReason
			case u.period == Weekly:
				p.BreakdownReason = SparseWeeks
			default:
				p.Breakdown = r.breakdown(q.By, values, u.first, u.last, u.period)
			}
		}
		rep.Trend = append(rep.Trend, p)
	}
	prevFirst := rangeFirst
	for range periods {
		prevFirst = unitOf(q.Period, prevFirst-1).first
	}
	prev := Point{Cell: r.cell("", r.main, prevFirst, rangeFirst-1, ""), From: prevFirst.time(), To: (rangeFirst - 1).time()}
	// A change needs a previous period with responses.
	if prev.Suppressed || (prev.Responses != nil && *prev.Responses > 0) {
		rep.Previous = &prev
		rep.Change = change(rep.Overall, prev.Cell)
	}
	return rep, nil
}

// load reads a survey's parts, its release (decided now unless cached)
// and the counts the query needs.
func (src *source) load(ctx context.Context, ld loader, cache releases, q Query) error {
	parts, key, err := ld.index(ctx, src.def.ID)
	if err != nil {
		return err
	}
	src.parts = parts
	if len(parts) == 0 {
		src.rel = release.Decide(src.k, nil)
		return nil
	}
	for _, p := range parts {
		src.quarters[p.quarterLabel()] = append(src.quarters[p.quarterLabel()], p)
	}
	firstMonth := monthUnit(parts[0].year, parts[0].month)
	lastMonth := monthUnit(parts[len(parts)-1].year, parts[len(parts)-1].month)
	src.span = [2]date{firstMonth.first, lastMonth.last}

	if cache != nil && key != "" {
		src.rel = cache.Get(src.def.ID, key, src.k)
	}
	if src.rel == nil {
		combos, err := src.read(ctx, ld, dimCombo)
		if err != nil {
			return err
		}
		src.rel = release.Decide(src.k, releaseInput(parts, combos, src.layout))
		if cache != nil && key != "" {
			cache.Put(src.def.ID, key, src.k, src.rel)
		}
	}
	dims := []string{dimAll}
	if q.Filter != (Filter{}) {
		d, _ := selection{dim: q.Filter.Dimension}.rollup()
		dims = append(dims, d)
	}
	if q.By != "" {
		d, _ := selection{dim: q.By, manager: q.Filter.Value, cross: true}.rollup()
		if q.Filter.Dimension != Manager {
			d, _ = selection{dim: q.By}.rollup()
		}
		dims = append(dims, d)
	}
	for _, d := range dims {
		if _, ok := src.data[d]; ok {
			continue
		}
		c, err := src.read(ctx, ld, d)
		if err != nil {
			return err
		}
		src.data[d] = c
	}
	return nil
}

// read returns the counts of every part by one rollup dimension.
func (src *source) read(ctx context.Context, ld loader, dim string) (partCounts, error) {
	out := make(partCounts)
	labels := make([]string, 0, len(src.quarters))
	for q := range src.quarters {
		labels = append(labels, q)
	}
	slices.Sort(labels)
	for _, q := range labels {
		c, err := ld.counts(ctx, src.def.ID, q, src.quarters[q], dim, src.layout)
		if err != nil {
			return nil, err
		}
		for p, values := range c {
			out[p] = values
		}
	}
	return out, nil
}

// releaseInput groups the responses by combo of every part into months,
// and by the measures they miss (see missingOf).
func releaseInput(parts []part, combos partCounts, l *layout) []release.Month {
	type patternSlot struct {
		slot int
		key  string
	}
	var missing []patternSlot
	for i, s := range l.all() {
		if s.question == patterns {
			missing = append(missing, patternSlot{i, release.MissingKey(missingOf(parsePattern(s.value)))})
		}
	}
	var out []release.Month
	for _, p := range parts {
		if len(out) == 0 || out[len(out)-1].Label != p.monthLabel() {
			out = append(out, release.Month{Label: p.monthLabel(), Quarter: p.quarterLabel(), Weeks: make(map[string]map[release.Combo]int64)})
		}
		m := &out[len(out)-1]
		byCombo := make(map[release.Combo]int64)
		byMissing := make(map[release.Combo]map[string]int64)
		for v, t := range combos[p] {
			c, ok := parseCombo(v)
			if !ok || t.n <= 0 {
				continue
			}
			byCombo[c] += t.n
			for _, ps := range missing {
				if n := t.get(ps.slot); n > 0 && ps.key != "" {
					if byMissing[c] == nil {
						byMissing[c] = make(map[string]int64)
					}
					byMissing[c][ps.key] += n
				}
			}
		}
		m.Weeks[p.week.String()] = byCombo
		if len(byMissing) > 0 {
			if m.Missing == nil {
				m.Missing = make(map[string]map[release.Combo]map[string]int64)
			}
			m.Missing[p.week.String()] = byMissing
		}
	}
	return out
}

// missingOf returns the measures a pattern's respondents are not counted
// in: those shown and those who answered each question not shown, and
// those who answered each question skipped.
func missingOf(p pattern) []release.Measure {
	var out []release.Measure
	for _, q := range p.hidden {
		out = append(out, release.ShownMeasure(q), release.AnsweredMeasure(q))
	}
	for _, q := range p.skipped {
		out = append(out, release.AnsweredMeasure(q))
	}
	return out
}

// run is one computation's surveys and what it shows.
type run struct {
	sources []*source
	k       int64     // the largest threshold
	main    selection // every response, or the filter's
	manager string    // the filter's manager, for breakdowns within it
	cross   bool      // whether the filter is a manager's
}

// cell sums selection s over days first..last in every survey into one
// shown cell, or returns it suppressed when any survey's release does not
// determine it. A period's cell names its period.
func (r *run) cell(label string, s selection, first, last date, period Period) Cell {
	var sum summary
	for _, src := range r.sources {
		t, why := src.value(s, first, last, period, label)
		if why != "" {
			return Cell{Label: label, Suppressed: true, Reason: why}
		}
		sum.add(src.summarize(&t))
	}
	return sum.cell(label)
}

// value returns the counts of selection s over days first..last, or why
// the release does not determine them.
func (src *source) value(s selection, first, last date, period Period, label string) (tally, Reason) {
	if !src.rel.Released(s.key()) {
		return tally{}, Unchecked
	}
	if period == Weekly && s.dim != "" {
		return tally{}, SparseWeeks
	}
	first, last = max(first, src.span[0]), min(last, src.span[1])
	if len(src.parts) == 0 || first > last {
		return tally{}, ""
	}
	dim, v := s.rollup()
	var t tally
	for _, p := range src.parts {
		if p.first() >= first && p.last() <= last {
			if c, ok := src.data[dim][p][v]; ok {
				t.add(&c)
			}
		}
	}
	if src.line(s, "").determines(first, last) {
		return t, ""
	}
	if nd, ok := src.nodeOf(first, last); ok {
		if why, hidden := src.rel.Hides(nd, s.key()); hidden {
			return tally{}, Reason(why)
		}
	}
	switch {
	case t.n > 0 && t.n < src.k:
		return tally{}, FewResponses
	case s.dim != "" && (unitOf(Monthly, first).first != first || unitOf(Monthly, last).last != last):
		return tally{}, SparseWeeks
	}
	return tally{}, PartHidden
}

// nodeOf returns the release's time node that is days first..last, within
// the survey's months, if one is: all time, a quarter, a month or a week.
func (src *source) nodeOf(first, last date) (release.Node, bool) {
	if first == src.span[0] && last == src.span[1] {
		return release.Node{Grain: release.AllTime}, true
	}
	for _, p := range []Period{Monthly, Quarterly, Weekly} {
		if u := unitOf(p, first); u.first == first && u.last == last {
			return node(p, u.label), true
		}
	}
	return release.Node{}, false
}

// timeline ties together the days at which a selection's shown forms
// start and end: a range is determined when its start and the day after
// its end are tied.
type timeline map[date]date

func (tl timeline) find(d date) date {
	for {
		p, ok := tl[d]
		if !ok || p == d {
			return d
		}
		if gp, ok := tl[p]; ok {
			tl[d] = gp
		}
		d = p
	}
}

func (tl timeline) union(a, b date) { tl[tl.find(a)] = tl.find(b) }

func (tl timeline) determines(first, last date) bool { return tl.find(first) == tl.find(last+1) }

// line returns selection s's timeline: every shown form of it, and every
// period in which it has no responses, spans days whose sum is known.
// Days outside the survey's months hold no responses.
func (src *source) line(s selection, m release.Measure) timeline {
	if tl, ok := src.lines[lineKey{s, m}]; ok {
		return tl
	}
	tl := make(timeline)
	tie := func(first, last date) {
		tl.union(max(first, src.span[0]), min(last, src.span[1])+1)
	}
	periods := []Period{Monthly, Quarterly}
	if s.dim == "" {
		periods = append(periods, Weekly)
	}
	key := s.key()
	if _, hidden := src.rel.HidesCount(release.Node{Grain: release.AllTime}, key, m); !hidden {
		tie(src.span[0], src.span[1])
	}
	for _, p := range periods {
		for _, u := range units(p, src.span[0], src.span[1]) {
			if _, hidden := src.rel.HidesCount(node(p, u.label), key, m); !hidden {
				tie(u.first, u.last)
			}
		}
	}
	src.lines[lineKey{s, m}] = tl
	return tl
}

// measureReason returns why the release does not determine measure m of
// selection s over days first..last, whose count is n, or "" when it
// does. It is asked only of a selection and range whose responses it
// determines; a measure the release does not decide apart shows with
// them.
func (src *source) measureReason(s selection, first, last date, m release.Measure, n int64) Reason {
	if !slices.Contains(src.rel.Measures(), m) {
		return ""
	}
	first, last = max(first, src.span[0]), min(last, src.span[1])
	if len(src.parts) == 0 || first > last || src.line(s, m).determines(first, last) {
		return ""
	}
	if nd, ok := src.nodeOf(first, last); ok {
		if why, hidden := src.rel.HidesCount(nd, s.key(), m); hidden {
			return Reason(why)
		}
	}
	if n > 0 && n < src.k {
		return FewResponses
	}
	return PartHidden
}

// values returns the values of dimension d with responses in any survey,
// sorted, or why none are listed.
func (r *run) values(d Dimension) ([]string, Reason) {
	var out []string
	for _, src := range r.sources {
		s := selection{dim: d, manager: r.manager, cross: r.cross}.key()
		if !src.rel.Released(s) {
			return nil, Unchecked
		}
		out = append(out, src.rel.Values(s)...)
	}
	slices.Sort(out)
	return slices.Compact(out), ""
}

// breakdown returns a cell per value over days first..last.
func (r *run) breakdown(d Dimension, values []string, first, last date, period Period) []Cell {
	out := make([]Cell, 0, len(values))
	for _, v := range values {
		label := ""
		if period != "" {
			label = unitOf(period, first).label
		}
		c := r.cell(label, selection{dim: d, value: v, manager: r.manager, cross: r.cross}, first, last, period)
		c.Label = v
		out = append(out, c)
	}
	return out
}

// questions returns the distribution of every scale and choice question
// of the one survey over days first..last, withheld when the overall cell
// is.
func (r *run) questions(first, last date, overall Cell) []Question {
	src := r.sources[0]
	var sum tally
	if !overall.Suppressed {
		sum, _ = src.value(r.main, first, last, "", "")
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
		shown := int(sum.n - count(q.Key, notShown))
		why := src.measureReason(r.main, first, last, release.ShownMeasure(q.Key), int64(shown))
		if why == "" {
			why = src.measureReason(r.main, first, last, release.AnsweredMeasure(q.Key), int64(answered))
		}
		if why != "" {
			// Who was shown it, or who answered it, would tell a group
			// the release hides; so would its answers.
			qs.Suppressed, qs.Reason = true, why
			out = append(out, qs)
			continue
		}
		qs.Answered, qs.Shown = &answered, &shown
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
			if s.question == q.Key && s.value != "" && !strings.HasPrefix(s.value, "\x00") && count(s.question, s.value) != 0 {
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
