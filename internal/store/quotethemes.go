package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"github.com/candorhq/candor/internal/store/rollups"
)

// The quote_themes collection holds the themes computed from a question's
// kept quotes, one document per survey, question and locale
// (<survey>|<question>|<locale>), each read by _id. The
// quote_theme_marks collection holds what waits to be computed: a mark
// per question (<survey>|<question>) that gained a quote since, and the
// lease of the computation (_id "lease"). Neither has indexes beyond _id.

// ThemeSet is the themes of one question's quotes in one locale, as last
// computed.
type ThemeSet struct {
	SurveyID   string `bson:"survey"`
	Question   string `bson:"question"`
	Locale     string `bson:"locale"`
	Generation int64  `bson:"generation"` // every locale of one computation has the same
	// UpdatedAt is the day of the computation, no finer: a time next to
	// the newest quote's number would date that quote.
	UpdatedAt time.Time     `bson:"updatedAt"`
	Themes    []StoredTheme `bson:"themes"`
}

// StoredTheme is one theme: its label, its sentiment, the quotes in it,
// and the counts the release of themes lets it show.
type StoredTheme struct {
	ID      string   `bson:"id"`
	Terms   []string `bson:"terms"` // the label, as shown
	Stems   []string `bson:"stems"`
	People  int64    `bson:"people"`  // respondents in it (one quote each)
	Score   float64  `bson:"score"`   // mean sentiment, -1 to 1
	Members []int64  `bson:"members"` // the numbers of its quotes (see Quote.Number)
	// Shown are the counts it shows, by filter (an empty Dim: unfiltered);
	// under a filter not listed it does not show.
	Shown []ThemeCount `bson:"shown"`
}

// ThemeCount is a theme's respondents under one filter.
type ThemeCount struct {
	Dim   string `bson:"dim"`
	Value string `bson:"value"`
	N     int64  `bson:"n"`
}

// ThemeMark says a question gained quotes since its themes were computed:
// N counts the quotes that marked it.
type ThemeMark struct {
	SurveyID string `bson:"survey"`
	Question string `bson:"question"`
	N        int64  `bson:"n"`
}

// QuoteThemes is the quote_themes and quote_theme_marks collections.
type QuoteThemes struct{ c, marks *mongo.Collection }

func (r *QuoteThemes) Collection() *mongo.Collection { return r.c }

func (r *QuoteThemes) Indexes() []mongo.IndexModel { return nil }

func themeSetID(surveyID, question, locale string) string {
	return surveyID + rollups.KeySep + question + rollups.KeySep + locale
}

func themeMarkID(surveyID, question string) string {
	return surveyID + rollups.KeySep + question
}

// themeLeaseID is the lease's _id among the marks; no mark has it, since
// every mark's _id holds the key separator.
const themeLeaseID = "lease"

// Mark notes that a question gained a quote: one upsert by _id, cheap
// enough for every submission.
func (r *QuoteThemes) Mark(ctx context.Context, surveyID, question string) error {
	if !rollups.ValidKey(surveyID) || !rollups.ValidKey(question) {
		return fmt.Errorf("store: theme mark %q|%q: %w", surveyID, question, rollups.ErrInvalidKey)
	}
	return mongodoc.Upsert(ctx, r.marks, "mark themes", themeMarkID(surveyID, question), bson.D{
		{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "survey", Value: surveyID}, {Key: "question", Value: question}}},
	})
}

// Marks returns the questions waiting for their themes. It reads the
// whole marks collection, which holds a document per question waiting:
// only the background computation calls it.
func (r *QuoteThemes) Marks(ctx context.Context) ([]ThemeMark, error) {
	return mongodoc.FindAll[ThemeMark](ctx, r.marks, "theme marks",
		bson.D{{Key: "survey", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// Unmark removes a question's mark if no quote came since m was read; a
// quote that came meanwhile leaves it for the next computation.
func (r *QuoteThemes) Unmark(ctx context.Context, m ThemeMark) error {
	_, err := r.marks.DeleteOne(ctx, bson.D{{Key: "_id", Value: themeMarkID(m.SurveyID, m.Question)}, {Key: "n", Value: m.N}})
	if err != nil {
		return fmt.Errorf("store: unmark themes: %w", err)
	}
	return nil
}

// ClaimThemes leases the computation of themes to token until until, when
// no other process holds it at now: one atomic write by _id.
func (r *QuoteThemes) ClaimThemes(ctx context.Context, token string, now, until time.Time) (bool, error) {
	// The document first, so that the claim is an update (a duplicate key
	// from an upsert goes unrecognised on the embedded database).
	err := mongodoc.Insert(ctx, r.marks, bson.D{{Key: "_id", Value: themeLeaseID}, {Key: "holder", Value: ""},
		{Key: "leaseUntil", Value: time.Time{}}}, "themes lease", "themes lease")
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return false, err
	}
	type lease struct {
		Holder string `bson:"holder"`
	}
	_, claimed, err := mongodoc.Claim[lease](ctx, r.marks, "claim themes lease",
		bson.D{{Key: "_id", Value: themeLeaseID}, {Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: token}, {Key: "leaseUntil", Value: until}}}})
	return claimed, err
}

// ReleaseThemes gives token's lease back.
func (r *QuoteThemes) ReleaseThemes(ctx context.Context, token string) error {
	_, err := r.marks.UpdateOne(ctx, bson.D{{Key: "_id", Value: themeLeaseID}, {Key: "holder", Value: token}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: ""}, {Key: "leaseUntil", Value: time.Time{}}}}})
	if err != nil {
		return fmt.Errorf("store: release themes lease: %w", err)
	}
	return nil
}

// Generation returns the generation of a question's latest themes, 0 when
// none were computed: read from the default locale's document, which
// every computation writes.
func (r *QuoteThemes) Generation(ctx context.Context, surveyID, question, locale string) (int64, error) {
	s, _, err := mongodoc.Lookup[ThemeSet](ctx, r.c, "themes", themeSetID(surveyID, question, locale))
	return s.Generation, err
}

// Save stores a locale's themes, replacing what was there.
func (r *QuoteThemes) Save(ctx context.Context, s ThemeSet) error {
	if !rollups.ValidKey(s.SurveyID) || !rollups.ValidKey(s.Question) || !rollups.ValidKey(s.Locale) {
		return fmt.Errorf("store: themes %q|%q|%q: %w", s.SurveyID, s.Question, s.Locale, rollups.ErrInvalidKey)
	}
	if s.Themes == nil {
		s.Themes = []StoredTheme{}
	}
	type doc struct {
		ID       string `bson:"_id"`
		ThemeSet `bson:",inline"`
	}
	_, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: themeSetID(s.SurveyID, s.Question, s.Locale)}},
		doc{ID: themeSetID(s.SurveyID, s.Question, s.Locale), ThemeSet: s}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store: save themes: %w", err)
	}
	return nil
}

// Themes returns a question's themes in each of the locales, by _id; a
// locale without computed themes is left out.
func (r *QuoteThemes) Themes(ctx context.Context, surveyID, question string, locales []string) ([]ThemeSet, error) {
	var out []ThemeSet
	for _, loc := range locales {
		s, found, err := mongodoc.Lookup[ThemeSet](ctx, r.c, "themes", themeSetID(surveyID, question, loc))
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, s)
		}
	}
	return out, nil
}
