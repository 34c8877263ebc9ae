package report

import (
	"cmp"
	"fmt"
	"slices"
)

// The release is every number a survey's reports can show, decided once
// for all of them. A number is a form: the responses of one time node (all
// time, a calendar quarter, a calendar month, or — for every response only
// — an ISO week) and one selection (every response, one value of a
// dimension, or one value among one manager's accounts). Reports show a
// form's numbers only when the release shows it, and sums of shown forms,
// so that nothing any request returns adds to what the release gives away.
//
// What the release gives away is checked on its atoms, the finest groups
// forms are made of: the responses of one week's part of one month (see
// part) with one combination of every dimension's values. Every form is a
// sum of atoms, and an attacker is taken to know which atoms are empty. A
// group of respondents an attacker could count from shown forms is a sum
// of atoms, and it is computable exactly when it is orthogonal to every
// way the atoms could change without changing a shown form (the kernel).
// See audit.

// combo is one response's values in every dimension, in Dimensions order.
type combo [5]string

func comboOf(s Segment) combo { return combo{s.Region, s.Country, s.Industry, s.Tier, s.ManagerID} }

// dimIndex returns where a dimension's value is in a combo.
func dimIndex(d Dimension) int { return slices.Index(Dimensions(), d) }

// selection is a group of combos: every response (no dimension), one value
// of a dimension, or, with a manager, that value among the manager's
// accounts.
type selection struct {
	dim     Dimension
	value   string
	manager string // with cross
	cross   bool   // the value among one manager's accounts; never dim Manager
}

func (s selection) has(c combo) bool {
	if s.cross && c[dimIndex(Manager)] != s.manager {
		return false
	}
	return s.dim == "" || c[dimIndex(s.dim)] == s.value
}

// node is a time node: all time (period ""), a quarter, a month or a week,
// by its label.
type node struct {
	period Period
	label  string
}

var allTime = node{}

type formKey struct {
	node node
	sel  selection
}

// form is one number of the release and what it is made of.
type form struct {
	key    formKey
	n      int64
	atoms  []int // into release.atoms
	hidden bool
	reason Reason
}

// atom is the responses of one part, of one month and week, with one
// combo.
type atom struct {
	month int // into release.months
	week  string
	combo combo
	n     int64
}

// releaseMonth is what the release is decided from, per calendar month
// with responses: its responses by the part of each ISO week that falls in
// the month, and by combo.
type releaseMonth struct {
	label, quarter string
	weeks          map[string]map[combo]int64
}

// releaseLevel is how much detail a release offers: which dimensions, and
// whether managers get their own breakdowns. Less detail means coarser,
// fewer atoms: a release falls back to the next level when the exact
// check would take too long.
type releaseLevel struct {
	dims    []Dimension
	crosses bool // manager × value selections
}

// releaseLevels returns the levels to try, in order.
func releaseLevels() []releaseLevel {
	return []releaseLevel{
		{dims: Dimensions(), crosses: true},
		{dims: Dimensions()},
		{dims: []Dimension{Region, Country, Industry, Tier}},
		{dims: []Dimension{Region, Country, Tier}},
		{dims: []Dimension{Region, Country}},
		{dims: []Dimension{Region}},
		{},
	}
}

// fits reports whether every month has few enough combos at the level
// for its check: counting them is cheap, building forms is not.
func (lv releaseLevel) fits(months []releaseMonth) bool {
	for _, m := range months {
		atoms := 0
		for _, combos := range m.weeks {
			seen := make(map[combo]bool)
			for c, n := range combos {
				if n > 0 {
					seen[lv.project(c)] = true
				}
			}
			if atoms += len(seen); atoms > monthAtomLimit {
				return false
			}
		}
	}
	return true
}

// project keeps a combo's values of the level's dimensions.
func (lv releaseLevel) project(c combo) combo {
	var out combo
	for _, d := range lv.dims {
		i := dimIndex(d)
		out[i] = c[i]
	}
	return out
}

// release is a survey's decided release.
type release struct {
	k      int64
	level  releaseLevel
	months []releaseMonth
	atoms  []atom
	forms  []*form
	index  map[formKey]int
	// complete is false when even the coarsest level could not be checked
	// and every form but every response's all-time total is hidden.
	complete bool
}

// decide returns the release of a survey's months for threshold k: the
// most detailed level whose check completes.
func decide(k int64, months []releaseMonth) *release {
	levels := releaseLevels()
	for i, lv := range levels {
		if i < len(levels)-1 && !lv.fits(months) {
			continue
		}
		r := newRelease(k, months, lv)
		if r.protect() || i == len(levels)-1 {
			return r
		}
	}
	return nil // unreachable
}

// released reports whether the release offers selections of dimension d
// (with a manager: that manager's breakdowns).
func (r *release) released(s selection) bool {
	if s.cross && !r.level.crosses {
		return false
	}
	return s.dim == "" || slices.Contains(r.level.dims, s.dim)
}

// lookup returns the form of a node and selection; ok is false when it has
// no responses (it shows zero) or is not released.
func (r *release) lookup(nd node, s selection) (*form, bool) {
	i, ok := r.index[formKey{nd, s}]
	if !ok {
		return nil, false
	}
	return r.forms[i], true
}

func newRelease(k int64, months []releaseMonth, lv releaseLevel) *release {
	r := &release{k: k, level: lv, months: months, index: make(map[formKey]int), complete: true}
	add := func(key formKey, a int) {
		i, ok := r.index[key]
		if !ok {
			i = len(r.forms)
			r.index[key] = i
			r.forms = append(r.forms, &form{key: key})
		}
		f := r.forms[i]
		f.atoms = append(f.atoms, a)
		f.n += r.atoms[a].n
	}
	for mi, m := range months {
		weeks := make([]string, 0, len(m.weeks))
		for w := range m.weeks {
			weeks = append(weeks, w)
		}
		slices.Sort(weeks)
		nodes := []node{allTime, {Quarterly, m.quarter}, {Monthly, m.label}}
		for _, w := range weeks {
			combos := make(map[combo]int64, len(m.weeks[w]))
			for c, n := range m.weeks[w] {
				if n > 0 {
					combos[lv.project(c)] += n
				}
			}
			keys := make([]combo, 0, len(combos))
			for c := range combos {
				keys = append(keys, c)
			}
			slices.SortFunc(keys, func(a, b combo) int { return slices.Compare(a[:], b[:]) })
			for _, c := range keys {
				a := len(r.atoms)
				r.atoms = append(r.atoms, atom{month: mi, week: w, combo: c, n: combos[c]})
				for _, s := range r.selectionsOf(c) {
					for _, nd := range nodes {
						add(formKey{nd, s}, a)
					}
				}
				add(formKey{node{Weekly, w}, selection{}}, a)
			}
		}
	}
	return r
}

// selectionsOf returns the selections the level releases that hold c.
func (r *release) selectionsOf(c combo) []selection {
	out := []selection{{}}
	for _, d := range r.level.dims {
		out = append(out, selection{dim: d, value: c[dimIndex(d)]})
	}
	if r.level.crosses {
		m := c[dimIndex(Manager)]
		for _, d := range r.level.dims {
			if d != Manager {
				out = append(out, selection{dim: d, value: c[dimIndex(d)], manager: m, cross: true})
			}
		}
	}
	return out
}

// equations returns the sums that tie forms together, as form indexes:
// all time is the sum of its quarters and a quarter of its months, in
// every selection; every response is the sum of a dimension's values; a
// region of its countries where every country lies in one region; a
// manager of their values, and a value of its managers. The exact check
// finds what these miss; the equations make the choice of what to hide
// next to a small form a good one.
func (r *release) equations() []equation {
	var out []equation
	groups := make(map[formKey][]int) // a total's key → its parts, for one kind of sum at a time
	flush := func() {
		keys := make([]formKey, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareKeys)
		for _, k := range keys {
			if t, ok := r.index[k]; ok && len(groups[k]) > 0 {
				out = append(out, equation{total: t, parts: groups[k]})
			}
		}
		clear(groups)
	}
	// Time: all time of quarters, quarters of months.
	for i, f := range r.forms {
		switch f.key.node.period {
		case Quarterly:
			groups[formKey{allTime, f.key.sel}] = append(groups[formKey{allTime, f.key.sel}], i)
		}
	}
	flush()
	for i, f := range r.forms {
		if f.key.node.period == Monthly {
			q := node{Quarterly, r.months[r.atoms[f.atoms[0]].month].quarter}
			groups[formKey{q, f.key.sel}] = append(groups[formKey{q, f.key.sel}], i)
		}
	}
	flush()
	regionOf := r.nesting()
	for _, d := range r.level.dims {
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.period == Weekly || s.dim != d {
				continue
			}
			if !s.cross {
				groups[formKey{f.key.node, selection{}}] = append(groups[formKey{f.key.node, selection{}}], i)
			} else {
				m := formKey{f.key.node, selection{dim: Manager, value: s.manager}}
				groups[m] = append(groups[m], i)
			}
		}
		flush()
		if !r.level.crosses || d == Manager {
			continue
		}
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.period != Weekly && s.dim == d && s.cross {
				v := formKey{f.key.node, selection{dim: d, value: s.value}}
				groups[v] = append(groups[v], i)
			}
		}
		flush()
	}
	if regionOf != nil {
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.period != Weekly && s.dim == Country {
				t := formKey{f.key.node, selection{dim: Region, value: regionOf[s.value], manager: s.manager, cross: s.cross}}
				groups[t] = append(groups[t], i)
			}
		}
		flush()
	}
	return out
}

// nesting returns each country's region when every country lies in one
// region, nil otherwise or when the level releases not both.
func (r *release) nesting() map[string]string {
	if !slices.Contains(r.level.dims, Region) || !slices.Contains(r.level.dims, Country) {
		return nil
	}
	out := make(map[string]string)
	for _, a := range r.atoms {
		c, g := a.combo[dimIndex(Country)], a.combo[dimIndex(Region)]
		if prev, ok := out[c]; ok && prev != g {
			return nil
		}
		out[c] = g
	}
	return out
}

func compareKeys(a, b formKey) int {
	return cmp.Or(
		cmp.Compare(a.node.period, b.node.period), cmp.Compare(a.node.label, b.node.label),
		cmp.Compare(a.sel.dim, b.sel.dim), compareBool(a.sel.cross, b.sel.cross), cmp.Compare(a.sel.manager, b.sel.manager), cmp.Compare(a.sel.value, b.sel.value))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// phase returns when a form is decided: every response's forms first,
// then the values of dimensions, then managers' own breakdowns; within
// each, all time first, then quarters, months and weeks. Each phase is
// decided with the earlier ones fixed, so that what a later phase adds
// never hides an earlier phase's number: the coarse numbers a dashboard
// opens with are never hidden to protect a finer one.
func (f *form) phase() int {
	kind := 2
	switch {
	case f.key.sel.dim == "":
		kind = 0
	case !f.key.sel.cross:
		kind = 1
	}
	return kind*4 + slices.Index(grains(), f.key.node.period)
}

// grains are the time nodes' periods, coarse to fine.
func grains() []Period { return []Period{"", Quarterly, Monthly, Weekly} }

// phases counts the phases; managers' breakdowns come from
// crossPhase on.
const (
	phases     = 3 * 4
	crossPhase = 2 * 4
)

// protect decides which forms to hide, phase by phase: those with 1..k-1
// respondents, then what the equations need hidden beside them, the
// smallest first, then, until the exact check finds nothing, the smallest
// shown form holding part of each group it found computable. Forms of
// later phases count as hidden meanwhile; earlier ones stay as decided. It
// reports false when the check of every response's or the values' forms
// was too large to complete; managers' breakdowns too large to check are
// hidden.
func (r *release) protect() bool {
	n := make([]int64, len(r.forms))
	for i, f := range r.forms {
		n[i] = f.n
	}
	all := r.equations()
	p := newProtection(r.k, n, nil)
	defer func() {
		for i, f := range r.forms {
			f.hidden, f.reason = p.hidden[i], p.reason[i]
		}
	}()
	au := newAuditor(r)
	for phase := range phases {
		for i, f := range r.forms {
			switch {
			case f.phase() < phase:
				p.fixed[i] = true
			case f.phase() > phase:
				p.fixed[i], p.hidden[i], p.reason[i] = true, true, Unchecked
			default:
				p.fixed[i], p.hidden[i], p.reason[i] = false, false, ""
				if f.n > 0 && f.n < r.k {
					p.hide(i, FewResponses)
				}
			}
		}
		p.eqs = p.eqs[:0]
		for _, e := range all {
			if r.forms[e.total].phase() <= phase && !slices.ContainsFunc(e.parts, func(c int) bool { return r.forms[c].phase() > phase }) {
				p.eqs = append(p.eqs, e)
			}
		}
		ok := r.protectPhase(p, au)
		if !ok {
			if phase < crossPhase {
				r.complete = false
				return false
			}
			for i, f := range r.forms {
				if f.phase() == phase {
					p.hidden[i], p.reason[i] = true, Unchecked
				}
			}
		}
	}
	return true
}

// protectPhase runs one phase to its end; it reports false when the check
// was too large to complete.
func (r *release) protectPhase(p *protection, au *auditor) bool {
	seen := make(map[string]int) // a group's key → times found
	for range maxRounds {
		for p.settleAll() {
		}
		if !hasShown(p) {
			// Nothing of this phase is shown: what is shown was checked.
			return true
		}
		leaks, ok := au.check(p.hidden)
		if !ok {
			return false
		}
		if len(leaks) == 0 {
			return true
		}
		// Cover groups apart from each other only: hiding one form often
		// protects the groups next to it too, which the next check tells.
		// A group still computable after a cover gets every form of the
		// phase that holds it hidden.
		changed := false
		touched := make(map[int]bool)
		for _, g := range leaks {
			key := fmt.Sprint(g)
			if step := seen[key]; step > 0 {
				seen[key]++
				if r.escalate(p, au, g, step) {
					changed = true
				}
				for _, a := range g {
					touched[a] = true
				}
				continue
			}
			seen[key] = 1
			if slices.ContainsFunc(g, func(a int) bool { return touched[a] }) {
				continue
			}
			if f, ok := r.cover(p, au, g, g); ok {
				changed = true
				for _, a := range r.forms[f].atoms {
					touched[a] = true
				}
			}
		}
		if !changed {
			// Nothing of this phase shown holds the group: hiding all of
			// the phase leaves what the earlier ones showed, checked then.
			p.hideAll()
			return true
		}
	}
	return false
}

// escalate hides more around a group that the cover of its last round
// left computable: first the phase's month forms holding it, then those
// holding any atom of its months, then quarter forms likewise, then any;
// the coarse forms, the largest, last. It reports whether it hid any.
func (r *release) escalate(p *protection, au *auditor, g []int, step int) bool {
	months := func() []int {
		var out []int
		for _, a := range g {
			out = append(out, au.monthAtoms[r.atoms[a].month]...)
		}
		return out
	}
	steps := []struct {
		periods []Period
		wide    bool
	}{
		{[]Period{Monthly, Weekly}, false}, {[]Period{Monthly, Weekly}, true},
		{[]Period{Quarterly}, false}, {[]Period{Quarterly}, true},
		{[]Period{""}, false}, {[]Period{""}, true},
	}
	hid := false
	for ; step <= len(steps) && !hid; step++ {
		st := steps[step-1]
		atoms := g
		if st.wide {
			atoms = months()
		}
		for _, a := range atoms {
			for _, f := range au.formsOf[a] {
				if !p.hidden[f] && !p.fixed[f] && slices.Contains(st.periods, r.forms[f].key.node.period) {
					p.hide(f, Complement)
					hid = true
				}
			}
		}
	}
	return hid
}

// hasShown reports whether a form the phase decides is shown.
func hasShown(p *protection) bool {
	for i, f := range p.fixed {
		if !f && !p.hidden[i] && p.n[i] > 0 {
			return true
		}
	}
	return false
}

// maxRounds bounds the checks of one phase: a release that needs more
// counts as too large to check.
const maxRounds = 48

// cover hides, for a computable group, the smallest shown form of the
// phase that lies within the smallest shown form around the group and
// apart from the group: a sibling, as small as can be, rather than the
// group's larger totals. Without one it hides the smallest shown form of
// the phase that holds one of the atoms or, when none does, an atom of the
// months of near. It returns the form it hid, if any.
func (r *release) cover(p *protection, au *auditor, atoms, near []int) (int, bool) {
	smaller := func(f, best int) bool { return best < 0 || r.forms[f].n < r.forms[best].n }
	parent := -1
	for _, a := range atoms {
		for _, f := range au.formsOf[a] {
			if !p.hidden[f] && smaller(f, parent) {
				parent = f
			}
		}
	}
	best := -1
	if parent >= 0 {
		within := make(map[int]bool, len(r.forms[parent].atoms))
		for _, a := range r.forms[parent].atoms {
			within[a] = true
		}
		for _, a := range atoms {
			within[a] = false
		}
		seen := make(map[int]bool)
		for _, a := range r.forms[parent].atoms {
			for _, f := range au.formsOf[a] {
				if seen[f] || p.hidden[f] || p.fixed[f] || f == parent || !smaller(f, best) {
					continue
				}
				seen[f] = true
				if !slices.ContainsFunc(r.forms[f].atoms, func(b int) bool { return !within[b] }) {
					best = f
				}
			}
		}
	}
	consider := func(atoms []int) {
		for _, a := range atoms {
			for _, f := range au.formsOf[a] {
				if !p.hidden[f] && !p.fixed[f] && smaller(f, best) {
					best = f
				}
			}
		}
	}
	if best < 0 {
		consider(atoms)
	}
	if best < 0 {
		for _, a := range near {
			consider(au.monthAtoms[r.atoms[a].month])
		}
	}
	if best < 0 {
		return 0, false
	}
	p.hide(best, Complement)
	return best, true
}
