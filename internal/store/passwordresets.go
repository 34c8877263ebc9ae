package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// PasswordReset is one emailed password-reset link. Only a hash of the
// link's secret is stored, so a copy of the database resets nothing.
type PasswordReset struct {
	ID        string     `bson:"_id"` // hex SHA-256 of the secret in the link
	UserID    string     `bson:"userId"`
	CredGen   int64      `bson:"credGen"` // the user's generation when issued; a later change voids the link
	ExpiresAt time.Time  `bson:"expiresAt"`
	Used      bool       `bson:"used"`
	UsedAt    *time.Time `bson:"usedAt,omitempty"`
}

// PasswordResets is the password_resets collection. It stays small: links
// live for minutes and the sweeper removes expired ones.
type PasswordResets struct{ c *mongo.Collection }

func (r *PasswordResets) Collection() *mongo.Collection { return r.c }

func (r *PasswordResets) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{mongodoc.Index("expires", "expiresAt")}
}

// Insert stores a new reset.
func (r *PasswordResets) Insert(ctx context.Context, p PasswordReset) error {
	p.ExpiresAt = p.ExpiresAt.UTC()
	return mongodoc.Insert(ctx, r.c, p, "password reset", "")
}

// ByID returns reset id, used or not; ErrNotFound when there is none.
func (r *PasswordResets) ByID(ctx context.Context, id string) (PasswordReset, error) {
	return mongodoc.ByID[PasswordReset](ctx, r.c, "find password reset", id)
}

// Consume marks reset id used and returns it, in one atomic write that
// matches only an unused reset that has not expired: of two concurrent
// uses, one succeeds. ErrNotFound for an unknown, used or expired reset.
func (r *PasswordResets) Consume(ctx context.Context, id string, now time.Time) (PasswordReset, error) {
	now = now.UTC()
	return mongodoc.UpdateAndGet[PasswordReset](ctx, r.c, "consume password reset",
		bson.D{{Key: "_id", Value: id}, {Key: "used", Value: false}, {Key: "expiresAt", Value: bson.D{{Key: "$gt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used", Value: true}, {Key: "usedAt", Value: now}}}})
}

// Sweep deletes resets that expired before now.
func (r *PasswordResets) Sweep(ctx context.Context, now time.Time) (int64, error) {
	return mongodoc.DeleteBefore(ctx, r.c, "sweep password resets", "expiresAt", now.UTC())
}
