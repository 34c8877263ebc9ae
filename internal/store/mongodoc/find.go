package mongodoc

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FindOne decodes the first document of c matching filter; ErrNotFound
// when there is none.
func FindOne[T any](ctx context.Context, c *mongo.Collection, filter any, opts ...options.Lister[options.FindOneOptions]) (T, error) {
	var v T
	if err := c.FindOne(ctx, filter, opts...).Decode(&v); err != nil {
		var zero T
		return zero, NotFound(err)
	}
	return v, nil
}

// ByID decodes the document of c with _id id; ErrNotFound when there is
// none. A filter of exactly {_id} is the one FerretDB serves from its index.
func ByID[T any](ctx context.Context, c *mongo.Collection, id any) (T, error) {
	return FindOne[T](ctx, c, bson.D{{Key: "_id", Value: id}})
}

// FindAll decodes every document of c matching filter, in the order opts
// sort them; an empty, non-nil slice when none match.
func FindAll[T any](ctx context.Context, c *mongo.Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Each calls fn for every document of c by _id, decoded as T, reading in
// batches so that a large collection is never held in memory at once.
func Each[T any](ctx context.Context, c *mongo.Collection, what string, fn func(T) error) error {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			return fmt.Errorf("store: decode %s: %w", what, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// Exists reports whether c holds a document with _id id.
func Exists(ctx context.Context, c *mongo.Collection, id string) (bool, error) {
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}
