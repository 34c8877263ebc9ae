package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store/mongodoc"
	"github.com/candorhq/candor/internal/survey"
)

// ErrConflict means a compare-and-swap lost: the record changed since it
// was read.
var ErrConflict = fault.New(fault.Conflict, "store", "changed by someone else")

// Surveys is the surveys collection.
type Surveys struct{ c *mongo.Collection }

func (r *Surveys) Collection() *mongo.Collection { return r.c }

func (r *Surveys) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		{Keys: bson.D{{Key: "ownerId", Value: 1}, {Key: "createdAt", Value: -1}}, Options: options.Index().SetName("owner_created")},
	}
}

// Insert adds a survey.
func (r *Surveys) Insert(ctx context.Context, s survey.Survey) error {
	if _, err := r.c.InsertOne(ctx, s); err != nil {
		return fmt.Errorf("store: insert survey: %w", err)
	}
	return nil
}

// ByID returns one survey.
func (r *Surveys) ByID(ctx context.Context, id string) (survey.Survey, error) {
	var s survey.Survey
	if err := r.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&s); err != nil {
		return survey.Survey{}, fmt.Errorf("store: find survey: %w", mongodoc.NotFound(err))
	}
	return s, nil
}

// SurveyFilter narrows a list of surveys.
type SurveyFilter struct {
	OwnerID string
	Status  survey.Status
}

// List returns a page of surveys, newest first, and the total matching.
func (r *Surveys) List(ctx context.Context, f SurveyFilter, p Page) ([]survey.Survey, int64, error) {
	p = p.Normalize()
	filter := bson.D{}
	if f.OwnerID != "" {
		filter = append(filter, bson.E{Key: "ownerId", Value: f.OwnerID})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	total, err := r.c.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("store: count surveys: %w", err)
	}
	cur, err := r.c.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}).SetSkip(p.Offset).SetLimit(p.Limit))
	if err != nil {
		return nil, 0, fmt.Errorf("store: list surveys: %w", err)
	}
	out := []survey.Survey{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("store: list surveys: %w", err)
	}
	return out, total, nil
}

// Replace stores s if the stored survey still has revision previous:
// ErrConflict when someone else saved in between, ErrNotFound when it is gone.
func (r *Surveys) Replace(ctx context.Context, s survey.Survey, previous int) error {
	res, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ID}, {Key: "revision", Value: previous}}, s)
	if err != nil {
		return fmt.Errorf("store: update survey: %w", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	if _, err := r.ByID(ctx, s.ID); err != nil {
		return err
	}
	return fmt.Errorf("store: update survey: %w", ErrConflict)
}
