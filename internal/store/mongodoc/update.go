package mongodoc

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// UpdateAndGet applies update to the one document of c that filter
// matches and decodes it as it is afterwards, in one atomic write;
// ErrNotFound when nothing matches. A filter that states what the document
// must still be makes it a compare-and-swap.
func UpdateAndGet[T any](ctx context.Context, c *mongo.Collection, what string, filter, update any) (T, error) {
	var v T
	err := c.FindOneAndUpdate(ctx, filter, update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&v)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("store: %s: %w", what, NotFound(err))
	}
	return v, nil
}

// Claim is UpdateAndGet for a write that may well find nothing to do, as
// when another worker holds the lease: claimed is false, and no error,
// when filter matches nothing.
func Claim[T any](ctx context.Context, c *mongo.Collection, what string, filter, update any) (doc T, claimed bool, err error) {
	doc, err = UpdateAndGet[T](ctx, c, what, filter, update)
	if errors.Is(err, ErrNotFound) {
		return doc, false, nil
	}
	return doc, err == nil, err
}

// Upsert applies update to the document of c with _id id, creating it
// when there is none; repeating it changes nothing more.
func Upsert(ctx context.Context, c *mongo.Collection, what string, id, update any) error {
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update, options.UpdateOne().SetUpsert(true)); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}
