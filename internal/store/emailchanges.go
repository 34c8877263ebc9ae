package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// EmailChange is a change of a contact's email that waits for the holder
// of the new address to confirm it. The confirmation link carries a random
// token; only its hash is stored, so the database alone cannot confirm.
type EmailChange struct {
	ID        string    `bson:"_id"` // hash of the token in the link
	ContactID string    `bson:"contactId"`
	Email     seal.Box  `bson:"email"`  // the new address, sealed and bound to the id
	Locale    string    `bson:"locale"` // the language the change was asked for in
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// EmailChanges is the email_changes collection: small, since a change
// leaves it when confirmed, superseded, erased or expired.
type EmailChanges struct{ c *mongo.Collection }

func (r *EmailChanges) Collection() *mongo.Collection { return r.c }

func (r *EmailChanges) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{mongodoc.Index("contact", "contactId")}
}

// Insert stores a pending change.
func (r *EmailChanges) Insert(ctx context.Context, ch EmailChange) error {
	return mongodoc.Insert(ctx, r.c, ch, "email change", "email change")
}

// ByID returns a pending change without using it up.
func (r *EmailChanges) ByID(ctx context.Context, id string) (EmailChange, error) {
	return mongodoc.ByID[EmailChange](ctx, r.c, "find email change", id)
}

// Take removes a pending change and returns it: exactly one caller gets it,
// however many confirm at once; the others get ErrNotFound.
func (r *EmailChanges) Take(ctx context.Context, id string) (EmailChange, error) {
	ch, err := r.ByID(ctx, id)
	if err != nil {
		return EmailChange{}, err
	}
	res, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return EmailChange{}, fmt.Errorf("store: take email change: %w", err)
	}
	if res.DeletedCount == 0 {
		return EmailChange{}, fmt.Errorf("store: take email change: %w", ErrNotFound)
	}
	return ch, nil
}

// DeleteByContact removes a contact's pending changes: a newer request
// supersedes them, and erasure leaves none.
func (r *EmailChanges) DeleteByContact(ctx context.Context, contactID string) error {
	err := mongodoc.RetryIdempotent(ctx, func(ctx context.Context) error {
		_, err := r.c.DeleteMany(ctx, bson.D{{Key: "contactId", Value: contactID}})
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete email changes: %w", err)
	}
	return nil
}

// DeleteExpired removes changes that expired before now; there is no TTL
// index on the embedded database.
func (r *EmailChanges) DeleteExpired(ctx context.Context, now time.Time) error {
	_, err := mongodoc.DeleteBefore(ctx, r.c, "delete expired email changes", "expiresAt", now)
	return err
}

// ByContact returns a contact's pending changes.
func (r *EmailChanges) ByContact(ctx context.Context, contactID string) ([]EmailChange, error) {
	return mongodoc.FindAll[EmailChange](ctx, r.c, "email changes", bson.D{{Key: "contactId", Value: contactID}})
}
