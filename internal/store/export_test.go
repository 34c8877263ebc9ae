package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// OpenMonitored is Open with a command monitor.
func OpenMonitored(ctx context.Context, uri string, m *event.CommandMonitor) (*Store, error) {
	return open(ctx, uri, m)
}

// Handles returns collection handles the repositories use, one per
// repository type at least.
func (s *Store) Handles() []*mongo.Collection {
	out := []*mongo.Collection{s.Consents.chain, s.Consents.refs, s.Contacts.emails, s.Outbox.dead, s.Rollups.gens, s.Rollups.intents}
	for _, r := range s.repositories() {
		out = append(out, r.collection())
	}
	return out
}

// Transient is transient.
func Transient(err error) bool { return transient(err) }

// RetryIdempotent is retryIdempotent.
func RetryIdempotent(ctx context.Context, fn func(context.Context) error) error {
	return retryIdempotent(ctx, fn)
}

// LoseReplies makes the outbox report f's error after each multi-document
// write that succeeded, as if the reply had been lost.
func (r *Outbox) LoseReplies(f func(op string) error) { r.lostReply = f }

// PauseAt makes the rollups call f at the step boundaries of their
// multi-document writes.
func (r *Rollups) PauseAt(f func(step string)) { r.pause = f }

// SetSnapshotChunk sets the most data one snapshot document holds.
func (r *Rollups) SetSnapshotChunk(n int) { r.chunk = n }
