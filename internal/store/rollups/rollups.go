// Package rollups keeps the counts reports are computed from: documents
// per survey, week and dimension, maintained with $inc upserts as
// responses arrive (rollups); the generation of each survey's rollups that
// reports read, and the rebuild building the next (rollup_gens); and the
// responses waiting to be counted (tally_pending).
package rollups

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// ErrInvalidKey means a rollup key or field would not be a safe
// document _id or field name.
var ErrInvalidKey = errors.New("store: invalid rollup key")

// The rollups collection holds, per survey and generation g (see
// generations.go), four kinds of documents:
//
//	<survey>|g<g>|<part>|<dim>   counts of one period's responses by the values of
//	                             one dimension: v.<value>.n, v.<value>.a.<question>,
//	                             v.<value>.q.<question>.<answer>, v.<value>.h.<pattern>
//	<survey>|g<g>|weeks|<shard>  one of weekShards shards of the index of the weeks
//	                             that have responses: w.<week>.n (responses) and
//	                             w.<week>.v (moves with every change); readers sum them
//	<survey>|g<g>|<quarter>|<dim>|snapshot
//	                             a quarter's week documents, encoded by the caller in
//	                             one binary field, with the versions they were read at,
//	                             its first chunk inline and the rest in
//	<survey>|g<g>|<quarter>|<dim>|snapshot|<i>
//
// Week documents change only by $inc upserts, each a single-document atomic
// write. The index is sharded because every answer to a survey moves it:
// each Apply picks a shard at random, so concurrent answers spread over
// weekShards documents instead of queueing on one. Snapshots exist because
// the embedded database spends about 10 µs per field on every read (a
// region week ~6 ms, a quarter of them ~90 ms), but little on one binary
// field; a snapshot is a cache, valid for a week only while the week's
// version is unchanged, and split into chunks so that no document nears
// the 16 MB limit however large the survey.
//
// KeySep separates the parts of an _id.
const KeySep = "|"

// Answer is one answered question as rollups count it: its values
// are the score, or the options chosen.
type Answer struct {
	Key    string
	Values []string
}

// Segment names the value one response has in one dimension.
// A count-only segment counts responses and none of their answers.
type Segment struct {
	Dim       string
	Value     string
	CountOnly bool
}

// Change adds one response to a survey's rollups (Weight 1) or takes
// it away again (Weight -1).
type Change struct {
	SurveyID string
	Week     string // the period counted in, a week or a part of one
	Weight   int64
	Segments []Segment // one week document each
	Answers  []Answer
	// Pattern names, in words of the caller, which conditional questions
	// the response was not shown or did not answer; empty when it was
	// shown and answered them all, as every response to a survey without
	// conditions is. Counted in every segment, count-only ones too.
	Pattern string
}

// Counts counts the responses with one value of a dimension.
type Counts struct {
	N        int64                       `bson:"n"`
	Answered map[string]int64            `bson:"a,omitempty"` // question → respondents who answered it
	Answers  map[string]map[string]int64 `bson:"q,omitempty"` // question → answer value → count
	// Patterns counts the responses by their Change.Pattern, but for the
	// empty one: absent, as in documents from before conditions, every
	// response was shown and answered what the others were.
	Patterns map[string]int64 `bson:"h,omitempty"`
}

// Rollup is one week document: a week's responses by the values of one
// dimension. Values is keyed by the plain value; documents store it
// encoded, since a value may hold '.' or '$'.
type Rollup struct {
	SurveyID string
	Week     string
	Dim      string
	Values   map[string]Counts
}

// Week is a week's entry in a survey's index of weeks.
type Week struct {
	N       int64 `bson:"n"` // responses
	Version int64 `bson:"v"` // grows with every change to the week
}

// Snapshot is a quarter's week documents of one dimension, encoded
// in Data by its reader, as read when each week had the version in
// Versions.
type Snapshot struct {
	SurveyID string
	Gen      int64
	Quarter  string
	Dim      string
	Versions map[string]int64
	Data     []byte
}

type rollupDoc struct {
	ID     string            `bson:"_id"`
	Survey string            `bson:"survey"`
	Gen    int64             `bson:"gen"`
	Week   string            `bson:"week"`
	Dim    string            `bson:"dim"`
	V      map[string]Counts `bson:"v"`
}

type weeksDoc struct {
	ID     string          `bson:"_id"`
	Survey string          `bson:"survey"`
	Gen    int64           `bson:"gen"`
	W      map[string]Week `bson:"w"`
}

// snapshotDoc is a snapshot's head: its versions, its first chunk of data,
// and how many chunks follow. Every chunk carries the head's nonce, so that
// a reader never joins chunks of two saves that crossed.
type snapshotDoc struct {
	ID       string           `bson:"_id"`
	Survey   string           `bson:"survey"`
	Gen      int64            `bson:"gen"`
	Quarter  string           `bson:"quarter"`
	Dim      string           `bson:"dim"`
	Versions map[string]int64 `bson:"versions"`
	Data     bson.Binary      `bson:"data"`
	Chunks   int              `bson:"chunks,omitempty"` // after the first
	Nonce    string           `bson:"nonce,omitempty"`
}

type snapshotChunkDoc struct {
	ID     string      `bson:"_id"`
	Survey string      `bson:"survey"`
	Gen    int64       `bson:"gen"`
	Nonce  string      `bson:"nonce"`
	Data   bson.Binary `bson:"data"`
}

// weekShards is how many documents a survey's index of weeks is spread
// over; readers sum them.
const weekShards = 8

// snapshotChunk is the most data one snapshot document holds: well under
// the 16 MB document limit, and large enough that a survey's quarter
// usually fits in the head alone.
const snapshotChunk = 4 << 20

// Repo is the rollups collection, with the generations of each
// survey's rollups and the responses waiting to be counted.
type Repo struct {
	c       *mongo.Collection
	gens    *mongo.Collection
	intents *mongo.Collection
	// chunk is snapshotChunk; tests make it small.
	chunk int
	// pause, when set (by tests), is called at the named step boundaries
	// of a write that takes several.
	pause func(step string)
}

// New returns the rollups repository of db.
func New(db *mongo.Database) *Repo {
	return &Repo{c: db.Collection("rollups"), gens: db.Collection("rollup_gens"), intents: db.Collection("tally_pending")}
}

// Collection is the rollups collection itself.
func (r *Repo) Collection() *mongo.Collection { return r.c }

func (r *Repo) step(name string) {
	if r.pause != nil {
		r.pause(name)
	}
}

// Collections are every collection the repository writes, for checks
// that each handle keeps the store's read and write concerns.
func (r *Repo) Collections() []*mongo.Collection { return []*mongo.Collection{r.c, r.gens, r.intents} }

// Indexes are the indexes Migrate creates on the rollups collection.
func (r *Repo) Indexes() []mongo.IndexModel {
	// Only rebuilding and deleting a survey look documents up by survey.
	return []mongo.IndexModel{mongodoc.Index("survey_gen", "survey", "gen")}
}

// Related lists the tally intents, which need indexes of their own.
func (r *Repo) Related() []mongodoc.Indexed {
	return []mongodoc.Indexed{mongodoc.Related{C: r.intents, Models: []mongo.IndexModel{
		mongodoc.Index("survey", "survey"),
	}}}
}

// ValidField reports whether s may name a question or an answer
// value in a rollup, where it becomes part of a field name.
func ValidField(s string) bool {
	return s != "" && s[0] != '$' && !strings.ContainsAny(s, ".\x00")
}

// ValidKey reports whether s may name a survey, week or dimension
// in a rollup, where it becomes part of an _id and of a field name.
func ValidKey(s string) bool { return ValidField(s) && !strings.Contains(s, KeySep) }

// genKey is the prefix of a survey's documents of one generation.
func genKey(surveyID string, gen int64) string {
	return surveyID + KeySep + "g" + strconv.FormatInt(gen, 10)
}

func rollupID(surveyID string, gen int64, week, dim string) string {
	return genKey(surveyID, gen) + KeySep + week + KeySep + dim
}
func weeksID(surveyID string, gen int64, shard int) string {
	return genKey(surveyID, gen) + KeySep + "weeks" + KeySep + strconv.Itoa(shard)
}
func snapshotID(surveyID string, gen int64, quarter, dim string) string {
	return genKey(surveyID, gen) + KeySep + quarter + KeySep + dim + KeySep + "snapshot"
}

// legacyWeeksID is the index of weeks of rollups from before generations,
// which a rebuild replaces.
func legacyWeeksID(surveyID string) string { return surveyID + KeySep + "weeks" }

// EncodeValue makes a dimension's value a field name: "_" and its
// unpadded base64url, which has neither '.' nor '$' and is never empty.
func EncodeValue(v string) string { return "_" + base64.RawURLEncoding.EncodeToString([]byte(v)) }

// DecodeValue is the value EncodeValue made field from.
func DecodeValue(field string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(field, "_"))
	if err != nil || !strings.HasPrefix(field, "_") {
		return "", fmt.Errorf("store: rollup value field %q: %w", field, ErrInvalidKey)
	}
	return string(b), nil
}

// Apply adds changes to their week documents of generation gen, one $inc
// upsert per document however many changes touch it, then to one shard of
// their surveys' indexes of weeks. Each write is atomic on its own; a
// failure part-way leaves the documents out of step, which the caller
// records (see TallyIntent). Nothing is written when any change is invalid.
func (r *Repo) Apply(ctx context.Context, gen int64, cs ...Change) error {
	type doc struct {
		id, surveyID, week, dim string
		inc                     map[string]int64
	}
	var docs []*doc // in the order first touched, so that writes are predictable
	byID := make(map[string]*doc)
	weeks := make(map[string]map[string]int64) // survey → index field → increment
	var surveys []string
	for _, c := range cs {
		if !ValidKey(c.SurveyID) || !ValidKey(c.Week) {
			return fmt.Errorf("store: rollup %q|%q: %w", c.SurveyID, c.Week, ErrInvalidKey)
		}
		counts, err := counters(c.Answers)
		if err != nil {
			return err
		}
		if c.Pattern != "" && !ValidField(c.Pattern) {
			return fmt.Errorf("store: rollup pattern %q: %w", c.Pattern, ErrInvalidKey)
		}
		for _, seg := range c.Segments {
			if !ValidKey(seg.Dim) {
				return fmt.Errorf("store: rollup dimension %q: %w", seg.Dim, ErrInvalidKey)
			}
			id := rollupID(c.SurveyID, gen, c.Week, seg.Dim)
			d := byID[id]
			if d == nil {
				d = &doc{id: id, surveyID: c.SurveyID, week: c.Week, dim: seg.Dim, inc: make(map[string]int64)}
				byID[id] = d
				docs = append(docs, d)
			}
			prefix := "v." + EncodeValue(seg.Value) + "."
			d.inc[prefix+"n"] += c.Weight
			if c.Pattern != "" {
				d.inc[prefix+"h."+c.Pattern] += c.Weight
			}
			if seg.CountOnly {
				continue
			}
			for _, k := range counts {
				d.inc[prefix+k.field()] += c.Weight
			}
		}
		w := weeks[c.SurveyID]
		if w == nil {
			w = make(map[string]int64)
			weeks[c.SurveyID] = w
			surveys = append(surveys, c.SurveyID)
		}
		w["w."+c.Week+".n"] += c.Weight
		w["w."+c.Week+".v"] = 1 // a version moves once per write, however many changes
	}
	upsert := options.UpdateOne().SetUpsert(true)
	for _, d := range docs {
		update := bson.D{
			{Key: "$inc", Value: sortedInc(d.inc)},
			{Key: "$setOnInsert", Value: bson.D{{Key: "survey", Value: d.surveyID}, {Key: "gen", Value: gen}, {Key: "week", Value: d.week}, {Key: "dim", Value: d.dim}}},
		}
		if _, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.id}}, update, upsert); err != nil {
			return fmt.Errorf("store: apply rollup: %w", err)
		}
	}
	// Last, so that a week appears in the index only once its documents
	// have its first response, and a version moves only after the data.
	shard := rand.IntN(weekShards)
	for _, sv := range surveys {
		update := bson.D{
			{Key: "$inc", Value: sortedInc(weeks[sv])},
			{Key: "$setOnInsert", Value: bson.D{{Key: "survey", Value: sv}, {Key: "gen", Value: gen}}},
		}
		if _, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: weeksID(sv, gen, shard)}}, update, upsert); err != nil {
			return fmt.Errorf("store: apply rollup: %w", err)
		}
	}
	return nil
}

// sortedInc is an $inc document with its fields in order.
func sortedInc(inc map[string]int64) bson.D {
	keys := slices.Sorted(maps.Keys(inc))
	out := make(bson.D, 0, len(keys))
	for _, k := range keys {
		out = append(out, bson.E{Key: k, Value: inc[k]})
	}
	return out
}

// counter is one count a response adds to, below its value: a question
// answered (value empty) or one value of its answer.
type counter struct{ question, value string }

func (c counter) field() string {
	if c.value == "" {
		return "a." + c.question
	}
	return "q." + c.question + "." + c.value
}

// counters returns what a response's answers count: each answered
// question once, and each distinct value of its answer once. Apply, Add
// and so rebuilds all count through it.
func counters(answers []Answer) ([]counter, error) {
	seen := make(map[counter]bool)
	var out []counter
	for _, a := range answers {
		if !ValidField(a.Key) {
			return nil, fmt.Errorf("store: rollup question %q: %w", a.Key, ErrInvalidKey)
		}
		if len(a.Values) == 0 || seen[counter{question: a.Key}] {
			continue
		}
		seen[counter{question: a.Key}] = true
		out = append(out, counter{question: a.Key})
		for _, v := range a.Values {
			if !ValidField(v) {
				return nil, fmt.Errorf("store: rollup answer %q: %w", v, ErrInvalidKey)
			}
			if c := (counter{question: a.Key, value: v}); !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// Add counts one response with the given weight, exactly as Apply counts
// it in a week document.
func (c *Counts) Add(answers []Answer, weight int64) error {
	cs, err := counters(answers)
	if err != nil {
		return err
	}
	c.N += weight
	for _, k := range cs {
		if k.value == "" {
			if c.Answered == nil {
				c.Answered = make(map[string]int64)
			}
			c.Answered[k.question] += weight
			continue
		}
		if c.Answers == nil {
			c.Answers = make(map[string]map[string]int64)
		}
		if c.Answers[k.question] == nil {
			c.Answers[k.question] = make(map[string]int64)
		}
		c.Answers[k.question][k.value] += weight
	}
	return nil
}

// AddPattern counts one response's pattern (see Change.Pattern) with the
// given weight, exactly as Apply counts it.
func (c *Counts) AddPattern(pattern string, weight int64) {
	if pattern == "" {
		return
	}
	if c.Patterns == nil {
		c.Patterns = make(map[string]int64)
	}
	c.Patterns[pattern] += weight
}

// getConcurrency bounds the look-ups Get runs at once: enough to overlap
// round trips, few enough not to crowd out other requests.
const getConcurrency = 4

// Get returns a survey's week documents of one dimension in generation
// gen, skipping weeks that have none. Each is an _id look-up, the one
// filter every server serves from an index.
func (r *Repo) Get(ctx context.Context, surveyID string, gen int64, dim string, weeks ...string) ([]Rollup, error) {
	docs := make([]*Rollup, len(weeks))
	err := forEach(ctx, len(weeks), getConcurrency, func(ctx context.Context, i int) error {
		d, found, err := mongodoc.Lookup[rollupDoc](ctx, r.c, "get rollup", rollupID(surveyID, gen, weeks[i], dim))
		if !found || err != nil {
			return err
		}
		ru, err := d.rollup()
		if err != nil {
			return err
		}
		docs[i] = &ru
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Rollup, 0, len(docs))
	for _, d := range docs {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out, nil
}

// forEach calls fn for 0..n-1 with at most limit calls at a time and
// returns the first error; the others are cancelled then.
func forEach(ctx context.Context, n, limit int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func (d rollupDoc) rollup() (Rollup, error) {
	ru := Rollup{SurveyID: d.Survey, Week: d.Week, Dim: d.Dim, Values: make(map[string]Counts, len(d.V))}
	for field, counts := range d.V {
		v, err := DecodeValue(field)
		if err != nil {
			return Rollup{}, err
		}
		ru.Values[v] = counts
	}
	return ru, nil
}

func (ru Rollup) doc(gen int64) (rollupDoc, error) {
	if !ValidKey(ru.SurveyID) || !ValidKey(ru.Week) || !ValidKey(ru.Dim) {
		return rollupDoc{}, fmt.Errorf("store: rollup %q|%q|%q: %w", ru.SurveyID, ru.Week, ru.Dim, ErrInvalidKey)
	}
	d := rollupDoc{ID: rollupID(ru.SurveyID, gen, ru.Week, ru.Dim), Survey: ru.SurveyID, Gen: gen, Week: ru.Week, Dim: ru.Dim, V: make(map[string]Counts, len(ru.Values))}
	for v, counts := range ru.Values {
		for key, answers := range counts.Answers {
			if !ValidField(key) {
				return rollupDoc{}, fmt.Errorf("store: rollup question %q: %w", key, ErrInvalidKey)
			}
			for a := range answers {
				if !ValidField(a) {
					return rollupDoc{}, fmt.Errorf("store: rollup answer %q: %w", a, ErrInvalidKey)
				}
			}
		}
		for key := range counts.Answered {
			if !ValidField(key) {
				return rollupDoc{}, fmt.Errorf("store: rollup question %q: %w", key, ErrInvalidKey)
			}
		}
		for pattern := range counts.Patterns {
			if !ValidField(pattern) {
				return rollupDoc{}, fmt.Errorf("store: rollup pattern %q: %w", pattern, ErrInvalidKey)
			}
		}
		d.V[EncodeValue(v)] = counts
	}
	return d, nil
}

// Weeks returns a survey's index of weeks in generation gen, its shards
// summed, without weeks whose responses have all been taken away again.
func (r *Repo) Weeks(ctx context.Context, surveyID string, gen int64) (map[string]Week, error) {
	shards := make([]weeksDoc, weekShards)
	err := forEach(ctx, weekShards, weekShards, func(ctx context.Context, i int) error {
		var err error
		shards[i], _, err = mongodoc.Lookup[weeksDoc](ctx, r.c, "rollup weeks", weeksID(surveyID, gen, i))
		return err
	})
	if err != nil {
		return nil, err
	}
	sum := make(map[string]Week)
	for _, d := range shards {
		for w, rw := range d.W {
			s := sum[w]
			s.N += rw.N
			s.Version += rw.Version
			sum[w] = s
		}
	}
	for w, rw := range sum {
		if rw.N <= 0 {
			delete(sum, w)
		}
	}
	return sum, nil
}

// HasLegacy reports whether a survey still has rollups from before
// generations, which only a rebuild replaces.
func (r *Repo) HasLegacy(ctx context.Context, surveyID string) (bool, error) {
	return mongodoc.Exists(ctx, r.c, "legacy rollups", legacyWeeksID(surveyID))
}

// Has reports whether a survey's generation has the document of one
// week (or part of one) and dimension, without reading it.
func (r *Repo) Has(ctx context.Context, surveyID string, gen int64, week, dim string) (bool, error) {
	return mongodoc.Exists(ctx, r.c, "find rollup", rollupID(surveyID, gen, week, dim))
}

// WriteGeneration stores docs as a survey's week documents of generation
// gen and weeks (responses per week) as its index, as a rebuild computed
// them. Nothing reads the generation until SwapBuild makes it current.
func (r *Repo) WriteGeneration(ctx context.Context, surveyID string, gen int64, weeks map[string]int64, docs []Rollup) error {
	if !ValidKey(surveyID) {
		return fmt.Errorf("store: rollup survey %q: %w", surveyID, ErrInvalidKey)
	}
	replace := options.Replace().SetUpsert(true)
	for _, ru := range docs {
		if ru.SurveyID != surveyID {
			return fmt.Errorf("store: rollups of %q with one of %q: %w", surveyID, ru.SurveyID, ErrInvalidKey)
		}
		d, err := ru.doc(gen)
		if err != nil {
			return err
		}
		if _, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, replace); err != nil {
			return fmt.Errorf("store: write rollup: %w", err)
		}
	}
	// The whole index in shard 0; the other shards start empty.
	index := weeksDoc{ID: weeksID(surveyID, gen, 0), Survey: surveyID, Gen: gen, W: make(map[string]Week, len(weeks))}
	for w, n := range weeks {
		if !ValidKey(w) {
			return fmt.Errorf("store: rollup week %q: %w", w, ErrInvalidKey)
		}
		index.W[w] = Week{N: n, Version: 1}
	}
	if _, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: index.ID}}, index, replace); err != nil {
		return fmt.Errorf("store: write rollup weeks: %w", err)
	}
	return nil
}

// DropGenerations deletes a survey's rollups of generations before gen,
// snapshots included, and those from before generations. Generations only
// grow, so a rebuild under way, which builds a later one, keeps its work.
func (r *Repo) DropGenerations(ctx context.Context, surveyID string, gen int64) error {
	filter := bson.D{{Key: "survey", Value: surveyID}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "gen", Value: bson.D{{Key: "$lt", Value: gen}}}},
		bson.D{{Key: "gen", Value: bson.D{{Key: "$exists", Value: false}}}},
	}}}
	if _, err := r.c.DeleteMany(ctx, filter); err != nil {
		return fmt.Errorf("store: delete old rollups: %w", err)
	}
	return nil
}

// DeleteSurvey deletes every rollup of a survey.
func (r *Repo) DeleteSurvey(ctx context.Context, surveyID string) error {
	if _, err := r.c.DeleteMany(ctx, bson.D{{Key: "survey", Value: surveyID}}); err != nil {
		return fmt.Errorf("store: delete rollups: %w", err)
	}
	return nil
}

// Snapshot returns the snapshot of a quarter's week documents of one
// dimension; mongodoc.ErrNotFound when there is none, or when its chunks are of
// saves that crossed.
func (r *Repo) Snapshot(ctx context.Context, surveyID string, gen int64, quarter, dim string) (Snapshot, error) {
	id := snapshotID(surveyID, gen, quarter, dim)
	d, err := mongodoc.ByID[snapshotDoc](ctx, r.c, "rollup snapshot", id)
	if err != nil {
		return Snapshot{}, err
	}
	data := d.Data.Data
	for i := 1; i <= d.Chunks; i++ {
		c, err := mongodoc.ByID[snapshotChunkDoc](ctx, r.c, "rollup snapshot chunk", id+KeySep+strconv.Itoa(i))
		if err != nil {
			return Snapshot{}, err
		}
		if c.Nonce != d.Nonce {
			return Snapshot{}, fmt.Errorf("store: rollup snapshot chunk of another save: %w", mongodoc.ErrNotFound)
		}
		data = append(data, c.Data.Data...)
	}
	return Snapshot{SurveyID: d.Survey, Gen: d.Gen, Quarter: d.Quarter, Dim: d.Dim, Versions: d.Versions, Data: data}, nil
}

// SaveSnapshot stores a snapshot in place of the previous one: the chunks
// beyond the first, then the head that names them. Two dashboards saving
// at once leave a valid snapshot or, when their chunks cross, one that
// reads as none.
func (r *Repo) SaveSnapshot(ctx context.Context, s Snapshot) error {
	if !ValidKey(s.SurveyID) || !ValidKey(s.Quarter) || !ValidKey(s.Dim) {
		return fmt.Errorf("store: rollup snapshot %q|%q|%q: %w", s.SurveyID, s.Quarter, s.Dim, ErrInvalidKey)
	}
	for w := range s.Versions {
		if !ValidKey(w) {
			return fmt.Errorf("store: rollup week %q: %w", w, ErrInvalidKey)
		}
	}
	chunk := r.chunk
	if chunk <= 0 {
		chunk = snapshotChunk
	}
	id := snapshotID(s.SurveyID, s.Gen, s.Quarter, s.Dim)
	head, rest := s.Data, []byte(nil)
	if len(head) > chunk {
		head, rest = s.Data[:chunk], s.Data[chunk:]
	}
	d := snapshotDoc{
		ID: id, Survey: s.SurveyID, Gen: s.Gen, Quarter: s.Quarter, Dim: s.Dim,
		Versions: s.Versions, Data: bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: head},
	}
	replace := options.Replace().SetUpsert(true)
	if len(rest) > 0 {
		d.Nonce = mongodoc.NewID()
		for len(rest) > 0 {
			n := min(chunk, len(rest))
			d.Chunks++
			c := snapshotChunkDoc{ID: id + KeySep + strconv.Itoa(d.Chunks), Survey: s.SurveyID, Gen: s.Gen, Nonce: d.Nonce,
				Data: bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: rest[:n]}}
			if _, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, c, replace); err != nil {
				return fmt.Errorf("store: save rollup snapshot chunk: %w", err)
			}
			rest = rest[n:]
		}
		r.step("snapshot chunks saved")
	}
	if _, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, replace); err != nil {
		return fmt.Errorf("store: save rollup snapshot: %w", err)
	}
	return nil
}
