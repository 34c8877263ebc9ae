package report

import (
	"fmt"
	"strconv"
	"time"
)

// date is a UTC calendar day, counted from 1970-01-01.
type date int

const secondsPerDay = 24 * 60 * 60

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// dayOf returns t's UTC day.
func dayOf(t time.Time) date { return date(floorDiv(t.Unix(), secondsPerDay)) }

func (d date) time() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// week is an ISO 8601 week, counted from the one that starts on Monday
// 1970-01-05, so that weeks order and subtract as integers.
type week int

// weekOf returns the week of t's UTC day.
func weekOf(t time.Time) week { return weekOfDay(dayOf(t)) }

func weekOfDay(d date) week { return week(floorDiv(int64(d)-4, 7)) } // day 4 is Monday 1970-01-05

func (w week) mondayDay() date   { return date(int(w)*7 + 4) }
func (w week) monday() time.Time { return w.mondayDay().time() }

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

// part is the days of one ISO week that fall in one calendar month: the
// finest period rollups count, since weeks and months both are sums of
// parts while a week may span two months.
type part struct {
	week  week
	year  int
	month time.Month
}

func partOf(d date) part {
	t := d.time()
	return part{week: weekOfDay(d), year: t.Year(), month: t.Month()}
}

// String returns the part's label, "2026-W27-07": the ISO week, then the
// month.
func (p part) String() string { return fmt.Sprintf("%s-%02d", p.week, int(p.month)) }

// parsePart reads what String writes.
func parsePart(s string) (part, error) {
	if len(s) != len("2006-W01-01") || s[8] != '-' {
		return part{}, fmt.Errorf("report: period %q: not a week of a month", s)
	}
	w, err := parseWeek(s[:8])
	if err != nil {
		return part{}, err
	}
	m, err := strconv.Atoi(s[9:])
	if err != nil {
		return part{}, fmt.Errorf("report: period %q: not a week of a month", s)
	}
	for d := w.mondayDay(); d < w.mondayDay()+7; d++ {
		if p := partOf(d); int(p.month) == m {
			return p, nil
		}
	}
	return part{}, fmt.Errorf("report: period %q: the week has no date in that month", s)
}

// first and last are the part's first and last day.
func (p part) first() date {
	return max(p.week.mondayDay(), dayOf(time.Date(p.year, p.month, 1, 0, 0, 0, 0, time.UTC)))
}

func (p part) last() date {
	return min(p.week.mondayDay()+6, dayOf(time.Date(p.year, p.month+1, 1, 0, 0, 0, 0, time.UTC))-1)
}

func (p part) monthLabel() string   { return fmt.Sprintf("%04d-%02d", p.year, int(p.month)) }
func (p part) quarterLabel() string { return fmt.Sprintf("%04d-Q%d", p.year, (int(p.month)-1)/3+1) }

// unit is one period: an ISO week, a calendar month or a calendar quarter.
type unit struct {
	period      Period
	first, last date
	label       string // "2006-W01", "2006-01" or "2006-Q1"
}

func unitOf(p Period, d date) unit {
	switch p {
	case Weekly:
		w := weekOfDay(d)
		return unit{period: Weekly, first: w.mondayDay(), last: w.mondayDay() + 6, label: w.String()}
	case Monthly:
		t := d.time()
		return monthUnit(t.Year(), t.Month())
	}
	t := d.time()
	q := (int(t.Month())-1)/3 + 1
	first := dayOf(time.Date(t.Year(), time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC))
	last := dayOf(time.Date(t.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)) - 1
	return unit{period: Quarterly, first: first, last: last, label: fmt.Sprintf("%04d-Q%d", t.Year(), q)}
}

func monthUnit(y int, m time.Month) unit {
	// time.Date normalises month 13 to January of the next year.
	first := dayOf(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
	last := dayOf(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)) - 1
	return unit{period: Monthly, first: first, last: last, label: fmt.Sprintf("%04d-%02d", y, int(m))}
}

// parseUnit reads a unit's label.
func parseUnit(p Period, label string) (unit, error) {
	switch p {
	case Weekly:
		w, err := parseWeek(label)
		if err != nil {
			return unit{}, err
		}
		return unitOf(Weekly, w.mondayDay()), nil
	case Monthly:
		t, err := time.Parse("2006-01", label)
		if err != nil {
			return unit{}, fmt.Errorf("report: month %q: %w", label, err)
		}
		return monthUnit(t.Year(), t.Month()), nil
	case Quarterly:
		var y, q int
		if _, err := fmt.Sscanf(label, "%04d-Q%d", &y, &q); err != nil || q < 1 || q > 4 {
			return unit{}, fmt.Errorf("report: quarter %q: not a quarter", label)
		}
		return unitOf(Quarterly, monthUnit(y, time.Month(3*q)).first), nil
	}
	return unit{}, fmt.Errorf("report: period %q: unknown", p)
}

func (u unit) from() time.Time { return u.first.time() }
func (u unit) to() time.Time   { return u.last.time() }

// units returns the units of period p from the one holding first to the
// one holding last.
func units(p Period, first, last date) []unit {
	var out []unit
	for d := first; d <= last; {
		u := unitOf(p, d)
		out = append(out, u)
		d = u.last + 1
	}
	return out
}
