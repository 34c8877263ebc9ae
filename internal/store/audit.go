package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AuditEntry records one staff action on personal data. Entries are only
// ever inserted.
type AuditEntry struct {
	ID         string    `bson:"_id"` // random
	ActorID    string    `bson:"actorId"`
	ActorEmail string    `bson:"actorEmail"` // as it was then; users may change theirs
	Action     string    `bson:"action"`     // such as "privacy.erase"
	Target     string    `bson:"target"`     // the contact acted on
	Detail     string    `bson:"detail,omitempty"`
	RequestID  string    `bson:"requestId,omitempty"`
	At         time.Time `bson:"at"`
}

// Audit is the audit collection.
type Audit struct{ c *mongo.Collection }

func (r *Audit) Collection() *mongo.Collection { return r.c }

func (r *Audit) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		{Keys: bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("at")},
		{Keys: bson.D{{Key: "target", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("target")},
	}
}

// Insert appends an entry.
func (r *Audit) Insert(ctx context.Context, e AuditEntry) error {
	if _, err := r.c.InsertOne(ctx, e); err != nil {
		return fmt.Errorf("store: insert audit entry: %w", err)
	}
	return nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Target string // one contact's entries; empty: all
}

// List returns a page of entries, newest first, and the total matching.
func (r *Audit) List(ctx context.Context, f AuditFilter, p Page) ([]AuditEntry, int64, error) {
	p = p.Normalize()
	filter := bson.D{}
	if f.Target != "" {
		filter = append(filter, bson.E{Key: "target", Value: f.Target})
	}
	total, err := r.c.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("store: count audit entries: %w", err)
	}
	cur, err := r.c.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: 1}}).SetSkip(p.Offset).SetLimit(p.Limit))
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit entries: %w", err)
	}
	out := []AuditEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("store: list audit entries: %w", err)
	}
	return out, total, nil
}
