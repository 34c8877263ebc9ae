package release

import (
	"slices"
	"strings"
)

// Measure is what a form counts of its group: every respondent (""), or
// those shown a conditional question, or those who answered one. The
// numbers of a measure are published counts like the responses: each
// shown number has k respondents or none, and no difference between any
// shown numbers — responses less those shown, say, which is those not
// shown — counts a group below k.
type Measure string

// ShownMeasure counts the respondents shown question q.
func ShownMeasure(q string) Measure { return Measure("shown:" + q) }

// AnsweredMeasure counts the respondents who answered question q.
func AnsweredMeasure(q string) Measure { return Measure("answered:" + q) }

// missingSep separates the measures of a key; no measure holds it.
const missingSep = "\n"

// MissingKey names a group of respondents by the measures they are not
// counted in, for Month.Missing; "" for none.
func MissingKey(ms []Measure) string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if m != "" && !strings.Contains(string(m), missingSep) {
			out = append(out, string(m))
		}
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), missingSep)
}

func parseMissing(key string) map[Measure]bool {
	if key == "" {
		return nil
	}
	out := make(map[Measure]bool)
	for _, m := range strings.Split(key, missingSep) {
		out[Measure(m)] = true
	}
	return out
}

// hasMissing reports whether any respondent misses a measure.
func hasMissing(months []Month) bool {
	for _, m := range months {
		for _, combos := range m.Missing {
			for _, keys := range combos {
				for key, n := range keys {
					if key != "" && n > 0 {
						return true
					}
				}
			}
		}
	}
	return false
}

// measuresOf returns the measures some respondent misses, sorted: every
// other measure counts every respondent, and so shows what the responses
// show.
func measuresOf(months []Month) []Measure {
	seen := make(map[Measure]bool)
	for _, m := range months {
		for _, combos := range m.Missing {
			for _, keys := range combos {
				for key, n := range keys {
					if n > 0 {
						for ms := range parseMissing(key) {
							seen[ms] = true
						}
					}
				}
			}
		}
	}
	out := make([]Measure, 0, len(seen))
	for ms := range seen {
		out = append(out, ms)
	}
	slices.Sort(out)
	return out
}

type splitCount struct {
	key string
	n   int64
}

// splitCounts splits a combo's n respondents by what they miss, those who
// miss nothing first; a count of missing beyond n is cut to n.
func splitCounts(n int64, missed map[string]int64) []splitCount {
	keys := make([]string, 0, len(missed))
	for k := range missed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rest := n
	var parts []splitCount
	for _, k := range keys {
		m := min(missed[k], rest)
		if m > 0 {
			parts = append(parts, splitCount{k, m})
			rest -= m
		}
	}
	if rest > 0 {
		parts = append([]splitCount{{"", rest}}, parts...)
	}
	return parts
}

// withMeasures returns the release r with the forms of every measure
// some respondents miss: the responses' forms stay as r decided them, and
// the measures' forms are decided after them, on atoms split by what
// their respondents miss, so that the check sees every difference between
// a measure's numbers and the responses'. Measures' forms too many to
// check are hidden.
func (r *Release) withMeasures(months []Month) *Release {
	s := newRelease(r.k, months, r.level, true)
	s.complete = r.complete
	p := s.protection()
	for i, f := range s.forms {
		if f.key.measure != "" {
			continue
		}
		if f0, ok := r.index[f.key]; ok {
			p.hidden[i], p.reason[i] = r.forms[f0].hidden, r.forms[f0].reason
		}
	}
	if !r.complete {
		// Only every response's all-time total is shown.
		for i, f := range s.forms {
			if f.key.measure != "" {
				p.hidden[i], p.reason[i] = true, Unchecked
			}
		}
		s.keep(p)
		return s
	}
	s.runPhases(p, newAuditor(s), s.equations(), phases, measurePhases)
	s.keep(p)
	return s
}

// Measures returns the measures whose numbers the release decides apart
// from the responses'; any other measure shows what the responses show.
func (r *Release) Measures() []Measure { return slices.Clone(r.measures) }

// HidesCount reports whether the release hides measure m of a node and
// selection, and why (see Hides). A measure no respondent misses is
// decided as the responses are; managers' own breakdowns have no
// measures' numbers.
func (r *Release) HidesCount(nd Node, s Selection, m Measure) (Reason, bool) {
	if m == "" || !slices.Contains(r.measures, m) {
		return r.Hides(nd, s)
	}
	if s.Cross {
		return Unchecked, true
	}
	if f, ok := r.lookupMeasure(nd, s, m); ok && f.hidden {
		return f.reason, true
	}
	return shown, false
}
