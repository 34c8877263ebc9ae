package store

import (
	"context"
	"time"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
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
		mongodoc.Index("at", "-at", "_id"),
		mongodoc.Index("target", "target", "-at"),
		mongodoc.Index("action", "action", "-at"), // the retention page lists the sweep's runs
	}
}

// Insert appends an entry.
func (r *Audit) Insert(ctx context.Context, e AuditEntry) error {
	return mongodoc.Insert(ctx, r.c, e, "audit entry", "")
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Target string // one contact's entries; empty: all
	Action string // one action's entries; empty: all
}

// List returns a page of entries, newest first, and the total matching.
func (r *Audit) List(ctx context.Context, f AuditFilter, p Page) ([]AuditEntry, int64, error) {
	filter := bson.D{}
	if f.Target != "" {
		filter = append(filter, bson.E{Key: "target", Value: f.Target})
	}
	if f.Action != "" {
		filter = append(filter, bson.E{Key: "action", Value: f.Action})
	}
	return mongodoc.FindPage[AuditEntry](ctx, r.c, "audit entries", filter, bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: 1}}, p)
}
