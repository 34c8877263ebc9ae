package store

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

// BounceEvent records that a bounce or complaint of one message was acted
// on, so that reading the same report again changes nothing. It holds no
// address: the recipient is found through the invitation.
type BounceEvent struct {
	ID         string    `bson:"_id"`  // outbox message id + "|" + kind
	Kind       string    `bson:"kind"` // bounce, soft_bounce, complaint
	CampaignID string    `bson:"campaignId"`
	Status     string    `bson:"status,omitempty"` // the DSN's status code, e.g. 5.1.1
	At         time.Time `bson:"at"`
}

// Bounces keeps what bounce handling must remember: the events acted on
// (bounce_events), soft bounces by address (bounce_soft), and the lease
// that lets one process at a time read the bounce mailbox (bounce_leases).
// Every write is by _id.
type Bounces struct {
	events, soft, leases *mongo.Collection
}

func newBounces(db *mongo.Database) *Bounces {
	return &Bounces{events: db.Collection("bounce_events"), soft: db.Collection("bounce_soft"), leases: db.Collection("bounce_leases")}
}

// Collection is the events collection.
func (r *Bounces) Collection() *mongo.Collection { return r.events }

// Indexes: none beyond _id.
func (r *Bounces) Indexes() []mongo.IndexModel { return nil }

// Collections are every collection the repository writes.
func (r *Bounces) Collections() []*mongo.Collection {
	return []*mongo.Collection{r.events, r.soft, r.leases}
}

// Record stores e; first is false when an event with its id was recorded
// before, and then nothing is written.
func (r *Bounces) Record(ctx context.Context, e BounceEvent) (first bool, err error) {
	err = mongodoc.Insert(ctx, r.events, e, "bounce event", "bounce event")
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrDuplicate):
		return false, nil
	default:
		return false, err
	}
}

// Event returns the event recorded under id.
func (r *Bounces) Event(ctx context.Context, id string) (BounceEvent, error) {
	return mongodoc.ByID[BounceEvent](ctx, r.events, "bounce event", id)
}

// CountSoft adds a soft bounce to the address with blind index index and
// returns how many it has had since the last one before since: a streak
// whose previous soft bounce is older than since starts again at one.
func (r *Bounces) CountSoft(ctx context.Context, index string, now, since time.Time) (int, error) {
	type softCount struct {
		Count int `bson:"count"`
	}
	doc, err := mongodoc.UpdateAndGet[softCount](ctx, r.soft, "count soft bounce",
		bson.D{{Key: "_id", Value: index}, {Key: "lastAt", Value: bson.D{{Key: "$gte", Value: since}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: 1}}}, {Key: "$set", Value: bson.D{{Key: "lastAt", Value: now}}}},
	)
	if errors.Is(err, ErrNotFound) {
		// The first one, or the first of a new streak: an upsert by _id
		// that sets rather than adds. Two of them racing both count one,
		// which errs on the side of not suppressing.
		if err := mongodoc.Upsert(ctx, r.soft, "count soft bounce", index,
			bson.D{{Key: "$set", Value: bson.D{{Key: "count", Value: 1}, {Key: "lastAt", Value: now}}}}); err != nil {
			return 0, err
		}
		return 1, nil
	}
	return doc.Count, err
}

// TrimBefore deletes the bounce events recorded before events and the soft
// bounce streaks whose last bounce came before streaks, and reports how
// many went. Events are kept only to act once per report, streaks only to
// add up soft bounces; neither is needed once it is that old.
func (r *Bounces) TrimBefore(ctx context.Context, events, streaks time.Time) (int64, error) {
	ev, err := r.events.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: events}}}})
	if err != nil {
		return 0, fmt.Errorf("store: trim bounce events: %w", err)
	}
	soft, err := r.soft.DeleteMany(ctx, bson.D{{Key: "lastAt", Value: bson.D{{Key: "$lt", Value: streaks}}}})
	if err != nil {
		return ev.DeletedCount, fmt.Errorf("store: trim soft bounces: %w", err)
	}
	return ev.DeletedCount + soft.DeletedCount, nil
}

// CountBefore counts what TrimBefore would delete.
func (r *Bounces) CountBefore(ctx context.Context, events, streaks time.Time) (int64, error) {
	ev, err := r.events.CountDocuments(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: events}}}})
	if err != nil {
		return 0, fmt.Errorf("store: count bounce events: %w", err)
	}
	soft, err := r.soft.CountDocuments(ctx, bson.D{{Key: "lastAt", Value: bson.D{{Key: "$lt", Value: streaks}}}})
	if err != nil {
		return 0, fmt.Errorf("store: count soft bounces: %w", err)
	}
	return ev + soft, nil
}

// ClaimLease takes the lease name for holder until until, when nobody
// else holds it unexpired; holding it already renews it.
func (r *Bounces) ClaimLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error) {
	// The document exists before the compare-and-swap, which then never
	// needs an upsert (a lost race of two upserts is a duplicate key).
	if _, err := r.leases.UpdateOne(ctx, bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "holder", Value: ""}, {Key: "until", Value: time.Time{}}}}},
		options.UpdateOne().SetUpsert(true)); err != nil && !mongodoc.IsDuplicate(err) {
		return false, fmt.Errorf("store: bounce lease: %w", err)
	}
	_, claimed, err := mongodoc.Claim[bson.M](ctx, r.leases, "bounce lease",
		bson.D{{Key: "_id", Value: name}, {Key: "$or", Value: bson.A{
			bson.D{{Key: "holder", Value: holder}},
			bson.D{{Key: "until", Value: bson.D{{Key: "$lte", Value: now}}}},
		}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: holder}, {Key: "until", Value: until}}}})
	return claimed, err
}

// ReleaseLease gives up holder's lease name, so that another process need
// not wait for it to run out.
func (r *Bounces) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := r.leases.UpdateOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "holder", Value: holder}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: time.Time{}}}}}); err != nil {
		return fmt.Errorf("store: release bounce lease: %w", err)
	}
	return nil
}
