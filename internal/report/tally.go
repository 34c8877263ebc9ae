package report

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/survey"
)

// slot names one counter of a survey's cells: how many answered a
// question (value ""), how many gave one of its values, how many were
// not shown it (value notShown), or how many responses had a pattern
// (question patterns, value the pattern; see patternOf).
type slot struct{ question, value string }

// Names of slots no question or answer can have: keys and values are
// valid rollup fields, which hold no NUL.
const (
	notShown = "\x00hidden"
	patterns = "\x00pattern"
)

// layout numbers the counters of one survey, so that a cell is a vector
// and adding cells is adding vectors rather than merging maps. It grows
// when loading meets a counter the definition does not name (an option
// since removed, say); it is safe for concurrent use.
type layout struct {
	mu    sync.Mutex
	index map[slot]int
	slots []slot
}

// newLayout numbers the counters the survey's definition names.
func newLayout(def survey.Survey) *layout {
	l := &layout{index: make(map[slot]int)}
	for _, q := range def.Questions {
		if q.Type == survey.TypeText {
			continue
		}
		l.at(slot{question: q.Key})
		if q.ShowIf != nil {
			l.at(slot{q.Key, notShown})
		}
		if lo, hi, ok := q.Type.Scale(); ok {
			for v := lo; v <= hi; v++ {
				l.at(slot{q.Key, strconv.Itoa(v)})
			}
		}
		for _, o := range q.Options {
			l.at(slot{q.Key, o.Key})
		}
	}
	return l
}

func (l *layout) at(s slot) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.index[s]
	if !ok {
		i = len(l.slots)
		l.index[s] = i
		l.slots = append(l.slots, s)
	}
	return i
}

// lookup returns the number of a counter, if any cell has it.
func (l *layout) lookup(s slot) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.index[s]
	return i, ok
}

// size returns how many counters are numbered so far.
func (l *layout) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.slots)
}

// all returns the counters numbered so far.
func (l *layout) all() []slot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.slots)
}

// tally is what a group of responses adds up to: how many, and each
// counter of the survey's layout.
type tally struct {
	n int64
	c []int64
}

func (t *tally) add(o *tally) {
	t.n += o.n
	if len(t.c) < len(o.c) {
		t.c = append(t.c, make([]int64, len(o.c)-len(t.c))...)
	}
	for i, v := range o.c {
		t.c[i] += v
	}
}

func (t *tally) get(i int) int64 {
	if i < len(t.c) {
		return t.c[i]
	}
	return 0
}

// tally converts a rollup's counts.
func (l *layout) tally(rc rollups.Counts) tally {
	t := tally{n: rc.N, c: make([]int64, l.size())}
	set := func(s slot, v int64) {
		i := l.at(s)
		if i >= len(t.c) {
			t.c = append(t.c, make([]int64, i+1-len(t.c))...)
		}
		t.c[i] += v
	}
	for q, v := range rc.Answered {
		set(slot{question: q}, v)
	}
	for q, vs := range rc.Answers {
		for v, n := range vs {
			set(slot{q, v}, n)
		}
	}
	for p, n := range rc.Patterns {
		set(slot{patterns, p}, n)
		for _, q := range parsePattern(p).hidden {
			set(slot{q, notShown}, n)
		}
	}
	return t
}

// A snapshot's data: a quarter's counts of one dimension, by period and
// value, with the survey's counters named so that a later layout can read
// them. Varints throughout:
//
//	version (1)
//	strings: count, then length and bytes of each
//	slots: count, then each question's string and value's string + 1 (0 for answered)
//	periods: count, then each period's string, its count of values, and per value its
//	       string, respondents, count of non-zero counters and each counter's slot and count
const snapshotFormat = 2

var errSnapshotFormat = errors.New("report: unreadable snapshot")

func encodeSnapshot(weeks map[string]map[string]tally, l *layout) []byte {
	strs := make(map[string]uint64)
	var table []string
	str := func(s string) uint64 {
		i, ok := strs[s]
		if !ok {
			i = uint64(len(table))
			strs[s] = i
			table = append(table, s)
		}
		return i
	}
	slots := l.all()
	slotRefs := make([][2]uint64, len(slots))
	for i, s := range slots {
		slotRefs[i] = [2]uint64{str(s.question), 0}
		if s.value != "" {
			slotRefs[i][1] = str(s.value) + 1
		}
	}
	order := make([]string, 0, len(weeks))
	for w, values := range weeks {
		order = append(order, w)
		str(w)
		for v := range values {
			str(v)
		}
	}
	slices.Sort(order)

	b := binary.AppendUvarint(nil, snapshotFormat)
	b = binary.AppendUvarint(b, uint64(len(table)))
	for _, s := range table {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(slotRefs)))
	for _, r := range slotRefs {
		b = binary.AppendUvarint(b, r[0])
		b = binary.AppendUvarint(b, r[1])
	}
	b = binary.AppendUvarint(b, uint64(len(order)))
	for _, w := range order {
		b = binary.AppendUvarint(b, strs[w])
		values := weeks[w]
		keys := make([]string, 0, len(values))
		for v := range values {
			keys = append(keys, v)
		}
		slices.Sort(keys)
		b = binary.AppendUvarint(b, uint64(len(keys)))
		for _, v := range keys {
			t := values[v]
			b = binary.AppendUvarint(b, strs[v])
			b = binary.AppendVarint(b, t.n)
			nonzero := 0
			for _, c := range t.c {
				if c != 0 {
					nonzero++
				}
			}
			b = binary.AppendUvarint(b, uint64(nonzero))
			for i, c := range t.c {
				if c != 0 {
					b = binary.AppendUvarint(b, uint64(i))
					b = binary.AppendVarint(b, c)
				}
			}
		}
	}
	return b
}

func decodeSnapshot(data []byte, l *layout) (map[string]map[string]tally, error) {
	d := decoder{b: data}
	if d.uvarint() != snapshotFormat {
		return nil, errSnapshotFormat
	}
	table := make([]string, d.count())
	for i := range table {
		table[i] = d.string()
	}
	str := func(i uint64) string {
		if i >= uint64(len(table)) {
			d.err = errSnapshotFormat
			return ""
		}
		return table[i]
	}
	mapped := make([]int, d.count()) // snapshot slot → layout slot
	for i := range mapped {
		q, v := str(d.uvarint()), d.uvarint()
		s := slot{question: q}
		if v > 0 {
			s.value = str(v - 1)
		}
		mapped[i] = l.at(s)
	}
	width := l.size()
	out := make(map[string]map[string]tally)
	for range d.count() {
		w := str(d.uvarint())
		values := make(map[string]tally)
		for range d.count() {
			v := str(d.uvarint())
			t := tally{n: d.varint(), c: make([]int64, width)}
			for range d.count() {
				i, c := d.uvarint(), d.varint()
				if i >= uint64(len(mapped)) {
					return nil, errSnapshotFormat
				}
				t.c[mapped[i]] += c
			}
			values[v] = t
		}
		out[w] = values
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errSnapshotFormat
	}
	return out, nil
}

// decoder reads varints, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errSnapshotFormat, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = errSnapshotFormat, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length, bounded by what is left to read so that a damaged
// snapshot cannot ask for a huge allocation.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err, d.b = errSnapshotFormat, nil
		return 0
	}
	return int(v)
}

func (d *decoder) string() string {
	n := d.count()
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
