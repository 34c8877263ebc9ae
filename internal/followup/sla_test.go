package followup_test

import (
	"testing"
	"time"

	"github.com/candorhq/candor/internal/followup"
)

func TestAddBusinessDays(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	helsinki := time.FixedZone("EET", 2*3600)
	newYork := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name string
		from time.Time
		days int
		want string
	}{
		{"Monday morning, 2 days", at("2026-12-07T09:00:00Z"), 2, "2026-12-09T09:00:00Z"},
		{"Wednesday, 2 days, same week", at("2026-12-09T15:30:00Z"), 2, "2026-12-11T15:30:00Z"},
		{"Thursday, 2 days: over the weekend", at("2026-12-10T10:00:00Z"), 2, "2026-12-14T10:00:00Z"},
		{"Friday evening, 1 day", at("2026-12-11T18:00:00Z"), 1, "2026-12-14T18:00:00Z"},
		{"Friday evening, 2 days", at("2026-12-11T18:00:00Z"), 2, "2026-12-15T18:00:00Z"},
		{"Friday just before midnight", at("2026-12-11T23:59:00Z"), 1, "2026-12-14T23:59:00Z"},
		{"Saturday: the clock starts on Monday", at("2026-12-12T10:00:00Z"), 2, "2026-12-16T00:00:00Z"},
		{"Sunday night", at("2026-12-13T23:00:00Z"), 1, "2026-12-15T00:00:00Z"},
		{"5 days: a calendar week", at("2026-12-08T08:00:00Z"), 5, "2026-12-15T08:00:00Z"},
		{"10 days: two weekends", at("2026-12-07T08:00:00Z"), 10, "2026-12-21T08:00:00Z"},
		{"no days", at("2026-12-09T08:00:00Z"), 0, "2026-12-09T08:00:00Z"},
		{"Friday 23:30 in New York is Saturday in UTC", time.Date(2026, 12, 11, 23, 30, 0, 0, newYork), 1, "2026-12-15T00:00:00Z"},
		{"Monday 01:00 in Helsinki is Sunday in UTC", time.Date(2026, 12, 14, 1, 0, 0, 0, helsinki), 1, "2026-12-15T00:00:00Z"},
		{"Friday noon in Helsinki", time.Date(2026, 12, 11, 12, 0, 0, 0, helsinki), 1, "2026-12-14T10:00:00Z"},
		{"over the turn of the year", at("2026-12-31T12:00:00Z"), 2, "2027-01-04T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := followup.AddBusinessDays(tt.from, tt.days)
			if got.Location() != time.UTC || !got.Equal(at(tt.want)) {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want %s", tt.from.Format(time.RFC3339), tt.days, got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

// FuzzAddBusinessDays checks what holds for every start and SLA: the due
// time is on a weekday, at least n×24 hours later, and one more day is
// due later still.
func FuzzAddBusinessDays(f *testing.F) {
	f.Add(int64(1797058800), uint8(2)) // a Friday evening
	f.Add(int64(1797127200), uint8(5)) // a Saturday
	f.Fuzz(func(t *testing.T, unix int64, n uint8) {
		from := time.Unix(unix%(1<<36), 0)
		days := int(n % 61)
		got := followup.AddBusinessDays(from, days)
		if days > 0 && (got.Weekday() == time.Saturday || got.Weekday() == time.Sunday) {
			t.Fatalf("%s + %d business days = %s, a weekend", from.UTC(), days, got)
		}
		if got.Sub(from) < time.Duration(days)*24*time.Hour {
			t.Fatalf("%s + %d business days = %s, sooner than %d days", from.UTC(), days, got, days)
		}
		if next := followup.AddBusinessDays(from, days+1); !next.After(got) {
			t.Fatalf("%d+1 business days (%s) is not after %d (%s)", days, next, days, got)
		}
		// At most two weekend days per five business days, and the start's weekend.
		if most := time.Duration(days+2*(days/5+1)+2) * 24 * time.Hour; got.Sub(from) > most {
			t.Fatalf("%s + %d business days = %s, later than %s", from.UTC(), days, got, most)
		}
	})
}
