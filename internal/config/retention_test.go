package config

import (
	"strings"
	"testing"
)

func TestLoadRetention(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    Retention
		loadErr string // in Load's error
		bad     string // in Validate's error
	}{
		{name: "defaults", want: Retention{DevOutboxDays: 30, DeadLetterDays: 30}},
		{name: "all set", env: map[string]string{
			"CANDOR_RETENTION_CONTACT_MONTHS": "24", "CANDOR_RETENTION_NAMED_MONTHS": " 12 ",
			"CANDOR_RETENTION_DEV_OUTBOX_DAYS": "0", "CANDOR_RETENTION_DEAD_LETTER_DAYS": "3650",
		}, want: Retention{ContactMonths: 24, NamedMonths: 12, DevOutboxDays: 0, DeadLetterDays: 3650}},
		{name: "not a number", env: map[string]string{"CANDOR_RETENTION_NAMED_MONTHS": "a year"}, loadErr: "CANDOR_RETENTION_NAMED_MONTHS"},
		{name: "too many months", env: map[string]string{"CANDOR_RETENTION_CONTACT_MONTHS": "121"},
			want: Retention{ContactMonths: 121, DevOutboxDays: 30, DeadLetterDays: 30}, bad: "CANDOR_RETENTION_CONTACT_MONTHS: 121 is outside 0 (off) to 120 months"},
		{name: "negative days", env: map[string]string{"CANDOR_RETENTION_DEAD_LETTER_DAYS": "-1"},
			want: Retention{DevOutboxDays: 30, DeadLetterDays: -1}, bad: "CANDOR_RETENTION_DEAD_LETTER_DAYS: -1 is outside 0 (off) to 3650 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tc.env))
			if tc.loadErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.loadErr) {
					t.Fatalf("Load err = %v, want one naming %s", err, tc.loadErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Retention != tc.want {
				t.Errorf("Retention = %+v, want %+v", c.Retention, tc.want)
			}
			err = c.Validate()
			switch {
			case tc.bad == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
				t.Errorf("Validate = %v, want %q", err, tc.bad)
			}
		})
	}
}
