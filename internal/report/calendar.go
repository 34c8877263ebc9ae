package report

import (
	"fmt"
	"strconv"
	"time"
)

// week is an ISO 8601 week, counted from the one that starts on Monday
// 1970-01-05, so that weeks order and subtract as integers.
type week int

const (
	secondsPerDay = 24 * 60 * 60
	epochMonday   = 4 * secondsPerDay // 1970-01-05T00:00:00Z
)

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// weekOf returns the week of t's UTC day.
func weekOf(t time.Time) week {
	days := floorDiv(t.Unix()-epochMonday, secondsPerDay)
	return week(floorDiv(days, 7))
}

func (w week) monday() time.Time {
	return time.Unix(epochMonday+int64(w)*7*secondsPerDay, 0).UTC()
}

// String returns the ISO week, "2006-W01".
func (w week) String() string {
	y, n := w.monday().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, n)
}

// parseWeek reads what String writes.
func parseWeek(s string) (week, error) {
	if len(s) != len("2006-W01") || s[4] != '-' || s[5] != 'W' {
		return 0, fmt.Errorf("report: week %q: not an ISO week", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	n, err2 := strconv.Atoi(s[6:])
	if err1 != nil || err2 != nil || y < 0 || n < 1 {
		return 0, fmt.Errorf("report: week %q: not an ISO week", s)
	}
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC) // always in week 1
	w := weekOf(jan4) + week(n-1)
	if wy, wn := w.monday().ISOWeek(); wy != y || wn != n {
		return 0, fmt.Errorf("report: week %q: no such week", s)
	}
	return w, nil
}

// month returns the month the week belongs to: that of its Thursday.
func (w week) month() (int, time.Month) {
	th := w.monday().AddDate(0, 0, 3)
	return th.Year(), th.Month()
}

// firstWeek returns the first week of a month: the one with the month's
// first Thursday.
func firstWeek(y int, m time.Month) week {
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return weekOf(d.AddDate(0, 0, (int(time.Thursday)-int(d.Weekday())+7)%7))
}

// unit is one week, month or quarter: a run of whole weeks.
type unit struct {
	period      Period
	first, last week
	label       string // "2006-W01", "2006-01" or "2006-Q1"
}

func unitOf(p Period, w week) unit {
	switch p {
	case Weekly:
		return unit{period: Weekly, first: w, last: w, label: w.String()}
	case Monthly:
		y, m := w.month()
		return monthUnit(y, m)
	}
	y, m := w.month()
	return quarterUnit(y, (int(m)-1)/3+1)
}

func monthUnit(y int, m time.Month) unit {
	// time.Date normalises month 13 to January of the next year.
	return unit{period: Monthly, first: firstWeek(y, m), last: firstWeek(y, m+1) - 1, label: fmt.Sprintf("%04d-%02d", y, m)}
}

func quarterUnit(y, q int) unit {
	m := time.Month(3*(q-1) + 1)
	return unit{period: Quarterly, first: firstWeek(y, m), last: firstWeek(y, m+3) - 1, label: fmt.Sprintf("%04d-Q%d", y, q)}
}

// months returns the three months of a quarter.
func (u unit) months() [3]unit {
	y, m := u.first.month()
	return [3]unit{monthUnit(y, m), monthUnit(y, m+1), monthUnit(y, m+2)}
}

func (u unit) from() time.Time { return u.first.monday() }
func (u unit) to() time.Time   { return u.last.monday().AddDate(0, 0, 6) }

// units returns the units of period p from the one holding first to the
// one holding last.
func units(p Period, first, last week) []unit {
	var out []unit
	for w := first; w <= last; {
		u := unitOf(p, w)
		out = append(out, u)
		w = u.last + 1
	}
	return out
}

// cover returns the fewest whole quarters, months and weeks that make up
// first..last: the canonical cells a range's numbers are the sum of.
func cover(first, last week) []unit {
	var out []unit
	for w := first; w <= last; {
		u := unitOf(Weekly, w)
		if q := unitOf(Quarterly, w); q.first == w && q.last <= last {
			u = q
		} else if m := unitOf(Monthly, w); m.first == w && m.last <= last {
			u = m
		}
		out = append(out, u)
		w = u.last + 1
	}
	return out
}
