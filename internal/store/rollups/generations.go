package rollups

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Errors of rebuilding rollups.
var (
	// ErrBuildUnderWay means another rebuild of the survey holds a lease
	// that has not run out.
	ErrBuildUnderWay = errors.New("store: a rollup rebuild is under way")
	// ErrBuildLost means the rebuild's lease was taken over or cleared:
	// its generation never becomes current.
	ErrBuildLost = errors.New("store: the rollup rebuild lost its lease")
)

// Generation says which of a survey's generations of rollups is
// current, and whether a rebuild is building the next one. Answers are
// counted only while none is: they wait, as intents, for its swap.
type Generation struct {
	Current int64
	Token   string    // the rebuild's lease token; "" when none is under way
	Until   time.Time // when the rebuild's lease runs out
}

// Building reports whether a rebuild holds the survey, its lease run out
// or not: only clearing it (AbortBuild) lets answers be counted again.
func (g Generation) Building() bool { return g.Token != "" }

// genDoc is a survey's pointer to its current generation, in the small
// rollup_gens collection: one document per survey, so that its
// conditional writes, whose filters go beyond _id, stay cheap everywhere.
type genDoc struct {
	ID    string    `bson:"_id"`
	Gen   int64     `bson:"gen"`
	Next  int64     `bson:"next"` // the generation last begun
	Token string    `bson:"token"`
	Until time.Time `bson:"until"`
}

// Generation returns a survey's generation of rollups; generation 0, with
// no rebuild under way, for a survey never rebuilt.
func (r *Repo) Generation(ctx context.Context, surveyID string) (Generation, error) {
	d, _, err := mongodoc.Lookup[genDoc](ctx, r.gens, "rollup generation", surveyID)
	if err != nil {
		return Generation{}, err
	}
	return Generation{Current: d.Gen, Token: d.Token, Until: d.Until}, nil
}

// beginAttempts bounds the retries of a begin that lost a race with
// another begin between reading the pointer and moving it.
const beginAttempts = 3

// BeginBuild starts building a survey's next generation under token, with
// a lease until until, and returns the generation's number, greater than
// any begun before. ErrBuildUnderWay when another rebuild holds an
// unexpired lease; an expired one is taken over, and its swap then fails.
func (r *Repo) BeginBuild(ctx context.Context, surveyID, token string, now, until time.Time) (int64, error) {
	if !ValidKey(surveyID) || token == "" {
		return 0, fmt.Errorf("store: rollup build %q: %w", surveyID, ErrInvalidKey)
	}
	for range beginAttempts {
		d, found, err := mongodoc.Lookup[genDoc](ctx, r.gens, "begin rollup build", surveyID)
		if err != nil {
			return 0, err
		}
		if !found {
			_, err := r.gens.InsertOne(ctx, genDoc{ID: surveyID, Next: 1, Token: token, Until: until})
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
			if err != nil {
				return 0, fmt.Errorf("store: begin rollup build: %w", err)
			}
			return 1, nil
		}
		if d.Token != "" && d.Until.After(now) {
			return 0, fmt.Errorf("store: survey %s: %w", surveyID, ErrBuildUnderWay)
		}
		next := max(d.Gen, d.Next) + 1
		res, err := r.gens.UpdateOne(ctx, bson.D{{Key: "_id", Value: surveyID}, {Key: "token", Value: d.Token}, {Key: "next", Value: d.Next}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "next", Value: next}, {Key: "token", Value: token}, {Key: "until", Value: until}}}})
		if err != nil {
			return 0, fmt.Errorf("store: begin rollup build: %w", err)
		}
		if res.MatchedCount == 1 {
			return next, nil
		}
	}
	return 0, fmt.Errorf("store: survey %s: %w", surveyID, ErrBuildUnderWay)
}

// RenewBuild extends a rebuild's lease; ErrBuildLost when it holds none.
func (r *Repo) RenewBuild(ctx context.Context, surveyID, token string, until time.Time) error {
	return r.moveGen(ctx, surveyID, bson.D{{Key: "token", Value: token}}, bson.D{{Key: "until", Value: until}}, "renew")
}

// SwapBuild makes generation gen, built under token, the survey's current
// one, in one write; ErrBuildLost when the lease is no longer token's.
func (r *Repo) SwapBuild(ctx context.Context, surveyID, token string, gen int64) error {
	return r.moveGen(ctx, surveyID, bson.D{{Key: "token", Value: token}, {Key: "next", Value: gen}},
		bson.D{{Key: "gen", Value: gen}, {Key: "token", Value: ""}}, "swap")
}

// AbortBuild clears a rebuild's lease, leaving the current generation as
// it is; ErrBuildLost when token holds none.
func (r *Repo) AbortBuild(ctx context.Context, surveyID, token string) error {
	return r.moveGen(ctx, surveyID, bson.D{{Key: "token", Value: token}}, bson.D{{Key: "token", Value: ""}}, "abort")
}

func (r *Repo) moveGen(ctx context.Context, surveyID string, cond, set bson.D, op string) error {
	if cond[0].Value == "" {
		return fmt.Errorf("store: %s rollup build: %w", op, ErrBuildLost)
	}
	filter := append(bson.D{{Key: "_id", Value: surveyID}}, cond...)
	res, err := r.gens.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("store: %s rollup build: %w", op, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: %s rollup build of %s: %w", op, surveyID, ErrBuildLost)
	}
	return nil
}

// CurrentWeeks returns the index of weeks of a survey's current
// generation, for tools and checks that read no reports.
func (r *Repo) CurrentWeeks(ctx context.Context, surveyID string) (map[string]Week, error) {
	g, err := r.Generation(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	return r.Weeks(ctx, surveyID, g.Current)
}
