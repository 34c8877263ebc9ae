package release

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// auditor checks a release exactly: which groups of fewer than k
// respondents, sums of atoms, the shown forms give away.
//
// The unknowns are the counts of the atoms that are not empty; every
// shown form says that the sum of its atoms is known. A group is
// computable exactly when its sum is the same for every solution, that is
// when the group's atoms add up to zero in every vector of the kernel. So each atom gets a signature:
// its entries in a few random kernel vectors, drawn uniformly; a group
// computable has signatures adding up to zero, one that is not has them
// adding up to zero with chance 1/p² (p the 61-bit modulus), which the
// check treats as computable, hiding a little more than it must.
//
// Forms of one month tie only that month's atoms, so the kernel is found
// per month first (a basis B_m of the month's own rows), and the forms
// that span months (quarters, all time, weeks) then constrain the
// coordinates in those bases: a few hundred unknowns instead of every atom.
//
// Only atoms with fewer than k respondents can make a group below k, and
// such a group has fewer than k members: groups of up to four are found
// through hashes of signature sums, larger ones (for k above 5) by a
// bounded search.
type auditor struct {
	r          *Release
	formsOf    [][]int // atom → forms holding it
	monthAtoms [][]int // month → its atoms
	local      []int   // atom → index among its month's atoms
	monthForms [][]int // month → its month forms
	global     []int   // forms spanning months: quarters, all time, weeks
	rng        *rand.Rand
	bases      map[string][][]uint64 // a month's shown forms → its kernel basis
}

// signatureWidth is how many random kernel vectors sign each atom.
const signatureWidth = 2

// Bounds of one check, beyond which a release counts as too large to
// check (and falls back to less detail), never as safe.
const (
	auditLimit     = 200_000_000 // multiplications of one month's elimination
	searchBudget   = 1 << 20     // steps of the search for groups of five and more
	smallAtomLimit = 2500
	globalLimit    = 1_000_000_000 // multiplications of the spanning forms' elimination
	monthAtomLimit = 3000
)

func newAuditor(r *Release) *auditor {
	au := &auditor{
		r: r, formsOf: make([][]int, len(r.atoms)), monthAtoms: make([][]int, len(r.months)),
		local: make([]int, len(r.atoms)), monthForms: make([][]int, len(r.months)),
		rng: rand.New(rand.NewPCG(0x63616e646f72, 0x72656c65617365)), bases: make(map[string][][]uint64),
	}
	for a, at := range r.atoms {
		au.local[a] = len(au.monthAtoms[at.month])
		au.monthAtoms[at.month] = append(au.monthAtoms[at.month], a)
	}
	for i, f := range r.forms {
		for _, a := range f.atoms {
			au.formsOf[a] = append(au.formsOf[a], i)
		}
		if f.key.node.Grain == Monthly {
			mi := r.atoms[f.atoms[0]].month
			au.monthForms[mi] = append(au.monthForms[mi], i)
		} else {
			au.global = append(au.global, i)
		}
	}
	return au
}

// check returns the computable groups below k, as atom indexes, given
// which forms are hidden; ok is false when the check was too large.
func (au *auditor) check(hidden []bool) (leaks [][]int, ok bool) {
	r := au.r
	if !slices.ContainsFunc(r.atoms, func(a atom) bool { return a.n < r.k }) {
		// Every group is a sum of atoms of k or more.
		return nil, true
	}
	bases := make([][][]uint64, len(r.months))
	offset := make([]int, len(r.months)+1)
	for mi := range r.months {
		b, ok := au.basis(mi, hidden)
		if !ok {
			return nil, false
		}
		bases[mi] = b
		width := 0
		if len(b) > 0 {
			width = len(b[0])
		}
		offset[mi+1] = offset[mi] + width
	}
	d := offset[len(r.months)]

	// The spanning forms as rows over the months' kernel coordinates.
	var rows [][]term
	dense := make([]uint64, d)
	for _, f := range au.global {
		if hidden[f] {
			continue
		}
		clear(dense)
		for _, a := range r.forms[f].atoms {
			mi := r.atoms[a].month
			for j, x := range bases[mi][au.local[a]] {
				dense[offset[mi]+j] = addMod(dense[offset[mi]+j], x)
			}
		}
		var row []term
		for j, x := range dense {
			if x != 0 {
				row = append(row, term{j, x})
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
	}
	if int64(len(rows))*int64(d)*int64(min(len(rows), d)) > globalLimit {
		return nil, false
	}
	m, pivotRow := reduce(rows, d)

	// Random kernel vectors: free coordinates drawn, pivots solved.
	sig := make([][signatureWidth]uint64, len(r.atoms))
	t := make([]uint64, d)
	for w := range signatureWidth {
		for c := range d {
			if pivotRow[c] < 0 {
				t[c] = au.rng.Uint64N(modulus)
			} else {
				t[c] = 0
			}
		}
		for c := range d {
			if pr := pivotRow[c]; pr >= 0 {
				var s uint64
				for f := range d {
					if pivotRow[f] < 0 && m[pr][f] != 0 {
						s = addMod(s, mulMod(m[pr][f], t[f]))
					}
				}
				t[c] = subMod(0, s)
			}
		}
		for a, at := range r.atoms {
			var z uint64
			for j, x := range bases[at.month][au.local[a]] {
				if x != 0 {
					z = addMod(z, mulMod(x, t[offset[at.month]+j]))
				}
			}
			sig[a][w] = z
		}
	}
	return au.groups(sig)
}

// basis returns the kernel basis of one month's own rows, its shown month
// forms, as each atom's coordinates, cached by which of them are shown.
func (au *auditor) basis(mi int, hidden []bool) ([][]uint64, bool) {
	r := au.r
	var key strings.Builder
	for _, f := range au.monthForms[mi] {
		if hidden[f] {
			key.WriteByte('1')
		} else {
			key.WriteByte('0')
		}
	}
	k := strconv.Itoa(mi) + ":" + key.String()
	if b, ok := au.bases[k]; ok {
		return b, true
	}
	atoms := au.monthAtoms[mi]
	if len(atoms) > monthAtomLimit {
		return nil, false
	}
	var rows [][]term
	for _, f := range au.monthForms[mi] {
		if hidden[f] {
			continue
		}
		row := make([]term, 0, len(r.forms[f].atoms))
		for _, a := range r.forms[f].atoms {
			row = append(row, term{au.local[a], 1})
		}
		rows = append(rows, row)
	}
	if int64(len(rows))*int64(len(rows))*int64(len(atoms)) > auditLimit {
		return nil, false
	}
	b := signatures(rows, len(atoms))
	au.bases[k] = b
	return b, true
}

// groups returns the groups of atoms with fewer than k respondents whose
// signatures add up to zero.
func (au *auditor) groups(sig [][signatureWidth]uint64) ([][]int, bool) {
	r := au.r
	var small []int
	for a, at := range r.atoms {
		if at.n < r.k {
			small = append(small, a)
		}
	}
	if len(small) > smallAtomLimit {
		return nil, false
	}
	slices.SortStableFunc(small, func(a, b int) int { return int(r.atoms[a].n - r.atoms[b].n) })
	n := func(i int) int64 { return r.atoms[small[i]].n }
	add := func(x, y [signatureWidth]uint64) (s [signatureWidth]uint64) {
		for w := range signatureWidth {
			s[w] = addMod(x[w], y[w])
		}
		return s
	}
	neg := func(x [signatureWidth]uint64) (s [signatureWidth]uint64) {
		for w := range signatureWidth {
			s[w] = subMod(0, x[w])
		}
		return s
	}
	var zero [signatureWidth]uint64
	var out [][]int
	found := func(idx ...int) {
		g := make([]int, len(idx))
		for i, x := range idx {
			g[i] = small[x]
		}
		slices.Sort(g)
		out = append(out, g)
	}
	// An atom computable on its own is a group; any larger group holding
	// it is one without it too, so only the others are searched further.
	undecided := small[:0:0]
	for i, a := range small {
		if sig[a] == zero {
			found(i)
		} else {
			undecided = append(undecided, a)
		}
	}
	singlesFound := out
	out = nil
	small = undecided
	singles := make(map[[signatureWidth]uint64][]int)
	for i, a := range small {
		singles[sig[a]] = append(singles[sig[a]], i)
	}
	// Pairs of two are looked up among the singles; pairs light enough to
	// take two more members (or, for k above 5, more) are kept, sorted by
	// their signatures' sum, to meet for groups of four and more.
	type pair struct {
		s    [signatureWidth]uint64
		i, j int32
	}
	var pairs []pair
	for i := range small {
		for _, j := range singles[neg(sig[small[i]])] {
			if j > i && n(i)+n(j) < r.k {
				found(i, j)
			}
		}
		for j := i + 1; j < len(small) && n(i)+n(j)+2*n(0) < r.k; j++ {
			pairs = append(pairs, pair{add(sig[small[i]], sig[small[j]]), int32(i), int32(j)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := cmp.Compare(a.s[0], b.s[0]); c != 0 {
			return c
		}
		return cmp.Compare(a.s[1], b.s[1])
	})
	pairsOf := func(s [signatureWidth]uint64) []pair {
		lo, _ := slices.BinarySearchFunc(pairs, s, func(p pair, s [signatureWidth]uint64) int {
			if c := cmp.Compare(p.s[0], s[0]); c != 0 {
				return c
			}
			return cmp.Compare(p.s[1], s[1])
		})
		hi := lo
		for hi < len(pairs) && pairs[hi].s == s {
			hi++
		}
		return pairs[lo:hi]
	}
	// Groups of three and four, each found once: the first two members
	// (in small's order) as a pair, the rest after them.
	for i := range small {
		for j := i + 1; j < len(small) && n(i)+n(j)+n(0) < r.k; j++ {
			s := neg(add(sig[small[i]], sig[small[j]]))
			base := n(i) + n(j)
			for _, c := range singles[s] {
				if c > j && base+n(c) < r.k {
					found(i, j, c)
				}
			}
			if base+2*n(0) >= r.k {
				continue
			}
			for _, q := range pairsOf(s) {
				if int(q.i) > j && base+n(int(q.i))+n(int(q.j)) < r.k {
					found(i, j, int(q.i), int(q.j))
				}
			}
		}
	}
	// Larger groups, when k allows them: a bounded search of the members
	// but the last two, the last two looked up as a pair.
	steps := 0
	var chosen []int
	var search func(from int, size int64, s [signatureWidth]uint64) bool
	search = func(from int, size int64, s [signatureWidth]uint64) bool {
		if len(chosen) >= 3 {
			for _, q := range pairsOf(neg(s)) {
				if int(q.i) > chosen[len(chosen)-1] && size+n(int(q.i))+n(int(q.j)) < r.k {
					found(append(slices.Clone(chosen), int(q.i), int(q.j))...)
				}
			}
		}
		for i := from; i < len(small); i++ {
			// The two left after i weigh at least n(i) each: small is sorted.
			if size+3*n(i) >= r.k {
				break
			}
			if steps++; steps > searchBudget {
				return false
			}
			chosen = append(chosen, i)
			ok := search(i+1, size+n(i), add(s, sig[small[i]]))
			chosen = chosen[:len(chosen)-1]
			if !ok {
				return false
			}
		}
		return true
	}
	if len(small) >= 5 && n(0)+n(1)+n(2)+n(3)+n(4) < r.k {
		if !search(0, 0, zero) {
			return nil, false
		}
	}
	return append(singlesFound, out...), true
}
