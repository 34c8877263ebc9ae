package rollups

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// TallyIntent records that a response is to be counted in its survey's
// rollups. It is written before the response, and deleted once the
// response is counted (or found stored by another attempt), so the collection (tally_pending) holds only the
// few responses in flight: its look-ups beyond _id stay cheap on every
// server. It holds no time and no answer: only the response id, which the
// response itself carries.
type TallyIntent struct {
	// ID is the key of the submission attempt that wrote it, which the
	// response it stores carries as Response.TallyKey: of several attempts
	// at one response, only the one that stored it is counted.
	ID         string `bson:"_id"`
	ResponseID string `bson:"response"`
	SurveyID   string `bson:"survey"`
	// Claim is the token of whoever may be counting it now; "" while
	// nobody is.
	Claim string `bson:"claim"`
	// Doubt means a count was begun and not known to have finished: some
	// of its $inc may have been applied. Only a rebuild settles it.
	Doubt bool `bson:"doubt,omitempty"`
	// Counted is a generation whose rebuild counted the response from the
	// responses; once that generation is current, counting it again would
	// count it twice.
	Counted int64 `bson:"counted,omitempty"`
}

// Intend records a tally intent.
func (r *Repo) Intend(ctx context.Context, in TallyIntent) error {
	if _, err := r.intents.InsertOne(ctx, in); err != nil {
		return fmt.Errorf("store: tally intent: %w", err)
	}
	return nil
}

// Intent returns a tally intent; mongodoc.ErrNotFound when it is gone.
func (r *Repo) Intent(ctx context.Context, id string) (TallyIntent, error) {
	return mongodoc.ByID[TallyIntent](ctx, r.intents, "tally intent", id)
}

// Intents returns the tally intents of one survey, or of all when surveyID
// is empty.
func (r *Repo) Intents(ctx context.Context, surveyID string) ([]TallyIntent, error) {
	filter := bson.D{}
	if surveyID != "" {
		filter = bson.D{{Key: "survey", Value: surveyID}}
	}
	return mongodoc.FindAll[TallyIntent](ctx, r.intents, "tally intents", filter)
}

// ClaimIntent hands an unclaimed, undoubted intent to token and returns
// it; false when it is claimed, in doubt or gone. Each intent changes
// atomically, so one claimant at most holds it.
func (r *Repo) ClaimIntent(ctx context.Context, id, token string) (TallyIntent, bool, error) {
	return mongodoc.Claim[TallyIntent](ctx, r.intents, "claim tally intent",
		bson.D{{Key: "_id", Value: id}, {Key: "claim", Value: ""}, {Key: "doubt", Value: bson.D{{Key: "$ne", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "claim", Value: token}}}})
}

// ReleaseIntent gives back token's claim on an intent, nothing of it
// counted.
func (r *Repo) ReleaseIntent(ctx context.Context, id, token string) error {
	return r.updateIntent(ctx, id, token, bson.D{{Key: "claim", Value: ""}}, "release")
}

// DoubtIntent gives back token's claim on an intent whose count may have
// been applied in part.
func (r *Repo) DoubtIntent(ctx context.Context, id, token string) error {
	return r.updateIntent(ctx, id, token, bson.D{{Key: "claim", Value: ""}, {Key: "doubt", Value: true}}, "doubt")
}

func (r *Repo) updateIntent(ctx context.Context, id, token string, set bson.D, op string) error {
	_, err := r.intents.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "claim", Value: token}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("store: %s tally intent: %w", op, err)
	}
	return nil
}

// MarkCounted records on intents that generation gen counted their
// responses.
func (r *Repo) MarkCounted(ctx context.Context, gen int64, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.intents.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "counted", Value: gen}}}})
	if err != nil {
		return fmt.Errorf("store: mark tally intents counted: %w", err)
	}
	return nil
}

// FinishIntents deletes intents now settled.
func (r *Repo) FinishIntents(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	filter := bson.D{{Key: "_id", Value: ids[0]}} // the one filter the embedded database looks up directly
	if len(ids) > 1 {
		filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	}
	if _, err := r.intents.DeleteMany(ctx, filter); err != nil {
		return fmt.Errorf("store: finish tally intents: %w", err)
	}
	return nil
}
