package report

import (
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
