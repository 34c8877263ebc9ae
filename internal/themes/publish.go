package themes

import (
	"cmp"
	"slices"
)

// Filter is one value of one segment dimension, as comments are filtered
// by; the zero Filter is every commenter.
type Filter struct {
	Dim, Value string
}

// Input is what Decide decides from: the threshold, the commenters as the
// comments page publishes them (in all, and per filter value), and each
// theme's members, each as its value of every dimension.
type Input struct {
	K      int64
	Total  int64            // commenters on the question
	Groups map[Filter]int64 // commenters per filter value
	Themes [][][]Filter     // per theme, per member: one Filter per dimension
}

// Decide returns, per theme, the count it shows under each filter (the
// zero Filter: unfiltered); a filter it does not show under is absent. A
// theme count is a published number like a report's: exact where shown,
// hidden otherwise, and never one that subtraction from other published
// numbers narrows to fewer than k people. Shown are only counts where
//
//   - the count is at least k;
//   - the filter's comments show at all: its commenters are at least k,
//     and those outside it none or at least k (the rule of the comments
//     themselves);
//   - under each filter, the commenters outside every theme shown (the
//     filter's commenters less the sum of its theme counts) are none or at
//     least k, so no hidden theme, nor the rest, is worked out from the
//     comment count;
//   - per theme, wherever its count under a filter g is shown and the
//     counts under values of another dimension whose members all lie
//     within g (every value within the unfiltered theme; a country within
//     its region), g less the sum of those shown is none or at least k,
//     so that subtracting a filtered count from the unfiltered one (or a
//     country's from its region's) gives no group below k; and where g is
//     hidden, not every one of its parts shows, so that it cannot be
//     added up again.
//
// What a rule hides is the smallest count that mends it, never the
// coarser total: as in reports, a small group is not protected by hiding
// the large one. Counts only ever get hidden, so the rules settle.
func Decide(in Input) []map[Filter]int64 {
	d := newDecision(in)
	for d.pass() {
	}
	out := make([]map[Filter]int64, len(d.themes))
	for t, th := range d.themes {
		out[t] = make(map[Filter]int64)
		for _, f := range th.filters {
			if th.shown[f] {
				out[t][f] = th.n[f]
			}
		}
	}
	return out
}

type pair struct{ a, b Filter }

type decidedTheme struct {
	n       map[Filter]int64 // members per filter, the zero filter all
	both    map[pair]int64   // members with both filters (of different dimensions)
	shown   map[Filter]bool
	filters []Filter // with members, sorted; the zero filter first
}

type decision struct {
	k      int64
	in     Input
	themes []*decidedTheme
	all    []Filter // every filter of any theme, sorted, the zero filter first
	dims   []string
}

func compareFilters(a, b Filter) int {
	return cmp.Or(cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Value, b.Value))
}

func newDecision(in Input) *decision {
	d := &decision{k: in.K, in: in}
	seen := map[Filter]bool{{}: true}
	dims := map[string]bool{}
	for _, members := range in.Themes {
		th := &decidedTheme{n: map[Filter]int64{}, both: map[pair]int64{}, shown: map[Filter]bool{}}
		for _, fs := range members {
			th.n[Filter{}]++
			for i, f := range fs {
				th.n[f]++
				dims[f.Dim] = true
				for j, g := range fs {
					if i != j && f.Dim != g.Dim {
						th.both[pair{f, g}]++
					}
				}
			}
		}
		for f := range th.n {
			th.filters = append(th.filters, f)
			seen[f] = true
		}
		slices.SortFunc(th.filters, compareFilters)
		for _, f := range th.filters {
			th.shown[f] = th.n[f] >= d.k && d.commentsShow(f)
		}
		d.themes = append(d.themes, th)
	}
	for f := range seen {
		d.all = append(d.all, f)
	}
	slices.SortFunc(d.all, compareFilters)
	for dim := range dims {
		d.dims = append(d.dims, dim)
	}
	slices.Sort(d.dims)
	return d
}

// commenters is how many commented under f, as the comments page says.
func (d *decision) commenters(f Filter) int64 {
	if f == (Filter{}) {
		return d.in.Total
	}
	return d.in.Groups[f]
}

// commentsShow is the comments' own rule for a filter.
func (d *decision) commentsShow(f Filter) bool {
	g := d.commenters(f)
	rest := d.in.Total - g
	return g >= d.k && (rest == 0 || rest >= d.k)
}

// small reports whether a remainder is a group below k.
func (d *decision) small(rem int64) bool { return rem > 0 && rem < d.k }

// within reports whether theme th's members under p all lie under g.
func (th *decidedTheme) within(p, g Filter) bool {
	switch {
	case g == (Filter{}):
		return true
	case p.Dim == g.Dim:
		return p == g
	}
	return th.both[pair{p, g}] == th.n[p]
}

// pass applies every rule once; it reports whether it hid anything.
func (d *decision) pass() bool {
	changed := false
	for _, f := range d.all {
		changed = d.settleComments(f) || changed
	}
	for _, th := range d.themes {
		for _, g := range th.filters {
			for _, dim := range d.dims {
				if dim != g.Dim {
					changed = d.settleNested(th, g, dim) || changed
				}
			}
		}
	}
	return changed
}

// settleComments hides the smallest theme shown under f while the
// commenters outside the shown themes are a group below k.
func (d *decision) settleComments(f Filter) bool {
	changed := false
	for {
		rem := d.commenters(f)
		smallest := -1
		for t, th := range d.themes {
			if !th.shown[f] {
				continue
			}
			rem -= th.n[f]
			if smallest < 0 || th.n[f] <= d.themes[smallest].n[f] {
				smallest = t
			}
		}
		if !d.small(rem) || smallest < 0 {
			return changed
		}
		d.themes[smallest].shown[f] = false
		changed = true
	}
}

// settleNested applies the rule of a theme's count under g and its counts
// under the values of dim within g.
func (d *decision) settleNested(th *decidedTheme, g Filter, dim string) bool {
	var parts []Filter
	for _, p := range th.filters {
		if p.Dim == dim && th.within(p, g) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return false
	}
	changed := false
	for {
		var shown []Filter
		sum, all := int64(0), int64(0)
		for _, p := range parts {
			all += th.n[p]
			if th.shown[p] {
				shown = append(shown, p)
				sum += th.n[p]
			}
		}
		if len(shown) == 0 {
			return changed
		}
		exposed := d.small(th.n[g] - sum)
		if !th.shown[g] {
			// Hidden: it must not add up again from its parts.
			exposed = all == th.n[g] && len(shown) == len(parts)
		}
		if !exposed {
			return changed
		}
		smallest := shown[0]
		for _, p := range shown[1:] {
			if th.n[p] < th.n[smallest] {
				smallest = p
			}
		}
		th.shown[smallest] = false
		changed = true
	}
}
