// Package consents keeps the consent log: append-only, hash-chained
// records of consent given, withdrawn or ended by erasure, in shards whose
// heads anchors tie together, and the sealed response references that a
// withdrawal destroys.
package consents

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Kind says what a consent record records.
type Kind string

// Consent record kinds.
const (
	Given     Kind = "consent"    // a respondent attached their name to a response
	Withdrawn Kind = "withdrawal" // of the consent record named in Refers
	Erasure   Kind = "erasure"    // the person was erased; every consent of theirs ends
)

// Record is one entry of the append-only, hash-chained consent log.
// Records are never changed: withdrawal and erasure append records of
// their own. Hash covers every other field and PrevHash, the previous
// record's Hash in the same shard, so that editing or removing a record
// breaks the chain.
//
// The log is several chains, shards, each with its own head, so that
// appends from many processes do not all race for one document; anchors
// (Anchor) tie the shards' heads together. Shard 0 is the log as
// it was before there were shards: its records keep their ids and hashes.
//
// The response a consent names is not in the record itself: the record
// holds a commitment to it (ResponseRef, a hash of a random secret and the
// response id), and the sealed secret and id are kept apart, in
// consent_refs under RefID, where withdrawal destroys them. After that the
// record still proves what was agreed and when, but no longer says which
// answers were the person's.
type Record struct {
	ID          string    `bson:"_id"` // RecordID(Shard, Seq)
	Shard       int       `bson:"shard,omitempty"`
	Seq         int64     `bson:"seq"` // in its shard
	Kind        Kind      `bson:"kind"`
	ContactID   string    `bson:"contactId"`
	SurveyID    string    `bson:"surveyId,omitempty"`
	RefID       string    `bson:"refId,omitempty"`
	ResponseRef []byte    `bson:"responseRef,omitempty"` // commitment: SHA-256 of the sealed reference's plaintext
	TextVersion int       `bson:"textVersion,omitempty"`
	TextHash    string    `bson:"textHash,omitempty"` // hex SHA-256 of the exact consent text shown
	Locale      string    `bson:"locale,omitempty"`   // the language the text was shown in
	Method      string    `bson:"method"`             // how it was given or withdrawn: "survey-form", "privacy-page", …
	Refers      string    `bson:"refers,omitempty"`   // a withdrawal's consent record id
	At          time.Time `bson:"at"`
	PrevHash    string    `bson:"prevHash"`
	Hash        string    `bson:"hash"`
}

// MaxShards bounds the number of shards: a shard's number takes
// three digits in the ids.
const MaxShards = 1000

// RecordID is the _id of the record with seq in shard: zero-padded,
// so that _id order is shard order, then chain order. Shard 0 keeps the
// ids of the log before shards, digits only, which sort before the others.
func RecordID(shard int, seq int64) string {
	if shard == 0 {
		return fmt.Sprintf("%012d", seq)
	}
	return fmt.Sprintf("s%03d-%012d", shard, seq)
}

// ParseRecordID returns the shard and seq a record id names; false
// when it names none.
func ParseRecordID(id string) (shard int, seq int64, ok bool) {
	digits := id
	if rest, found := strings.CutPrefix(id, "s"); found {
		s, n, cut := strings.Cut(rest, "-")
		var err error
		if shard, err = strconv.Atoi(s); !cut || err != nil || len(s) != 3 || shard < 1 {
			return 0, 0, false
		}
		digits = n
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || len(digits) != 12 || seq < 1 {
		return 0, 0, false
	}
	return shard, seq, true
}

// ChainHead is the last record of a chain: Seq 0 and an empty Hash before
// the first.
type ChainHead struct {
	Seq  int64  `bson:"seq"`
	Hash string `bson:"hash"`
}

// headDoc is a head as stored: Pos is the sequence number, zero-padded,
// and the hash in one string, so that $max moves seq and hash together and
// only forward. Seq and Hash are the form before Pos, read until the first
// advance replaces them.
type headDoc struct {
	ID   string `bson:"_id"`
	Pos  string `bson:"pos,omitempty"`
	Seq  int64  `bson:"seq,omitempty"`
	Hash string `bson:"hash,omitempty"`
}

func headPos(h ChainHead) string { return fmt.Sprintf("%012d:%s", h.Seq, h.Hash) }

func (d headDoc) head() (ChainHead, error) {
	if d.Pos == "" {
		return ChainHead{Seq: d.Seq, Hash: d.Hash}, nil
	}
	seq, hash, ok := strings.Cut(d.Pos, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil {
		return ChainHead{}, fmt.Errorf("store: chain head %q is malformed", d.Pos)
	}
	return ChainHead{Seq: n, Hash: hash}, nil
}

// anchorHeadID is the anchor chain's head in consent_chain.
const anchorHeadID = "anchors"

// shardHeadID is a shard's head in consent_chain; shard 0's is the head of
// the log before shards.
func shardHeadID(shard int) string {
	if shard == 0 {
		return "head"
	}
	return fmt.Sprintf("head-%03d", shard)
}

// ShardHead is one shard's head as an anchor commits to it.
type ShardHead struct {
	Shard int    `bson:"shard"`
	Seq   int64  `bson:"seq"`
	Hash  string `bson:"hash"`
}

// Anchor commits to the heads of every shard at one moment, and to
// the anchor before it: the anchors are a hash chain of their own, and
// each shard's record at the committed seq must carry the committed hash.
// Cutting a shard's tail, or moving records between shards, therefore
// breaks an anchor even where each shard's own links still hold.
type Anchor struct {
	ID       string      `bson:"_id"` // AnchorID(Seq)
	Seq      int64       `bson:"seq"`
	At       time.Time   `bson:"at"`
	Heads    []ShardHead `bson:"heads"` // by shard, only shards with records
	PrevHash string      `bson:"prevHash"`
	Hash     string      `bson:"hash"`
}

// AnchorID is the _id of the anchor with seq, zero-padded.
func AnchorID(seq int64) string { return fmt.Sprintf("%012d", seq) }

// consentRef is the sealed response reference of one consent record.
type consentRef struct {
	ID  string   `bson:"_id"`
	Ref seal.Box `bson:"ref"`
}

// consentOnce pins the shard that records appended under one unique key
// (a withdrawal of one consent) go to.
type consentOnce struct {
	ID    string `bson:"_id"`
	Shard int    `bson:"shard"`
}

// Repo is the consent log (consents), the heads of its shards and of
// its anchors (consent_chain), its anchors (consent_anchors), the shards
// of its unique keys (consent_once) and the sealed response references of
// its records (consent_refs).
type Repo struct {
	c       *mongo.Collection
	chain   *mongo.Collection
	anchors *mongo.Collection
	once    *mongo.Collection
	refs    *mongo.Collection
}

// New returns the consent log repository of db.
func New(db *mongo.Database) *Repo {
	return &Repo{c: db.Collection("consents"), chain: db.Collection("consent_chain"), anchors: db.Collection("consent_anchors"),
		once: db.Collection("consent_once"), refs: db.Collection("consent_refs")}
}

// Collection is the collection of consent records.
func (r *Repo) Collection() *mongo.Collection { return r.c }

// Collections are every collection the repository writes, for checks
// that each handle keeps the store's read and write concerns.
func (r *Repo) Collections() []*mongo.Collection {
	return []*mongo.Collection{r.c, r.chain, r.anchors, r.once, r.refs}
}

// Indexes are the indexes Migrate creates on the consent records.
func (r *Repo) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("contact_at", "contactId", "at"),
	}
}

// Head returns a shard's head.
func (r *Repo) Head(ctx context.Context, shard int) (ChainHead, error) {
	return r.head(ctx, shardHeadID(shard))
}

// AnchorHead returns the anchor chain's head.
func (r *Repo) AnchorHead(ctx context.Context) (ChainHead, error) {
	return r.head(ctx, anchorHeadID)
}

func (r *Repo) head(ctx context.Context, id string) (ChainHead, error) {
	d, found, err := mongodoc.Lookup[headDoc](ctx, r.chain, "consent chain head", id)
	if !found || err != nil {
		return ChainHead{}, err
	}
	return d.head()
}

// Heads returns the head of every shard that has one.
func (r *Repo) Heads(ctx context.Context) (map[int]ChainHead, error) {
	out := map[int]ChainHead{}
	err := mongodoc.Each(ctx, r.chain, "consent chain heads", bson.D{}, func(d headDoc) error {
		shard, ok := shardOfHead(d.ID)
		if !ok {
			return nil
		}
		h, err := d.head()
		out[shard] = h
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func shardOfHead(id string) (int, bool) {
	if id == "head" {
		return 0, true
	}
	n, ok := strings.CutPrefix(id, "head-")
	if !ok {
		return 0, false
	}
	shard, err := strconv.Atoi(n)
	return shard, err == nil && shard > 0 && shard < MaxShards
}

// AdvanceHead moves a shard's head forward to next, unless it is there or
// beyond already, and returns the head as it was before: the caller, who
// read the head at next.Seq-1, advanced it exactly when that is what it
// returns. One write by _id ($max over the position), so that it is
// atomic on MongoDB and touches one row on FerretDB.
func (r *Repo) AdvanceHead(ctx context.Context, shard int, next ChainHead) (ChainHead, error) {
	return r.advance(ctx, shardHeadID(shard), next)
}

// AdvanceAnchorHead is AdvanceHead for the anchor chain.
func (r *Repo) AdvanceAnchorHead(ctx context.Context, next ChainHead) (ChainHead, error) {
	return r.advance(ctx, anchorHeadID, next)
}

func (r *Repo) advance(ctx context.Context, id string, next ChainHead) (ChainHead, error) {
	var before headDoc
	err := r.chain.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$max", Value: bson.D{{Key: "pos", Value: headPos(next)}}},
			// The form before pos is superseded by the first advance.
			{Key: "$unset", Value: bson.D{{Key: "seq", Value: ""}, {Key: "hash", Value: ""}}},
		},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&before)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ChainHead{}, nil
	}
	if err != nil {
		return ChainHead{}, fmt.Errorf("store: advance consent chain head: %w", err)
	}
	return before.head()
}

// Insert adds a record; mongodoc.ErrDuplicate when its sequence number is taken in
// its shard.
func (r *Repo) Insert(ctx context.Context, rec Record) error {
	if rec.Shard < 0 || rec.Shard >= MaxShards {
		return fmt.Errorf("store: consent shard %d out of range", rec.Shard)
	}
	rec.ID = RecordID(rec.Shard, rec.Seq)
	return mongodoc.Insert(ctx, r.c, rec, "consent record", "consent record "+rec.ID)
}

// BySeq returns one record.
func (r *Repo) BySeq(ctx context.Context, shard int, seq int64) (Record, error) {
	return r.ByID(ctx, RecordID(shard, seq))
}

// ByID returns one record.
func (r *Repo) ByID(ctx context.Context, id string) (Record, error) {
	return mongodoc.ByID[Record](ctx, r.c, "find consent record", id)
}

// ByContact returns a contact's records, oldest first. Records of one
// shard are in chain order; across shards the order is their times'.
func (r *Repo) ByContact(ctx context.Context, contactID string) ([]Record, error) {
	return mongodoc.FindAll[Record](ctx, r.c, "consent records", bson.D{{Key: "contactId", Value: contactID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
}

// Each calls fn for every record by _id: shard by shard, each in chain
// order.
func (r *Repo) Each(ctx context.Context, fn func(Record) error) error {
	return mongodoc.Each(ctx, r.c, "consent records", bson.D{}, fn, inChainOrder())
}

// inChainOrder reads a chain's documents by _id, which is chain order.
func inChainOrder() *options.FindOptionsBuilder {
	return options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000)
}

// InsertAnchor adds an anchor; mongodoc.ErrDuplicate when its sequence number is
// taken.
func (r *Repo) InsertAnchor(ctx context.Context, a Anchor) error {
	a.ID = AnchorID(a.Seq)
	return mongodoc.Insert(ctx, r.anchors, a, "consent anchor", fmt.Sprintf("consent anchor %d", a.Seq))
}

// AnchorBySeq returns one anchor.
func (r *Repo) AnchorBySeq(ctx context.Context, seq int64) (Anchor, error) {
	return mongodoc.ByID[Anchor](ctx, r.anchors, "find consent anchor", AnchorID(seq))
}

// EachAnchor calls fn for every anchor in chain order.
func (r *Repo) EachAnchor(ctx context.Context, fn func(Anchor) error) error {
	return mongodoc.Each(ctx, r.anchors, "consent anchors", bson.D{}, fn, inChainOrder())
}

// PinShard returns the shard that records under key go to: shard, if key
// is new, or the shard an earlier call pinned. A pin is never moved, so
// every appender of a key meets every other on one chain, however many
// shards there are now or were then.
func (r *Repo) PinShard(ctx context.Context, key string, shard int) (int, error) {
	_, err := r.once.InsertOne(ctx, consentOnce{ID: key, Shard: shard})
	if err == nil {
		return shard, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return 0, fmt.Errorf("store: pin consent key: %w", err)
	}
	pinned, err := mongodoc.ByID[consentOnce](ctx, r.once, "pinned consent key", key)
	return pinned.Shard, err
}

// PutRef stores a sealed response reference.
func (r *Repo) PutRef(ctx context.Context, id string, ref seal.Box) error {
	return mongodoc.Insert(ctx, r.refs, consentRef{ID: id, Ref: ref}, "consent reference", "")
}

// Ref returns a sealed response reference; mongodoc.ErrNotFound once it was
// destroyed.
func (r *Repo) Ref(ctx context.Context, id string) (seal.Box, error) {
	ref, err := mongodoc.ByID[consentRef](ctx, r.refs, "find consent reference", id)
	return ref.Ref, err
}

// DeleteRef destroys a response reference for good. Deleting a missing
// one is no error.
func (r *Repo) DeleteRef(ctx context.Context, id string) error {
	if _, err := r.refs.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("store: delete consent reference: %w", err)
	}
	return nil
}

// EachRef calls fn for every stored reference; fn returns a replacement,
// or the zero Box to leave it as it is. Re-encryption under a new root key
// uses it.
func (r *Repo) EachRef(ctx context.Context, fn func(id string, ref seal.Box) (seal.Box, error)) error {
	return mongodoc.Each(ctx, r.refs, "consent references", bson.D{}, func(ref consentRef) error {
		next, err := fn(ref.ID, ref.Ref)
		if err != nil || next.IsZero() {
			return err
		}
		// An update, never an upsert: a reference destroyed meanwhile stays destroyed.
		if _, err := r.refs.UpdateOne(ctx, bson.D{{Key: "_id", Value: ref.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "ref", Value: next}}}}); err != nil {
			return fmt.Errorf("store: update consent reference: %w", err)
		}
		return nil
	}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}
