package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"github.com/candorhq/candor/internal/survey"
)

// Surveys is the surveys collection, and the logos their branding shows
// (kept apart, since a survey is read far more often than its logo).
type Surveys struct{ c, logos *mongo.Collection }

func (r *Surveys) Collection() *mongo.Collection { return r.c }

func (r *Surveys) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("owner_created", "ownerId", "-createdAt"),
	}
}

// Insert adds a survey.
func (r *Surveys) Insert(ctx context.Context, s survey.Survey) error {
	return mongodoc.Insert(ctx, r.c, s, "survey", "")
}

// ByID returns one survey.
func (r *Surveys) ByID(ctx context.Context, id string) (survey.Survey, error) {
	return mongodoc.ByID[survey.Survey](ctx, r.c, "find survey", id)
}

// SurveyFilter narrows a list of surveys.
type SurveyFilter struct {
	OwnerID string
	Status  survey.Status
}

// List returns a page of surveys, newest first, and the total matching.
func (r *Surveys) List(ctx context.Context, f SurveyFilter, p Page) ([]survey.Survey, int64, error) {
	filter := bson.D{}
	if f.OwnerID != "" {
		filter = append(filter, bson.E{Key: "ownerId", Value: f.OwnerID})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	return mongodoc.FindPage[survey.Survey](ctx, r.c, "surveys", filter, bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}, p)
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

// Logo is an image a survey's respondent pages and emails show. Its _id is
// the hex SHA-256 of its bytes: the same image is stored once, and a
// logo's URL never needs to change, so it can be cached for good.
type Logo struct {
	ID          string    `bson:"_id"`
	ContentType string    `bson:"contentType"` // image/png or image/jpeg
	Data        []byte    `bson:"data"`
	CreatedAt   time.Time `bson:"createdAt"`
}

// PutLogo stores a logo; storing the same one again changes nothing.
func (r *Surveys) PutLogo(ctx context.Context, l Logo) error {
	err := mongodoc.Insert(ctx, r.logos, l, "logo", "logo")
	if errors.Is(err, ErrDuplicate) {
		return nil // the same bytes: the same logo
	}
	return err
}

// Logo returns the logo with id.
func (r *Surveys) Logo(ctx context.Context, id string) (Logo, error) {
	return mongodoc.ByID[Logo](ctx, r.logos, "find logo", id)
}
