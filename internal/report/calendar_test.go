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
		day   string
		week  string
		month string // the month the week belongs to
	}{
		{"1970-01-05", "1970-W02", "1970-01"},
		{"2024-12-30", "2025-W01", "2025-01"}, // Monday of a week whose Thursday is in January
		{"2025-01-05", "2025-W01", "2025-01"},
		{"2025-01-06", "2025-W02", "2025-01"},
		{"2025-03-31", "2025-W14", "2025-04"}, // Thursday 3 April
		{"2025-03-30", "2025-W13", "2025-03"},
		{"2026-12-31", "2026-W53", "2026-12"},
		{"2027-01-03", "2026-W53", "2026-12"},
		{"1969-12-31", "1970-W01", "1970-01"},
	}
	for _, tt := range tests {
		w := weekOf(day(tt.day))
		if got := w.String(); got != tt.week {
			t.Errorf("weekOf(%s) = %s, want %s", tt.day, got, tt.week)
		}
		if got := unitOf(Monthly, w).label; got != tt.month {
			t.Errorf("month of %s = %s, want %s", tt.week, got, tt.month)
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
}

func TestPeriodsTileWithoutGaps(t *testing.T) {
	t.Parallel()
	// Every week belongs to exactly one month and quarter, months nest in
	// quarters, and consecutive units leave no gap.
	first, last := weekOf(day("2019-12-01")), weekOf(day("2027-02-01"))
	for _, p := range []Period{Weekly, Monthly, Quarterly} {
		us := units(p, first, last)
		for i := 1; i < len(us); i++ {
			if us[i].first != us[i-1].last+1 {
				t.Fatalf("%s: %s then %s leaves a gap", p, us[i-1].label, us[i].label)
			}
		}
	}
	for w := first; w <= last; w++ {
		m, q := unitOf(Monthly, w), unitOf(Quarterly, w)
		if w < m.first || w > m.last || m.first < q.first || m.last > q.last {
			t.Fatalf("week %s: month %s (%s..%s) not inside quarter %s", w, m.label, m.first, m.last, q.label)
		}
		if n := int(m.last - m.first + 1); n < 4 || n > 5 {
			t.Fatalf("month %s has %d weeks", m.label, n)
		}
		ms := q.months()
		if ms[0].first != q.first || ms[2].last != q.last || ms[1].first != ms[0].last+1 || ms[2].first != ms[1].last+1 {
			t.Fatalf("quarter %s months %v", q.label, ms)
		}
	}
}

func TestCover(t *testing.T) {
	t.Parallel()
	q1 := quarterUnit(2025, 1)
	jan, feb := monthUnit(2025, time.January), monthUnit(2025, time.February)
	tests := []struct {
		name        string
		first, last week
		want        []string
	}{
		{"a quarter", q1.first, q1.last, []string{"2025-Q1"}},
		{"two months", jan.first, feb.last, []string{"2025-01", "2025-02"}},
		{"weeks then a month", jan.first + 2, feb.last, []string{"2025-W03", "2025-W04", "2025-W05", "2025-02"}},
		{"a quarter and a week", q1.first, q1.last + 1, []string{"2025-Q1", "2025-W14"}},
		{"one week", jan.first, jan.first, []string{"2025-W01"}},
	}
	for _, tt := range tests {
		var got []string
		for _, u := range cover(tt.first, tt.last) {
			got = append(got, u.label)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: cover = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: cover = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}
