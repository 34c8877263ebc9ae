package mongodoc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The helpers below wrap every error as "store: <what>: …", what naming
// the operation as its caller would ("find campaign", "list accounts").

// FindOne decodes the first document of c matching filter; ErrNotFound
// when there is none.
func FindOne[T any](ctx context.Context, c *mongo.Collection, what string, filter any, opts ...options.Lister[options.FindOneOptions]) (T, error) {
	var v T
	if err := c.FindOne(ctx, filter, opts...).Decode(&v); err != nil {
		var zero T
		return zero, fmt.Errorf("store: %s: %w", what, NotFound(err))
	}
	return v, nil
}

// ByID decodes the document of c with _id id; ErrNotFound when there is
// none. A filter of exactly {_id} is the one FerretDB serves from its index.
func ByID[T any](ctx context.Context, c *mongo.Collection, what string, id any) (T, error) {
	return FindOne[T](ctx, c, what, bson.D{{Key: "_id", Value: id}})
}

// Lookup is ByID for documents that may well be missing: found is false,
// and the document zero, when there is none.
func Lookup[T any](ctx context.Context, c *mongo.Collection, what string, id any) (doc T, found bool, err error) {
	doc, err = ByID[T](ctx, c, what, id)
	if errors.Is(err, ErrNotFound) {
		return doc, false, nil
	}
	return doc, err == nil, err
}

// FindAll decodes every document of c matching filter, in the order opts
// sort them; an empty, non-nil slice when none match.
func FindAll[T any](ctx context.Context, c *mongo.Collection, what string, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// FindPage returns page p of the documents of c matching filter in sort
// order, and how many match in all; what names them ("accounts").
func FindPage[T any](ctx context.Context, c *mongo.Collection, what string, filter any, sort bson.D, p Page) ([]T, int64, error) {
	p = p.Normalize()
	total, err := c.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", what, err)
	}
	out, err := FindAll[T](ctx, c, "list "+what, filter, options.Find().SetSort(sort).SetSkip(p.Offset).SetLimit(p.Limit))
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Each calls fn for every document of c matching filter, decoded as T,
// streaming from a cursor so that a large result is never held in memory
// at once. An error of fn ends it and is returned as it is.
func Each[T any](ctx context.Context, c *mongo.Collection, what string, filter any, fn func(T) error, opts ...options.Lister[options.FindOptions]) error {
	cur, err := c.Find(ctx, filter, opts...)
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

// Exists reports whether c holds a document with _id id, reading its _id
// alone.
func Exists(ctx context.Context, c *mongo.Collection, what, id string) (bool, error) {
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	return true, nil
}

// Insert adds doc to c. With dup set, a duplicate key comes back as
// ErrDuplicate, wrapped as "store: <dup>"; without, as any other error.
func Insert(ctx context.Context, c *mongo.Collection, doc any, what, dup string) error {
	if _, err := c.InsertOne(ctx, doc); err != nil {
		if dup != "" && IsDuplicate(err) {
			return fmt.Errorf("store: %s: %w", dup, ErrDuplicate)
		}
		return fmt.Errorf("store: insert %s: %w", what, err)
	}
	return nil
}

// InsertOnce adds doc to c unless a document with its key is there
// already: false, and no error, then (the same record written again).
func InsertOnce(ctx context.Context, c *mongo.Collection, what string, doc any) (bool, error) {
	if _, err := c.InsertOne(ctx, doc); err != nil {
		if IsDuplicate(err) {
			return false, nil
		}
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	return true, nil
}

// DeleteBefore deletes the documents of c whose field is before t, which
// is how expired records go (no TTL indexes on FerretDB), and reports how
// many went.
func DeleteBefore(ctx context.Context, c *mongo.Collection, what, field string, t time.Time) (int64, error) {
	res, err := c.DeleteMany(ctx, bson.D{{Key: field, Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	return res.DeletedCount, nil
}
