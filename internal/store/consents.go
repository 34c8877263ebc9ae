package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
)

// ConsentKind says what a consent record records.
type ConsentKind string

// Consent record kinds.
const (
	ConsentGiven     ConsentKind = "consent"    // a respondent attached their name to a response
	ConsentWithdrawn ConsentKind = "withdrawal" // of the consent record named in Refers
	ConsentErasure   ConsentKind = "erasure"    // the person was erased; every consent of theirs ends
)

// ConsentRecord is one entry of the append-only, hash-chained consent log.
// Records are never changed: withdrawal and erasure append records of
// their own. Hash covers every other field and PrevHash, the previous
// record's Hash, so that editing or removing a record breaks the chain.
//
// The response a consent names is not in the record itself: the record
// holds a commitment to it (ResponseRef, a hash of a random secret and the
// response id), and the sealed secret and id are kept apart, in
// consent_refs under RefID, where withdrawal destroys them. After that the
// record still proves what was agreed and when, but no longer says which
// answers were the person's.
type ConsentRecord struct {
	ID          string      `bson:"_id"` // ConsentRecordID(Seq)
	Seq         int64       `bson:"seq"`
	Kind        ConsentKind `bson:"kind"`
	ContactID   string      `bson:"contactId"`
	SurveyID    string      `bson:"surveyId,omitempty"`
	RefID       string      `bson:"refId,omitempty"`
	ResponseRef []byte      `bson:"responseRef,omitempty"` // commitment: SHA-256 of the sealed reference's plaintext
	TextVersion int         `bson:"textVersion,omitempty"`
	TextHash    string      `bson:"textHash,omitempty"` // hex SHA-256 of the exact consent text shown
	Locale      string      `bson:"locale,omitempty"`   // the language the text was shown in
	Method      string      `bson:"method"`             // how it was given or withdrawn: "survey-form", "privacy-page", …
	Refers      string      `bson:"refers,omitempty"`   // a withdrawal's consent record id
	At          time.Time   `bson:"at"`
	PrevHash    string      `bson:"prevHash"`
	Hash        string      `bson:"hash"`
}

// ConsentRecordID is the _id of the record with seq: zero-padded, so that
// _id order is chain order.
func ConsentRecordID(seq int64) string { return fmt.Sprintf("%012d", seq) }

// ChainHead is the last record of the consent chain: Seq 0 and an empty
// Hash before the first.
type ChainHead struct {
	Seq  int64  `bson:"seq"`
	Hash string `bson:"hash"`
}

const chainHeadID = "head"

// consentRef is the sealed response reference of one consent record.
type consentRef struct {
	ID  string   `bson:"_id"`
	Ref seal.Box `bson:"ref"`
}

// Consents is the consent log (consents), its head (consent_chain) and the
// sealed response references of its records (consent_refs).
type Consents struct {
	c     *mongo.Collection
	chain *mongo.Collection
	refs  *mongo.Collection
}

func (r *Consents) collection() *mongo.Collection { return r.c }

func (r *Consents) indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		{Keys: bson.D{{Key: "contactId", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetName("contact")},
	}
}

// Head returns the chain's head.
func (r *Consents) Head(ctx context.Context) (ChainHead, error) {
	var h ChainHead
	err := r.chain.FindOne(ctx, bson.D{{Key: "_id", Value: chainHeadID}}).Decode(&h)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ChainHead{}, nil
	}
	if err != nil {
		return ChainHead{}, fmt.Errorf("store: consent chain head: %w", err)
	}
	return h, nil
}

// AdvanceHead moves the head from seq from to next, a compare-and-swap: it
// reports false when the head is no longer at from.
func (r *Consents) AdvanceHead(ctx context.Context, from int64, next ChainHead) (bool, error) {
	if from == 0 {
		_, err := r.chain.InsertOne(ctx, bson.D{{Key: "_id", Value: chainHeadID}, {Key: "seq", Value: next.Seq}, {Key: "hash", Value: next.Hash}})
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("store: consent chain head: %w", err)
		}
		return true, nil
	}
	res, err := r.chain.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: chainHeadID}, {Key: "seq", Value: from}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: next.Seq}, {Key: "hash", Value: next.Hash}}}})
	if err != nil {
		return false, fmt.Errorf("store: consent chain head: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// Insert adds a record; ErrDuplicate when its sequence number is taken.
func (r *Consents) Insert(ctx context.Context, rec ConsentRecord) error {
	rec.ID = ConsentRecordID(rec.Seq)
	if _, err := r.c.InsertOne(ctx, rec); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("store: consent record %d: %w", rec.Seq, ErrDuplicate)
		}
		return fmt.Errorf("store: insert consent record: %w", err)
	}
	return nil
}

// BySeq returns one record.
func (r *Consents) BySeq(ctx context.Context, seq int64) (ConsentRecord, error) {
	return r.ByID(ctx, ConsentRecordID(seq))
}

// ByID returns one record.
func (r *Consents) ByID(ctx context.Context, id string) (ConsentRecord, error) {
	var rec ConsentRecord
	if err := r.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&rec); err != nil {
		return ConsentRecord{}, fmt.Errorf("store: find consent record: %w", notFound(err))
	}
	return rec, nil
}

// ByContact returns a contact's records in chain order.
func (r *Consents) ByContact(ctx context.Context, contactID string) ([]ConsentRecord, error) {
	cur, err := r.c.Find(ctx, bson.D{{Key: "contactId", Value: contactID}}, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: consent records: %w", err)
	}
	out := []ConsentRecord{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: consent records: %w", err)
	}
	return out, nil
}

// Each calls fn for every record in chain order (by _id, which is the
// zero-padded sequence number).
func (r *Consents) Each(ctx context.Context, fn func(ConsentRecord) error) error {
	cur, err := r.c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("store: consent records: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var rec ConsentRecord
		if err := cur.Decode(&rec); err != nil {
			return fmt.Errorf("store: decode consent record: %w", err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: consent records: %w", err)
	}
	return nil
}

// PutRef stores a sealed response reference.
func (r *Consents) PutRef(ctx context.Context, id string, ref seal.Box) error {
	if _, err := r.refs.InsertOne(ctx, consentRef{ID: id, Ref: ref}); err != nil {
		return fmt.Errorf("store: insert consent reference: %w", err)
	}
	return nil
}

// Ref returns a sealed response reference; ErrNotFound once it was
// destroyed.
func (r *Consents) Ref(ctx context.Context, id string) (seal.Box, error) {
	var ref consentRef
	if err := r.refs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&ref); err != nil {
		return seal.Box{}, fmt.Errorf("store: find consent reference: %w", notFound(err))
	}
	return ref.Ref, nil
}

// DeleteRef destroys a response reference for good. Deleting a missing
// one is no error.
func (r *Consents) DeleteRef(ctx context.Context, id string) error {
	if _, err := r.refs.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("store: delete consent reference: %w", err)
	}
	return nil
}

// EachRef calls fn for every stored reference; fn returns a replacement,
// or the zero Box to leave it as it is. Re-encryption under a new root key
// uses it.
func (r *Consents) EachRef(ctx context.Context, fn func(id string, ref seal.Box) (seal.Box, error)) error {
	cur, err := r.refs.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return fmt.Errorf("store: consent references: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var ref consentRef
		if err := cur.Decode(&ref); err != nil {
			return fmt.Errorf("store: decode consent reference: %w", err)
		}
		next, err := fn(ref.ID, ref.Ref)
		if err != nil {
			return err
		}
		if next.IsZero() {
			continue
		}
		// An update, never an upsert: a reference destroyed meanwhile stays destroyed.
		if _, err := r.refs.UpdateOne(ctx, bson.D{{Key: "_id", Value: ref.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "ref", Value: next}}}}); err != nil {
			return fmt.Errorf("store: update consent reference: %w", err)
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: consent references: %w", err)
	}
	return nil
}
