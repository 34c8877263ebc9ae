package report

import (
	"math/bits"
	"slices"
)

// equation says that cell total is the sum of cells parts. Whoever sees
// all but one of them can compute the last.
type equation struct {
	total int
	parts []int
}

// protection decides which cells of a system of sums to hide so that no
// hidden cell with 1..k-1 respondents can be computed from the shown ones.
type protection struct {
	k      int64
	n      []int64 // respondents per cell
	eqs    []equation
	fixed  []bool // decided elsewhere: left hidden or shown as they are
	hidden []bool
	reason []Reason
	known  []bool  // hidden, yet computable from the shown cells (audit)
	in     [][]int // the equations each cell appears in
}

func newProtection(k int64, n []int64, eqs []equation) *protection {
	p := &protection{
		k: k, n: n, eqs: eqs,
		fixed: make([]bool, len(n)), hidden: make([]bool, len(n)), reason: make([]Reason, len(n)),
		known: make([]bool, len(n)), in: make([][]int, len(n)),
	}
	p.index()
	return p
}

// index lists the equations each cell appears in, after eqs changed.
func (p *protection) index() {
	for c := range p.in {
		p.in[c] = p.in[c][:0]
	}
	for i, e := range p.eqs {
		p.in[e.total] = append(p.in[e.total], i)
		for _, c := range e.parts {
			p.in[c] = append(p.in[c], i)
		}
	}
}

func (p *protection) hide(c int, why Reason) {
	p.hidden[c] = true
	p.reason[c] = why
}

// run hides the cells below the threshold, then, until nothing changes,
// what the equations need hidden next to them, what the exact audit finds
// still computable, and what the equations need once the cells the audit
// found computable count as shown. It reports false, having hidden every
// cell it may, when the system was too large to check.
func (p *protection) run() bool {
	for c, n := range p.n {
		if !p.fixed[c] && !p.hidden[c] && n > 0 && n < p.k {
			p.hide(c, FewResponses)
		}
	}
	for {
		for p.settleAll() {
		}
		leaks, complete := p.audit()
		if !complete {
			p.hideAll()
			return false
		}
		changed := false
		for _, g := range leaks {
			changed = p.cover(g) || changed
		}
		if len(leaks) > 0 && !changed {
			// Only fixed cells are left to hide; hiding everything else
			// leaves nothing to compute from.
			p.hideAll()
			return true
		}
		if !changed && !p.settleAll() {
			return true
		}
	}
}

func (p *protection) settleAll() bool {
	changed := false
	for _, e := range p.eqs {
		changed = p.settle(e) || changed
	}
	return changed
}

// settle hides parts of one equation until it gives nothing away: with its
// total shown, hidden parts are none, or several adding up to at least k;
// with its total hidden, at least one part is hidden too.
func (p *protection) settle(e equation) bool {
	changed := false
	for {
		count, sum := 0, int64(0)
		for _, c := range e.parts {
			if p.secret(c) {
				count++
				sum += p.n[c]
			}
		}
		var exposed bool
		if p.secret(e.total) {
			exposed = count == 0
		} else {
			exposed = count == 1 || (count > 1 && sum < p.k)
		}
		if !exposed {
			return changed
		}
		if c, ok := p.smallestShown(e.parts); ok {
			p.hide(c, Complement)
		} else if !p.hidden[e.total] && !p.fixed[e.total] && p.n[e.total] > 0 {
			p.hide(e.total, Complement)
		} else {
			return changed // the audit decides
		}
		changed = true
	}
}

// secret reports whether c has respondents nobody can count: it is
// hidden and not computable from what is shown.
func (p *protection) secret(c int) bool { return p.hidden[c] && !p.known[c] && p.n[c] > 0 }

// smallestShown returns the shown, non-empty cell with the fewest
// respondents, the first of equals: hiding it costs the least.
func (p *protection) smallestShown(cells []int) (int, bool) {
	best := -1
	for _, c := range cells {
		if !p.hidden[c] && !p.fixed[c] && p.n[c] > 0 && (best < 0 || p.n[c] < p.n[best]) {
			best = c
		}
	}
	return best, best >= 0
}

// cover hides the smallest shown cell of the equations nearest to a
// leaking group, reached through hidden cells; it reports whether it found
// one. Hiding it adds an unknown to what made the group computable.
func (p *protection) cover(group []int) bool {
	seenEq := make(map[int]bool)
	seen := make(map[int]bool)
	for _, c := range group {
		seen[c] = true
	}
	for frontier := slices.Clone(group); len(frontier) > 0; {
		var candidates, next []int
		for _, x := range frontier {
			for _, ei := range p.in[x] {
				if seenEq[ei] {
					continue
				}
				seenEq[ei] = true
				e := p.eqs[ei]
				for _, y := range append([]int{e.total}, e.parts...) {
					switch {
					case p.hidden[y] && !seen[y]:
						seen[y] = true
						next = append(next, y)
					case !p.hidden[y]:
						candidates = append(candidates, y)
					}
				}
			}
		}
		if best, ok := p.smallestShown(candidates); ok {
			p.hide(best, Complement)
			return true
		}
		frontier = next
	}
	return false
}

func (p *protection) hideAll() {
	for c := range p.n {
		if !p.hidden[c] && !p.fixed[c] && p.n[c] > 0 {
			p.hide(c, Complement)
		}
	}
}

// Bounds of one exact check, beyond which a system counts as leaking (see
// run), never as safe: multiplications of one elimination, and steps of
// the search for groups below k. Tables keep their systems well inside
// them (see weeklyLimit).
const (
	auditLimit   = 200_000_000
	searchBudget = 1 << 20
)

// audit solves the equations for the hidden cells, given the shown ones.
// It marks the cells with exactly one solution known, and returns every
// group of hidden cells with 1..k-1 respondents in all whose sum has
// exactly one solution; complete is false when a system was too large to
// check.
//
// A sum over hidden cells x is computable exactly when it is orthogonal
// to every solution z of the homogeneous system (the kernel): z says how
// the hidden cells could all change without changing anything shown. So
// each hidden cell gets a signature, its entries in a kernel basis; a
// group's sum is computable when its signatures add up to zero. Only
// cells with fewer than k respondents can make a group below k, so the
// search runs over the 0/1 vectors of few members among the relations of
// their signatures. Arithmetic is modulo a 61-bit prime, independently for
// each connected group of hidden cells.
func (p *protection) audit() (leaks [][]int, complete bool) {
	clear(p.known)
	col := make(map[int]int)
	var vars []int
	for c, h := range p.hidden {
		if h && p.n[c] > 0 {
			col[c] = len(vars)
			vars = append(vars, c)
		}
	}
	if len(vars) == 0 {
		return nil, true
	}
	sets := newUnionFind(len(vars))
	var rows [][]term
	for _, e := range p.eqs {
		var r []term
		if v, ok := col[e.total]; ok {
			r = append(r, term{v, 1})
		}
		for _, c := range e.parts {
			if v, ok := col[c]; ok {
				r = append(r, term{v, modulus - 1})
			}
		}
		if len(r) == 0 {
			continue
		}
		for _, t := range r[1:] {
			sets.union(r[0].v, t.v)
		}
		rows = append(rows, r)
	}

	// Group rows and variables by component, numbering variables locally.
	type component struct {
		vars []int
		rows [][]term
	}
	comps := make(map[int]*component)
	local := make([]int, len(vars))
	for v := range vars {
		root := sets.find(v)
		cp := comps[root]
		if cp == nil {
			cp = &component{}
			comps[root] = cp
		}
		local[v] = len(cp.vars)
		cp.vars = append(cp.vars, v)
	}
	for _, r := range rows {
		cp := comps[sets.find(r[0].v)]
		lr := make([]term, len(r))
		for i, t := range r {
			lr[i] = term{local[t.v], t.coef}
		}
		cp.rows = append(cp.rows, lr)
	}
	roots := make([]int, 0, len(comps))
	for root := range comps {
		roots = append(roots, root)
	}
	slices.Sort(roots) // a deterministic order of leaks
	for _, root := range roots {
		cp := comps[root]
		cells := make([]int, len(cp.vars))
		for i, v := range cp.vars {
			cells[i] = vars[v]
		}
		if int64(len(cp.rows))*int64(len(cp.rows))*int64(len(cells)) > auditLimit {
			return nil, false
		}
		sig := signatures(cp.rows, len(cells))
		var small []int // local indexes
		for i, c := range cells {
			if !slices.ContainsFunc(sig[i], func(x uint64) bool { return x != 0 }) {
				p.known[c] = true
			}
			if p.n[c] < p.k {
				small = append(small, i)
			}
		}
		groups, ok := p.zeroSums(sig, small, cells)
		if !ok {
			return nil, false
		}
		leaks = append(leaks, groups...)
	}
	return leaks, true
}

// signatures returns, for each of n variables of a system, its entries in
// a basis of the system's kernel: all zero when the rows determine it.
func signatures(rows [][]term, n int) [][]uint64 {
	m, pivotRow := reduce(rows, n)
	var free []int
	for c, r := range pivotRow {
		if r < 0 {
			free = append(free, c)
		}
	}
	sig := make([][]uint64, n)
	for c := range n {
		sig[c] = make([]uint64, len(free))
		for j, f := range free {
			switch {
			case c == f:
				sig[c][j] = 1
			case pivotRow[c] >= 0:
				sig[c][j] = subMod(0, m[pivotRow[c]][f])
			}
		}
	}
	return sig
}

// zeroSums returns the groups of small cells (indexes into sig and cells)
// with fewer than k respondents whose signatures add up to zero: the
// groups an attacker can count. It reports false when the search would
// take more than searchBudget steps.
func (p *protection) zeroSums(sig [][]uint64, small []int, cells []int) ([][]int, bool) {
	if len(small) == 0 {
		return nil, true
	}
	// The relations: vectors x over small with Σ x_i·sig_i = 0, the kernel
	// of the matrix whose columns are the signatures. A relation is
	// determined by its free positions: x_pivot = -Σ m[row][f]·x_f.
	d := len(sig[small[0]])
	rows := make([][]term, d)
	for j := range d {
		for i, s := range small {
			if x := sig[s][j]; x != 0 {
				rows[j] = append(rows[j], term{i, x})
			}
		}
	}
	m, pivotRow := reduce(rows, len(small))
	var free, pivots []int
	for i, r := range pivotRow {
		if r < 0 {
			free = append(free, i)
		} else {
			pivots = append(pivots, i)
		}
	}
	// A group below k has fewer than k members, each a free position set
	// to 1 or a pivot that comes out as 1: search the sets of free
	// positions by size, pruned by the respondents they hold.
	n := func(i int) int64 { return p.n[cells[small[i]]] }
	value := make([]uint64, len(pivots))
	var chosen []int
	var out [][]int
	steps := 0
	var search func(from int, size int64) bool
	search = func(from int, size int64) bool {
		if len(chosen) > 0 {
			group := make([]int, 0, len(chosen)+len(pivots))
			total := size
			for pi, v := range value {
				if v > 1 || total >= p.k {
					group = nil
					break
				}
				if v == 1 {
					group = append(group, cells[small[pivots[pi]]])
					total += n(pivots[pi])
				}
			}
			if group != nil && total < p.k {
				for _, f := range chosen {
					group = append(group, cells[small[f]])
				}
				slices.Sort(group)
				out = append(out, group)
			}
		}
		for j := from; j < len(free); j++ {
			f := free[j]
			if size+n(f) >= p.k {
				continue
			}
			if steps++; steps > searchBudget {
				return false
			}
			for pi, i := range pivots {
				value[pi] = subMod(value[pi], m[pivotRow[i]][f])
			}
			chosen = append(chosen, f)
			ok := search(j+1, size+n(f))
			chosen = chosen[:len(chosen)-1]
			for pi, i := range pivots {
				value[pi] = addMod(value[pi], m[pivotRow[i]][f])
			}
			if !ok {
				return false
			}
		}
		return true
	}
	if !search(0, 0) {
		return nil, false
	}
	return out, true
}

// term is one coefficient of a sparse row.
type term struct {
	v    int
	coef uint64
}

// reduce returns the reduced row echelon form of n-column rows and, for
// each column, the row of its pivot or -1.
func reduce(sparse [][]term, n int) ([][]uint64, []int) {
	m := make([][]uint64, len(sparse))
	for i, r := range sparse {
		m[i] = make([]uint64, n)
		for _, t := range r {
			m[i][t.v] = addMod(m[i][t.v], t.coef)
		}
	}
	pivotRow := make([]int, n)
	rank := 0
	for c := range n {
		pivotRow[c] = -1
		pr := -1
		for i := rank; i < len(m); i++ {
			if m[i][c] != 0 {
				pr = i
				break
			}
		}
		if pr < 0 {
			continue
		}
		m[rank], m[pr] = m[pr], m[rank]
		row := m[rank]
		inv := invMod(row[c])
		for j := c; j < n; j++ {
			row[j] = mulMod(row[j], inv)
		}
		// Columns left of c are zero in row: pivots were cleared and a free
		// column had no entry left in any row not yet a pivot row.
		for i := range m {
			if i == rank || m[i][c] == 0 {
				continue
			}
			f := m[i][c]
			for j := c; j < n; j++ {
				if row[j] != 0 {
					m[i][j] = subMod(m[i][j], mulMod(f, row[j]))
				}
			}
		}
		pivotRow[c] = rank
		rank++
	}
	return m, pivotRow
}

// solvable reports, for each of n variables, whether the rows determine it
// alone.
func solvable(rows [][]term, n int) []bool {
	out := make([]bool, n)
	for c, s := range signatures(rows, n) {
		out[c] = !slices.ContainsFunc(s, func(x uint64) bool { return x != 0 })
	}
	return out
}

// modulus is the Mersenne prime 2^61-1: exact arithmetic in uint64, and
// large enough that a rank over it is the rank over the rationals for any
// system of sums this package builds, but for negligible chance.
const modulus = 1<<61 - 1

func addMod(a, b uint64) uint64 {
	s := a + b
	if s >= modulus {
		s -= modulus
	}
	return s
}

func subMod(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return a + modulus - b
}

func mulMod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// a·b = hi·2^64 + lo = (hi·2^3 + lo>>61)·2^61 + lo&modulus, and 2^61 ≡ 1.
	s := (hi<<3 | lo>>61) + lo&modulus
	s = s&modulus + s>>61
	if s >= modulus {
		s -= modulus
	}
	return s
}

// invMod returns a's inverse, a^(p-2) by Fermat's little theorem.
func invMod(a uint64) uint64 {
	result, base := uint64(1), a
	for e := uint64(modulus - 2); e > 0; e >>= 1 {
		if e&1 == 1 {
			result = mulMod(result, base)
		}
		base = mulMod(base, base)
	}
	return result
}

type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(x int) int {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

func (u unionFind) union(a, b int) { u[u.find(a)] = u.find(b) }
