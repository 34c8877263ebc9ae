package followup

import "time"

// SLA is how long a follow-up may stay unresolved, in business days, and
// how long before its due time its owner is reminded (config validates
// it: days 1 to 60, a reminder within the shortest SLA).
type SLA struct {
	DetractorDays int           // detractors (NPS 0–6)
	OtherDays     int           // passives, promoters and responses without an NPS answer
	RemindBefore  time.Duration // 0: no reminder
}

// DefaultSLA is the SLA when none is configured.
var DefaultSLA = SLA{DetractorDays: 2, OtherDays: 5, RemindBefore: 24 * time.Hour}

// days is the SLA of a follow-up.
func (s SLA) days(detractor bool) int {
	if detractor {
		return s.DetractorDays
	}
	return s.OtherDays
}

// AddBusinessDays returns the time n business days after from, in UTC:
// the clock runs Monday to Friday only, so a follow-up that comes in on a
// weekend starts on Monday at 00:00, and one due on a weekend is due on the
// Monday after at the same time of day. Holidays are not considered: they
// differ by country, and a follow-up's account may be in any of them.
func AddBusinessDays(from time.Time, n int) time.Time {
	t := from.UTC()
	if weekend(t) {
		t = nextMonday(t)
	}
	for range n {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() == time.Saturday { // from a Friday: t is on a weekday before each step
			t = t.AddDate(0, 0, 2)
		}
	}
	return t
}

func weekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

// nextMonday is the Monday at 00:00 after the weekend day t.
func nextMonday(t time.Time) time.Time {
	days := 1
	if t.Weekday() == time.Saturday {
		days = 2
	}
	y, m, d := t.AddDate(0, 0, days).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
