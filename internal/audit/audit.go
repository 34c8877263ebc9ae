// Package audit keeps the append-only log of what staff did with personal
// data: whose data, what, when, by whom. Entries are written before the
// action they record, so that an action the log could not record does not
// happen.
package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/store"
)

// Action names what was done.
type Action string

// Actions.
const (
	PrivacyView       Action = "privacy.view"        // opened a person's data-subject overview
	PrivacyAccess     Action = "privacy.access"      // downloaded everything held about a person
	PrivacyRectify    Action = "privacy.rectify"     // corrected a person's name or email
	PrivacyErase      Action = "privacy.erase"       // erased a person
	PrivacyWithdraw   Action = "privacy.withdraw"    // withdrew a person's consent on their behalf
	ViewNamed         Action = "response.view_named" // read a response that carries its respondent's name
	FollowupContacted Action = "followup.contacted"  // recorded that a named respondent was reached
	FollowupDone      Action = "followup.done"       // resolved a follow-up (the name it had when "done" was its last state)
	FollowupReopen    Action = "followup.reopen"     // reopened a resolved follow-up
	FollowupAssign    Action = "followup.assign"     // gave a follow-up to another owner

	// Single sign-on: the user is their own actor.
	UserSSOCreate Action = "user.sso_create" // a staff account created at its first single sign-on
	UserSSORole   Action = "user.sso_role"   // a staff role changed by the sign-on provider's claims

	// The retention sweep and its policy.
	RetentionRun    Action = "retention.run"    // the retention sweep ran; the detail counts what it removed
	RetentionPolicy Action = "retention.policy" // changed the retention policy; the detail is the new one
)

// Label is the action in words, for the audit log page.
func (a Action) Label() string {
	switch a {
	case PrivacyView:
		return "Viewed data-subject overview"
	case PrivacyAccess:
		return "Exported personal data"
	case PrivacyRectify:
		return "Corrected name or email"
	case PrivacyErase:
		return "Erased person"
	case PrivacyWithdraw:
		return "Withdrew consent"
	case ViewNamed:
		return "Viewed named response"
	case FollowupContacted:
		return "Marked follow-up contacted"
	case FollowupDone:
		return "Resolved follow-up"
	case FollowupReopen:
		return "Reopened follow-up"
	case FollowupAssign:
		return "Reassigned follow-up"
	case UserSSOCreate:
		return "Staff account created by single sign-on"
	case UserSSORole:
		return "Staff role changed by single sign-on"
	case RetentionRun:
		return "Retention sweep"
	case RetentionPolicy:
		return "Changed retention policy"
	}
	return string(a)
}

// ErrNoActor means an entry without the staff member who acted.
var ErrNoActor = errors.New("audit: an entry needs the staff member who acted")

// Store is what the log needs of the audit collection.
type Store interface {
	Insert(ctx context.Context, e store.AuditEntry) error
	List(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error)
}

// Log records staff actions.
type Log struct {
	store Store
	now   func() time.Time
}

// New returns a Log writing to st.
func New(st Store) *Log { return &Log{store: st, now: time.Now} }

// WithClock returns a copy of l that reads the time from now, for tests.
func (l *Log) WithClock(now func() time.Time) *Log {
	c := *l
	c.now = now
	return &c
}

// Event is one action to record.
type Event struct {
	Actor     store.User
	Action    Action
	Target    string // the contact acted on
	Detail    string // what within it, such as a response or consent id
	RequestID string
}

// Record appends an entry for e.
func (l *Log) Record(ctx context.Context, e Event) error {
	if e.Actor.ID == "" {
		return ErrNoActor
	}
	err := l.store.Insert(ctx, store.AuditEntry{
		ID:         store.NewID(),
		ActorID:    e.Actor.ID,
		ActorEmail: e.Actor.Email,
		Action:     string(e.Action),
		Target:     e.Target,
		Detail:     e.Detail,
		RequestID:  e.RequestID,
		At:         l.now().UTC().Truncate(time.Millisecond),
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// List returns a page of entries, newest first, and the total matching.
func (l *Log) List(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error) {
	entries, total, err := l.store.List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: %w", err)
	}
	return entries, total, nil
}
