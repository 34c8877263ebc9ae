package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// IndexKey is the blind-index key derived from root key ID, sealed under a
// later root key. It outlives ID in CANDOR_SECRET_KEYS so that suppressions
// of addresses no longer known (erased people, corrected emails) still
// match: their blind index cannot be recomputed under a new key.
type IndexKey struct {
	ID  string   `bson:"_id"` // the retired root key's id
	Key seal.Box `bson:"key"`
}

// IndexKeys is the index_keys collection: a handful of documents.
type IndexKeys struct{ c *mongo.Collection }

// All returns every kept index key.
func (r *IndexKeys) All(ctx context.Context) ([]IndexKey, error) {
	return mongodoc.FindAll[IndexKey](ctx, r.c, "index keys", bson.D{})
}

// Put stores k, replacing the sealing of the same key: any sealing of it
// is as good as another.
func (r *IndexKeys) Put(ctx context.Context, k IndexKey) error {
	return mongodoc.Upsert(ctx, r.c, "put index key "+k.ID, k.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "key", Value: k.Key}}}})
}
