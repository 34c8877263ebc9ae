package store

import (
	"context"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Markers is the markers collection: one document per piece of once-only
// work, holding what it was last done for, so that it is not done again.
type Markers struct{ c *mongo.Collection }

// Marker returns the value recorded under id; "" when none is.
func (r *Markers) Marker(ctx context.Context, id string) (string, error) {
	type marker struct {
		Value string `bson:"value"`
	}
	m, _, err := mongodoc.Lookup[marker](ctx, r.c, "read marker "+id, id)
	return m.Value, err
}

// SetMarker records value under id.
func (r *Markers) SetMarker(ctx context.Context, id, value string) error {
	return mongodoc.Upsert(ctx, r.c, "set marker "+id, id, bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: value}}}})
}
