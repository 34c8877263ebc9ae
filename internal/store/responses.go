package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// ClassificationConfidential is the classification of every response.
const ClassificationConfidential = "confidential"

// Response is one submitted answer form. It is anonymous by construction:
// its _id is a keyed hash of the invitation id (so an invitation yields at
// most one response, yet nothing stored joins the two), its date is a day
// and not a time, and it keeps only the segment attributes reports need.
// Only with the respondent's consent does it carry Named.
type Response struct {
	ID             string           `bson:"_id"`
	SurveyID       string           `bson:"surveyId"`
	Date           string           `bson:"date"` // UTC day, "2006-01-02": never an exact time
	Locale         string           `bson:"locale"`
	Segment        Segment          `bson:"segment"` // the invited company's attributes, never the company
	Classification string           `bson:"classification"`
	Answers        []ResponseAnswer `bson:"answers"`
	Named          *Named           `bson:"named,omitempty"`
	// Account is the invited company's account id, sealed and bound to
	// the response, so that reports per account stay rebuildable from
	// responses while the stored response names no company; absent on
	// responses stored before accounts were counted.
	Account *seal.Box `bson:"account,omitempty"`
	// TallyKey is the random key of the submission attempt that stored
	// it, which its tally intent is filed under (see rollups.TallyIntent).
	TallyKey string `bson:"tallyKey,omitempty"`
	// Shown is the keys of the questions the respondent was shown, which
	// conditional questions make fewer than all; nil on responses stored
	// before they were recorded (see report.ShownKeys).
	Shown []string `bson:"shown,omitempty"`
}

// Named links a response to its respondent, who consented to it; the
// consent record with ConsentID proves it. Withdrawal removes it.
type Named struct {
	ContactID string `bson:"contactId"`
	ConsentID string `bson:"consentId"`
}

// ResponseAnswer is one answer as stored. Scores and choices of ordinary
// questions are plain, for rollups; a text answer, and any answer to a
// confidential question, is only in Sealed.
type ResponseAnswer struct {
	Key     string    `bson:"key"`
	Score   *int      `bson:"score,omitempty"`
	Choices []string  `bson:"choices,omitempty"`
	Sealed  *seal.Box `bson:"sealed,omitempty"`
}

// Responses is the responses collection.
type Responses struct{ c *mongo.Collection }

func (r *Responses) Collection() *mongo.Collection { return r.c }

func (r *Responses) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("survey", "surveyId", "_id"),
		mongodoc.Index("named_contact", "named.contactId"),
		// HasAnswers on every save of an open survey: without it MongoDB
		// reads each of the survey's responses to find one with the key.
		mongodoc.Index("survey_answer_key", "surveyId", "answers.key"),
	}
}

// Insert adds a response; ErrDuplicate when one with its id exists, which
// is how a second submission of the same invitation is recognised.
func (r *Responses) Insert(ctx context.Context, resp Response) error {
	return mongodoc.Insert(ctx, r.c, resp, "response", "response")
}

// ByID returns one response.
func (r *Responses) ByID(ctx context.Context, id string) (Response, error) {
	return mongodoc.ByID[Response](ctx, r.c, "find response", id)
}

// FirstOf returns the first of ids that names a stored response, each
// checked with an _id look-up; ErrNotFound when none does. A response id
// depends on the key it was derived with, so callers pass one id per key.
func (r *Responses) FirstOf(ctx context.Context, ids ...string) (Response, error) {
	for _, id := range ids {
		resp, err := r.ByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		return resp, err
	}
	return Response{}, fmt.Errorf("store: find response: %w", ErrNotFound)
}

// Each calls fn for every response to a survey, in _id order: a random
// order, unlike insertion order, which would tell when each was given.
func (r *Responses) Each(ctx context.Context, surveyID string, fn func(Response) error) error {
	return mongodoc.Each(ctx, r.c, "responses", bson.D{{Key: "surveyId", Value: surveyID}}, fn, inIDOrder())
}

// All calls fn for every response, in _id order.
func (r *Responses) All(ctx context.Context, fn func(Response) error) error {
	return mongodoc.Each(ctx, r.c, "responses", bson.D{}, fn, inIDOrder())
}

func inIDOrder() *options.FindOptionsBuilder {
	return options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(500)
}

// HasAnswers reports whether any response answers a question, which
// limits how an open survey may still change.
func (r *Responses) HasAnswers(ctx context.Context, surveyID, questionKey string) (bool, error) {
	err := r.c.FindOne(ctx, bson.D{{Key: "surveyId", Value: surveyID}, {Key: "answers.key", Value: questionKey}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: find response: %w", err)
	}
	return true, nil
}

// NamedBy returns the responses that carry a contact's name.
func (r *Responses) NamedBy(ctx context.Context, contactID string) ([]Response, error) {
	return mongodoc.FindAll[Response](ctx, r.c, "named responses", bson.D{{Key: "named.contactId", Value: contactID}},
		options.Find().SetSort(bson.D{{Key: "date", Value: 1}, {Key: "_id", Value: 1}}))
}

// Unname removes a contact's identity from a response, leaving its
// answers as though they had been given anonymously. consentID, when not
// empty, limits it to the name attached under that consent. It reports
// whether the response was named so.
//
// It checks the name first and then updates by _id alone, the one filter
// every server serves from an index; that is safe because a name is only
// ever set when a response is inserted, never afterwards.
func (r *Responses) Unname(ctx context.Context, id, contactID, consentID string) (bool, error) {
	resp, err := r.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if resp.Named == nil || resp.Named.ContactID != contactID || (consentID != "" && resp.Named.ConsentID != consentID) {
		return false, nil
	}
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "named", Value: ""}}}})
	if err != nil {
		return false, fmt.Errorf("store: unname response: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// SetAnswers replaces a response's answers, which only re-encryption under
// a new key does: answers never change in meaning once given.
func (r *Responses) SetAnswers(ctx context.Context, id string, answers []ResponseAnswer) error {
	return r.set(ctx, id, bson.D{{Key: "answers", Value: answers}})
}

// SetSealed replaces a response's answers and sealed account, which only
// re-encryption under a new key does; a nil account is left as it is.
func (r *Responses) SetSealed(ctx context.Context, id string, answers []ResponseAnswer, account *seal.Box) error {
	set := bson.D{{Key: "answers", Value: answers}}
	if account != nil {
		set = append(set, bson.E{Key: "account", Value: account})
	}
	return r.set(ctx, id, set)
}

func (r *Responses) set(ctx context.Context, id string, set bson.D) error {
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("store: update response: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: update response: %w", ErrNotFound)
	}
	return nil
}

// NamedBefore returns up to limit of a survey's named responses given
// before day ("2006-01-02"), in _id order: the ones whose names the
// retention policy takes off.
func (r *Responses) NamedBefore(ctx context.Context, surveyID, day string, limit int64) ([]Response, error) {
	return mongodoc.FindAll[Response](ctx, r.c, "named responses", namedBefore(surveyID, day), inIDOrder().SetLimit(limit))
}

// CountNamedBefore counts what NamedBefore would return without a limit.
func (r *Responses) CountNamedBefore(ctx context.Context, surveyID, day string) (int64, error) {
	n, err := r.c.CountDocuments(ctx, namedBefore(surveyID, day))
	if err != nil {
		return 0, fmt.Errorf("store: count named responses: %w", err)
	}
	return n, nil
}

func namedBefore(surveyID, day string) bson.D {
	return bson.D{{Key: "surveyId", Value: surveyID}, {Key: "named", Value: bson.D{{Key: "$exists", Value: true}}},
		{Key: "date", Value: bson.D{{Key: "$lt", Value: day}}}}
}
