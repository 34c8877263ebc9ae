package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Retention is the retention policy's defaults (CANDOR_RETENTION_*). The
// admin page's saved values override them; 0 turns a rule off.
type Retention struct {
	ContactMonths  int // CANDOR_RETENTION_CONTACT_MONTHS: erase contacts not surveyed for so long (0, off)
	NamedMonths    int // CANDOR_RETENTION_NAMED_MONTHS: take the names off answers so old (0, off)
	DevOutboxDays  int // CANDOR_RETENTION_DEV_OUTBOX_DAYS: delete dev-outbox mail so old (30)
	DeadLetterDays int // CANDOR_RETENTION_DEAD_LETTER_DAYS: delete failed and bounced messages so old (30)
}

// Bounds of the retention periods.
const (
	MaxRetentionMonths = 120
	MaxRetentionDays   = 3650
)

func (r *Retention) fields() []struct {
	env  string
	dst  *int
	most int
	unit string
} {
	return []struct {
		env  string
		dst  *int
		most int
		unit string
	}{
		{"CANDOR_RETENTION_CONTACT_MONTHS", &r.ContactMonths, MaxRetentionMonths, "months"},
		{"CANDOR_RETENTION_NAMED_MONTHS", &r.NamedMonths, MaxRetentionMonths, "months"},
		{"CANDOR_RETENTION_DEV_OUTBOX_DAYS", &r.DevOutboxDays, MaxRetentionDays, "days"},
		{"CANDOR_RETENTION_DEAD_LETTER_DAYS", &r.DeadLetterDays, MaxRetentionDays, "days"},
	}
}

// load reads the variables over the defaults.
func (r *Retention) load(getenv func(string) string) []error {
	*r = Retention{DevOutboxDays: 30, DeadLetterDays: 30}
	var errs []error
	for _, f := range r.fields() {
		v := strings.TrimSpace(getenv(f.env))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a whole number", f.env, v))
			continue
		}
		*f.dst = n
	}
	return errs
}

// validate reports periods out of bounds through add.
func (r Retention) validate(add func(format string, args ...any)) {
	for _, f := range r.fields() {
		if *f.dst < 0 || *f.dst > f.most {
			add("%s: %d is outside 0 (off) to %d %s", f.env, *f.dst, f.most, f.unit)
		}
	}
}
