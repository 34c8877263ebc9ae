// Package outbox keeps email on its way out: the queue the dispatcher
// claims messages from a batch at a time (outbox), the messages that
// failed or bounced (outbox_dead), and the dev outbox, which keeps
// messages instead of sending them when no SMTP server is configured
// (dev_outbox).
package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// State is where a message is on its way out.
type State string

// Outbox states: queued → sending → sent | failed | bounced. A sent message
// leaves the outbox at once (the campaign counts it), and failed or bounced
// ones move to the dead letters, so the outbox holds only work to do and
// stays small: the dispatcher scans it, which on the embedded database
// costs time in proportion to its size.
const (
	Queued  State = "queued"
	Sending State = "sending"
	Sent    State = "sent"
	Failed  State = "failed"
	Bounced State = "bounced"
)

// Kind says what a message is for.
type Kind string

// Message kinds.
const (
	Invitation Kind = "invitation"
	Reminder   Kind = "reminder"
)

// Message is one email to send. It holds no personal data: the
// dispatcher opens the contact's name and address only to send it.
type Message struct {
	ID           string    `bson:"_id"`   // MessageID(invitation, round): the same message is never queued twice
	Batch        string    `bson:"batch"` // messages fed together are claimed together
	CampaignID   string    `bson:"campaignId"`
	Seq          int       `bson:"seq"` // the campaign batch the message comes from
	InvitationID string    `bson:"invitationId"`
	ContactID    string    `bson:"contactId"`
	Kind         Kind      `bson:"kind"`
	Round        int       `bson:"round,omitempty"` // reminder number, from 1
	ExpiresAt    time.Time `bson:"expiresAt"`       // when the message's link stops working

	State         State      `bson:"state"`
	Attempts      int        `bson:"attempts"` // claims so far; a claim that never reached the server is given back
	NextAttemptAt time.Time  `bson:"nextAttemptAt"`
	Lease         string     `bson:"lease,omitempty"` // the claiming worker's token
	LeaseUntil    time.Time  `bson:"leaseUntil,omitempty"`
	LastError     string     `bson:"lastError,omitempty"`
	CreatedAt     time.Time  `bson:"createdAt"`
	FinishedAt    *time.Time `bson:"finishedAt,omitempty"` // when it failed or bounced
	// RelayRefused: the relay once refused every recipient of the message's
	// group, so a later permanent refusal of it alone is not trusted as a
	// bounce either (retries come due one by one, too few to see the pattern).
	RelayRefused bool `bson:"relayRefused,omitempty"`
}

// ReleaseFlags say what a release records besides the next attempt.
type ReleaseFlags uint8

const (
	// Uncount gives the attempt back: it never reached the mail server.
	Uncount ReleaseFlags = 1 << iota
	// RelayRefused marks the message as refused along with its whole group.
	RelayRefused
)

// MessageID is the outbox _id of an invitation's message: the invitation
// id for the invitation itself, with "|r<n>" for reminder n.
func MessageID(invitationID string, round int) string {
	if round == 0 {
		return invitationID
	}
	return invitationID + "|r" + fmt.Sprint(round)
}

// Repo is the outbox collection and its dead letters.
type Repo struct {
	c    *mongo.Collection
	dead *mongo.Collection
	// lostReply, when set (by tests), is reported as the error of a
	// multi-document write that succeeded, as when a primary steps down
	// before its reply arrives.
	lostReply func(op string) error
}

// many runs an idempotent multi-document write op, repeating it on
// transient errors (see retryIdempotent), and reports how many attempts it
// took.
func (r *Repo) many(ctx context.Context, op string, fn func(context.Context) error) (int, error) {
	attempts := 0
	err := mongodoc.RetryIdempotent(ctx, func(ctx context.Context) error {
		attempts++
		err := fn(ctx)
		if err == nil && r.lostReply != nil {
			err = r.lostReply(op)
		}
		return err
	})
	return attempts, err
}

// New returns the outbox repository of db.
func New(db *mongo.Database) *Repo {
	return &Repo{c: db.Collection("outbox"), dead: db.Collection("outbox_dead")}
}

// Collection is the outbox collection itself.
func (r *Repo) Collection() *mongo.Collection { return r.c }

// Collections are every collection the repository writes, for checks
// that each handle keeps the store's read and write concerns.
func (r *Repo) Collections() []*mongo.Collection { return []*mongo.Collection{r.c, r.dead} }

// Indexes are the indexes Migrate creates on the outbox.
func (r *Repo) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("state_due", "state", "nextAttemptAt"),
		mongodoc.Index("batch", "batch"),
		mongodoc.Index("lease", "lease"),
		mongodoc.Index("campaign_state", "campaignId", "state"),
		mongodoc.Index("contact", "contactId"), // erasure withdraws a person's messages
	}
}

// Related lists the dead letters, which need indexes of their own.
func (r *Repo) Related() []mongodoc.Indexed {
	return []mongodoc.Indexed{mongodoc.Related{C: r.dead, Models: []mongo.IndexModel{
		mongodoc.Index("campaign_finished", "campaignId", "-finishedAt"),
		mongodoc.Index("contact", "contactId"),   // erasure deletes a person's dead letters
		mongodoc.Index("finished", "finishedAt"), // retention deletes the old ones
	}}}
}

// Enqueue adds messages; a message already queued (same _id) is left as it
// is, which makes feeding a batch again harmless. It returns how many were
// added.
func (r *Repo) Enqueue(ctx context.Context, msgs []Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	docs := make([]any, len(msgs))
	for i := range msgs {
		docs[i] = msgs[i]
	}
	dups, err := mongodoc.DuplicateIndexes(r.c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)))
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return len(msgs) - len(dups), nil
}

// claimAttempts bounds the retries of a claim that lost its batch to
// another worker between finding and taking it.
const claimAttempts = 3

// Claim leases the due queued messages of one batch to the worker holding
// token until now+lease, and returns them; none when nothing is due.
//
// It finds one due message, then takes its whole batch with a single
// updateMany that matches only queued messages. Each document changes
// atomically, so a message goes to exactly one worker however many claim at
// once, on MongoDB and on the write-serialising embedded front alike; the
// worker reads back what it got by its token. No sort: the embedded
// database would scan the outbox for it, and MongoDB's state_due index
// yields the oldest due message first anyway.
func (r *Repo) Claim(ctx context.Context, token string, now time.Time, lease time.Duration) ([]Message, error) {
	due := bson.D{{Key: "state", Value: Queued}, {Key: "nextAttemptAt", Value: bson.D{{Key: "$lte", Value: now}}}}
	for range claimAttempts {
		var head struct {
			Batch string `bson:"batch"`
		}
		err := r.c.FindOne(ctx, due, options.FindOne().SetProjection(bson.D{{Key: "batch", Value: 1}})).Decode(&head)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("store: claim: %w", err)
		}
		// Repeatable: it matches only queued messages, and a claimed one is
		// sending, so a repeat claims what the lost call did not and counts
		// no attempt twice.
		var res *mongo.UpdateResult
		attempts, err := r.many(ctx, "claim", func(ctx context.Context) error {
			var err error
			res, err = r.c.UpdateMany(ctx, append(bson.D{{Key: "batch", Value: head.Batch}}, due...), bson.D{
				{Key: "$set", Value: bson.D{{Key: "state", Value: Sending}, {Key: "lease", Value: token}, {Key: "leaseUntil", Value: now.Add(lease)}}},
				{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
			})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: claim: %w", err)
		}
		if res.ModifiedCount == 0 {
			if attempts > 1 {
				// The lost call may have taken the batch itself.
				if got, err := r.Leased(ctx, token); err != nil || len(got) > 0 {
					return got, err
				}
			}
			continue // another worker took the batch first
		}
		return r.Leased(ctx, token)
	}
	return nil, nil
}

// Leased returns the messages leased to token.
func (r *Repo) Leased(ctx context.Context, token string) ([]Message, error) {
	return mongodoc.FindAll[Message](ctx, r.c, "leased messages", bson.D{{Key: "lease", Value: token}})
}

// Delete removes sent (or no longer wanted) messages, if token still holds
// their lease.
func (r *Repo) Delete(ctx context.Context, token string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.many(ctx, "delete", func(ctx context.Context) error {
		_, err := r.c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "lease", Value: token}})
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete sent messages: %w", err)
	}
	return nil
}

// Release gives messages leased to token back to the queue, due at next.
// uncount takes back the attempt their claim counted, for messages that
// never reached the mail server.
func (r *Repo) Release(ctx context.Context, token string, ids []string, next time.Time, lastError string, flags ReleaseFlags) error {
	if len(ids) == 0 {
		return nil
	}
	set := bson.D{{Key: "state", Value: Queued}, {Key: "nextAttemptAt", Value: next}}
	if lastError != "" {
		set = append(set, bson.E{Key: "lastError", Value: lastError})
	}
	if flags&RelayRefused != 0 {
		set = append(set, bson.E{Key: "relayRefused", Value: true})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "lease", Value: ""}, {Key: "leaseUntil", Value: ""}}}}
	if flags&Uncount != 0 {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "attempts", Value: -1}}})
	}
	// Repeatable: a released message no longer holds the lease, so a
	// repeat neither releases it again nor takes back a second attempt.
	_, err := r.many(ctx, "release", func(ctx context.Context) error {
		_, err := r.c.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "lease", Value: token}}, update)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release messages: %w", err)
	}
	return nil
}

// Bury ends a message that failed or bounced: it moves to the dead letters,
// where the campaign page shows it, and leaves the outbox.
func (r *Repo) Bury(ctx context.Context, token string, m Message, state State, lastError string, now time.Time) error {
	m.State, m.LastError, m.FinishedAt = state, lastError, &now
	m.Lease, m.LeaseUntil = "", time.Time{}
	if _, err := r.dead.ReplaceOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, m, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("store: dead letter: %w", err)
	}
	if _, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: m.ID}, {Key: "lease", Value: token}}); err != nil {
		return fmt.Errorf("store: dead letter: %w", err)
	}
	return nil
}

// ExpireLeases returns messages whose worker's lease ran out (the worker
// died or hung) to the queue, and reports how many.
func (r *Repo) ExpireLeases(ctx context.Context, now time.Time) (int64, error) {
	// Repeatable: an expired message is queued again, out of the filter.
	// After a lost reply the count is of the last attempt only.
	var res *mongo.UpdateResult
	_, err := r.many(ctx, "expire", func(ctx context.Context) error {
		var err error
		res, err = r.c.UpdateMany(ctx,
			bson.D{{Key: "state", Value: Sending}, {Key: "leaseUntil", Value: bson.D{{Key: "$lt", Value: now}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: Queued}, {Key: "nextAttemptAt", Value: now}}},
				{Key: "$unset", Value: bson.D{{Key: "lease", Value: ""}, {Key: "leaseUntil", Value: ""}}}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: expire leases: %w", err)
	}
	return res.ModifiedCount, nil
}

// Count returns about how many messages wait or are being sent (sent
// ones leave the collection). It is the collection's own estimate, read
// from its metadata on MongoDB, so that a metrics scrape costs the same
// at a million queued messages as at ten; it may be off by what is in
// flight or after an unclean shutdown, which a gauge can bear.
func (r *Repo) Count(ctx context.Context) (int64, error) {
	n, err := r.c.EstimatedDocumentCount(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count outbox: %w", err)
	}
	return n, nil
}

// CampaignProgress counts a campaign's messages in the outbox by state.
func (r *Repo) CampaignProgress(ctx context.Context, campaignID string) (queued, sending int, err error) {
	type stated struct {
		State State `bson:"state"`
	}
	err = mongodoc.Each(ctx, r.c, "campaign progress", bson.D{{Key: "campaignId", Value: campaignID}}, func(m stated) error {
		switch m.State {
		case Queued:
			queued++
		case Sending:
			sending++
		}
		return nil
	}, options.Find().SetProjection(bson.D{{Key: "state", Value: 1}}))
	if err != nil {
		return 0, 0, err
	}
	return queued, sending, nil
}

// Withdraw removes a cancelled campaign's queued messages and reports how
// many. Messages being sent are left to their worker, which checks the
// campaign before each group it sends.
func (r *Repo) Withdraw(ctx context.Context, campaignID string) (int64, error) {
	// Repeatable: a deleted message is gone. After a lost reply the count
	// is of the last attempt only.
	var res *mongo.DeleteResult
	_, err := r.many(ctx, "withdraw", func(ctx context.Context) error {
		var err error
		res, err = r.c.DeleteMany(ctx, bson.D{{Key: "campaignId", Value: campaignID}, {Key: "state", Value: Queued}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: withdraw campaign messages: %w", err)
	}
	return res.DeletedCount, nil
}

// Dead returns up to limit of a campaign's failed and bounced messages,
// newest first.
func (r *Repo) Dead(ctx context.Context, campaignID string, limit int64) ([]Message, error) {
	return mongodoc.FindAll[Message](ctx, r.dead, "dead letters", bson.D{{Key: "campaignId", Value: campaignID}},
		options.Find().SetSort(bson.D{{Key: "finishedAt", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(limit))
}

// IsDead reports whether a message failed or bounced.
func (r *Repo) IsDead(ctx context.Context, id string) (bool, error) {
	return mongodoc.Exists(ctx, r.dead, "dead letter", id)
}

// TrimDead forgets dead letters that ended before t.
func (r *Repo) TrimDead(ctx context.Context, t time.Time) (int64, error) {
	return mongodoc.DeleteBefore(ctx, r.dead, "trim dead letters", "finishedAt", t)
}

// ForgetContact withdraws a person's queued messages and deletes their
// dead letters (whose last error may quote their address), for their
// erasure, and reports how many of each went. A message being sent is
// left to its worker, which finds the contact erased and drops it.
// Repeatable: a deleted message is gone.
func (r *Repo) ForgetContact(ctx context.Context, contactID string) (queued, dead int64, err error) {
	res, err := r.c.DeleteMany(ctx, bson.D{{Key: "contactId", Value: contactID}, {Key: "state", Value: Queued}})
	if err != nil {
		return 0, 0, fmt.Errorf("store: withdraw contact messages: %w", err)
	}
	resDead, err := r.dead.DeleteMany(ctx, bson.D{{Key: "contactId", Value: contactID}})
	if err != nil {
		return res.DeletedCount, 0, fmt.Errorf("store: delete contact dead letters: %w", err)
	}
	return res.DeletedCount, resDead.DeletedCount, nil
}

// CountDeadBefore counts the dead letters that ended before t.
func (r *Repo) CountDeadBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := r.dead.CountDocuments(ctx, bson.D{{Key: "finishedAt", Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return 0, fmt.Errorf("store: count dead letters: %w", err)
	}
	return n, nil
}
