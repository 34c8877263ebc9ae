package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// RevokedTokens is the revoked_tokens collection: the ids (jti) of staff
// tokens ended before their expiry, as by signing out. An entry is needed
// only until the token would have expired anyway; a sweeper removes it
// then (no TTL indexes on FerretDB).
type RevokedTokens struct{ c *mongo.Collection }

func (r *RevokedTokens) Collection() *mongo.Collection { return r.c }

func (r *RevokedTokens) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{mongodoc.Index("expires", "expiresAt")}
}

// Revoke records token id as revoked until expiresAt. Revoking twice is
// not an error.
func (r *RevokedTokens) Revoke(ctx context.Context, id string, expiresAt time.Time) error {
	return mongodoc.Upsert(ctx, r.c, "revoke token", id, bson.D{{Key: "$set", Value: bson.D{{Key: "expiresAt", Value: expiresAt.UTC()}}}})
}

// IsRevoked reports whether token id was revoked. A look-up by _id, so it
// is cheap enough for every request.
func (r *RevokedTokens) IsRevoked(ctx context.Context, id string) (bool, error) {
	return mongodoc.Exists(ctx, r.c, "revoked token", id)
}

// Sweep deletes entries whose tokens have expired by now.
func (r *RevokedTokens) Sweep(ctx context.Context, now time.Time) (int64, error) {
	return mongodoc.DeleteBefore(ctx, r.c, "sweep revoked tokens", "expiresAt", now.UTC())
}
