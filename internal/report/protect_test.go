package report

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// partition protects one group split into parts: cell 0 is the total,
// cells 1.. the parts. It returns which parts are hidden and whether the
// total is.
func partition(k int64, parts []int64) (hiddenParts []bool, totalHidden bool) {
	n := []int64{0}
	e := equation{total: 0}
	for i, v := range parts {
		n[0] += v
		n = append(n, v)
		e.parts = append(e.parts, i+1)
	}
	p := newProtection(k, n, []equation{e})
	p.run()
	return p.hidden[1:], p.hidden[0]
}

func TestProtectPartition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		k           int64
		parts       []int64
		hidden      []int // indexes of the hidden parts
		totalHidden bool
	}{
		{"all large", 5, []int64{10, 10, 10}, nil, false},
		{"one small hides the next smallest too", 5, []int64{10, 3, 12}, []int{0, 1}, false},
		{"ties go to the first", 5, []int64{12, 3, 12}, []int{0, 1}, false},
		{"two small adding up to k suffice", 5, []int64{10, 3, 2, 10}, []int{1, 2}, false},
		{"two small under k need a third", 5, []int64{10, 1, 2, 11}, []int{0, 1, 2}, false},
		{"many ones reaching k", 5, []int64{1, 1, 1, 1, 1, 10}, []int{0, 1, 2, 3, 4}, false},
		{"empty parts are never hidden", 5, []int64{0, 3, 20, 0}, []int{1, 2}, false},
		{"complement below k refuses the large part", 5, []int64{2, 30}, []int{0, 1}, false},
		{"small total hides everything", 5, []int64{1, 1, 2}, []int{0, 1, 2}, true},
		{"one part equal to the total", 5, []int64{0, 7, 0}, nil, false},
		{"exactly k is shown", 5, []int64{5, 5}, nil, false},
		{"k of three", 3, []int64{2, 3, 9}, []int{0, 1}, false},
		{"nothing at all", 5, []int64{0, 0}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hidden, totalHidden := partition(tt.k, tt.parts)
			var got []int
			for i, h := range hidden {
				if h {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, tt.hidden) || totalHidden != tt.totalHidden {
				t.Errorf("parts %v, k=%d: hidden %v total %v; want %v total %v", tt.parts, tt.k, got, totalHidden, tt.hidden, tt.totalHidden)
			}
		})
	}
}

func TestProtectHiddenTotalKeepsAPartHidden(t *testing.T) {
	t.Parallel()
	// The total is hidden elsewhere (fixed); were both parts shown, their
	// sum would give it away.
	p := newProtection(5, []int64{20, 12, 8}, []equation{{total: 0, parts: []int{1, 2}}})
	p.fixed[0], p.hidden[0] = true, true
	p.run()
	if !p.hidden[2] || p.hidden[1] {
		t.Errorf("hidden = %v, want the smaller part hidden", p.hidden)
	}
}

// grid builds a table of rows × cols inner cells with row, column and
// grand totals; inner cell (r, c) is r*cols+c, then rows, cols, grand.
func grid(inner [][]int64) ([]int64, []equation) {
	rows, cols := len(inner), len(inner[0])
	n := make([]int64, rows*cols+rows+cols+1)
	var eqs []equation
	grand := rows*cols + rows + cols
	ge := equation{total: grand}
	for r := range rows {
		e := equation{total: rows*cols + r}
		for c := range cols {
			n[r*cols+c] = inner[r][c]
			n[e.total] += inner[r][c]
			e.parts = append(e.parts, r*cols+c)
		}
		eqs = append(eqs, e)
		ge.parts = append(ge.parts, e.total)
		n[grand] += n[e.total]
	}
	for c := range cols {
		e := equation{total: rows*cols + rows + c}
		for r := range rows {
			n[e.total] += inner[r][c]
			e.parts = append(e.parts, r*cols+c)
		}
		eqs = append(eqs, e)
	}
	return n, append(eqs, ge)
}

func TestAuditFindsWhatLocalRulesMiss(t *testing.T) {
	t.Parallel()
	// Two hidden 2×2 cycles joined by one hidden cell, (1,2): every row and
	// column has two or more hidden cells, yet rows 0–1 minus columns 0–1
	// leaves exactly that cell.
	n, eqs := grid([][]int64{
		{10, 10, 10, 10},
		{10, 10, 2, 10},
		{10, 10, 10, 10},
		{10, 10, 10, 10},
	})
	p := newProtection(5, n, eqs)
	for _, c := range []int{0, 1, 4, 5, 6, 10, 11, 14, 15} {
		p.hide(c, Complement)
	}
	if p.settleAll() {
		t.Fatalf("local rules changed the pattern: %v", p.hidden)
	}
	leaks, complete := p.audit()
	if len(leaks) != 1 || !slices.Equal(leaks[0], []int{6}) || !complete {
		t.Fatalf("audit = %v, %v; want [[6]]", leaks, complete)
	}
	p.run()
	if leaks, _ := p.audit(); leaks != nil {
		t.Errorf("after run, leaks %v", leaks)
	}
	if !p.hidden[6] {
		t.Error("the small cell was shown")
	}
}

func TestSolvable(t *testing.T) {
	t.Parallel()
	one, minus := uint64(1), uint64(modulus-1)
	tests := []struct {
		name string
		rows [][]term
		n    int
		want []bool
	}{
		{"a lone variable", [][]term{{{0, one}}}, 1, []bool{true}},
		{"a sum of two", [][]term{{{0, one}, {1, one}}}, 2, []bool{false, false}},
		{"sum and difference", [][]term{{{0, one}, {1, one}}, {{0, one}, {1, minus}}}, 2, []bool{true, true}},
		{"a chain", [][]term{{{0, one}, {1, minus}}, {{1, one}}, {{2, one}, {3, one}}}, 4, []bool{true, true, false, false}},
		{"a cycle", [][]term{{{0, one}, {1, one}}, {{1, one}, {2, one}}, {{2, one}, {3, one}}, {{3, one}, {0, one}}}, 4, []bool{false, false, false, false}},
		{"an odd cycle", [][]term{{{0, one}, {1, one}}, {{1, one}, {2, one}}, {{2, one}, {0, one}}}, 3, []bool{true, true, true}},
	}
	for _, tt := range tests {
		if got := solvable(tt.rows, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("%s: solvable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestModularArithmetic(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		a, b := r.Uint64N(modulus), r.Uint64N(modulus)
		if a == 0 {
			continue
		}
		if got := mulMod(a, invMod(a)); got != 1 {
			t.Fatalf("%d · %d⁻¹ = %d", a, a, got)
		}
		if got := subMod(addMod(a, b), b); got != a {
			t.Fatalf("%d + %d - %d = %d", a, b, b, got)
		}
		// (a·b)·b⁻¹ = a checks mulMod against itself; compare with big
		// numbers on small values too.
		if a < 1<<30 && b < 1<<30 && mulMod(a, b) != a*b%modulus {
			t.Fatalf("%d · %d wrong", a, b)
		}
	}
	if got := mulMod(modulus-1, modulus-1); got != 1 {
		t.Errorf("(-1)·(-1) = %d", got)
	}
}

func TestTableProtectionIsIndependentOfTheDimension(t *testing.T) {
	t.Parallel()
	// What every response's cells show must not depend on which dimension
	// a report loads, or two reports together would tell more than each.
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 50 {
		q := quarterUnit(2025, 1+trial%4)
		data := randomQuarter(r, q, 3, 6)
		plain := newTable(q, data, false)
		plain.protect(5)
		split := newTable(q, data, true)
		split.protect(5)
		for node := range plain.nodes() {
			a, b := plain.at(node, 0), split.at(node, 0)
			if a.hidden != b.hidden || a.counts.n != b.counts.n {
				t.Fatalf("trial %d node %d: hidden %v/%v, n %d/%d", trial, node, a.hidden, b.hidden, a.counts.n, b.counts.n)
			}
		}
	}
}

// randomQuarter returns sparse random counts for a quarter's weeks, over
// up to values segment values and up to perWeek responses a value.
func randomQuarter(r *rand.Rand, q unit, values, perWeek int) map[week]*weekCounts {
	data := make(map[week]*weekCounts)
	for w := q.first; w <= q.last; w++ {
		if r.IntN(4) == 0 {
			continue
		}
		wc := &weekCounts{}
		for v := range values {
			n := int64(r.IntN(perWeek + 1))
			if n == 0 {
				continue
			}
			if wc.values == nil {
				wc.values = make(map[string]tally)
			}
			wc.values[fmt.Sprint("v", v)] = tally{n: n}
			wc.all.n += n
		}
		data[w] = wc
	}
	return data
}

// tableLeaks plays the attacker on one table: atoms are its (week, value)
// cells, every shown cell is a sum of atoms, and empty atoms are known. It
// returns the groups of 1..k-1 respondents whose size follows.
func tableLeaks(t *testing.T, tb *table, k int64) [][]string {
	t.Helper()
	w := world{k: int(k)}
	b := &battery{t: t, w: w, atoms: make(map[string]int), shown: make(map[string][]int)}
	weeks := int(tb.quarter.last - tb.quarter.first + 1)
	atom := func(i int, v int) int { return i*len(tb.values) + v }
	b.counts = make([]int64, weeks*len(tb.values))
	for i := range weeks {
		for v, value := range tb.values {
			b.atoms[fmt.Sprint(tb.quarter.first+week(i), "/", value)] = atom(i, v)
			b.counts[atom(i, v)] = tb.at(firstWeekRow+i, 1+v).counts.n
		}
	}
	for node := range tb.nodes() {
		var weekRange []int
		switch {
		case node == quarterNode:
			weekRange = []int{0, weeks - 1}
		case node < firstWeekRow:
			m := tb.months[node-firstMonthRow]
			weekRange = []int{int(m.first - tb.quarter.first), int(m.last - tb.quarter.first)}
		default:
			weekRange = []int{node - firstWeekRow, node - firstWeekRow}
		}
		for s := range tb.width {
			if tb.at(node, s).hidden {
				continue
			}
			var set []int
			for i := weekRange[0]; i <= weekRange[1]; i++ {
				for v := range tb.values {
					if s == 0 || s == 1+v {
						set = append(set, atom(i, v))
					}
				}
			}
			b.shown[fmt.Sprint(set)] = set
		}
	}
	return b.leaks()
}

func TestProtectChainedSums(t *testing.T) {
	t.Parallel()
	// Hidden cells in a chain: b's month minus week 13 plus c's month
	// leaves c11 + b12 + c12 = 4, though no one cell is computable.
	q := quarterUnit(2025, 1)
	w10 := weekOf(day("2025-03-03"))
	counts := []map[string]int64{{"a": 3}, {"c": 2}, {"a": 2, "b": 1, "c": 1}, {"b": 9, "c": 3}}
	data := make(map[week]*weekCounts)
	for i, vs := range counts {
		wc := &weekCounts{values: make(map[string]tally)}
		for v, n := range vs {
			wc.values[v] = tally{n: n}
			wc.all.n += n
		}
		data[w10+week(i)] = wc
	}
	tb := newTable(q, data, true)
	tb.protect(5)
	if leaks := tableLeaks(t, tb, 5); len(leaks) > 0 {
		t.Errorf("derivable: %v", leaks)
	}
}

func TestProtectRandomQuarters(t *testing.T) {
	t.Parallel()
	trials := 300
	if testing.Short() {
		trials = 50
	}
	r := rand.New(rand.NewPCG(3, 4))
	weekly := 0
	for trial := range trials {
		q := quarterUnit(2025, 1+trial%4)
		k := int64(3 + trial%4)
		tb := newTable(q, randomQuarter(r, q, 2+trial%4, 2+trial%6), true)
		tb.protect(k)
		if !tb.weekly {
			if leak := sparseLeak(tb, k); leak != "" {
				t.Fatalf("trial %d, k=%d, by month: %s", trial, k, leak)
			}
			continue
		}
		weekly++
		if leaks := tableLeaks(t, tb, k); len(leaks) > 0 {
			t.Fatalf("trial %d, k=%d: %d groups derivable, e.g. %v", trial, k, len(leaks), leaks[0])
		}
	}
	if weekly < trials*9/10 {
		t.Errorf("only %d of %d quarters show values by week", weekly, trials)
	}
}

func TestSparseQuartersRevealNothing(t *testing.T) {
	t.Parallel()
	// With values shown by month only, their week cells are unknowns even
	// where empty, except where a shown zero says so. The attacker here
	// knows exactly that, and may add any unknown empty atoms to a group.
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 150 {
		q := quarterUnit(2025, 2)
		m := q.months()[trial%3]
		k := int64(3 + trial%3)
		data := make(map[week]*weekCounts)
		for w := m.first; w <= m.last; w++ {
			wc := &weekCounts{values: make(map[string]tally)}
			for v := range 3 {
				if n := int64(r.IntN(4)); n > 0 && r.IntN(3) > 0 {
					wc.values[fmt.Sprint("v", v)] = tally{n: n}
					wc.all.n += n
				}
			}
			data[w] = wc
		}
		tb := newTable(q, data, true)
		tb.limit = -1 // months only, whatever the counts
		tb.protect(k)
		if tb.weekly {
			t.Fatal("values still shown by week")
		}
		if leak := sparseLeak(tb, k); leak != "" {
			t.Fatalf("trial %d, k=%d: %s", trial, k, leak)
		}
	}
}

// sparseLeak plays the attacker on a table whose values show by month:
// atoms are (week, value) cells; shown are every response's cells and the
// values' month and quarter cells. It returns a description of a group of
// 1..k-1 respondents whose size follows, or "".
func sparseLeak(tb *table, k int64) string {
	weeks := int(tb.quarter.last - tb.quarter.first + 1)
	nv := len(tb.values)
	atom := func(i, v int) int { return i*nv + v }
	counts := make([]int64, weeks*nv)
	for i := range weeks {
		for v := range nv {
			counts[atom(i, v)] = tb.at(firstWeekRow+i, 1+v).counts.n
		}
	}
	span := func(node int) (int, int) {
		switch {
		case node == quarterNode:
			return 0, weeks - 1
		case node < firstWeekRow:
			m := tb.months[node-firstMonthRow]
			return int(m.first - tb.quarter.first), int(m.last - tb.quarter.first)
		}
		return node - firstWeekRow, node - firstWeekRow
	}
	known := make([]bool, len(counts)) // zero, and shown to be
	var shown [][]int
	for node := range tb.nodes() {
		for s := range tb.width {
			c := tb.at(node, s)
			if c.hidden || (s > 0 && node >= firstWeekRow) {
				continue
			}
			var set []int
			a, b := span(node)
			for i := a; i <= b; i++ {
				for v := range nv {
					if s == 0 || s == 1+v {
						set = append(set, atom(i, v))
					}
				}
			}
			if c.counts.n == 0 {
				for _, x := range set {
					known[x] = true
				}
			}
			shown = append(shown, set)
		}
	}
	col := make(map[int]int)
	var atoms, small, unknownZero []int
	for x, n := range counts {
		if known[x] {
			continue
		}
		col[x] = len(atoms)
		atoms = append(atoms, x)
		switch {
		case n == 0:
			unknownZero = append(unknownZero, col[x])
		case n < k:
			small = append(small, col[x])
		}
	}
	if len(unknownZero) > 16 || len(small) > 16 {
		return "" // too many to enumerate; the trials keep well below
	}
	var rows [][]int
	for _, set := range shown {
		var row []int
		for _, x := range set {
			if c, ok := col[x]; ok {
				row = append(row, c)
			}
		}
		rows = append(rows, row)
	}
	kernel := nullSpace(rows, len(atoms))
	sum := func(cols []int, mask int) string {
		dots := make([]int64, len(kernel))
		for i, c := range cols {
			if mask&(1<<i) != 0 {
				for j, z := range kernel {
					dots[j] = (dots[j] + z[c]) % testPrime
				}
			}
		}
		return fmt.Sprint(dots)
	}
	// Every sum the unknown empty atoms can add, negated, against every
	// small group's sum.
	zeros := make(map[string]bool)
	for mask := range 1 << len(unknownZero) {
		dots := make([]int64, len(kernel))
		for i, c := range unknownZero {
			if mask&(1<<i) != 0 {
				for j, z := range kernel {
					dots[j] = (dots[j] + testPrime - z[c]) % testPrime
				}
			}
		}
		zeros[fmt.Sprint(dots)] = true
	}
	for mask := 1; mask < 1<<len(small); mask++ {
		var size int64
		for i, c := range small {
			if mask&(1<<i) != 0 {
				size += counts[atoms[c]]
			}
		}
		if size < k && zeros[sum(small, mask)] {
			return fmt.Sprintf("a group of %d is derivable (atoms mask %b of %v)", size, mask, small)
		}
	}
	return ""
}
