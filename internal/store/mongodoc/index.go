package mongodoc

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Index declares the index name on fields, in order; a field written
// "-field" is descending. Names are given, never derived, so that renaming
// a field cannot leave its old index behind unnoticed.
func Index(name string, fields ...string) mongo.IndexModel {
	return mongo.IndexModel{Keys: indexKeys(fields), Options: options.Index().SetName(name)}
}

// UniqueIndex is Index that rejects a second document with the same keys.
func UniqueIndex(name string, fields ...string) mongo.IndexModel {
	return mongo.IndexModel{Keys: indexKeys(fields), Options: options.Index().SetUnique(true).SetName(name)}
}

func indexKeys(fields []string) bson.D {
	keys := make(bson.D, 0, len(fields))
	for _, f := range fields {
		if name, desc := strings.CutPrefix(f, "-"); desc {
			keys = append(keys, bson.E{Key: name, Value: -1})
		} else {
			keys = append(keys, bson.E{Key: f, Value: 1})
		}
	}
	return keys
}
