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

// Follow-up states.
const (
	FollowupOpen FollowupState = "open"
	FollowupDone FollowupState = "done"
)

// Followup is one named response as its account managers' to-do: it exists
// exactly while the response carries its respondent's name, so that the
// follow-up list is read from this small collection and never by scanning
// the responses. Its _id is the response's.
type Followup struct {
	ID         string        `bson:"_id"` // the response id
	SurveyID   string        `bson:"surveyId"`
	ContactID  string        `bson:"contactId"`
	AccountID  string        `bson:"accountId"`
	ManagerIDs []string      `bson:"managerIds"` // the account's managers when the response came in
	Date       string        `bson:"date"`       // the response's day
	Score      *int          `bson:"score,omitempty"`
	Detractor  bool          `bson:"detractor"`
	State      FollowupState `bson:"state"`
	DoneBy     string        `bson:"doneBy,omitempty"`
	DoneAt     *time.Time    `bson:"doneAt,omitempty"`
	Note       *seal.Box     `bson:"note,omitempty"`      // the manager's note, sealed
	AlertedAt  *time.Time    `bson:"alertedAt,omitempty"` // when the detractor alert went out
	CreatedAt  time.Time     `bson:"createdAt"`
}

// FollowupFilter narrows a list of follow-ups.
type FollowupFilter struct {
	ManagerID string        // only this manager's; empty: everyone's
	SurveyID  string        // only this survey's; empty: all
	AccountID string        // only this account's; empty: all
	State     FollowupState // only in this state; empty: any
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
}

func (r *Followups) Collection() *mongo.Collection { return r.c }

func (r *Followups) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("manager_date", "managerIds", "-date"),
		mongodoc.Index("date", "-date", "_id"),
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
	return mongodoc.ByID[Followup](ctx, r.c, "find follow-up", id)
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

// List returns a page of follow-ups, newest first, and the total matching.
func (r *Followups) List(ctx context.Context, f FollowupFilter, p Page) ([]Followup, int64, error) {
	filter := bson.D{}
	if f.ManagerID != "" {
		filter = append(filter, bson.E{Key: "managerIds", Value: f.ManagerID})
	}
	if f.SurveyID != "" {
		filter = append(filter, bson.E{Key: "surveyId", Value: f.SurveyID})
	}
	if f.AccountID != "" {
		filter = append(filter, bson.E{Key: "accountId", Value: f.AccountID})
	}
	if f.State != "" {
		filter = append(filter, bson.E{Key: "state", Value: f.State})
	}
	return mongodoc.FindPage[Followup](ctx, r.c, "follow-ups", filter, bson.D{{Key: "date", Value: -1}, {Key: "_id", Value: 1}}, p)
}

// SetState moves a follow-up to state, recording who did it and when,
// and its note (nil: none). ErrNotFound when the response has none.
func (r *Followups) SetState(ctx context.Context, id string, state FollowupState, by string, at time.Time, note *seal.Box) error {
	var update bson.D
	if state == FollowupDone {
		set := bson.D{{Key: "state", Value: state}, {Key: "doneBy", Value: by}, {Key: "doneAt", Value: at}}
		if note != nil {
			set = append(set, bson.E{Key: "note", Value: note})
		}
		update = bson.D{{Key: "$set", Value: set}}
	} else {
		update = bson.D{
			{Key: "$set", Value: bson.D{{Key: "state", Value: state}}},
			{Key: "$unset", Value: bson.D{{Key: "doneBy", Value: ""}, {Key: "doneAt", Value: ""}}},
		}
	}
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	if err != nil {
		return fmt.Errorf("store: update follow-up: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: update follow-up: %w", ErrNotFound)
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
	if _, err := r.alerts.InsertOne(ctx, a); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return false, fmt.Errorf("store: queue alert: %w", err)
	}
	return true, nil
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
