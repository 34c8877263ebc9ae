package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// FollowupState is where an account manager is with a named response.
type FollowupState string

// Follow-up states: open → contacted → resolved, and resolved → open
// again. Follow-ups stored before "contacted" existed say "done" for
// resolved; they are read as resolved and matched by it (FollowupStates).
const (
	FollowupOpen      FollowupState = "open"
	FollowupContacted FollowupState = "contacted"
	FollowupResolved  FollowupState = "resolved"

	followupDone FollowupState = "done" // stored by older versions: resolved
)

// FollowupActive are the states of a follow-up still to be closed.
var followupActive = []FollowupState{FollowupOpen, FollowupContacted}

// Active reports whether the follow-up is still to be closed.
func (s FollowupState) Active() bool { return s == FollowupOpen || s == FollowupContacted }

// FollowupStates expands states to what is stored for them: resolved is
// also the older "done".
func FollowupStates(states ...FollowupState) []FollowupState {
	out := make([]FollowupState, 0, len(states)+1)
	for _, s := range states {
		out = append(out, s)
		if s == FollowupResolved {
			out = append(out, followupDone)
		}
	}
	return out
}

// Followup is one named response as its account managers' to-do: it exists
// exactly while the response carries its respondent's name, so that the
// follow-up list is read from this small collection and never by scanning
// the responses. Its _id is the response's.
type Followup struct {
	ID          string        `bson:"_id"` // the response id
	SurveyID    string        `bson:"surveyId"`
	ContactID   string        `bson:"contactId"`
	AccountID   string        `bson:"accountId"`
	ManagerIDs  []string      `bson:"managerIds"` // the account's managers when the response came in
	Date        string        `bson:"date"`       // the response's day
	Score       *int          `bson:"score,omitempty"`
	Detractor   bool          `bson:"detractor"`
	State       FollowupState `bson:"state"`
	OwnerID     string        `bson:"ownerId,omitempty"` // empty: the admins
	DueAt       *time.Time    `bson:"dueAt,omitempty"`   // missing on follow-ups older than deadlines
	ContactedBy string        `bson:"contactedBy,omitempty"`
	ContactedAt *time.Time    `bson:"contactedAt,omitempty"`
	// ResolvedBy and ResolvedAt keep the field names of "done", so that
	// older follow-ups read the same.
	ResolvedBy string          `bson:"doneBy,omitempty"`
	ResolvedAt *time.Time      `bson:"doneAt,omitempty"`
	Note       *seal.Box       `bson:"note,omitempty"`      // the manager's note, sealed
	AlertedAt  *time.Time      `bson:"alertedAt,omitempty"` // when the detractor alert went out
	Reminder   FollowupNotice  `bson:"reminder"`            // to the owner, before the due time
	Escalation FollowupNotice  `bson:"escalation"`          // to the other managers or the admins, once overdue
	History    []FollowupEvent `bson:"history,omitempty"`
	CreatedAt  time.Time       `bson:"createdAt"`
}

// FollowupNotice is a mail a follow-up's deadline sends once: due at At
// while the follow-up is open or contacted, leased by the worker sending
// it, and marked sent (At removed) once it went.
type FollowupNotice struct {
	At     *time.Time `bson:"at,omitempty"`
	Lease  time.Time  `bson:"lease"`
	SentAt *time.Time `bson:"sentAt,omitempty"`
	To     []string   `bson:"to,omitempty"` // the users it went to
}

// NoticeKind names a follow-up's notices.
type NoticeKind string

// Notice kinds, also their fields in a follow-up.
const (
	NoticeReminder   NoticeKind = "reminder"
	NoticeEscalation NoticeKind = "escalation"
)

// FollowupEvent is one step in a follow-up's history.
type FollowupEvent struct {
	Action  string    `bson:"action"` // a FollowupState, "assigned", or a NoticeKind when it was sent
	By      string    `bson:"by,omitempty"`
	OwnerID string    `bson:"ownerId,omitempty"` // assigned: the new owner
	At      time.Time `bson:"at"`
}

// EventAssigned is the history action of a change of owner.
const EventAssigned = "assigned"

// normalized reads a follow-up stored by an older version as today's.
func (f Followup) normalized() Followup {
	if f.State == followupDone {
		f.State = FollowupResolved
	}
	return f
}

// FollowupFilter narrows a list of follow-ups.
type FollowupFilter struct {
	ManagerID string          // only this manager's accounts'; empty: everyone's
	OwnerID   string          // only those this user owns; empty: anyone's
	SurveyID  string          // only this survey's; empty: all
	AccountID string          // only this account's; empty: all
	States    []FollowupState // only in these states; empty: any
	DueFrom   time.Time       // only those due at or after; zero: no bound
	DueBefore time.Time       // only those due before; zero: no bound
}

func (f FollowupFilter) bson() bson.D {
	filter := bson.D{}
	if f.ManagerID != "" {
		filter = append(filter, bson.E{Key: "managerIds", Value: f.ManagerID})
	}
	if f.OwnerID != "" {
		filter = append(filter, bson.E{Key: "ownerId", Value: f.OwnerID})
	}
	if f.SurveyID != "" {
		filter = append(filter, bson.E{Key: "surveyId", Value: f.SurveyID})
	}
	if f.AccountID != "" {
		filter = append(filter, bson.E{Key: "accountId", Value: f.AccountID})
	}
	if len(f.States) > 0 {
		filter = append(filter, bson.E{Key: "state", Value: bson.D{{Key: "$in", Value: FollowupStates(f.States...)}}})
	}
	due := bson.D{}
	if !f.DueFrom.IsZero() {
		due = append(due, bson.E{Key: "$gte", Value: f.DueFrom})
	}
	if !f.DueBefore.IsZero() {
		due = append(due, bson.E{Key: "$lt", Value: f.DueBefore})
	}
	if len(due) > 0 {
		filter = append(filter, bson.E{Key: "dueAt", Value: due})
	}
	return filter
}

// FollowupAlert is a detractor alert still to be mailed to a named
// response's account managers. Its _id is the response's, so an alert is
// queued at most once; it leaves the queue once sent, so the queue stays
// small. It holds no personal data.
type FollowupAlert struct {
	ID            string    `bson:"_id"`
	Attempts      int       `bson:"attempts"`
	NextAttemptAt time.Time `bson:"nextAttemptAt"`
	LeaseUntil    time.Time `bson:"leaseUntil"`
	LastError     string    `bson:"lastError,omitempty"`
	CreatedAt     time.Time `bson:"createdAt"`
}

// Followups is the followups collection and its alert queue.
type Followups struct {
	c      *mongo.Collection
	alerts *mongo.Collection
	hooks  FollowupHooks
}

// FollowupHooks are called between the steps of sending a notice, for
// interleaving tests; production never sets any.
type FollowupHooks struct {
	BeforeClaimNotice func(kind NoticeKind, id string) // in ClaimNotice, before its write: the due notices were read
	AfterClaimNotice  func(kind NoticeKind, id string) // in ClaimNotice, after a notice was leased, before it is sent
}

// SetHooks installs hooks for interleaving tests.
func (r *Followups) SetHooks(h FollowupHooks) { r.hooks = h }

func (r *Followups) Collection() *mongo.Collection { return r.c }

// Indexes serve the lists, sorted by due time, a manager's and everyone's,
// and the sweeper's look-up of due notices among the active follow-ups.
func (r *Followups) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("manager_due", "managerIds", "dueAt", "_id"),
		mongodoc.Index("due", "dueAt", "_id"),
		mongodoc.Index("reminder_due", "state", "reminder.at"),
		mongodoc.Index("escalation_due", "state", "escalation.at"),
		// An account's named answers, on its page.
		mongodoc.Index("account_date", "accountId", "-date"),
	}
}

// Related lists the alert queue, which needs indexes of its own.
func (r *Followups) Related() []mongodoc.Indexed {
	return []mongodoc.Indexed{mongodoc.Related{C: r.alerts, Models: []mongo.IndexModel{
		mongodoc.Index("due", "nextAttemptAt"),
	}}}
}

// Insert adds a follow-up; ErrDuplicate when the response has one.
func (r *Followups) Insert(ctx context.Context, f Followup) error {
	return mongodoc.Insert(ctx, r.c, f, "follow-up", "follow-up")
}

// ByID returns the follow-up of a response.
func (r *Followups) ByID(ctx context.Context, id string) (Followup, error) {
	f, err := mongodoc.ByID[Followup](ctx, r.c, "find follow-up", id)
	return f.normalized(), err
}

// Delete removes the follow-up of a response and its alert, if any; a
// follow-up already gone is fine.
func (r *Followups) Delete(ctx context.Context, id string) error {
	if _, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("store: delete follow-up: %w", err)
	}
	if _, err := r.alerts.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("store: delete follow-up alert: %w", err)
	}
	return nil
}

// List returns a page of follow-ups, soonest due first, and the total
// matching. Follow-ups older than deadlines have no due time and come first.
func (r *Followups) List(ctx context.Context, f FollowupFilter, p Page) ([]Followup, int64, error) {
	list, total, err := mongodoc.FindPage[Followup](ctx, r.c, "follow-ups", f.bson(), bson.D{{Key: "dueAt", Value: 1}, {Key: "_id", Value: 1}}, p)
	for i := range list {
		list[i] = list[i].normalized()
	}
	return list, total, err
}

// Count returns how many follow-ups match f.
func (r *Followups) Count(ctx context.Context, f FollowupFilter) (int64, error) {
	n, err := r.c.CountDocuments(ctx, f.bson())
	if err != nil {
		return 0, fmt.Errorf("store: count follow-ups: %w", err)
	}
	return n, nil
}

// FollowupChange moves a follow-up from one of From to To.
type FollowupChange struct {
	From []FollowupState
	To   FollowupState
	By   string
	At   time.Time
	Note *seal.Box // resolving: the note; nil leaves the note as it is
}

// Transition applies ch in one conditional write, so that of two people
// acting on the same follow-up at once only one moves it, and records the
// step in its history. ErrConflict when the follow-up is in none of
// ch.From, ErrNotFound when there is none.
func (r *Followups) Transition(ctx context.Context, id string, ch FollowupChange) error {
	set := bson.D{{Key: "state", Value: ch.To}}
	var unset bson.D
	switch ch.To {
	case FollowupContacted:
		set = append(set, bson.E{Key: "contactedBy", Value: ch.By}, bson.E{Key: "contactedAt", Value: ch.At})
	case FollowupResolved:
		set = append(set, bson.E{Key: "doneBy", Value: ch.By}, bson.E{Key: "doneAt", Value: ch.At})
		if ch.Note != nil {
			set = append(set, bson.E{Key: "note", Value: ch.Note})
		}
	case FollowupOpen:
		unset = bson.D{{Key: "doneBy", Value: ""}, {Key: "doneAt", Value: ""}, {Key: "contactedBy", Value: ""}, {Key: "contactedAt", Value: ""}}
	}
	update := bson.D{
		{Key: "$set", Value: set},
		{Key: "$push", Value: bson.D{{Key: "history", Value: FollowupEvent{Action: string(ch.To), By: ch.By, At: ch.At}}}},
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	return r.update(ctx, "update follow-up", bson.D{{Key: "_id", Value: id}, {Key: "state", Value: bson.D{{Key: "$in", Value: FollowupStates(ch.From...)}}}}, update, id)
}

// Assign makes ownerID the owner of a follow-up, recording who did it.
// ErrNotFound when there is none.
func (r *Followups) Assign(ctx context.Context, id, ownerID, by string, at time.Time) error {
	return r.update(ctx, "assign follow-up", bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "ownerId", Value: ownerID}}},
		{Key: "$push", Value: bson.D{{Key: "history", Value: FollowupEvent{Action: EventAssigned, By: by, OwnerID: ownerID, At: at}}}},
	}, id)
}

// update applies a conditional update to the follow-up id: ErrNotFound
// when there is none, ErrConflict when it is not as filter says.
func (r *Followups) update(ctx context.Context, what string, filter, update bson.D, id string) error {
	res, err := r.c.UpdateOne(ctx, filter, update)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	exists, err := mongodoc.Exists(ctx, r.c, what, id)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, ErrConflict)
}

// dueNotice matches the follow-ups whose notice of kind is due at now and
// not leased: only active ones, so that a resolved follow-up sends none.
func dueNotice(kind NoticeKind, now time.Time) bson.D {
	k := string(kind)
	return bson.D{
		{Key: "state", Value: bson.D{{Key: "$in", Value: followupActive}}},
		{Key: k + ".at", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: k + ".lease", Value: bson.D{{Key: "$lte", Value: now}}},
	}
}

// DueNotices returns up to limit follow-ups whose notice of kind is due.
func (r *Followups) DueNotices(ctx context.Context, kind NoticeKind, now time.Time, limit int64) ([]Followup, error) {
	list, err := mongodoc.FindAll[Followup](ctx, r.c, "due notices", dueNotice(kind, now),
		options.Find().SetSort(bson.D{{Key: string(kind) + ".at", Value: 1}}).SetLimit(limit))
	for i := range list {
		list[i] = list[i].normalized()
	}
	return list, err
}

// ClaimNotice leases the notice of kind of a follow-up until until, in one
// conditional write, so that one worker sends it; false when it is not due
// any more (sent, resolved, gone) or another worker holds it.
func (r *Followups) ClaimNotice(ctx context.Context, kind NoticeKind, id string, now, until time.Time) (Followup, bool, error) {
	if r.hooks.BeforeClaimNotice != nil {
		r.hooks.BeforeClaimNotice(kind, id)
	}
	filter := append(bson.D{{Key: "_id", Value: id}}, dueNotice(kind, now)...)
	f, ok, err := mongodoc.Claim[Followup](ctx, r.c, "claim notice", filter,
		bson.D{{Key: "$set", Value: bson.D{{Key: string(kind) + ".lease", Value: until}}}})
	if ok && r.hooks.AfterClaimNotice != nil {
		r.hooks.AfterClaimNotice(kind, id)
	}
	return f.normalized(), ok, err
}

// NoticeSent records that the notice of kind went to the users to (none:
// it had nobody to go to), so that it is never due again.
func (r *Followups) NoticeSent(ctx context.Context, kind NoticeKind, id string, at time.Time, to []string) error {
	k := string(kind)
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: k + ".sentAt", Value: at}, {Key: k + ".to", Value: to}, {Key: k + ".lease", Value: time.Time{}}}},
		{Key: "$unset", Value: bson.D{{Key: k + ".at", Value: ""}}},
	}
	if len(to) > 0 {
		update = append(update, bson.E{Key: "$push", Value: bson.D{{Key: "history", Value: FollowupEvent{Action: k, At: at}}}})
	}
	if _, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
		return fmt.Errorf("store: notice sent: %w", err)
	}
	return nil
}

// RetryNotice gives a leased notice back, to be tried again from next.
func (r *Followups) RetryNotice(ctx context.Context, kind NoticeKind, id string, next time.Time) error {
	if _, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: string(kind) + ".lease", Value: next}}}}); err != nil {
		return fmt.Errorf("store: retry notice: %w", err)
	}
	return nil
}

// MarkAlerted records that the detractor alert of a follow-up was sent,
// so that it is never queued again.
func (r *Followups) MarkAlerted(ctx context.Context, id string, at time.Time) error {
	if _, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "alertedAt", Value: at}}}}); err != nil {
		return fmt.Errorf("store: mark alerted: %w", err)
	}
	return nil
}

// QueueAlert queues the alert of a response; one already queued is left
// as it is (reported false).
func (r *Followups) QueueAlert(ctx context.Context, a FollowupAlert) (bool, error) {
	return mongodoc.InsertOnce(ctx, r.alerts, "queue alert", a)
}

// DueAlerts returns up to limit alerts due at now and not leased.
func (r *Followups) DueAlerts(ctx context.Context, now time.Time, limit int64) ([]FollowupAlert, error) {
	return mongodoc.FindAll[FollowupAlert](ctx, r.alerts, "due alerts", bson.D{
		{Key: "nextAttemptAt", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}},
	}, options.Find().SetLimit(limit))
}

// ClaimAlert leases one due alert until until, so that one worker sends
// it; false when another holds it or it is gone.
func (r *Followups) ClaimAlert(ctx context.Context, id string, now, until time.Time) (FollowupAlert, bool, error) {
	return mongodoc.Claim[FollowupAlert](ctx, r.alerts, "claim alert",
		bson.D{{Key: "_id", Value: id}, {Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: until}}}, {Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}})
}

// RetryAlert gives a claimed alert back, due again at next.
func (r *Followups) RetryAlert(ctx context.Context, id string, next time.Time, lastError string) error {
	_, err := r.alerts.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "nextAttemptAt", Value: next}, {Key: "leaseUntil", Value: time.Time{}}, {Key: "lastError", Value: lastError},
	}}})
	if err != nil {
		return fmt.Errorf("store: retry alert: %w", err)
	}
	return nil
}

// AlertDone removes an alert that was sent, or is no longer wanted.
func (r *Followups) AlertDone(ctx context.Context, id string) error {
	if _, err := r.alerts.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("store: delete alert: %w", err)
	}
	return nil
}

// CountAlerts returns how many alerts are queued.
func (r *Followups) CountAlerts(ctx context.Context) (int64, error) {
	n, err := r.alerts.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("store: count alerts: %w", err)
	}
	return n, nil
}

// EachNote calls fn with every follow-up that has a note, for re-sealing
// after a key rotation.
func (r *Followups) EachNote(ctx context.Context, fn func(id string, note seal.Box) error) error {
	type noted struct {
		ID   string   `bson:"_id"`
		Note seal.Box `bson:"note"`
	}
	return mongodoc.Each(ctx, r.c, "follow-up notes", bson.D{{Key: "note", Value: bson.D{{Key: "$exists", Value: true}}}},
		func(f noted) error { return fn(f.ID, f.Note) }, options.Find().SetProjection(bson.D{{Key: "note", Value: 1}}))
}

// SetNote replaces a follow-up's note, as it is when the note was read:
// a note changed meanwhile is left alone (ErrNotFound).
func (r *Followups) SetNote(ctx context.Context, id string, old, note seal.Box) error {
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "note.d", Value: old.Data}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: note}}}})
	if err != nil {
		return fmt.Errorf("store: update follow-up note: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: update follow-up note: %w", ErrNotFound)
	}
	return nil
}
