package staff

import (
	"net/url"
	"testing"

	"github.com/candorhq/candor/internal/retention"
)

func TestParseRetentionForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		form     url.Values
		want     retention.Policy
		problems []string
	}{
		{"all given", url.Values{"contactMonths": {"24"}, "namedMonths": {" 12 "}, "devOutboxDays": {"30"}, "deadLetterDays": {"0"}},
			retention.Policy{ContactMonths: 24, NamedMonths: 12, DevOutboxDays: 30}, nil},
		{"empty is off", url.Values{}, retention.Policy{}, nil},
		{"not numbers", url.Values{"contactMonths": {"two"}, "deadLetterDays": {"1.5"}, "namedMonths": {"99999999999999999999"}},
			retention.Policy{}, []string{"contactMonths", "deadLetterDays", "namedMonths"}},
		{"out of bounds is the service's to say", url.Values{"namedMonths": {"-3"}}, retention.Policy{NamedMonths: -3}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, values, problems := parseRetentionForm(tc.form)
			if got != tc.want {
				t.Errorf("policy %+v, want %+v", got, tc.want)
			}
			if len(problems) != len(tc.problems) {
				t.Errorf("problems %v, want on %v", problems, tc.problems)
			}
			for _, f := range tc.problems {
				if problems[f] == "" {
					t.Errorf("no problem on %s: %v", f, problems)
				}
			}
			if len(values) != 4 {
				t.Errorf("values %v, want the four fields", values)
			}
		})
	}
}

func FuzzParseRetentionForm(f *testing.F) {
	f.Add("contactMonths=24&namedMonths=12&devOutboxDays=30&deadLetterDays=30")
	f.Add("contactMonths=%00&namedMonths=-0&devOutboxDays=1e9&deadLetterDays=+5")
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body)
		p, values, problems := parseRetentionForm(form)
		for name, v := range values {
			if len(v) > 12 {
				t.Fatalf("%s kept %d characters", name, len(v))
			}
		}
		for name := range problems {
			if _, ok := values[name]; !ok {
				t.Fatalf("a problem on unknown field %q", name)
			}
		}
		if len(problems) == 0 {
			_ = p.Validate() // never panics, whatever the numbers
		}
	})
}
