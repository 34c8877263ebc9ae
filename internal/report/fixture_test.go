package report

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/survey"
)

// fixtureSurvey asks every kind of question; k = 5.
func fixtureSurvey() survey.Survey {
	opts := func(keys ...string) []survey.Option {
		var out []survey.Option
		for _, k := range keys {
			out = append(out, survey.Option{Key: k})
		}
		return out
	}
	return survey.Survey{
		ID: "fixture", AnonymityThreshold: 5, CommentThreshold: 10,
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS},
			{Key: "csat", Type: survey.TypeCSAT},
			{Key: "ces", Type: survey.TypeCES},
			{Key: "channel", Type: survey.TypeSingle, Options: opts("email", "phone", "portal")},
			{Key: "topics", Type: survey.TypeMulti, Options: opts("price", "quality", "speed")},
			{Key: "comment", Type: survey.TypeText, Quotable: true},
		},
	}
}

// Five kinds of respondent. T skips CSAT and CES.
//
//	   nps csat ces channel topics
//	P  10   5    2  email   quality
//	Q   9   4    3  email   price, quality
//	R   8   4    4  phone   speed
//	S   5   2    6  portal  price
//	T   3   -    -  phone   price, speed
func profile(kind rune) []survey.Answer {
	score := func(n int) *int { return &n }
	a := func(nps int, csat, ces *int, channel string, topics ...string) []survey.Answer {
		out := []survey.Answer{{Key: "nps", Score: score(nps)}}
		if csat != nil {
			out = append(out, survey.Answer{Key: "csat", Score: csat}, survey.Answer{Key: "ces", Score: ces})
		}
		return append(out, survey.Answer{Key: "channel", Choices: []string{channel}},
			survey.Answer{Key: "topics", Choices: topics}, survey.Answer{Key: "comment", Text: "Call Anna on +44 20 7946 0958"})
	}
	switch kind {
	case 'P':
		return a(10, score(5), score(2), "email", "quality")
	case 'Q':
		return a(9, score(4), score(3), "email", "price", "quality")
	case 'R':
		return a(8, score(4), score(4), "phone", "speed")
	case 'S':
		return a(5, score(2), score(6), "portal", "price")
	}
	return a(3, nil, nil, "phone", "price", "speed")
}

// fixtureEntries returns 40 responses in weeks 2 to 5 of 2025, all in
// January:
//
//	week   EU            US        APAC   all
//	W02    P P Q R S T   P Q R S   -      10
//	W03    P Q Q R S     P P R S T T      11
//	W04    P P Q Q R S T Q R S     -      10
//	W05    P Q R S       P S T     P T     9
//	       22            15        3      40
func fixtureEntries() []Entry {
	cells := []struct {
		day, region, kinds string
	}{
		{"2025-01-06", "EU", "PPQRST"}, {"2025-01-07", "US", "PQRS"},
		{"2025-01-13", "EU", "PQQRS"}, {"2025-01-15", "US", "PPRST"}, {"2025-01-19", "APAC", "T"},
		{"2025-01-20", "EU", "PPQQRST"}, {"2025-01-22", "US", "QRS"},
		{"2025-01-27", "EU", "PQRS"}, {"2025-01-28", "US", "PST"}, {"2025-01-30", "APAC", "PT"},
	}
	var out []Entry
	for _, c := range cells {
		for _, k := range c.kinds {
			out = append(out, Entry{SurveyID: "fixture", Day: day(c.day), Segment: Segment{Region: c.region, Tier: "gold"}, Answers: profile(k)})
		}
	}
	return out
}

func entriesOf(entries []Entry) Source {
	return func(yield func(Entry) error) error {
		for _, e := range entries {
			if err := yield(e); err != nil {
				return err
			}
		}
		return nil
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// wantCell checks a shown cell's numbers; nps, csat and ces are NaN when
// the cell must not have them.
func wantCell(t *testing.T, name string, c Cell, n int, nps, csat, ces float64) {
	t.Helper()
	if c.Suppressed || c.Responses == nil {
		t.Errorf("%s: suppressed (%s), want %d responses", name, c.Reason, n)
		return
	}
	if *c.Responses != n {
		t.Errorf("%s: %d responses, want %d", name, *c.Responses, n)
	}
	check := func(metric string, got *float64, want float64) {
		switch {
		case math.IsNaN(want) && got != nil:
			t.Errorf("%s: %s = %v, want none", name, metric, *got)
		case !math.IsNaN(want) && (got == nil || !near(*got, want)):
			t.Errorf("%s: %s = %v, want %v", name, metric, got, want)
		}
	}
	var npsScore, csatPercent, cesAverage *float64
	if c.NPS != nil {
		npsScore = &c.NPS.Score
	}
	if c.CSAT != nil {
		csatPercent = &c.CSAT.Percent
	}
	if c.CES != nil {
		cesAverage = &c.CES.Average
	}
	check("NPS", npsScore, nps)
	check("CSAT", csatPercent, csat)
	check("CES", cesAverage, ces)
}

func wantHidden(t *testing.T, name string, c Cell, why Reason) {
	t.Helper()
	if !c.Suppressed || c.Reason != why || c.Responses != nil || c.NPS != nil || c.CSAT != nil || c.CES != nil {
		t.Errorf("%s: %+v, want suppressed for %s with no numbers", name, c, why)
	}
}

func january() Query {
	return Query{From: day("2025-01-01"), To: day("2025-01-31"), Period: Monthly, By: Region, Invitations: 80}
}

// checkFixtureJanuary checks the report for January by region against
// numbers worked out by hand from fixtureEntries.
func checkFixtureJanuary(t *testing.T, rep Report) {
	t.Helper()
	if rep.Threshold != 5 || !rep.From.Equal(day("2025-01-01")) || !rep.To.Equal(day("2025-01-31")) {
		t.Errorf("threshold %d, range %v..%v", rep.Threshold, rep.From, rep.To)
	}
	// Promoters P+Q = 19, passives R = 7, detractors S+T = 14 of 40;
	// CSAT 26 of 34 satisfied; CES (11·2+8·3+7·4+8·6)/34 = 122/34.
	wantCell(t, "overall", rep.Overall, 40, 12.5, 2600.0/34, 122.0/34)
	if o := rep.Overall.NPS; o == nil || o.Promoters != 19 || o.Passives != 7 || o.Detractors != 14 || o.Answered != 40 {
		t.Errorf("overall NPS counts %+v", o)
	}
	if rep.ResponseRate == nil || !near(*rep.ResponseRate, 50) {
		t.Errorf("response rate %v, want 50", rep.ResponseRate)
	}

	// EU: P6 Q6 R4 S4 T2. APAC has 3 responses; hiding it alone would
	// let EU+US subtract to it, so US (the smaller) is hidden too.
	if len(rep.Breakdown) != 3 {
		t.Fatalf("breakdown %+v", rep.Breakdown)
	}
	wantHidden(t, "APAC", rep.Breakdown[0], FewResponses)
	wantCell(t, "EU", rep.Breakdown[1], 22, 600.0/22, 80, 3.5)
	wantHidden(t, "US", rep.Breakdown[2], Complement)
	for i, label := range []string{"APAC", "EU", "US"} {
		if rep.Breakdown[i].Label != label {
			t.Errorf("breakdown row %d is %q, want %q", i, rep.Breakdown[i].Label, label)
		}
	}

	if len(rep.Trend) != 1 || rep.Trend[0].Label != "2025-01" {
		t.Fatalf("trend %+v", rep.Trend)
	}
	wantCell(t, "trend January", rep.Trend[0].Cell, 40, 12.5, 2600.0/34, 122.0/34)
	if len(rep.Trend[0].Breakdown) != 3 || rep.Trend[0].Breakdown[1].Responses == nil || !rep.Trend[0].Breakdown[2].Suppressed {
		t.Errorf("January's breakdown %+v", rep.Trend[0].Breakdown)
	}
	// December had no responses: nothing to compare with.
	if rep.Previous != nil || rep.Change != nil {
		t.Errorf("previous %+v, change %+v without responses before", rep.Previous, rep.Change)
	}

	want := map[string]struct {
		answered int
		mean     float64 // NaN for choice questions
		counts   map[string]int
	}{
		"nps":     {40, 296.0 / 40, map[string]int{"10": 11, "9": 8, "8": 7, "5": 8, "3": 6, "0": 0}},
		"csat":    {34, 131.0 / 34, map[string]int{"5": 11, "4": 15, "3": 0, "2": 8, "1": 0}},
		"ces":     {34, 122.0 / 34, map[string]int{"2": 11, "3": 8, "4": 7, "6": 8, "7": 0}},
		"channel": {40, math.NaN(), map[string]int{"email": 19, "phone": 13, "portal": 8}},
		"topics":  {40, math.NaN(), map[string]int{"price": 22, "quality": 19, "speed": 13}},
	}
	if len(rep.Questions) != len(want) {
		t.Fatalf("%d questions, want %d (no text question)", len(rep.Questions), len(want))
	}
	for _, q := range rep.Questions {
		w := want[q.Key]
		if q.Suppressed || q.Answered == nil || *q.Answered != w.answered {
			t.Errorf("question %s: %+v", q.Key, q)
			continue
		}
		if (q.Mean == nil) != math.IsNaN(w.mean) || (q.Mean != nil && !near(*q.Mean, w.mean)) {
			t.Errorf("question %s: mean %v, want %v", q.Key, q.Mean, w.mean)
		}
		for _, b := range q.Distribution {
			if c, ok := w.counts[b.Value]; ok && (b.Count != c || !near(b.Share, float64(c)*100/float64(w.answered))) {
				t.Errorf("question %s value %s: %d (%v%%), want %d", q.Key, b.Value, b.Count, b.Share, c)
			}
		}
	}
	if q := rep.Questions[0]; len(q.Distribution) != 11 || q.Distribution[0].Value != "0" || q.NPS == nil || !near(q.NPS.Score, 12.5) {
		t.Errorf("nps question %+v", q)
	}
	if q := rep.Questions[4]; len(q.Distribution) != 3 || q.Distribution[0].Share+q.Distribution[1].Share+q.Distribution[2].Share <= 100 {
		t.Errorf("multi question shares should add up to more than 100: %+v", q.Distribution)
	}
}

func TestFixtureByRegion(t *testing.T) {
	t.Parallel()
	rep, err := Scan(context.Background(), entriesOf(fixtureEntries()), january(), fixtureSurvey())
	if err != nil {
		t.Fatal(err)
	}
	checkFixtureJanuary(t, rep)
}

func TestFixtureWeeklyTrend(t *testing.T) {
	t.Parallel()
	q := Query{From: day("2025-01-06"), To: day("2025-02-02"), Period: Weekly, By: Region}
	rep, err := Scan(context.Background(), entriesOf(fixtureEntries()), q, fixtureSurvey())
	if err != nil {
		t.Fatal(err)
	}
	wantCell(t, "overall", rep.Overall, 40, 12.5, 2600.0/34, 122.0/34)
	// Segments show by month and quarter only: a range of weeks that
	// starts or ends inside a month is not theirs to show.
	wantHidden(t, "APAC", rep.Breakdown[0], FewResponses)
	wantHidden(t, "EU", rep.Breakdown[1], SparseWeeks)
	wantHidden(t, "US", rep.Breakdown[2], SparseWeeks)
	if len(rep.Trend) != 4 {
		t.Fatalf("trend %+v", rep.Trend)
	}
	// W02: P3 Q2 R2 S2 T1; W03: P3 Q2 R2 S2 T2; W04: P2 Q3 R2 S2 T1;
	// W05: P3 Q1 R1 S2 T2.
	wantCell(t, "W02", rep.Trend[0].Cell, 10, 20, 700.0/9, 32.0/9)
	wantCell(t, "W03", rep.Trend[1].Cell, 11, 100.0/11, 700.0/9, 32.0/9)
	wantCell(t, "W04", rep.Trend[2].Cell, 10, 20, 700.0/9, 33.0/9)
	wantCell(t, "W05", rep.Trend[3].Cell, 9, 0, 500.0/7, 25.0/7)
	for _, p := range rep.Trend {
		if p.Breakdown != nil || p.BreakdownReason != SparseWeeks {
			t.Errorf("%s breakdown %+v (%s)", p.Label, p.Breakdown, p.BreakdownReason)
		}
	}
	// The same weeks by month: whole January by region.
	q.Period, q.To = Monthly, day("2025-01-31")
	rep, err = Scan(context.Background(), entriesOf(fixtureEntries()), q, fixtureSurvey())
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != day("2025-01-01") || rep.To != day("2025-01-31") || rep.Breakdown[1].Responses == nil || *rep.Breakdown[1].Responses != 22 {
		t.Errorf("by month: %v..%v %+v", rep.From, rep.To, rep.Breakdown)
	}
}

func TestFixtureFilters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region string
		why    Reason // "" when shown
	}{
		{"EU", ""},
		{"US", Complement}, // its complement within January, APAC, has 3
		{"APAC", FewResponses},
		{"nowhere", ""},
	}
	for _, tt := range tests {
		q := january()
		q.By, q.Filter = "", Filter{Dimension: Region, Value: tt.region}
		rep, err := Scan(context.Background(), entriesOf(fixtureEntries()), q, fixtureSurvey())
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.region == "nowhere":
			wantCell(t, tt.region, rep.Overall, 0, math.NaN(), math.NaN(), math.NaN())
		case tt.why == "":
			wantCell(t, tt.region, rep.Overall, 22, 600.0/22, 80, 3.5)
			if rep.Questions[3].Distribution[0].Count != 12 { // email: P6 + Q6
				t.Errorf("EU channel %+v", rep.Questions[3])
			}
		default:
			wantHidden(t, tt.region, rep.Overall, tt.why)
			for _, q := range rep.Questions {
				if !q.Suppressed || q.Answered != nil || q.Distribution != nil {
					t.Errorf("%s: question %s shows %+v", tt.region, q.Key, q)
				}
			}
			if rep.ResponseRate != nil {
				t.Errorf("%s: a response rate for a hidden group", tt.region)
			}
		}
	}
}

func TestFixtureSmallSurvey(t *testing.T) {
	t.Parallel()
	// APAC's three responses alone: a survey below k shows nothing.
	var small []Entry
	for _, e := range fixtureEntries() {
		if e.Segment.Region == "APAC" {
			small = append(small, e)
		}
	}
	rep, err := Scan(context.Background(), entriesOf(small), Query{}, fixtureSurvey())
	if err != nil {
		t.Fatal(err)
	}
	wantHidden(t, "overall", rep.Overall, FewResponses)
	for _, p := range rep.Trend {
		if !p.Suppressed {
			t.Errorf("trend %s shows %+v", p.Label, p.Cell)
		}
	}
	if rep.Trend[0].Label != "2025-01" || rep.Period != Monthly {
		t.Errorf("default period or range: %s %+v", rep.Period, rep.Trend)
	}
}

func TestQueryValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    Query
	}{
		{"unknown period", Query{Period: "day"}},
		{"unknown dimension", Query{By: "colour"}},
		{"unknown filter dimension", Query{Filter: Filter{Dimension: "colour", Value: "red"}}},
		{"breakdown and filter", Query{By: Tier, Filter: Filter{Dimension: Region, Value: "EU"}}},
		{"breakdown by manager within a manager", Query{By: Manager, Filter: Filter{Dimension: Manager, Value: "m"}}},
		{"backwards", Query{From: day("2025-02-01"), To: day("2025-01-01")}},
		{"negative invitations", Query{Invitations: -1}},
		{"too long", Query{From: day("2000-01-01"), To: day("2030-01-01"), Period: Weekly}},
	}
	for _, tt := range tests {
		if _, err := Scan(context.Background(), entriesOf(fixtureEntries()), tt.q, fixtureSurvey()); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := Scan(context.Background(), entriesOf(nil), Query{}); err == nil {
		t.Error("a report on no survey was accepted")
	}
	rep, err := Scan(context.Background(), entriesOf(nil), Query{}, fixtureSurvey())
	if err != nil || rep.Overall.Responses == nil || *rep.Overall.Responses != 0 || rep.Trend != nil {
		t.Errorf("a survey without responses: %+v, %v", rep, err)
	}
}

func TestEntryValidation(t *testing.T) {
	t.Parallel()
	ok := fixtureEntries()[0]
	tests := []struct {
		name string
		edit func(*Entry)
	}{
		{"no survey", func(e *Entry) { e.SurveyID = "" }},
		{"separator in survey", func(e *Entry) { e.SurveyID = "a|b" }},
		{"no day", func(e *Entry) { e.Day = time.Time{} }},
		{"dotted key", func(e *Entry) { e.Answers = []survey.Answer{{Key: "a.b", Choices: []string{"x"}}} }},
		{"dollar choice", func(e *Entry) { e.Answers = []survey.Answer{{Key: "a", Choices: []string{"$x"}}} }},
	}
	for _, tt := range tests {
		e := ok
		tt.edit(&e)
		if _, err := e.change(1); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	c, err := ok.change(-1)
	// Every response, five dimensions, four of them among the manager's
	// accounts, the account, and the combo, counted only.
	if err != nil || c.Weight != -1 || c.Week != "2025-W02-01" || len(c.Segments) != 12 || len(c.Answers) != 5 {
		t.Errorf("change = %+v, %v; want twelve documents and the five scored or chosen answers", c, err)
	}
	if last := c.Segments[len(c.Segments)-1]; !last.CountOnly || last.Dim != dimCombo {
		t.Errorf("the combo document: %+v", last)
	}
}
