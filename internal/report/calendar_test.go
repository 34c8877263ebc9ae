package report

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWeeks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		day  string
		week string
		part string
	}{
		{"1970-01-05", "1970-W02", "1970-W02-01"},
		{"2024-12-30", "2025-W01", "2025-W01-12"}, // the December days of 2025's first week
		{"2025-01-05", "2025-W01", "2025-W01-01"},
		{"2025-01-06", "2025-W02", "2025-W02-01"},
		{"2025-03-31", "2025-W14", "2025-W14-03"},
		{"2025-04-01", "2025-W14", "2025-W14-04"},
		{"2026-12-31", "2026-W53", "2026-W53-12"},
		{"2027-01-03", "2026-W53", "2026-W53-01"},
		{"1969-12-31", "1970-W01", "1970-W01-12"},
	}
	for _, tt := range tests {
		d := dayOf(day(tt.day))
		w := weekOfDay(d)
		if got := w.String(); got != tt.week {
			t.Errorf("week of %s = %s, want %s", tt.day, got, tt.week)
		}
		p := partOf(d)
		if got := p.String(); got != tt.part {
			t.Errorf("part of %s = %s, want %s", tt.day, got, tt.part)
		}
		if back, err := parsePart(tt.part); err != nil || back != p {
			t.Errorf("parsePart(%s) = %v, %v; want %v", tt.part, back, err, p)
		}
		if p.first() > d || p.last() < d || partOf(p.first()) != p || partOf(p.last()) != p {
			t.Errorf("part %s runs %v..%v, not around %s", p, p.first().time(), p.last().time(), tt.day)
		}
		back, err := parseWeek(tt.week)
		if err != nil || back != w {
			t.Errorf("parseWeek(%s) = %v, %v; want %v", tt.week, back, err, w)
		}
		if m := w.monday(); m.Weekday() != time.Monday || weekOf(m) != w || weekOf(m.AddDate(0, 0, 6)) != w {
			t.Errorf("monday of %s = %v", tt.week, m)
		}
	}
	for _, bad := range []string{"", "2025-W00", "2025-W54", "2025-W1", "2025W01x", "abcd-W01", "2025-X01", "-001-W01"} {
		if _, err := parseWeek(bad); err == nil {
			t.Errorf("parseWeek(%q) succeeded", bad)
		}
	}
	for _, bad := range []string{"", "2025-W01", "2025-W01-03", "2025-W01-1x", "2025-W14x03"} {
		if _, err := parsePart(bad); err == nil {
			t.Errorf("parsePart(%q) succeeded", bad)
		}
	}
}

func TestCalendarPeriods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p          Period
		day        string
		label      string
		first, end string
	}{
		{Monthly, "2026-07-15", "2026-07", "2026-07-01", "2026-07-31"},
		{Monthly, "2024-02-29", "2024-02", "2024-02-01", "2024-02-29"},
		{Quarterly, "2026-06-30", "2026-Q2", "2026-04-01", "2026-06-30"},
		{Quarterly, "2026-12-31", "2026-Q4", "2026-10-01", "2026-12-31"},
		{Weekly, "2026-07-01", "2026-W27", "2026-06-29", "2026-07-05"},
	}
	for _, tt := range tests {
		u := unitOf(tt.p, dayOf(day(tt.day)))
		if u.label != tt.label || u.from() != day(tt.first) || u.to() != day(tt.end) {
			t.Errorf("%s of %s = %s %v..%v; want %s %s..%s", tt.p, tt.day, u.label, u.from(), u.to(), tt.label, tt.first, tt.end)
		}
		back, err := parseUnit(tt.p, tt.label)
		if err != nil || back != u {
			t.Errorf("parseUnit(%s, %s) = %+v, %v; want %+v", tt.p, tt.label, back, err, u)
		}
	}
}

func TestPeriodsTileWithoutGaps(t *testing.T) {
	t.Parallel()
	// Consecutive units leave no gap; months nest in quarters; every part
	// lies within one week and one month.
	first, last := dayOf(day("2019-12-01")), dayOf(day("2027-02-01"))
	for _, p := range []Period{Weekly, Monthly, Quarterly} {
		us := units(p, first, last)
		for i := 1; i < len(us); i++ {
			if us[i].first != us[i-1].last+1 {
				t.Fatalf("%s: gap between %s and %s", p, us[i-1].label, us[i].label)
			}
		}
		if us[0].first > first || us[len(us)-1].last < last {
			t.Errorf("%s: units do not cover the range", p)
		}
	}
	for d := first; d <= last; d++ {
		pt, w, m, q := partOf(d), unitOf(Weekly, d), unitOf(Monthly, d), unitOf(Quarterly, d)
		if pt.first() < max(w.first, m.first) || pt.last() > min(w.last, m.last) {
			t.Fatalf("part %s of %v leaves week %s or month %s", pt, d.time(), w.label, m.label)
		}
		if m.first < q.first || m.last > q.last || pt.monthLabel() != m.label || pt.quarterLabel() != q.label {
			t.Fatalf("month %s is not in quarter %s", m.label, q.label)
		}
	}
}
