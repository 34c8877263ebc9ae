// Package release decides what a survey's reports may show: the release,
// every number any report can show, decided once for all of them. A
// number is a form: the responses of one time node (all time, a calendar
// quarter, a calendar month, or — for every response only — an ISO week)
// and one selection (every response, one value of a dimension — a single
// customer account among them — or one value among one manager's
// accounts). Reports show a form's numbers only
// when the release shows it, and sums of shown forms, so that nothing any
// request returns adds to what the release gives away.
//
// What the release gives away is checked on its atoms, the finest groups
// forms are made of: the responses of one week's part of one month with
// one combination of every dimension's values. Every form is a sum of
// atoms, and an attacker is taken to know which atoms are empty. A group
// of respondents an attacker could count from shown forms is a sum of
// atoms, and it is computable exactly when it is orthogonal to every way
// the atoms could change without changing a shown form (the kernel). See
// auditor.
package release

import (
	"cmp"
	"fmt"
	"slices"
)

// Dim is a segment dimension forms break responses down by, named as
// reports name it.
type Dim string

// Dims.
const (
	Every    Dim = "" // no dimension: every response
	Region   Dim = "region"
	Country  Dim = "country" // within a region, where every country lies in one
	Industry Dim = "industry"
	Tier     Dim = "tier"
	Manager  Dim = "manager" // the account manager, whose own breakdowns cross the others
	// Account is the customer account itself: it lies within one
	// manager's accounts (and one value of every other dimension), so it
	// gets no manager's breakdown of its own.
	Account Dim = "account"
)

// dims returns every dimension, in Combo order.
func dims() []Dim { return []Dim{Region, Country, Industry, Tier, Manager, Account} }

// Combo is one response's values in every dimension: region, country,
// industry, tier, manager and account.
type Combo [6]string

// Of returns the combo's value in dimension d, "" for Every.
func (c Combo) Of(d Dim) string {
	if i := slices.Index(dims(), d); i >= 0 {
		return c[i]
	}
	return ""
}

// Selection is a group of combos: every response (Dim Every), one value of
// a dimension, or, with Cross, that value among the accounts of Manager.
type Selection struct {
	Dim     Dim
	Value   string
	Manager string // with Cross
	Cross   bool   // the value among one manager's accounts; never Dim Manager
}

// Grain is the length of a time node, named as reports name the period.
type Grain string

// Grains.
const (
	AllTime   Grain = ""
	Quarterly Grain = "quarter"
	Monthly   Grain = "month"
	Weekly    Grain = "week"
)

// Node is a time node: all time, or a quarter, a month or a week by its
// label ("2026-Q1", "2026-01", "2026-W05").
type Node struct {
	Grain Grain
	Label string
}

var allTime = Node{Grain: AllTime}

// Reason says why the release hides a form, in the words of reports.
type Reason string

// Reasons.
const (
	shown        Reason = ""
	FewResponses Reason = "few_responses" // 1..k-1 respondents
	Complement   Reason = "complement"    // hidden so that a smaller group next to it cannot be worked out by subtraction
	Unchecked    Reason = "unchecked"     // too many small groups at this detail to check that none can be worked out
)

type formKey struct {
	node    Node
	sel     Selection
	measure Measure // what of the responses it counts; "" all of them
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
// combo, and — in a release with measures — that miss the same measures.
type atom struct {
	month   int // into release.months
	week    string
	combo   Combo
	missing int // into release.missing; 0 misses none
	n       int64
}

// Month is what the release is decided from, per calendar month with
// responses: its responses by the part of each ISO week that falls in the
// month, and by combo.
type Month struct {
	Label, Quarter string                     // "2026-01", "2026-Q1"
	Weeks          map[string]map[Combo]int64 // ISO week label → combo → respondents
	// Missing splits the respondents of Weeks by the measures they are
	// not counted in (see MissingKey): week → combo → key → respondents.
	// The rest are counted in every measure. Empty for a survey without
	// conditional questions.
	Missing map[string]map[Combo]map[string]int64
}

// level is how much detail a release offers: which dimensions, and
// whether managers get their own breakdowns. Less detail means coarser,
// fewer atoms: a release falls back to the next level when the exact
// check would take too long.
type level struct {
	dims    []Dim
	crosses bool // manager × value selections
}

// detailLevels returns the levels to try, in order.
//
// The first level adds accounts to the second; a survey whose months hold
// too many accounts to check falls back to exactly the levels it had
// before accounts were a dimension.
func detailLevels() []level {
	segments := []Dim{Region, Country, Industry, Tier, Manager}
	return []level{
		{dims: dims(), crosses: true},
		{dims: segments, crosses: true},
		{dims: segments},
		{dims: []Dim{Region, Country, Industry, Tier}},
		{dims: []Dim{Region, Country, Tier}},
		{dims: []Dim{Region, Country}},
		{dims: []Dim{Region}},
		{},
	}
}

// fits reports whether every month has few enough combos at the level
// for its check: counting them is cheap, building forms is not. A level
// with accounts also needs few enough atoms below k in all: the check of
// every response's total would give up on more (see auditor.groups), and
// accounts make most atoms small.
func (lv level) fits(k int64, months []Month) bool {
	small := 0
	accounts := slices.Contains(lv.dims, Account)
	for _, m := range months {
		atoms := 0
		for _, combos := range m.Weeks {
			seen := make(map[Combo]int64)
			for c, n := range combos {
				if n > 0 {
					seen[lv.project(c)] += n
				}
			}
			if atoms += len(seen); atoms > monthAtomLimit {
				return false
			}
			if !accounts {
				continue
			}
			for _, n := range seen {
				if n < k {
					small++
				}
			}
			if small > smallAtomLimit {
				return false
			}
		}
	}
	return true
}

// project keeps a combo's values of the level's dimensions.
func (lv level) project(c Combo) Combo {
	var out Combo
	for _, d := range lv.dims {
		i := slices.Index(dims(), d)
		out[i] = c[i]
	}
	return out
}

// Release is a survey's decided release.
type Release struct {
	k      int64
	level  level
	months []Month
	atoms  []atom
	forms  []*form
	index  map[formKey]int
	// measures are the measures some respondents miss, and missing each
	// atom's missed measures; both empty without conditional questions.
	measures []Measure
	missing  []map[Measure]bool
	// complete is false when even the coarsest level could not be checked
	// and every form but every response's all-time total is hidden.
	complete bool
}

// Decide returns the release of a survey's months for threshold k: the
// most detailed level whose check completes.
func Decide(k int64, months []Month) *Release {
	levels := detailLevels()
	for i, lv := range levels {
		if i < len(levels)-1 && !lv.fits(k, months) {
			continue
		}
		r := newRelease(k, months, lv, false)
		if r.protect() || i == len(levels)-1 {
			if hasMissing(months) {
				return r.withMeasures(months)
			}
			return r
		}
	}
	return nil // unreachable
}

// Released reports whether the release offers selections of s's dimension
// (with Cross: managers' breakdowns by it).
func (r *Release) Released(s Selection) bool {
	if s.Cross && (!r.level.crosses || s.Dim == Manager || s.Dim == Account) {
		return false
	}
	return s.Dim == Every || slices.Contains(r.level.dims, s.Dim)
}

// Hides reports whether the release hides the form of a node and
// selection, and why. A form with no responses shows zero; one of a
// selection not released is not in the release at all (see Released).
func (r *Release) Hides(nd Node, s Selection) (Reason, bool) {
	if f, ok := r.lookup(nd, s); ok && f.hidden {
		return f.reason, true
	}
	return shown, false
}

// Values returns the values of s's dimension (with Cross: among the
// accounts of s's Manager) that have responses, in no particular order.
func (r *Release) Values(s Selection) []string {
	var out []string
	for _, f := range r.forms {
		if f.key.node == allTime && f.key.measure == "" && f.key.sel.Dim == s.Dim && f.key.sel.Cross == s.Cross && f.key.sel.Manager == s.Manager && f.n > 0 {
			out = append(out, f.key.sel.Value)
		}
	}
	return out
}

// lookup returns the form of a node and selection; ok is false when it has
// no responses (it shows zero) or is not released.
func (r *Release) lookup(nd Node, s Selection) (*form, bool) {
	return r.lookupMeasure(nd, s, "")
}

func (r *Release) lookupMeasure(nd Node, s Selection, m Measure) (*form, bool) {
	i, ok := r.index[formKey{nd, s, m}]
	if !ok {
		return nil, false
	}
	return r.forms[i], true
}

// newRelease lays out the forms of a level; split adds the forms of
// every measure some respondents miss, on atoms split by what they miss.
func newRelease(k int64, months []Month, lv level, split bool) *Release {
	r := &Release{k: k, level: lv, months: months, index: make(map[formKey]int), complete: true,
		missing: []map[Measure]bool{nil}}
	missingIndex := map[string]int{"": 0}
	if split {
		r.measures = measuresOf(months)
	}
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
		weeks := make([]string, 0, len(m.Weeks))
		for w := range m.Weeks {
			weeks = append(weeks, w)
		}
		slices.Sort(weeks)
		nodes := []Node{allTime, {Quarterly, m.Quarter}, {Monthly, m.Label}}
		for _, w := range weeks {
			combos := make(map[Combo]int64, len(m.Weeks[w]))
			missed := make(map[Combo]map[string]int64)
			for c, n := range m.Weeks[w] {
				if n > 0 {
					combos[lv.project(c)] += n
				}
			}
			if split {
				for c, keys := range m.Missing[w] {
					pc := lv.project(c)
					for key, n := range keys {
						if n > 0 && key != "" {
							if missed[pc] == nil {
								missed[pc] = make(map[string]int64)
							}
							missed[pc][key] += n
						}
					}
				}
			}
			keys := make([]Combo, 0, len(combos))
			for c := range combos {
				keys = append(keys, c)
			}
			slices.SortFunc(keys, func(a, b Combo) int { return slices.Compare(a[:], b[:]) })
			for _, c := range keys {
				for _, sp := range splitCounts(combos[c], missed[c]) {
					mi2, ok := missingIndex[sp.key]
					if !ok {
						mi2 = len(r.missing)
						missingIndex[sp.key] = mi2
						r.missing = append(r.missing, parseMissing(sp.key))
					}
					a := len(r.atoms)
					r.atoms = append(r.atoms, atom{month: mi, week: w, combo: c, missing: mi2, n: sp.n})
					for _, s := range r.selectionsOf(c) {
						for _, nd := range nodes {
							add(formKey{nd, s, ""}, a)
						}
					}
					add(formKey{Node{Weekly, w}, Selection{}, ""}, a)
					for _, ms := range r.measures {
						if r.missing[mi2][ms] {
							continue
						}
						for _, s := range r.selectionsOf(c) {
							if s.Cross {
								continue
							}
							for _, nd := range nodes {
								add(formKey{nd, s, ms}, a)
							}
						}
						add(formKey{Node{Weekly, w}, Selection{}, ms}, a)
					}
				}
			}
		}
	}
	return r
}

// selectionsOf returns the selections the level releases that hold c.
func (r *Release) selectionsOf(c Combo) []Selection {
	out := []Selection{{}}
	for _, d := range r.level.dims {
		out = append(out, Selection{Dim: d, Value: c.Of(d)})
	}
	if r.level.crosses {
		m := c.Of(Manager)
		for _, d := range r.level.dims {
			if d != Manager && d != Account {
				out = append(out, Selection{Dim: d, Value: c.Of(d), Manager: m, Cross: true})
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
func (r *Release) equations() []equation {
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
		switch f.key.node.Grain {
		case Quarterly:
			groups[formKey{allTime, f.key.sel, f.key.measure}] = append(groups[formKey{allTime, f.key.sel, f.key.measure}], i)
		}
	}
	flush()
	for i, f := range r.forms {
		if f.key.node.Grain == Monthly {
			q := Node{Quarterly, r.months[r.atoms[f.atoms[0]].month].Quarter}
			groups[formKey{q, f.key.sel, f.key.measure}] = append(groups[formKey{q, f.key.sel, f.key.measure}], i)
		}
	}
	flush()
	regionOf := r.regions()
	for _, d := range r.level.dims {
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.Grain == Weekly || s.Dim != d {
				continue
			}
			if !s.Cross {
				groups[formKey{f.key.node, Selection{}, f.key.measure}] = append(groups[formKey{f.key.node, Selection{}, f.key.measure}], i)
			} else {
				m := formKey{f.key.node, Selection{Dim: Manager, Value: s.Manager}, f.key.measure}
				groups[m] = append(groups[m], i)
			}
		}
		flush()
		if !r.level.crosses || d == Manager || d == Account {
			continue
		}
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.Grain != Weekly && s.Dim == d && s.Cross {
				v := formKey{f.key.node, Selection{Dim: d, Value: s.Value}, f.key.measure}
				groups[v] = append(groups[v], i)
			}
		}
		flush()
	}
	if regionOf != nil {
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.Grain != Weekly && s.Dim == Country {
				t := formKey{f.key.node, Selection{Dim: Region, Value: regionOf[s.Value], Manager: s.Manager, Cross: s.Cross}, f.key.measure}
				groups[t] = append(groups[t], i)
			}
		}
		flush()
	}
	// A manager's responses are the sum of their accounts', where every
	// account lies within one manager's (an account that changed hands
	// does not).
	if managerOf := r.nesting(Account, Manager); managerOf != nil {
		for i, f := range r.forms {
			s := f.key.sel
			if f.key.node.Grain != Weekly && s.Dim == Account {
				t := formKey{f.key.node, Selection{Dim: Manager, Value: managerOf[s.Value]}, f.key.measure}
				groups[t] = append(groups[t], i)
			}
		}
		flush()
	}
	return out
}

// regions returns each country's region when every country lies in one
// region, nil otherwise or when the level releases not both.
func (r *Release) regions() map[string]string { return r.nesting(Country, Region) }

// nesting returns the value of outer each value of inner lies in, when
// each lies in one, nil otherwise or when the level releases not both.
func (r *Release) nesting(inner, outer Dim) map[string]string {
	if !slices.Contains(r.level.dims, inner) || !slices.Contains(r.level.dims, outer) {
		return nil
	}
	out := make(map[string]string)
	for _, a := range r.atoms {
		c, g := a.combo.Of(inner), a.combo.Of(outer)
		if prev, ok := out[c]; ok && prev != g {
			return nil
		}
		out[c] = g
	}
	return out
}

func compareKeys(a, b formKey) int {
	return cmp.Or(
		cmp.Compare(a.measure, b.measure), cmp.Compare(a.node.Grain, b.node.Grain), cmp.Compare(a.node.Label, b.node.Label),
		cmp.Compare(a.sel.Dim, b.sel.Dim), compareBool(a.sel.Cross, b.sel.Cross), cmp.Compare(a.sel.Manager, b.sel.Manager), cmp.Compare(a.sel.Value, b.sel.Value))
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
// then the values of dimensions, then managers' own breakdowns, then
// single accounts; within each, all time first, then quarters, months and
// weeks. Each phase is decided with the earlier ones fixed, so that what
// a later phase adds never hides an earlier phase's number: the coarse
// numbers a dashboard opens with are never hidden to protect a finer one,
// and no segment's number is hidden to protect an account.
// The forms of measures (see Measure) come after all of these, in the
// same order.
func (f *form) phase() int {
	kind := 2
	switch {
	case f.key.sel.Dim == Every:
		kind = 0
	case f.key.sel.Dim == Account:
		kind = 3
	case !f.key.sel.Cross:
		kind = 1
	}
	if f.key.measure != "" {
		// After every responses' form, in the same order.
		kind += 4
	}
	return kind*4 + slices.Index(grains(), f.key.node.Grain)
}

// grains are the time nodes' periods, coarse to fine.
func grains() []Grain { return []Grain{AllTime, Quarterly, Monthly, Weekly} }

// phases counts the phases of responses' forms, measurePhases those with
// the measures' forms after them; from crossPhase on (managers'
// breakdowns, accounts and measures), forms too many to check are hidden
// rather than the level given up.
const (
	phases        = 4 * 4
	measurePhases = 8 * 4
	crossPhase    = 2 * 4
)

// protect decides which forms to hide, phase by phase: those with 1..k-1
// respondents, then what the equations need hidden beside them, the
// smallest first, then, until the exact check finds nothing, the smallest
// shown form holding part of each group it found computable. Forms of
// later phases count as hidden meanwhile; earlier ones stay as decided. It
// reports false when the check of every response's or the values' forms
// was too large to complete; managers' breakdowns too large to check are
// hidden.
func (r *Release) protect() bool {
	p := r.protection()
	defer r.keep(p)
	return r.runPhases(p, newAuditor(r), r.equations(), 0, phases)
}

// protection returns a protection of the release's forms, none hidden.
func (r *Release) protection() *protection {
	n := make([]int64, len(r.forms))
	for i, f := range r.forms {
		n[i] = f.n
	}
	return newProtection(r.k, n, nil)
}

// keep records on the forms what p decided.
func (r *Release) keep(p *protection) {
	for i, f := range r.forms {
		f.hidden, f.reason = p.hidden[i], p.reason[i]
	}
}

// runPhases decides phases from..to-1 in turn, the earlier ones as p has
// them; see protect.
func (r *Release) runPhases(p *protection, au *auditor, all []equation, from, to int) bool {
	for phase := from; phase < to; phase++ {
		for i, f := range r.forms {
			switch {
			case f.phase() < phase:
				p.fixed[i] = true
			case f.phase() > phase:
				p.fixed[i], p.hidden[i], p.reason[i] = true, true, Unchecked
			default:
				p.fixed[i], p.hidden[i], p.reason[i] = false, false, shown
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
func (r *Release) protectPhase(p *protection, au *auditor) bool {
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
func (r *Release) escalate(p *protection, au *auditor, g []int, step int) bool {
	months := func() []int {
		var out []int
		for _, a := range g {
			out = append(out, au.monthAtoms[r.atoms[a].month]...)
		}
		return out
	}
	steps := []struct {
		periods []Grain
		wide    bool
	}{
		{[]Grain{Monthly, Weekly}, false}, {[]Grain{Monthly, Weekly}, true},
		{[]Grain{Quarterly}, false}, {[]Grain{Quarterly}, true},
		{[]Grain{AllTime}, false}, {[]Grain{AllTime}, true},
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
				if !p.hidden[f] && !p.fixed[f] && slices.Contains(st.periods, r.forms[f].key.node.Grain) {
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
func (r *Release) cover(p *protection, au *auditor, atoms, near []int) (int, bool) {
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
