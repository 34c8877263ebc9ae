package store

import (
	"context"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SuppressionReason says why an address gets no more email.
type SuppressionReason string

// Suppression reasons.
const (
	SuppressedUnsubscribed SuppressionReason = "unsubscribed"
	SuppressedBounced      SuppressionReason = "bounced"
	SuppressedErased       SuppressionReason = "erased"
	SuppressedComplained   SuppressionReason = "complained" // the recipient reported the email as spam
)

// Suppression keeps an address from every future email. It is keyed by the
// blind index of the address, so it outlives the contact (an erased person
// stays suppressed) without keeping the address itself.
type Suppression struct {
	ID        string            `bson:"_id"` // blind index of the normalised email
	Reason    SuppressionReason `bson:"reason"`
	CreatedAt time.Time         `bson:"createdAt"`
}

// Suppressions is the suppressions collection.
type Suppressions struct{ c *mongo.Collection }

func (r *Suppressions) Collection() *mongo.Collection { return r.c }
func (r *Suppressions) Indexes() []mongo.IndexModel   { return nil }

// Add suppresses an address; adding it again keeps the first reason.
func (r *Suppressions) Add(ctx context.Context, s Suppression) error {
	return mongodoc.Upsert(ctx, r.c, "suppress", s.ID,
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "reason", Value: s.Reason}, {Key: "createdAt", Value: s.CreatedAt}}}})
}

// Find returns the suppression for any of the blind indexes of an address
// (one per key in the ring); ErrNotFound when the address may be mailed.
func (r *Suppressions) Find(ctx context.Context, indexes ...string) (Suppression, error) {
	for _, idx := range indexes {
		if s, found, err := mongodoc.Lookup[Suppression](ctx, r.c, "find suppression", idx); found || err != nil {
			return s, err
		}
	}
	return Suppression{}, fmt.Errorf("store: find suppression: %w", ErrNotFound)
}

// All returns every suppression by id, for resolving a large audience in
// one pass instead of a look-up per contact. Suppressed addresses are a
// small share of all contacts.
func (r *Suppressions) All(ctx context.Context) (map[string]SuppressionReason, error) {
	all, err := mongodoc.FindAll[Suppression](ctx, r.c, "suppressions", bson.D{},
		options.Find().SetProjection(bson.D{{Key: "reason", Value: 1}}).SetBatchSize(5000))
	if err != nil {
		return nil, err
	}
	out := make(map[string]SuppressionReason, len(all))
	for _, s := range all {
		out[s.ID] = s.Reason
	}
	return out, nil
}

// Move re-keys the suppression at blind index from to index to, keeping its
// reason and time, when there is one at from; moved reports whether there
// was. The copy is written before the original goes, so the address stays
// suppressed throughout, and a move interrupted between the two finishes
// when repeated.
func (r *Suppressions) Move(ctx context.Context, from, to string) (moved bool, err error) {
	if from == to {
		return false, nil
	}
	s, found, err := mongodoc.Lookup[Suppression](ctx, r.c, "move suppression", from)
	if !found || err != nil {
		return false, err
	}
	if err := r.Add(ctx, Suppression{ID: to, Reason: s.Reason, CreatedAt: s.CreatedAt}); err != nil {
		return false, err
	}
	if _, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: from}}); err != nil {
		return false, fmt.Errorf("store: move suppression: %w", err)
	}
	return true, nil
}
