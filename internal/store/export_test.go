package store

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// OpenMonitored is Open with a command monitor.
func OpenMonitored(ctx context.Context, uri string, m *event.CommandMonitor) (*Store, error) {
	return open(ctx, uri, m)
}

// Client is the client Open made.
func (s *Store) Client() *mongo.Client { return s.client }

// Handles returns collection handles the repositories use, one per
// repository type at least.
func (s *Store) Handles() []*mongo.Collection {
	out := s.Contacts.Collections()
	out = append(out, s.Consents.Collections()...)
	out = append(out, s.Outbox.Collections()...)
	out = append(out, s.Rollups.Collections()...)
	out = append(out, s.Bounces.Collections()...)
	for _, r := range s.repositories() {
		out = append(out, r.Collection())
	}
	return out
}

// IndexTable is the indexes Migrate creates, one Markdown table row per
// collection, in the order Migrate creates them.
func (s *Store) IndexTable() string {
	var b strings.Builder
	b.WriteString("| collection | indexes (`candor migrate`) |\n|---|---|\n")
	for _, r := range s.repositories() {
		var names []string
		for _, idx := range r.Indexes() {
			var keys []string
			for _, k := range idx.Keys.(bson.D) {
				keys = append(keys, fmt.Sprintf("%s: %v", k.Key, k.Value))
			}
			o := &options.IndexOptions{}
			for _, set := range idx.Options.List() {
				_ = set(o)
			}
			name := "`" + *o.Name + "` {" + strings.Join(keys, ", ") + "}"
			if o.Unique != nil && *o.Unique {
				name += " unique"
			}
			names = append(names, name)
		}
		if len(names) == 0 {
			names = []string{"`_id` only"}
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", r.Collection().Name(), strings.Join(names, "; "))
	}
	return b.String()
}
