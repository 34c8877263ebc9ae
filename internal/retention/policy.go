// Package retention keeps personal data no longer than the retention
// policy says: contacts not surveyed for long are erased like an erasure
// request, named answers lose the name after a while (the answer stays,
// anonymous), and the dev outbox's mail and the dead letters are deleted
// after some days. A daily sweep does it, leased so that one process runs
// it however many share the database, in bounded batches of idempotent
// steps, so that a run cut short is finished by the next; each run is
// audit-logged with its counts, and a preview tells what the next will do.
package retention

import (
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Policy is the retention policy in effect. Every period is off at 0.
type Policy struct {
	ContactMonths  int `json:"contactMonths"`  // contacts not surveyed (or created, never surveyed) so long ago are erased
	NamedMonths    int `json:"namedMonths"`    // named answers so old lose the name; a survey may say fewer
	DevOutboxDays  int `json:"devOutboxDays"`  // dev-outbox mail so old is deleted
	DeadLetterDays int `json:"deadLetterDays"` // failed and bounced messages so old are deleted
}

// Bounds of the periods.
const (
	MaxMonths = survey.MaxRetentionMonths // ten years
	MaxDays   = 3650
)

// Field names, as the API and the admin page's form name them.
const (
	FieldContactMonths  = "contactMonths"
	FieldNamedMonths    = "namedMonths"
	FieldDevOutboxDays  = "devOutboxDays"
	FieldDeadLetterDays = "deadLetterDays"
)

// Validate reports periods out of bounds as field errors (fault.Invalid).
func (p Policy) Validate() error {
	problems := map[string]string{}
	check := func(field string, v, most int, unit string) {
		if v < 0 || v > most {
			problems[field] = fmt.Sprintf("must be between 0 and %d %s", most, unit)
		}
	}
	check(FieldContactMonths, p.ContactMonths, MaxMonths, "months")
	check(FieldNamedMonths, p.NamedMonths, MaxMonths, "months")
	check(FieldDevOutboxDays, p.DevOutboxDays, MaxDays, "days")
	check(FieldDeadLetterDays, p.DeadLetterDays, MaxDays, "days")
	return fault.Fields(fault.Invalid, "retention", problems)
}

// over lays the values saved in stored over p, the configured defaults.
func (p Policy) over(stored store.RetentionPolicy) Policy {
	pick := func(v *int, def int) int {
		if v == nil {
			return def
		}
		return *v
	}
	return Policy{
		ContactMonths:  pick(stored.ContactMonths, p.ContactMonths),
		NamedMonths:    pick(stored.NamedMonths, p.NamedMonths),
		DevOutboxDays:  pick(stored.DevOutboxDays, p.DevOutboxDays),
		DeadLetterDays: pick(stored.DeadLetterDays, p.DeadLetterDays),
	}
}

// stored is p as saved: every value set, so that it overrides the defaults.
func (p Policy) stored() store.RetentionPolicy {
	v := func(n int) *int { return &n }
	return store.RetentionPolicy{ContactMonths: v(p.ContactMonths), NamedMonths: v(p.NamedMonths),
		DevOutboxDays: v(p.DevOutboxDays), DeadLetterDays: v(p.DeadLetterDays)}
}

// NamedMonthsFor is how many months a survey's answers keep their names:
// the shorter of the policy's and the survey's own, where 0 is no limit.
func NamedMonthsFor(policyMonths, surveyMonths int) int {
	switch {
	case surveyMonths <= 0:
		return max(policyMonths, 0)
	case policyMonths <= 0:
		return surveyMonths
	}
	return min(policyMonths, surveyMonths)
}

// ContactCutoff is the time before which a contact's last survey (or its
// creation, when never surveyed) makes it due for erasure; false when the
// rule is off.
func (p Policy) ContactCutoff(now time.Time) (time.Time, bool) {
	if p.ContactMonths <= 0 {
		return time.Time{}, false
	}
	return now.UTC().AddDate(0, -p.ContactMonths, 0), true
}

// NamedCutoff is the day (as responses store it, "2006-01-02") before
// which a named answer to a survey keeping names surveyMonths (0: as the
// policy says) loses its name; false when no limit applies. Answers store
// only their day, so an answer is past the limit from the day after the
// one months later.
func (p Policy) NamedCutoff(now time.Time, surveyMonths int) (string, bool) {
	m := NamedMonthsFor(p.NamedMonths, surveyMonths)
	if m == 0 {
		return "", false
	}
	return now.UTC().AddDate(0, -m, 0).Format(time.DateOnly), true
}

// DevOutboxCutoff is the time before which dev-outbox mail is deleted.
func (p Policy) DevOutboxCutoff(now time.Time) (time.Time, bool) {
	return daysBefore(now, p.DevOutboxDays)
}

// Bounce records are kept for fixed periods, not by policy: they hold no
// address, and are only needed while a report on a message can come.
const (
	// BounceEventDays is how long a bounce or complaint acted on is kept,
	// so that the same report arriving again is not counted twice: beyond
	// the longest a survey link stays valid, since a complaint may come
	// whenever the recipient looks at the message.
	BounceEventDays = 400
)

// BounceCutoffs are the times before which bounce events and soft-bounce
// streaks are deleted; a streak ends when no soft bounce followed within
// streakWindow.
func BounceCutoffs(now time.Time, streakWindow time.Duration) (events, streaks time.Time) {
	return now.AddDate(0, 0, -BounceEventDays), now.Add(-streakWindow)
}

// DeadLetterCutoff is the time before which dead letters are deleted.
func (p Policy) DeadLetterCutoff(now time.Time) (time.Time, bool) {
	return daysBefore(now, p.DeadLetterDays)
}

func daysBefore(now time.Time, days int) (time.Time, bool) {
	if days <= 0 {
		return time.Time{}, false
	}
	return now.UTC().AddDate(0, 0, -days), true
}
