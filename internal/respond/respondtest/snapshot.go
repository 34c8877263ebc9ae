package respondtest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Snapshot is every document of a database as canonical extended JSON, by
// collection and then by _id.
type Snapshot map[string]map[string]string

// Take reads every document of every collection in db.
func Take(t testing.TB, db *mongo.Database) Snapshot {
	t.Helper()
	ctx := context.Background()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	snap := Snapshot{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		byID := map[string]string{}
		for _, d := range docs {
			js, err := bson.MarshalExtJSON(d, true, false)
			if err != nil {
				t.Fatal(err)
			}
			byID[d.Lookup("_id").String()] = string(js)
		}
		snap[name] = byID
	}
	return snap
}

// Change is a document that differs between two snapshots; Before or
// After is empty for an inserted or a deleted document.
type Change struct {
	Collection, ID string
	Before, After  string
}

// Diff lists the documents that differ from before to after, in a stable
// order.
func Diff(before, after Snapshot) []Change {
	var out []Change
	for _, c := range union(before, after) {
		for _, id := range union(before[c], after[c]) {
			if b, a := before[c][id], after[c][id]; a != b {
				out = append(out, Change{Collection: c, ID: id, Before: b, After: a})
			}
		}
	}
	return out
}

// union returns the keys of both maps, sorted.
func union[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Find returns the documents, as "collection/_id", whose extended JSON
// contains needle.
func (s Snapshot) Find(needle string) []string {
	var out []string
	for c, docs := range s {
		for id, doc := range docs {
			if strings.Contains(doc, needle) {
				out = append(out, c+"/"+id)
			}
		}
	}
	slices.Sort(out)
	return out
}

// HasDateTime reports whether a document holds a date-time anywhere.
func HasDateTime(doc bson.Raw) bool {
	elems, err := doc.Elements()
	if err != nil {
		return false
	}
	for _, e := range elems {
		if valueHasDateTime(e.Value()) {
			return true
		}
	}
	return false
}

func valueHasDateTime(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeDateTime, bson.TypeTimestamp:
		return true
	case bson.TypeEmbeddedDocument:
		return HasDateTime(v.Document())
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return false
		}
		for _, x := range vals {
			if valueHasDateTime(x) {
				return true
			}
		}
	}
	return false
}
