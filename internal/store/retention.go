package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// RetentionPolicy is the retention policy admins set: one document, whose
// unset fields (nil) follow the configured defaults.
type RetentionPolicy struct {
	ContactMonths  *int      `bson:"contactMonths,omitempty"`  // contacts not surveyed for so long are erased; 0: never
	NamedMonths    *int      `bson:"namedMonths,omitempty"`    // named answers lose the name after so long; 0: never
	DevOutboxDays  *int      `bson:"devOutboxDays,omitempty"`  // dev-outbox mail is deleted after so long; 0: never
	DeadLetterDays *int      `bson:"deadLetterDays,omitempty"` // dead letters are deleted after so long; 0: never
	UpdatedAt      time.Time `bson:"updatedAt,omitempty"`      // zero: never saved
	UpdatedByID    string    `bson:"updatedById,omitempty"`    // the admin who saved it
	UpdatedByEmail string    `bson:"updatedByEmail,omitempty"` // as it was then
}

// RetentionSweep is the state of the daily retention sweep: its lease, so
// that one process runs it at a time, and when it is due next.
type RetentionSweep struct {
	Holder     string    `bson:"holder"`     // the token of the process running it; empty when none
	LeaseUntil time.Time `bson:"leaseUntil"` // until when Holder has it
	NextRunAt  time.Time `bson:"nextRunAt"`  // when the next daily run is due
	LastRunAt  time.Time `bson:"lastRunAt"`  // when the last run finished
}

// The retention collection's two documents, by _id.
const (
	retentionPolicyID = "policy"
	retentionSweepID  = "sweep"
)

// Retention is the retention collection: the policy and the sweep's state.
// It has no indexes beyond _id.
type Retention struct{ c *mongo.Collection }

func (r *Retention) Collection() *mongo.Collection { return r.c }

func (r *Retention) Indexes() []mongo.IndexModel { return nil }

// Policy returns the stored policy; the zero policy when none was saved.
func (r *Retention) Policy(ctx context.Context) (RetentionPolicy, error) {
	p, found, err := mongodoc.Lookup[RetentionPolicy](ctx, r.c, "retention policy", retentionPolicyID)
	if err != nil || !found {
		return RetentionPolicy{}, err
	}
	return p, nil
}

// SavePolicy stores the policy, replacing the one before.
func (r *Retention) SavePolicy(ctx context.Context, p RetentionPolicy) error {
	set := bson.D{{Key: "updatedAt", Value: p.UpdatedAt}, {Key: "updatedById", Value: p.UpdatedByID}, {Key: "updatedByEmail", Value: p.UpdatedByEmail}}
	unset := bson.D{}
	for _, f := range []struct {
		key string
		v   *int
	}{{"contactMonths", p.ContactMonths}, {"namedMonths", p.NamedMonths}, {"devOutboxDays", p.DevOutboxDays}, {"deadLetterDays", p.DeadLetterDays}} {
		if f.v == nil {
			unset = append(unset, bson.E{Key: f.key, Value: ""})
			continue
		}
		set = append(set, bson.E{Key: f.key, Value: *f.v})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	return mongodoc.Upsert(ctx, r.c, "save retention policy", retentionPolicyID, update)
}

// Sweep returns the sweep's state; the zero state before the first run.
func (r *Retention) Sweep(ctx context.Context) (RetentionSweep, error) {
	s, _, err := mongodoc.Lookup[RetentionSweep](ctx, r.c, "retention sweep", retentionSweepID)
	return s, err
}

// ClaimSweep leases the sweep to token until until, when no other process
// holds it at now and, unless force, its next run is due: in one atomic
// write by _id, so that of several processes trying at once one gets it.
func (r *Retention) ClaimSweep(ctx context.Context, token string, now, until time.Time, force bool) (bool, error) {
	// The document first, so that the claim is an update (a duplicate key
	// from an upsert goes unrecognised on the embedded database).
	err := mongodoc.Insert(ctx, r.c, bson.D{{Key: "_id", Value: retentionSweepID}, {Key: "holder", Value: ""},
		{Key: "leaseUntil", Value: time.Time{}}, {Key: "nextRunAt", Value: time.Time{}}}, "retention sweep", "retention sweep")
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return false, err
	}
	filter := bson.D{{Key: "_id", Value: retentionSweepID}, {Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}}}
	if !force {
		filter = append(filter, bson.E{Key: "nextRunAt", Value: bson.D{{Key: "$lte", Value: now}}})
	}
	_, claimed, err := mongodoc.Claim[RetentionSweep](ctx, r.c, "claim retention sweep", filter,
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: token}, {Key: "leaseUntil", Value: until}}}})
	return claimed, err
}

// RenewSweep extends token's lease to until; false when token lost it.
func (r *Retention) RenewSweep(ctx context.Context, token string, until time.Time) (bool, error) {
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: retentionSweepID}, {Key: "holder", Value: token}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: until}}}})
	if err != nil {
		return false, fmt.Errorf("store: renew retention sweep: %w", err)
	}
	return res.MatchedCount == 1, nil
}

// FinishSweep gives token's lease back, recording that a run finished at
// at and the next is due at next.
func (r *Retention) FinishSweep(ctx context.Context, token string, at, next time.Time) error {
	_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: retentionSweepID}, {Key: "holder", Value: token}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: ""}, {Key: "leaseUntil", Value: time.Time{}},
			{Key: "lastRunAt", Value: at}, {Key: "nextRunAt", Value: next}}}})
	if err != nil {
		return fmt.Errorf("store: finish retention sweep: %w", err)
	}
	return nil
}
