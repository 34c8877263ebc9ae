package retention

import (
	"testing"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
)

func TestNamedMonthsFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy, survey, want int
	}{
		{0, 0, 0},
		{12, 0, 12},
		{0, 6, 6},  // a survey may limit names when the policy does not
		{12, 6, 6}, // and keep them for fewer months
		{6, 12, 6}, // but never for more
		{12, 12, 12},
		{-1, 0, 0},
	} {
		if got := NamedMonthsFor(tc.policy, tc.survey); got != tc.want {
			t.Errorf("NamedMonthsFor(%d, %d) = %d, want %d", tc.policy, tc.survey, got, tc.want)
		}
	}
}

func TestCutoffs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 31, 15, 4, 5, 0, time.FixedZone("EET", 2*3600))
	for _, tc := range []struct {
		name     string
		p        Policy
		survey   int
		contact  string // RFC 3339, or "" when off
		named    string // day, or "" when off
		devMail  string
		deadMail string
	}{
		{name: "everything off", p: Policy{}},
		{name: "a year and a month",
			p: Policy{ContactMonths: 12, NamedMonths: 1, DevOutboxDays: 30, DeadLetterDays: 1},
			// A month before 31 March is "31 February", which is 3 March.
			contact: "2025-03-31T13:04:05Z", named: "2026-03-03",
			devMail: "2026-03-01T13:04:05Z", deadMail: "2026-03-30T13:04:05Z"},
		{name: "the survey's shorter limit", p: Policy{NamedMonths: 24}, survey: 3, named: "2025-12-31"},
		{name: "a survey's limit without a policy", p: Policy{}, survey: 120, named: "2016-03-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tc.p.ContactCutoff(now)
			if want := tc.contact; (want == "") == ok || (ok && got.Format(time.RFC3339) != want) {
				t.Errorf("ContactCutoff = %v, %v; want %q", got, ok, want)
			}
			day, ok := tc.p.NamedCutoff(now, tc.survey)
			if (tc.named == "") == ok || day != tc.named {
				t.Errorf("NamedCutoff = %q, %v; want %q", day, ok, tc.named)
			}
			got, ok = tc.p.DevOutboxCutoff(now)
			if want := tc.devMail; (want == "") == ok || (ok && got.Format(time.RFC3339) != want) {
				t.Errorf("DevOutboxCutoff = %v, %v; want %q", got, ok, want)
			}
			got, ok = tc.p.DeadLetterCutoff(now)
			if want := tc.deadMail; (want == "") == ok || (ok && got.Format(time.RFC3339) != want) {
				t.Errorf("DeadLetterCutoff = %v, %v; want %q", got, ok, want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    Policy
		bad  []string
	}{
		{"zero", Policy{}, nil},
		{"the largest", Policy{ContactMonths: MaxMonths, NamedMonths: MaxMonths, DevOutboxDays: MaxDays, DeadLetterDays: MaxDays}, nil},
		{"negative", Policy{ContactMonths: -1, DeadLetterDays: -1}, []string{FieldContactMonths, FieldDeadLetterDays}},
		{"too long", Policy{NamedMonths: MaxMonths + 1, DevOutboxDays: MaxDays + 1}, []string{FieldNamedMonths, FieldDevOutboxDays}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.p.Validate()
			fields := fault.FieldsOf(err)
			if len(fields) != len(tc.bad) || (err != nil) != (len(tc.bad) > 0) {
				t.Fatalf("Validate() = %v, want problems with %v", err, tc.bad)
			}
			for _, f := range tc.bad {
				if fields[f] == "" {
					t.Errorf("no problem with %s: %v", f, fields)
				}
			}
			if err != nil && fault.KindOf(err) != fault.Invalid {
				t.Errorf("kind %v, want invalid", fault.KindOf(err))
			}
		})
	}
}

func TestSavedValuesOverrideTheDefaults(t *testing.T) {
	t.Parallel()
	defaults := Policy{ContactMonths: 24, NamedMonths: 12, DevOutboxDays: 30, DeadLetterDays: 30}
	zero, six := 0, 6
	for _, tc := range []struct {
		name   string
		stored store.RetentionPolicy
		want   Policy
	}{
		{"never saved", store.RetentionPolicy{}, defaults},
		{"one saved", store.RetentionPolicy{NamedMonths: &six}, Policy{ContactMonths: 24, NamedMonths: 6, DevOutboxDays: 30, DeadLetterDays: 30}},
		{"turned off", store.RetentionPolicy{ContactMonths: &zero, DevOutboxDays: &zero}, Policy{NamedMonths: 12, DeadLetterDays: 30}},
		{"all saved", Policy{1, 2, 3, 4}.stored(), Policy{1, 2, 3, 4}},
	} {
		if got := defaults.over(tc.stored); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestCountsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []Counts{{}, {1, 2, 3, 4, 5}, {Contacts: 1 << 40}} {
		if got := ParseCounts(c.String()); got != c {
			t.Errorf("ParseCounts(%q) = %+v", c.String(), got)
		}
	}
	if got := ParseCounts("contacts=x named=-1 devMails=3 junk deadLetters=2=2"); got != (Counts{DevMails: 3}) {
		t.Errorf("malformed parts: %+v", got)
	}
}

func FuzzParseCounts(f *testing.F) {
	f.Add("contacts=1 named=2 devMails=3 deadLetters=4")
	f.Add("contacts==1 named=99999999999999999999 =")
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseCounts(s)
		if c.Contacts < 0 || c.Named < 0 || c.DevMails < 0 || c.DeadLetters < 0 {
			t.Fatalf("negative count from %q: %+v", s, c)
		}
		if again := ParseCounts(c.String()); again != c {
			t.Fatalf("not stable: %+v, then %+v", c, again)
		}
	})
}

func FuzzValidate(f *testing.F) {
	f.Add(0, 0, 30, 30)
	f.Add(-1, 121, 3651, 1<<40)
	f.Fuzz(func(t *testing.T, a, b, c, d int) {
		p := Policy{a, b, c, d}
		err := p.Validate()
		inBounds := a >= 0 && a <= MaxMonths && b >= 0 && b <= MaxMonths && c >= 0 && c <= MaxDays && d >= 0 && d <= MaxDays
		if (err == nil) != inBounds {
			t.Fatalf("Validate(%+v) = %v", p, err)
		}
	})
}
