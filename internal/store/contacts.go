package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
)

// ContactStatus says whether a contact may be surveyed.
type ContactStatus string

// Contact statuses.
const (
	ContactActive       ContactStatus = "active"
	ContactUnsubscribed ContactStatus = "unsubscribed"
	ContactBounced      ContactStatus = "bounced"
	ContactErased       ContactStatus = "erased"
)

// Contact is a person at an account. Name and email are sealed with the
// contact's own data key (DataKey, wrapped by a root key); erasing the person
// empties DataKey, which makes Name and Email unreadable for good.
type Contact struct {
	ID             string        `bson:"_id"`
	AccountID      string        `bson:"accountId"`
	DataKey        seal.Box      `bson:"dataKey"`
	Name           []byte        `bson:"name"`
	Email          []byte        `bson:"email"`
	EmailIndex     string        `bson:"emailIndex"` // blind index of the normalised email; _id of its contact_emails entry
	Locale         string        `bson:"locale"`
	Status         ContactStatus `bson:"status"`
	LastSurveyedAt *time.Time    `bson:"lastSurveyedAt,omitempty"`
	CreatedAt      time.Time     `bson:"createdAt"`
	UpdatedAt      time.Time     `bson:"updatedAt"`
}

// contactEmail makes an email unique across contacts and finds a contact by
// it with an _id look-up, which every server serves from an index.
type contactEmail struct {
	ID        string `bson:"_id"` // blind index
	ContactID string `bson:"contactId"`
}

// Contacts is the contacts collection and its email index.
type Contacts struct {
	c      *mongo.Collection
	emails *mongo.Collection
}

func (r *Contacts) collection() *mongo.Collection { return r.c }

func (r *Contacts) indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		{Keys: bson.D{{Key: "accountId", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("account_created")},
	}
}

// Insert adds c after claiming its email; ErrDuplicate when another contact
// has the email already.
func (r *Contacts) Insert(ctx context.Context, c Contact) error {
	if _, err := r.claimEmail(ctx, c.EmailIndex, c.ID); err != nil {
		return err
	}
	if _, err := r.c.InsertOne(ctx, c); err != nil {
		// Release the claim; an entry left behind by a crash here is
		// recognised as stale by ByEmailIndex and reclaimed.
		_, _ = r.emails.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: c.EmailIndex}})
		return fmt.Errorf("store: insert contact: %w", err)
	}
	return nil
}

// InsertMany adds contacts as Insert does, in two round trips rather than
// two per contact: every email is claimed in one write, then every contact
// inserted in another. The result holds, by position, ErrDuplicate for each
// contact whose email another contact has (it is not inserted) and nil for
// each inserted one; any other failure fails the call.
func (r *Contacts) InsertMany(ctx context.Context, cs []Contact) ([]error, error) {
	results := make([]error, len(cs))
	claims := make([]contactEmail, 0, len(cs))
	at := make([]int, 0, len(cs)) // claims[i] is for cs[at[i]]
	seen := make(map[string]bool, len(cs))
	for i, c := range cs {
		if seen[c.EmailIndex] {
			// The first of the two would take the claim only after this
			// one found it stale, so settle it here.
			results[i] = fmt.Errorf("store: contact email: %w", ErrDuplicate)
			continue
		}
		seen[c.EmailIndex] = true
		claims = append(claims, contactEmail{ID: c.EmailIndex, ContactID: c.ID})
		at = append(at, i)
	}
	if len(claims) == 0 {
		return results, nil
	}
	if _, err := r.emails.InsertMany(ctx, claims, options.InsertMany().SetOrdered(false)); err != nil {
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return nil, fmt.Errorf("store: claim contact emails: %w", err)
		}
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we.WriteError) || we.Index < 0 || we.Index >= len(claims) {
				return nil, fmt.Errorf("store: claim contact emails: %w", err)
			}
			// Taken by a live contact, or a stale claim claimEmail takes over.
			c := claims[we.Index]
			if _, err := r.claimEmail(ctx, c.ID, c.ContactID); err != nil {
				if !errors.Is(err, ErrDuplicate) {
					return nil, err
				}
				results[at[we.Index]] = err
			}
		}
	}
	docs := make([]Contact, 0, len(cs))
	for i, c := range cs {
		if results[i] == nil {
			docs = append(docs, c)
		}
	}
	if len(docs) == 0 {
		return results, nil
	}
	if _, err := r.c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		// Claims of contacts that were not inserted are stale: claimEmail
		// and ByEmailIndex recognise them as such.
		return nil, fmt.Errorf("store: insert contacts: %w", err)
	}
	return results, nil
}

// ClaimEmail claims index for contactID, as Insert does: ErrDuplicate when
// another contact holds it; taken reports whether this call made the
// claim (false when contactID held it already).
func (r *Contacts) ClaimEmail(ctx context.Context, index, contactID string) (taken bool, err error) {
	return r.claimEmail(ctx, index, contactID)
}

func (r *Contacts) claimEmail(ctx context.Context, index, contactID string) (bool, error) {
	_, err := r.emails.InsertOne(ctx, contactEmail{ID: index, ContactID: contactID})
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, fmt.Errorf("store: claim contact email: %w", err)
	}
	// Taken: by a live contact, or by a stale claim left by a crash.
	var owner contactEmail
	if err := r.emails.FindOne(ctx, bson.D{{Key: "_id", Value: index}}).Decode(&owner); err != nil {
		return false, fmt.Errorf("store: claim contact email: %w", notFound(err))
	}
	if owner.ContactID == contactID {
		return false, nil
	}
	if _, err := r.ByID(ctx, owner.ContactID); !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("store: contact email: %w", ErrDuplicate)
	}
	res, err := r.emails.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: index}, {Key: "contactId", Value: owner.ContactID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "contactId", Value: contactID}}}})
	if err != nil {
		return false, fmt.Errorf("store: reclaim contact email: %w", err)
	}
	if res.ModifiedCount == 0 {
		return false, fmt.Errorf("store: contact email: %w", ErrDuplicate)
	}
	return true, nil
}

// ReleaseEmail drops the claim on index when contactID holds it, and
// reports whether it did.
func (r *Contacts) ReleaseEmail(ctx context.Context, index, contactID string) (bool, error) {
	// An _id look-up first: most calls find nothing to release, and only a
	// filter of exactly _id is served from an index everywhere.
	var owner contactEmail
	err := r.emails.FindOne(ctx, bson.D{{Key: "_id", Value: index}}).Decode(&owner)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && owner.ContactID != contactID) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: release contact email: %w", err)
	}
	res, err := r.emails.DeleteOne(ctx, bson.D{{Key: "_id", Value: index}, {Key: "contactId", Value: contactID}})
	if err != nil {
		return false, fmt.Errorf("store: release contact email: %w", err)
	}
	return res.DeletedCount > 0, nil
}

// ContactKeys are the parts of a contact that depend on a root key: the
// wrapped data key and the blind index of the email.
type ContactKeys struct {
	DataKey    seal.Box
	EmailIndex string
}

// Rekey replaces a contact's keys from → to in one write, only while the
// contact still has from and is not erased: a rectification or erasure
// that came first is never overwritten. ErrConflict when it did; the
// caller reads the contact again.
func (r *Contacts) Rekey(ctx context.Context, id string, from, to ContactKeys) error {
	res, err := r.c.UpdateOne(ctx,
		bson.D{
			{Key: "_id", Value: id},
			{Key: "dataKey.k", Value: from.DataKey.KeyID},
			{Key: "dataKey.d", Value: from.DataKey.Data},
			{Key: "emailIndex", Value: from.EmailIndex},
			{Key: "status", Value: bson.D{{Key: "$ne", Value: ContactErased}}},
		},
		bson.D{{Key: "$set", Value: bson.D{{Key: "dataKey", Value: to.DataKey}, {Key: "emailIndex", Value: to.EmailIndex}}}})
	if err != nil {
		return fmt.Errorf("store: rekey contact: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: rekey contact %s: %w", id, ErrConflict)
	}
	return nil
}

// ByID returns one contact.
func (r *Contacts) ByID(ctx context.Context, id string) (Contact, error) {
	var c Contact
	if err := r.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c); err != nil {
		return Contact{}, fmt.Errorf("store: find contact: %w", notFound(err))
	}
	return c, nil
}

// ByEmailIndex returns the contact whose email has one of the blind
// indexes (one per key in the ring, so rotation does not lose contacts).
func (r *Contacts) ByEmailIndex(ctx context.Context, indexes ...string) (Contact, error) {
	for _, idx := range indexes {
		var e contactEmail
		err := r.emails.FindOne(ctx, bson.D{{Key: "_id", Value: idx}}).Decode(&e)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return Contact{}, fmt.Errorf("store: find contact email: %w", err)
		}
		c, err := r.ByID(ctx, e.ContactID)
		if errors.Is(err, ErrNotFound) || (err == nil && !slices.Contains(indexes, c.EmailIndex)) {
			continue // stale claim, or one a change of email left behind
		}
		return c, err
	}
	return Contact{}, fmt.Errorf("store: find contact by email: %w", ErrNotFound)
}

// ContactFilter narrows a list of contacts.
type ContactFilter struct {
	AccountIDs []string // nil: any account; empty non-nil: none
	Status     ContactStatus
}

func (f ContactFilter) bson() bson.D {
	filter := bson.D{}
	if f.AccountIDs != nil {
		filter = append(filter, bson.E{Key: "accountId", Value: bson.D{{Key: "$in", Value: f.AccountIDs}}})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	return filter
}

// List returns a page of contacts, oldest first, and the total matching.
func (r *Contacts) List(ctx context.Context, f ContactFilter, p Page) ([]Contact, int64, error) {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return []Contact{}, 0, nil
	}
	p = p.Normalize()
	filter := f.bson()
	total, err := r.c.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("store: count contacts: %w", err)
	}
	cur, err := r.c.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).SetSkip(p.Offset).SetLimit(p.Limit))
	if err != nil {
		return nil, 0, fmt.Errorf("store: list contacts: %w", err)
	}
	out := []Contact{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("store: list contacts: %w", err)
	}
	return out, total, nil
}

// Each calls fn for every contact matching f, streaming from a cursor so
// exports do not hold the whole list in memory.
func (r *Contacts) Each(ctx context.Context, f ContactFilter, fn func(Contact) error) error {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return nil
	}
	cur, err := r.c.Find(ctx, f.bson(), options.Find().
		SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).SetBatchSize(500))
	if err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var c Contact
		if err := cur.Decode(&c); err != nil {
			return fmt.Errorf("store: decode contact: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	return nil
}

// Count counts the contacts matching f.
func (r *Contacts) Count(ctx context.Context, f ContactFilter) (int64, error) {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return 0, nil
	}
	n, err := r.c.CountDocuments(ctx, f.bson())
	if err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", err)
	}
	return n, nil
}

// Replace stores a changed contact. When its email index changed, the new
// email is claimed first (ErrDuplicate if taken) and the old one released.
// It writes only over the contact as it was read (previousEmailIndex, and
// c.DataKey as stored): ErrConflict when an erasure or a key rotation
// changed it since, and the caller reads it again.
func (r *Contacts) Replace(ctx context.Context, c Contact, previousEmailIndex string) error {
	var taken bool
	if c.EmailIndex != previousEmailIndex {
		var err error
		if taken, err = r.claimEmail(ctx, c.EmailIndex, c.ID); err != nil {
			return err
		}
	}
	res, err := r.c.ReplaceOne(ctx, bson.D{
		{Key: "_id", Value: c.ID},
		{Key: "dataKey.k", Value: c.DataKey.KeyID},
		{Key: "dataKey.d", Value: c.DataKey.Data},
		{Key: "emailIndex", Value: previousEmailIndex},
		{Key: "status", Value: bson.D{{Key: "$ne", Value: ContactErased}}},
	}, c)
	if err == nil && res.MatchedCount == 0 {
		err = ErrConflict
		if _, err2 := r.ByID(ctx, c.ID); errors.Is(err2, ErrNotFound) {
			err = ErrNotFound
		}
	}
	if err != nil {
		if taken {
			_, _ = r.ReleaseEmail(context.WithoutCancel(ctx), c.EmailIndex, c.ID)
		}
		return fmt.Errorf("store: update contact: %w", err)
	}
	if c.EmailIndex != previousEmailIndex && previousEmailIndex != "" {
		if _, err := r.ReleaseEmail(ctx, previousEmailIndex, c.ID); err != nil {
			return err
		}
	}
	return nil
}

// SetStatus changes a contact's status (unsubscribed, bounced, active).
// An erased contact stays erased.
func (r *Contacts) SetStatus(ctx context.Context, id string, status ContactStatus, now time.Time) error {
	res, err := r.c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: bson.D{{Key: "$ne", Value: ContactErased}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "updatedAt", Value: now}}}})
	if err != nil {
		return fmt.Errorf("store: contact status: %w", err)
	}
	if res.MatchedCount == 0 {
		if _, err := r.ByID(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// MarkSurveyed records when a contact was last sent a survey, which the
// contact-frequency rule reads.
func (r *Contacts) MarkSurveyed(ctx context.Context, id string, at time.Time) error {
	_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lastSurveyedAt", Value: at}}}})
	if err != nil {
		return fmt.Errorf("store: mark contact surveyed: %w", err)
	}
	return nil
}

// Erase destroys a contact's personal data for good: the wrapped data key,
// and with it every copy of the sealed name and email (backups included),
// becomes unusable, and the email index entry is released. The record stays,
// marked erased, so that references to it keep resolving.
func (r *Contacts) Erase(ctx context.Context, id string, now time.Time) error {
	// The contact as it was when erased, so that the email claim released
	// is the one it had then, whatever changed it before.
	var before Contact
	err := r.c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: ContactErased}, {Key: "updatedAt", Value: now}, {Key: "dataKey", Value: seal.Box{}}}},
			{Key: "$unset", Value: bson.D{{Key: "name", Value: ""}, {Key: "email", Value: ""}, {Key: "emailIndex", Value: ""}, {Key: "lastSurveyedAt", Value: ""}}},
		}, options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err != nil {
		return fmt.Errorf("store: erase contact: %w", notFound(err))
	}
	if before.EmailIndex != "" {
		if _, err := r.emails.DeleteOne(ctx, bson.D{{Key: "_id", Value: before.EmailIndex}, {Key: "contactId", Value: id}}); err != nil {
			return fmt.Errorf("store: erase contact email: %w", err)
		}
	}
	return nil
}

// CountByDataKey counts contacts by the root key their data key is wrapped
// under; erased contacts, which have none, count under "".
func (r *Contacts) CountByDataKey(ctx context.Context) (map[string]int64, error) {
	cur, err := r.c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$dataKey.k"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("store: count contacts by key: %w", err)
	}
	var rows []struct {
		Key *string `bson:"_id"`
		N   int64   `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: count contacts by key: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, row := range rows {
		k := ""
		if row.Key != nil {
			k = *row.Key
		}
		out[k] += row.N
	}
	return out, nil
}
