package release

// equation says that cell total is the sum of cells parts. Whoever sees
// all but one of them can compute the last.
type equation struct {
	total int
	parts []int
}

// protection decides which cells of a system of sums to hide, by the
// rules of each sum alone: primary suppression of cells with 1..k-1
// respondents, then secondary suppression of the smallest siblings. The
// exact check of what the rules miss is the auditor's.
type protection struct {
	k      int64
	n      []int64 // respondents per cell
	eqs    []equation
	fixed  []bool // decided elsewhere: left hidden or shown as they are
	hidden []bool
	reason []Reason
}

func newProtection(k int64, n []int64, eqs []equation) *protection {
	return &protection{
		k: k, n: n, eqs: eqs,
		fixed: make([]bool, len(n)), hidden: make([]bool, len(n)), reason: make([]Reason, len(n)),
	}
}

func (p *protection) hide(c int, why Reason) {
	p.hidden[c] = true
	p.reason[c] = why
}

// suppress hides the cells below the threshold, then what the equations
// need hidden next to them, until nothing changes.
func (p *protection) suppress() {
	for c, n := range p.n {
		if !p.fixed[c] && !p.hidden[c] && n > 0 && n < p.k {
			p.hide(c, FewResponses)
		}
	}
	for p.settleAll() {
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
			return changed // the exact check decides
		}
		changed = true
	}
}

// secret reports whether c has respondents and is hidden.
func (p *protection) secret(c int) bool { return p.hidden[c] && p.n[c] > 0 }

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

func (p *protection) hideAll() {
	for c := range p.n {
		if !p.hidden[c] && !p.fixed[c] && p.n[c] > 0 {
			p.hide(c, Complement)
		}
	}
}
