package release

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
	p.suppress()
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
	p.suppress()
	if !p.hidden[2] || p.hidden[1] {
		t.Errorf("hidden = %v, want the smaller part hidden", p.hidden)
	}
}

func TestSignaturesTellWhatIsDetermined(t *testing.T) {
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
		var got []bool
		for _, sig := range signatures(tt.rows, tt.n) {
			got = append(got, !slices.ContainsFunc(sig, func(x uint64) bool { return x != 0 }))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: determined = %v, want %v", tt.name, got, tt.want)
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
