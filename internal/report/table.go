package report

import "slices"

// weekCounts is one week of one survey: every response, and the responses
// by the values of the dimension loaded (nil without one).
type weekCounts struct {
	all    tally
	values map[string]tally
}

// cell is one canonical cell: a node of a quarter's calendar — the
// quarter, a month, a week — for every response (series 0) or for one
// value of a dimension.
type cell struct {
	counts tally
	hidden bool
	reason Reason
}

// Nodes of a quarter's calendar, in a table's order.
const (
	quarterNode   = 0
	firstMonthRow = 1
	firstWeekRow  = 4
)

// table is one survey's canonical cells of one quarter and which of them
// are hidden. What is hidden depends on the quarter's counts and the
// survey's threshold only, never on the query, so that every report shows
// a cell the same way. Quarters are independent: no equation spans two.
type table struct {
	quarter unit
	months  [3]unit
	values  []string // the dimension's values, sorted
	width   int      // series per node: every response, then each value
	cells   []cell
	// weekly is false when the values' weeks are too sparse to check
	// exactly: then their cells are neither shown nor listed, and the
	// values are shown by month and quarter only.
	weekly bool
	limit  int // weeklyLimit, but for tests
}

// weeklyLimit is how many week cells of values with 1..k-1 respondents a
// quarter may have and still show its values by week. Beyond it the exact
// check grows too costly, while weeks that sparse show little anyway.
const weeklyLimit = 64

func newTable(q unit, data map[week]*weekCounts, withValues bool) *table {
	t := &table{quarter: q, months: q.months(), width: 1, weekly: true, limit: weeklyLimit}
	if withValues {
		seen := make(map[string]bool)
		for _, wc := range data {
			for v, c := range wc.values {
				if c.n > 0 && !seen[v] {
					seen[v] = true
					t.values = append(t.values, v)
				}
			}
		}
		slices.Sort(t.values)
		t.width += len(t.values)
	}
	t.cells = make([]cell, t.nodes()*t.width)
	for w := q.first; w <= q.last; w++ {
		wc := data[w]
		if wc == nil {
			continue
		}
		wn, mn := t.weekNode(w), t.monthNode(w)
		for s := range t.width {
			c := wc.all
			if s > 0 {
				c = wc.values[t.values[s-1]]
			}
			t.at(wn, s).counts = c
			t.at(mn, s).counts.add(&c)
			t.at(quarterNode, s).counts.add(&c)
		}
	}
	return t
}

func (t *table) nodes() int          { return firstWeekRow + int(t.quarter.last-t.quarter.first) + 1 }
func (t *table) weekNode(w week) int { return firstWeekRow + int(w-t.quarter.first) }

func (t *table) monthNode(w week) int {
	for i, m := range t.months {
		if w <= m.last {
			return firstMonthRow + i
		}
	}
	return firstMonthRow + len(t.months) - 1 // unreachable: the months tile the quarter
}

// node returns the node of a unit of this quarter.
func (t *table) node(u unit) int {
	switch u.period {
	case Quarterly:
		return quarterNode
	case Monthly:
		return t.monthNode(u.first)
	}
	return t.weekNode(u.first)
}

func (t *table) at(node, series int) *cell { return &t.cells[node*t.width+series] }

// series returns the series of value v, or -1 when it has no responses in
// the quarter.
func (t *table) series(v string) int {
	if i, ok := slices.BinarySearch(t.values, v); ok {
		return 1 + i
	}
	return -1
}

// timeEquations appends the sums of series s: the quarter is the sum of its
// months, each month the sum of its weeks.
func (t *table) timeEquations(s int, out []equation) []equation {
	idx := func(node int) int { return node*t.width + s }
	q := equation{total: idx(quarterNode)}
	for i, m := range t.months {
		q.parts = append(q.parts, idx(firstMonthRow+i))
		me := equation{total: idx(firstMonthRow + i)}
		for w := m.first; w <= m.last; w++ {
			me.parts = append(me.parts, idx(t.weekNode(w)))
		}
		out = append(out, me)
	}
	return append(out, q)
}

// protect decides which cells to hide for threshold k: first every
// response's cells on their own, then, with those fixed, the values' cells
// together with the sums that tie each node's values to its total.
// Deciding the totals without the values keeps them the same in every
// report, whichever dimension it loads.
func (t *table) protect(k int64) {
	nodes := t.nodes()
	n := make([]int64, nodes)
	for node := range nodes {
		n[node] = t.at(node, 0).counts.n
	}
	// Series 0 alone: cell index = node.
	all := newProtection(k, n, t.seriesZero(t.timeEquations(0, nil)))
	all.run()
	for node := range nodes {
		c := t.at(node, 0)
		c.hidden, c.reason = all.hidden[node], all.reason[node]
	}
	if t.width == 1 {
		return
	}
	small := 0
	for node := firstWeekRow; node < nodes; node++ {
		for s := 1; s < t.width; s++ {
			if n := t.at(node, s).counts.n; n > 0 && n < k {
				small++
			}
		}
	}
	if small <= t.limit && t.protectValues(k, nodes, all) {
		return
	}
	t.weekly = false
	t.protectValues(k, firstWeekRow, all)
	for node := firstWeekRow; node < nodes; node++ {
		for s := 1; s < t.width; s++ {
			if c := t.at(node, s); c.counts.n != 0 {
				c.hidden, c.reason = true, SparseWeeks
			}
		}
	}
}

// protectValues decides which value cells of the first nodes to hide, with
// every response's cells fixed as all decided. Without the weeks, the
// values' week cells, all hidden and never listed, are unknowns that add
// nothing to the sums of their months: any months' values that add up to
// a month's total have week cells that add up to each week's total. It
// reports false when the system was too large to check.
func (t *table) protectValues(k int64, nodes int, all *protection) bool {
	n := make([]int64, nodes*t.width)
	for i := range n {
		n[i] = t.cells[i].counts.n
	}
	var eqs []equation
	for s := range t.width {
		eqs = t.timeEquations(s, eqs)
	}
	if nodes <= firstWeekRow {
		// Only the quarter's sum of months: the months' sums of weeks are
		// gone with the weeks.
		kept := eqs[:0]
		for _, e := range eqs {
			if e.total < t.width {
				kept = append(kept, e)
			}
		}
		eqs = kept
	}
	for node := range nodes {
		e := equation{total: node * t.width}
		for s := 1; s < t.width; s++ {
			e.parts = append(e.parts, node*t.width+s)
		}
		eqs = append(eqs, e)
	}
	p := newProtection(k, n, eqs)
	for node := range nodes {
		i := node * t.width
		p.fixed[i], p.hidden[i], p.reason[i] = true, all.hidden[node], all.reason[node]
	}
	ok := p.run()
	if !ok && nodes > firstWeekRow {
		return false
	}
	for i := range n {
		t.cells[i].hidden, t.cells[i].reason = p.hidden[i], p.reason[i]
	}
	return true
}

// seriesZero renumbers equations of series 0 from cell to node indexes.
func (t *table) seriesZero(eqs []equation) []equation {
	for i := range eqs {
		eqs[i].total /= t.width
		for j := range eqs[i].parts {
			eqs[i].parts[j] /= t.width
		}
	}
	return eqs
}
