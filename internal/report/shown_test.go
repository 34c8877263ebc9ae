package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/report/release"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// followupSurvey is fixtureSurvey with two conditional follow-ups of the
// NPS question: a reason for detractors (0–6) and what promoters (9–10)
// value.
func followupSurvey() survey.Survey {
	s := fixtureSurvey()
	s.Questions = append(s.Questions[:1:1],
		survey.Question{Key: "reason", Type: survey.TypeSingle, Options: []survey.Option{{Key: "price"}, {Key: "service"}},
			ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)}},
		survey.Question{Key: "value", Type: survey.TypeSingle, Options: []survey.Option{{Key: "people"}, {Key: "uptime"}},
			ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(9), Max: new(10)}},
	)
	return s
}

// followupEntry is a response to def with an NPS score; it answers the
// follow-up shown to it unless skip, and posts an answer to every
// follow-up, shown or not, as a tampered form would.
func followupEntry(def survey.Survey, when string, seg Segment, score int, skip bool) Entry {
	answers := survey.Answers{{Key: "nps", Score: &score}}
	shown := def.Shown(answers)
	for _, q := range def.Questions[1:] {
		if q.ShowIf == nil || (shown[q.Key] && skip) {
			continue
		}
		answers = append(answers, survey.Answer{Key: q.Key, Choices: []string{q.Options[0].Key}})
	}
	return Entry{SurveyID: def.ID, Day: day(when), Segment: seg, Answers: answers,
		Conditional: ConditionalOf(def, def.ShownKeys(answers))}
}

func questionOf(rep Report, key string) Question {
	for _, q := range rep.Questions {
		if q.Key == key {
			return q
		}
	}
	return Question{}
}

// TestShownCountsProtectThoseNotShown: 6 detractors are asked for a
// reason and 2 passives are not. Responses (8) and shown (6) would tell
// the 2; the release hides the shown count, and the question with it.
func TestShownCountsProtectThoseNotShown(t *testing.T) {
	t.Parallel()
	def := followupSurvey()
	seg := Segment{Region: "EU", Tier: "gold"}
	scores := func(detractors, passives, promoters int) []Entry {
		var out []Entry
		for i := range detractors + passives + promoters {
			score := 3
			switch {
			case i >= detractors+passives:
				score = 10
			case i >= detractors:
				score = 8
			}
			out = append(out, followupEntry(def, "2025-01-08", seg, score, false))
		}
		return out
	}
	tests := []struct {
		name                      string
		entries                   []Entry
		reasonShown, valueShown   int // -1: withheld
		reasonAnswered, responses int
	}{
		// Shown to nobody tells what responses tell.
		{"two not shown", scores(6, 2, 0), -1, 0, 0, 8},
		{"five not shown", scores(6, 5, 0), 6, 0, 6, 11},
		{"everyone shown one", scores(6, 0, 5), 6, 5, 6, 11},
		{"nobody conditional", scores(0, 7, 0), 0, 0, 0, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Scan(context.Background(), entriesOf(tt.entries), january(), def)
			if err != nil {
				t.Fatal(err)
			}
			if got := *rep.Overall.Responses; got != tt.responses {
				t.Fatalf("responses = %d, want %d", got, tt.responses)
			}
			for key, want := range map[string]int{"reason": tt.reasonShown, "value": tt.valueShown} {
				q := questionOf(rep, key)
				switch {
				case want < 0 && (!q.Suppressed || q.Shown != nil || q.Answered != nil || q.Distribution != nil):
					t.Errorf("%s: shows %+v, want it withheld", key, q)
				case want >= 0 && (q.Suppressed || q.Shown == nil || *q.Shown != want):
					t.Errorf("%s: shows %+v, want %d shown", key, q, want)
				}
			}
			if want := tt.reasonAnswered; tt.reasonShown >= 0 && *questionOf(rep, "reason").Answered != want {
				t.Errorf("reason answered %d, want %d", *questionOf(rep, "reason").Answered, want)
			}
			if q := questionOf(rep, "nps"); q.Shown == nil || *q.Shown != tt.responses {
				t.Errorf("an unconditional question shows %v shown, want every response", q.Shown)
			}
		})
	}
}

// TestSurveyWithoutConditionsReportsAsBefore: no pattern is counted, and
// every question's shown count is the responses.
func TestSurveyWithoutConditionsReportsAsBefore(t *testing.T) {
	t.Parallel()
	rep, err := Scan(context.Background(), entriesOf(fixtureEntries()), january(), fixtureSurvey())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range rep.Questions {
		if q.Shown == nil || *q.Shown != 40 || q.Suppressed {
			t.Errorf("%s: shown %v, want 40", q.Key, q.Shown)
		}
	}
	for _, e := range fixtureEntries() {
		if c, err := e.change(1); err != nil || c.Pattern != "" {
			t.Fatalf("pattern %q, %v", c.Pattern, err)
		}
	}
}

// conditionalWorld is randomWorld answering followupSurvey: random
// scores, and now and then a follow-up skipped.
func conditionalWorld(seed uint64) world {
	w := randomWorld(seed)
	r := rand.New(rand.NewPCG(seed, 0xc0d))
	for i := range w.surveys {
		def := followupSurvey()
		def.ID, def.AnonymityThreshold = w.surveys[i].ID, w.k
		w.surveys[i] = def
	}
	for i, e := range w.entries {
		def := w.surveys[slices.IndexFunc(w.surveys, func(s survey.Survey) bool { return s.ID == e.SurveyID })]
		w.entries[i] = followupEntry(def, e.Day.Format("2006-01-02"), e.Segment, []int{2, 5, 8, 9, 10}[r.IntN(5)], r.IntN(4) == 0)
	}
	return w
}

// TestNoSmallGroupIsDerivableWithConditions runs the differencing
// battery with every shown and answered count of the follow-ups among
// the sums the analyst knows: no group below k — those not shown a
// question among them — follows from them.
func TestNoSmallGroupIsDerivableWithConditions(t *testing.T) {
	t.Parallel()
	seeds := 6
	if testing.Short() || raceEnabled {
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			b := newBattery(t, conditionalWorld(uint64(200+seed)))
			b.everyQuery()
			if b.checks == 0 {
				t.Fatal("nothing was shown")
			}
			if len(b.classes) < 2 {
				t.Fatal("the world has no conditional questions not shown")
			}
			if leaks := b.leaks(); len(leaks) > 0 {
				t.Errorf("%d groups below k are derivable from %d shown sums, e.g. %s", len(leaks), len(b.shown), strings.Join(leaks[0], " + "))
			}
		})
	}
}

// randomConditionalSurvey is a valid survey of 2–6 scale and choice
// questions (and a text one), each after the first conditional now and
// then on an earlier one, by any operation that fits.
func randomConditionalSurvey(r *rand.Rand, id string) survey.Survey {
	types := []survey.QuestionType{survey.TypeNPS, survey.TypeCSAT, survey.TypeCES, survey.TypeSingle, survey.TypeMulti, survey.TypeText}
	for {
		s := survey.Survey{ID: id, Title: survey.Text{"en": "Random"}, DefaultLocale: "en", Locales: []string{"en"},
			ConsentText: survey.Text{"en": "Attach my name."}, AnonymityThreshold: survey.MinAnonymityThreshold}
		for i := range 2 + r.IntN(5) {
			q := survey.Question{Key: fmt.Sprint("q", i), Type: types[r.IntN(len(types))], Prompt: survey.Text{"en": fmt.Sprint("Question ", i)}}
			if q.Type == survey.TypeSingle || q.Type == survey.TypeMulti {
				for o := range 2 + r.IntN(3) {
					q.Options = append(q.Options, survey.Option{Key: fmt.Sprint("o", o), Label: survey.Text{"en": fmt.Sprint("Option ", o)}})
				}
			}
			if i > 0 && r.IntN(3) > 0 {
				tested := s.Questions[r.IntN(i)]
				var fits []survey.Op
				for _, op := range survey.Ops() {
					if op.Fits(tested.Type) {
						fits = append(fits, op)
					}
				}
				c := &survey.Condition{Question: tested.Key, Op: fits[r.IntN(len(fits))]}
				if lo, hi, ok := tested.Type.Scale(); ok && c.Op == survey.OpBetween {
					a, b := lo+r.IntN(hi-lo+1), lo+r.IntN(hi-lo+1)
					c.Min, c.Max = new(min(a, b)), new(max(a, b))
				}
				if c.Op == survey.OpAnyOf || c.Op == survey.OpNoneOf {
					c.Options = []string{tested.Options[r.IntN(len(tested.Options))].Key}
				}
				q.ShowIf = c
			}
			s.Questions = append(s.Questions, q)
		}
		s.Normalize()
		if s.Validate() == nil {
			return s
		}
	}
}

// randomForm posts a value for every question, shown or not, and leaves
// some out.
func randomForm(r *rand.Rand, s survey.Survey) map[string][]string {
	form := make(map[string][]string)
	for _, q := range s.Questions {
		if r.IntN(5) == 0 {
			continue
		}
		var v []string
		if lo, hi, ok := q.Type.Scale(); ok {
			v = []string{strconv.Itoa(lo + r.IntN(hi-lo+1))}
		} else if q.Type == survey.TypeText {
			v = []string{"a comment"}
		} else {
			for _, o := range q.Options {
				if r.IntN(2) == 0 || (q.Type == survey.TypeSingle && len(v) == 0) {
					v = append(v, o.Key)
				}
				if q.Type == survey.TypeSingle && len(v) == 1 {
					break
				}
			}
		}
		form[survey.FormField(q.Key)] = v
	}
	return form
}

// TestShownCountsProperty: over random surveys with random conditions
// and random forms, counted as a submission counts them into the
// embedded database, every question's shown count is the respondents it
// was shown to, answered is at most shown, and a question not shown
// never counts a respondent — whatever the form posted for it, and even
// when the entry carries the answer. The report, where it shows a
// question, shows the same.
func TestShownCountsProperty(t *testing.T) {
	t.Parallel()
	seeds := 6
	if testing.Short() || raceEnabled {
		seeds = 2
	}
	svc, _ := newService(t)
	ctx := context.Background()
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 0x5407))
		def := randomConditionalSurvey(r, fmt.Sprint("prop", seed))
		wantShown := make(map[string]int)
		wantAnswered := make(map[string]int)
		var entries []Entry
		n := 30 + r.IntN(40)
		for i := range n {
			form := randomForm(r, def)
			answers, _ := def.ParseAnswers(form)
			// A response stored before shown keys were (every other one)
			// counts as one stored with them.
			resp := store.Response{ID: fmt.Sprint(def.ID, "-", i), SurveyID: def.ID, Date: "2025-03-1" + strconv.Itoa(i%7)}
			if i%2 == 0 {
				resp.Shown = def.ShownKeys(answers)
			}
			shown := def.Shown(answers)
			// The entry also carries what the form posted to questions
			// not shown: counting must ignore it.
			all := slices.Clone(answers)
			for _, q := range def.Questions {
				if _, ok := answers.Get(q.Key); !ok && !shown[q.Key] && q.Type != survey.TypeText && len(form[survey.FormField(q.Key)]) > 0 {
					if lo, _, ok := q.Type.Scale(); ok {
						all = append(all, survey.Answer{Key: q.Key, Score: new(lo)})
					} else {
						all = append(all, survey.Answer{Key: q.Key, Choices: []string{q.Options[0].Key}})
					}
				}
			}
			e := EntryOf(def, resp, Opened{Answers: all})
			e.ResponseID = ""
			entries = append(entries, e)
			for _, q := range def.Questions {
				if shown[q.Key] {
					wantShown[q.Key]++
					if _, ok := answers.Get(q.Key); ok {
						wantAnswered[q.Key]++
					}
				}
			}
		}
		for _, e := range entries {
			if err := svc.Add(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		checkCounters(t, svc, def, seed, n, wantShown, wantAnswered)
		// A rebuild counts the same.
		if _, err := svc.Rebuild(ctx, def.ID, entriesOf(entries)); err != nil {
			t.Fatal(err)
		}
		checkCounters(t, svc, def, seed, n, wantShown, wantAnswered)
	}
}

// checkCounters compares a survey's stored counters, and its report where
// it shows a question, with the shown and answered counts wanted.
func checkCounters(t *testing.T, svc *Service, def survey.Survey, seed, n int, wantShown, wantAnswered map[string]int) {
	t.Helper()
	ctx := context.Background()
	{
		g, err := svc.st.Generation(ctx, def.ID)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := svc.st.Weeks(ctx, def.ID, g.Current)
		if err != nil {
			t.Fatal(err)
		}
		var weeks []string
		for w := range idx {
			weeks = append(weeks, w)
		}
		docs, err := svc.st.Get(ctx, def.ID, g.Current, dimAll, weeks...)
		if err != nil {
			t.Fatal(err)
		}
		lay := newLayout(def)
		var sum tally
		for _, d := range docs {
			tl := lay.tally(d.Values[""])
			sum.add(&tl)
		}
		if sum.n != int64(n) {
			t.Fatalf("seed %d: %d responses counted, want %d", seed, sum.n, n)
		}
		for _, q := range def.Questions {
			if q.Type == survey.TypeText {
				continue
			}
			i, _ := lay.lookup(slot{q.Key, notShown})
			shown := sum.n
			if q.ShowIf != nil {
				shown -= sum.get(i)
			}
			a, _ := lay.lookup(slot{question: q.Key})
			answered := sum.get(a)
			if shown != int64(wantShown[q.Key]) || answered != int64(wantAnswered[q.Key]) || answered > shown {
				t.Errorf("seed %d %s (%v): shown %d answered %d, want shown %d answered %d", seed, q.Key, q.ShowIf,
					shown, answered, wantShown[q.Key], wantAnswered[q.Key])
			}
		}
		rep, err := svc.Report(ctx, Query{Today: day("2026-01-01")}, def)
		if err != nil {
			t.Fatal(err)
		}
		for _, qs := range rep.Questions {
			if qs.Suppressed {
				continue
			}
			if *qs.Shown != wantShown[qs.Key] || *qs.Answered != wantAnswered[qs.Key] {
				t.Errorf("seed %d %s: report shows %d shown, %d answered; want %d, %d", seed, qs.Key, *qs.Shown, *qs.Answered,
					wantShown[qs.Key], wantAnswered[qs.Key])
			}
		}
	}
}

// TestMissingMeasures: a pattern misses the shown and answered counts of
// the questions it was not shown, and the answered count of those it
// skipped.
func TestMissingMeasures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    []release.Measure
	}{
		{"", nil},
		{"reason", []release.Measure{release.ShownMeasure("reason"), release.AnsweredMeasure("reason")}},
		{"reason~", []release.Measure{release.AnsweredMeasure("reason")}},
		{"reason,value~", []release.Measure{release.ShownMeasure("reason"), release.AnsweredMeasure("reason"), release.AnsweredMeasure("value")}},
	}
	for _, tt := range tests {
		if got := missingOf(parsePattern(tt.pattern)); !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

// TestBatteryCatchesShownDifferences makes sure the battery sees what a
// shown count gives away: with the responses (8) and those shown the
// follow-up (6) both known, the 2 not shown follow.
func TestBatteryCatchesShownDifferences(t *testing.T) {
	t.Parallel()
	def := followupSurvey()
	seg := Segment{Region: "EU", Tier: "gold"}
	var entries []Entry
	for i := range 8 {
		entries = append(entries, followupEntry(def, "2025-01-08", seg, []int{3, 8}[min(i/6, 1)], false))
	}
	b := newBattery(t, world{k: 5, surveys: []survey.Survey{def}, entries: entries})
	var all, shown []int
	for key, i := range b.atoms {
		if b.counts[i] == 0 {
			continue
		}
		all = append(all, i)
		class := ""
		if fields := strings.Split(key, "/"); len(fields) == 4 {
			class = fields[3]
		}
		if !slices.Contains(parsePattern(class).hidden, "reason") {
			shown = append(shown, i)
		}
	}
	for _, set := range [][]int{all, shown} {
		slices.Sort(set)
		b.shown[fmt.Sprint(set)] = set
	}
	if len(b.leaks()) == 0 {
		t.Fatal("the battery found nothing where not shown = responses − shown")
	}
}

// FuzzPattern: any stored pattern parses without panicking, and the
// pattern of valid keys parses back to the questions not shown and
// skipped.
func FuzzPattern(f *testing.F) {
	f.Add("reason,value~", uint8(3))
	f.Add("", uint8(0))
	f.Add(",~,,~~", uint8(255))
	f.Fuzz(func(t *testing.T, stored string, bits uint8) {
		_ = missingOf(parsePattern(stored))
		conditional, answered := make(map[string]bool), make(map[string]bool)
		var hidden, skipped []string
		for i, key := range []string{"a", "b_2", "c"} {
			shown, ans := bits&(1<<(2*i)) != 0, bits&(1<<(2*i+1)) != 0
			conditional[key], answered[key] = shown, ans
			switch {
			case !shown:
				hidden = append(hidden, key)
			case !ans:
				skipped = append(skipped, key)
			}
		}
		s, err := patternOf(conditional, answered)
		if err != nil {
			t.Fatal(err)
		}
		p := parsePattern(s)
		if !slices.Equal(p.hidden, hidden) || !slices.Equal(p.skipped, skipped) {
			t.Fatalf("%q parses to %+v, want %v and %v", s, p, hidden, skipped)
		}
	})
}
