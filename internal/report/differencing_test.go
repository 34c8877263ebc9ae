package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/report/release"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/survey"
)

// The differencing battery plays an analyst who runs every query the API
// offers on a small world — every range of every period, each survey
// alone and both together, with no breakdown, a breakdown by each
// dimension, a filter to each value, and each manager's accounts by each
// other dimension — and writes down every count shown. An atom is the set
// of responses of one survey, one week's part of one month and one
// combination of every dimension's values; every shown count is a sum of
// atoms. The analyst knows every sum shown and, more than the release
// tells, which atoms are empty. Whatever group of responses is a linear
// combination of those sums, they can compute its size; the test asserts
// that every such group has no member or at least k.

// world is responses of two surveys over a few weeks, from accounts whose
// countries nest in regions while industries, tiers and managers cross
// them.
type world struct {
	k       int
	surveys []survey.Survey
	entries []Entry
}

func randomWorld(seed uint64) world {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := world{k: 3 + r.IntN(3)}
	var accounts []Segment
	for range 3 + r.IntN(5) {
		g := r.IntN(2)
		accounts = append(accounts, Segment{
			Region: fmt.Sprint("r", g), Country: fmt.Sprint("r", g, "c", r.IntN(2)),
			Industry: fmt.Sprint("i", r.IntN(2)), Tier: fmt.Sprint("t", r.IntN(2)), ManagerID: fmt.Sprint("m", r.IntN(2)),
		})
	}
	start := day("2025-02-17") // W08, so that weeks span month ends and ranges cross into Q2
	for s := range 2 {
		def := fixtureSurvey()
		def.ID = fmt.Sprint("s", s)
		def.AnonymityThreshold = w.k
		w.surveys = append(w.surveys, def)
		weeks := 5 + r.IntN(5)
		for i := range weeks {
			for _, a := range accounts {
				// Mostly small counts, now and then a larger one.
				n := r.IntN(3)
				if r.IntN(5) == 0 {
					n += r.IntN(6)
				}
				if r.IntN(2) == 0 {
					n = 0
				}
				for range n {
					// Answers count for nothing here: every number of a
					// cell is shown or withheld with its count.
					w.entries = append(w.entries, Entry{SurveyID: def.ID, Day: start.AddDate(0, 0, 7*i+r.IntN(7)), Segment: a})
				}
			}
		}
	}
	return w
}

// atomKey names an atom: survey, part, combo and class — the pattern of
// conditional questions its respondents were not shown or did not
// answer, "" in a world without them.
func atomKey(surveyID string, p part, c release.Combo, class string) string {
	key := surveyID + "/" + p.String() + "/" + comboString(c)
	if class != "" {
		key += "/" + class
	}
	return key
}

// classOf is an entry's class (see atomKey).
func classOf(e Entry) string {
	c, err := e.change(1)
	if err != nil {
		return ""
	}
	return c.Pattern
}

type battery struct {
	t       *testing.T
	w       world
	first   date // the days atoms span
	last    date
	data    [2]date // the first and last day with responses
	combos  []release.Combo
	classes []string
	atoms   map[string]int // atom → index
	counts  []int64
	shown   map[string][]int // distinct shown sums, by their sorted atoms
	checks  int
	loaded  fixedKey // the world counted once, as Scan counts it
	cache   *release.Cache
}

// fixedKey is a scan whose releases may be kept: its counts never change.
type fixedKey struct{ *scanLoader }

func (l fixedKey) index(ctx context.Context, surveyID string) ([]part, string, error) {
	ps, _, err := l.scanLoader.index(ctx, surveyID)
	return ps, "fixed", err
}

func newBattery(t *testing.T, w world) *battery {
	b := &battery{t: t, w: w, atoms: make(map[string]int), shown: make(map[string][]int), cache: &release.Cache{}}
	b.first, b.last = dayOf(w.entries[0].Day), dayOf(w.entries[0].Day)
	seen := make(map[release.Combo]bool)
	seenClass := make(map[string]bool)
	for _, e := range w.entries {
		b.first, b.last = min(b.first, dayOf(e.Day)), max(b.last, dayOf(e.Day))
		if c := comboOf(e.Segment); !seen[c] {
			seen[c] = true
			b.combos = append(b.combos, c)
		}
		if cl := classOf(e); !seenClass[cl] {
			seenClass[cl] = true
			b.classes = append(b.classes, cl)
		}
	}
	b.data = [2]date{b.first, b.last}
	// Atoms for every day a query may cover, its previous period
	// included; those around the data are empty.
	span := b.last - b.first
	b.first, b.last = unitOf(Quarterly, b.first-span-200).first, unitOf(Quarterly, b.last+100).last
	for _, s := range w.surveys {
		for d := b.first; d <= b.last; d++ {
			if p := partOf(d); p.first() == d {
				for _, c := range b.combos {
					for _, cl := range b.classes {
						b.atoms[atomKey(s.ID, p, c, cl)] = len(b.counts)
						b.counts = append(b.counts, 0)
					}
				}
			}
		}
	}
	b.loaded = fixedKey{&scanLoader{data: make(map[string]map[part]map[string]map[string]rollups.Counts)}}
	for _, s := range w.surveys {
		b.loaded.data[s.ID] = make(map[part]map[string]map[string]rollups.Counts)
	}
	for _, e := range w.entries {
		b.counts[b.atoms[atomKey(e.SurveyID, partOf(dayOf(e.Day)), comboOf(e.Segment), classOf(e))]]++
		b.loaded.add(e)
	}
	return b
}

// record notes a shown cell: the atoms of the surveys, days from..to and
// selection, after checking that it shows their true count.
func (b *battery) record(what string, c Cell, surveys []string, from, to time.Time, s selection) {
	if c.Suppressed {
		return
	}
	b.recordCount(what, c.Responses, surveys, from, to, s, func(string) bool { return true })
}

// recordCount notes a shown count of the respondents of a class in
// (see atomKey), as record does.
func (b *battery) recordCount(what string, shown *int, surveys []string, from, to time.Time, s selection, in func(class string) bool) {
	var set []int
	var n int64
	for _, sv := range surveys {
		for d := dayOf(from); d <= dayOf(to); d++ {
			p := partOf(d)
			if p.first() != d && d != dayOf(from) {
				continue
			}
			if p.first() < dayOf(from) || p.last() > dayOf(to) {
				b.t.Fatalf("%s: %v..%v is not whole parts", what, from, to)
			}
			for _, cb := range b.combos {
				if !s.has(cb) {
					continue
				}
				for _, cl := range b.classes {
					if !in(cl) {
						continue
					}
					i, ok := b.atoms[atomKey(sv, p, cb, cl)]
					if !ok {
						b.t.Fatalf("%s: %s outside the atoms", what, p)
					}
					set = append(set, i)
					n += b.counts[i]
				}
			}
		}
	}
	if shown == nil || int64(*shown) != n {
		b.t.Fatalf("%s shows %v, has %d", what, shown, n)
	}
	slices.Sort(set)
	b.shown[fmt.Sprint(set)] = set
	b.checks++
}

// query runs one query and records what it shows.
func (b *battery) query(q Query, surveys []survey.Survey) {
	q.Today = day("2026-01-01")
	rep, err := compute(context.Background(), b.loaded, b.cache, q, surveys)
	if err != nil {
		b.t.Fatalf("%+v: %v", q, err)
	}
	name := fmt.Sprintf("%v %s %s..%s by %q filter %v", rep.Surveys, q.Period, rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly), q.By, q.Filter)
	main := selection{dim: q.Filter.Dimension, value: q.Filter.Value}
	value := func(v string) selection {
		if q.Filter.Dimension == Manager {
			return selection{dim: q.By, value: v, manager: q.Filter.Value, cross: true}
		}
		return selection{dim: q.By, value: v}
	}
	b.record(name+" overall", rep.Overall, rep.Surveys, rep.From, rep.To, main)
	for _, c := range rep.Breakdown {
		b.record(name+" "+c.Label, c, rep.Surveys, rep.From, rep.To, value(c.Label))
	}
	for _, p := range rep.Trend {
		b.record(name+" "+p.Label, p.Cell, rep.Surveys, p.From, p.To, main)
		for _, c := range p.Breakdown {
			b.record(name+" "+p.Label+" "+c.Label, c, rep.Surveys, p.From, p.To, value(c.Label))
		}
	}
	if p := rep.Previous; p != nil {
		b.record(name+" previous", p.Cell, rep.Surveys, p.From, p.To, main)
	}
	for _, qs := range rep.Questions {
		def, _ := surveys[0].Question(qs.Key)
		if qs.Suppressed || def.ShowIf == nil {
			continue
		}
		key := qs.Key
		b.recordCount(name+" shown "+key, qs.Shown, rep.Surveys, rep.From, rep.To, main, func(class string) bool {
			return !slices.Contains(parsePattern(class).hidden, key)
		})
		b.recordCount(name+" answered "+key, qs.Answered, rep.Surveys, rep.From, rep.To, main, func(class string) bool {
			p := parsePattern(class)
			return !slices.Contains(p.hidden, key) && !slices.Contains(p.skipped, key)
		})
	}
}

// everyQuery runs every query the API offers on the world.
func (b *battery) everyQuery() {
	sets := [][]survey.Survey{{b.w.surveys[0]}, {b.w.surveys[1]}, b.w.surveys}
	lenses := []Query{{}}
	for _, d := range Dimensions() {
		lenses = append(lenses, Query{By: d})
		values := make(map[string]bool)
		for _, c := range b.combos {
			values[c.Of(release.Dim(d))] = true
		}
		for v := range values {
			lenses = append(lenses, Query{Filter: Filter{Dimension: d, Value: v}})
			if d == Manager {
				for _, by := range Dimensions()[:4] {
					lenses = append(lenses, Query{By: by, Filter: Filter{Dimension: d, Value: v}})
				}
			}
		}
	}
	// Accounts, when the world names them: by account over every
	// response, and each account alone.
	accounts := make(map[string]bool)
	for _, c := range b.combos {
		if a := c.Of(release.Account); a != "" {
			accounts[a] = true
		}
	}
	if len(accounts) > 0 {
		lenses = append(lenses, Query{By: Account}, Query{Filter: Filter{Dimension: Account}})
		for a := range accounts {
			lenses = append(lenses, Query{Filter: Filter{Dimension: Account, Value: a}})
		}
	}
	// Data days plus a period either side.
	from, to := b.data[0], b.data[1]
	for _, p := range []Period{Weekly, Monthly, Quarterly} {
		us := units(p, unitOf(p, from).first-1, unitOf(p, to).last+1)
		for i := range us {
			for j := i; j < len(us); j++ {
				for _, lens := range lenses {
					q := lens
					q.Period, q.From, q.To = p, us[i].from(), us[j].to()
					for _, set := range sets {
						b.query(q, set)
					}
				}
			}
		}
	}
}

// leaks returns the groups of 1..k-1 responses whose size follows from
// the shown sums.
func (b *battery) leaks() [][]string {
	// The analyst knows which atoms are empty: leave them out. Columns are
	// the other atoms; rows the shown sums over them.
	col := make(map[int]int)
	var atoms []int
	for i, n := range b.counts {
		if n > 0 {
			col[i] = len(atoms)
			atoms = append(atoms, i)
		}
	}
	var rows [][]int
	for _, set := range b.shown {
		var r []int
		for _, i := range set {
			if c, ok := col[i]; ok {
				r = append(r, c)
			}
		}
		rows = append(rows, r)
	}
	kernel := nullSpace(rows, len(atoms))

	// A group is derivable when its indicator is orthogonal to the kernel.
	// Walk the groups of atoms with fewer than k responses, keeping the
	// dot products with the kernel as running sums.
	var small []int // columns
	for c, i := range atoms {
		if b.counts[i] < int64(b.w.k) {
			small = append(small, c)
		}
	}
	names := make([]string, len(b.counts))
	for name, i := range b.atoms {
		names[i] = name
	}
	var out [][]string
	dots := make([]int64, len(kernel))
	var group []int
	var walk func(from int, size int64)
	walk = func(from int, size int64) {
		if len(group) > 0 && !slices.ContainsFunc(dots, func(d int64) bool { return d != 0 }) {
			var g []string
			for _, c := range group {
				g = append(g, fmt.Sprintf("%s×%d", names[atoms[c]], b.counts[atoms[c]]))
			}
			out = append(out, g)
		}
		for x := from; x < len(small); x++ {
			a := small[x]
			if size+b.counts[atoms[a]] >= int64(b.w.k) {
				continue
			}
			group = append(group, a)
			for j, z := range kernel {
				dots[j] = (dots[j] + z[a]) % testPrime
			}
			walk(x+1, size+b.counts[atoms[a]])
			for j, z := range kernel {
				dots[j] = (dots[j] - z[a] + testPrime) % testPrime
			}
			group = group[:len(group)-1]
		}
	}
	walk(0, 0)
	return out
}

// testPrime is the field the attacker computes in: a different prime and
// a different algorithm than the package's own audit.
const testPrime = 2147483647

// nullSpace returns a basis of the vectors z with row·z = 0 for every row
// (0/1 rows given by their ones), by Gaussian elimination modulo testPrime.
func nullSpace(rows [][]int, n int) [][]int64 {
	m := make([][]int64, len(rows))
	for i, r := range rows {
		m[i] = make([]int64, n)
		for _, c := range r {
			m[i][c] = 1
		}
	}
	inverse := func(a int64) int64 {
		result, base := int64(1), a
		for e := int64(testPrime - 2); e > 0; e >>= 1 {
			if e&1 == 1 {
				result = result * base % testPrime
			}
			base = base * base % testPrime
		}
		return result
	}
	pivotCol := []int{}
	rank := 0
	for c := 0; c < n && rank < len(m); c++ {
		p := -1
		for i := rank; i < len(m); i++ {
			if m[i][c] != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		inv := inverse(m[rank][c])
		for j := range n {
			m[rank][j] = m[rank][j] * inv % testPrime
		}
		for i := range m {
			if i != rank && m[i][c] != 0 {
				f := m[i][c]
				for j := range n {
					m[i][j] = ((m[i][j]-f*m[rank][j])%testPrime + testPrime) % testPrime
				}
			}
		}
		pivotCol = append(pivotCol, c)
		rank++
	}
	isPivot := make([]bool, n)
	for _, c := range pivotCol {
		isPivot[c] = true
	}
	var basis [][]int64
	for f := range n {
		if isPivot[f] {
			continue
		}
		z := make([]int64, n)
		z[f] = 1
		for r, c := range pivotCol {
			z[c] = (testPrime - m[r][f]) % testPrime
		}
		basis = append(basis, z)
	}
	return basis
}

func TestNoSmallGroupIsDerivable(t *testing.T) {
	t.Parallel()
	seeds := 12
	if testing.Short() || raceEnabled {
		seeds = 3
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			b := newBattery(t, randomWorld(uint64(seed)))
			b.everyQuery()
			if b.checks == 0 {
				t.Fatal("nothing was shown")
			}
			if leaks := b.leaks(); len(leaks) > 0 {
				t.Errorf("%d groups below k are derivable from %d shown sums, e.g. %s", len(leaks), len(b.shown), strings.Join(leaks[0], " + "))
			}
		})
	}
}

// randomAccountWorld is a random world whose responses name their
// accounts: one or two per segment, and now and then none (a response
// stored before accounts were recorded).
func randomAccountWorld(seed uint64) world {
	w := randomWorld(seed)
	r := rand.New(rand.NewPCG(seed, 0xacc))
	for i := range w.entries {
		e := &w.entries[i]
		if r.IntN(5) > 0 {
			s := e.Segment
			e.Segment.AccountID = fmt.Sprint("a", r.IntN(2), s.Region, s.Country, s.Industry, s.Tier, s.ManagerID)
		}
	}
	return w
}

func TestNoSmallGroupIsDerivableWithAccounts(t *testing.T) {
	t.Parallel()
	seeds := 8
	if testing.Short() || raceEnabled {
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			b := newBattery(t, randomAccountWorld(uint64(100+seed)))
			b.everyQuery()
			if b.checks == 0 {
				t.Fatal("nothing was shown")
			}
			if leaks := b.leaks(); len(leaks) > 0 {
				t.Errorf("%d groups below k are derivable from %d shown sums, e.g. %s", len(leaks), len(b.shown), strings.Join(leaks[0], " + "))
			}
		})
	}
}

// TestBatteryCatchesNaiveSuppression makes sure the battery can fail: with
// only the cells below k hidden, and nothing hidden next to them, it must
// find the groups a breakdown's total gives away.
func TestBatteryCatchesNaiveSuppression(t *testing.T) {
	t.Parallel()
	b := newBattery(t, world{k: 5, surveys: []survey.Survey{fixtureSurvey()}, entries: fixtureEntries()})
	// January shown whole and by region, with APAC (3) hidden alone.
	jan := monthUnit(2025, time.January)
	var all, eu, us []int
	for key, i := range b.atoms {
		if !strings.Contains(key, "-W") {
			continue
		}
		fields := strings.Split(key, "/")
		p, _ := parsePart(fields[1])
		c, _ := parseCombo(fields[2])
		if p.first() < jan.first || p.last() > jan.last {
			continue
		}
		all = append(all, i)
		switch c.Of(release.Region) {
		case "EU":
			eu = append(eu, i)
		case "US":
			us = append(us, i)
		}
	}
	for _, set := range [][]int{all, eu, us} {
		slices.Sort(set)
		b.shown[fmt.Sprint(set)] = set
	}
	if len(b.leaks()) == 0 {
		t.Fatal("the battery found nothing where APAC = all − EU − US")
	}
}
