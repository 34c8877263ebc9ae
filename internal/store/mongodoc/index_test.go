package mongodoc

import (
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestIndex(t *testing.T) {
	tests := []struct {
		name   string
		model  mongo.IndexModel
		keys   bson.D
		unique bool
	}{
		{"one field", Index("expires", "expiresAt"), bson.D{{Key: "expiresAt", Value: 1}}, false},
		{"descending second", Index("survey_created", "surveyId", "-createdAt"),
			bson.D{{Key: "surveyId", Value: 1}, {Key: "createdAt", Value: -1}}, false},
		{"unique", UniqueIndex("email_unique", "email"), bson.D{{Key: "email", Value: 1}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if keys, _ := tt.model.Keys.(bson.D); !slices.Equal(keys, tt.keys) {
				t.Errorf("keys %v, want %v", tt.model.Keys, tt.keys)
			}
			var o options.IndexOptions
			for _, set := range tt.model.Options.List() {
				if err := set(&o); err != nil {
					t.Fatal(err)
				}
			}
			if got := o.Unique != nil && *o.Unique; got != tt.unique {
				t.Errorf("unique %v, want %v", got, tt.unique)
			}
			if o.Name == nil || *o.Name == "" {
				t.Error("the index has no name")
			}
		})
	}
}
