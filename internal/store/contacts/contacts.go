// Package contacts keeps the people at customer accounts (the contacts
// collection) and makes each email address belong to one contact at most
// (contact_emails), claimed before the contact is written and settled by
// compare-and-swap on the claim, since no transaction spans the two.
package contacts

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
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Status says whether a contact may be surveyed.
type Status string

// Contact statuses.
const (
	Active       Status = "active"
	Unsubscribed Status = "unsubscribed"
	Bounced      Status = "bounced"
	Erased       Status = "erased"
)

// Role is what a contact does in their company's buying decisions; empty
// when not known. Like the locale it is a business attribute, not one of
// the person fields (name, email) the privacy model seals, so it is
// stored plain, filtered on and counted; erasure removes it with the rest.
type Role string

// Contact roles.
const (
	NoRole        Role = ""
	DecisionMaker Role = "decision_maker"
	Influencer    Role = "influencer"
	User          Role = "user"
)

// Roles are the roles a contact may have, in the order they are offered.
func Roles() []Role { return []Role{DecisionMaker, Influencer, User} }

// Contact is a person at an account. Name and email are sealed with the
// contact's own data key (DataKey, wrapped by a root key); erasing the person
// empties DataKey, which makes Name and Email unreadable for good.
type Contact struct {
	ID             string     `bson:"_id"`
	AccountID      string     `bson:"accountId"`
	DataKey        seal.Box   `bson:"dataKey"`
	Name           []byte     `bson:"name"`
	Email          []byte     `bson:"email"`
	EmailIndex     string     `bson:"emailIndex"` // blind index of the normalised email; _id of its contact_emails entry
	Locale         string     `bson:"locale"`
	Role           Role       `bson:"role,omitempty"`
	Status         Status     `bson:"status"`
	LastSurveyedAt *time.Time `bson:"lastSurveyedAt,omitempty"`
	CreatedAt      time.Time  `bson:"createdAt"`
	UpdatedAt      time.Time  `bson:"updatedAt"`
}

// EmailClaimLease is how long a claim on an email protects a contact that
// is still being written (claim first, then the contact): a claim whose
// contact does not hold it is taken over only once it is older than this.
// An operation that takes longer than half of it checks its claims again
// after writing its contact, and undoes the contact if one was lost.
const EmailClaimLease = 10 * time.Minute

// contactEmail makes an email unique across contacts and finds a contact by
// it with an _id look-up, which every server serves from an index.
// ClaimedAt is zero on claims made before it was recorded.
type contactEmail struct {
	ID        string    `bson:"_id"` // blind index
	ContactID string    `bson:"contactId"`
	ClaimedAt time.Time `bson:"claimedAt"`
}

// exact filters on this version of the claim and no other, so that a
// compare-and-swap never acts on a claim that changed since it was read.
func (e contactEmail) exact() bson.D {
	var at any = e.ClaimedAt
	if e.ClaimedAt.IsZero() {
		at = bson.D{{Key: "$in", Value: bson.A{nil, time.Time{}}}}
	}
	return bson.D{{Key: "_id", Value: e.ID}, {Key: "contactId", Value: e.ContactID}, {Key: "claimedAt", Value: at}}
}

// Repo is the contacts collection and its email index.
type Repo struct {
	c      *mongo.Collection
	emails *mongo.Collection

	// now, when set (by tests), replaces time.Now for email claims.
	now func() time.Time
	// step, when set (by tests), is called between the writes of an
	// operation on contactID, where another process could act.
	step func(step, contactID string)
}

func (r *Repo) clock() time.Time {
	if r.now != nil {
		return r.now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (r *Repo) pause(step, contactID string) {
	if r.step != nil {
		r.step(step, contactID)
	}
}

// New returns the repository of db's contacts.
func New(db *mongo.Database) *Repo {
	return &Repo{c: db.Collection("contacts"), emails: db.Collection("contact_emails")}
}

// Collection is the contacts collection.
func (r *Repo) Collection() *mongo.Collection { return r.c }

// Collections are every collection the repository writes, for checks
// that each handle keeps the store's read and write concerns.
func (r *Repo) Collections() []*mongo.Collection { return []*mongo.Collection{r.c, r.emails} }

// Indexes are the indexes Migrate creates on the contacts.
func (r *Repo) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("account_created", "accountId", "createdAt"),
	}
}

// Insert adds c after claiming its email; ErrDuplicate when another contact
// has the email already.
func (r *Repo) Insert(ctx context.Context, c Contact) error {
	results, err := r.InsertMany(ctx, []Contact{c})
	if err != nil {
		return err
	}
	return results[0]
}

// InsertMany adds contacts as Insert does, in two round trips rather than
// two per contact: every email is claimed in one write, then every contact
// inserted in another. The result holds, by position, ErrDuplicate for each
// contact whose email another contact has (it is not inserted) and nil for
// each inserted one; any other failure fails the call. A call repeated with
// the same contacts (after a failure or a crash) keeps their own claims and
// inserts what is missing.
func (r *Repo) InsertMany(ctx context.Context, cs []Contact) ([]error, error) {
	results := make([]error, len(cs))
	claims := make([]contactEmail, 0, len(cs))
	at := make([]int, 0, len(cs)) // claims[i] is for cs[at[i]]
	seen := make(map[string]bool, len(cs))
	now := r.clock()
	for i, c := range cs {
		if seen[c.EmailIndex] {
			// Both are new: the first takes the email.
			results[i] = fmt.Errorf("store: contact email: %w", mongodoc.ErrDuplicate)
			continue
		}
		seen[c.EmailIndex] = true
		claims = append(claims, contactEmail{ID: c.EmailIndex, ContactID: c.ID, ClaimedAt: now})
		at = append(at, i)
	}
	if len(claims) == 0 {
		return results, nil
	}
	held, err := r.claimEmails(ctx, claims)
	if err != nil {
		return nil, err
	}
	r.pause("insert:claimed", cs[0].ID)

	docs := make([]Contact, 0, len(claims))
	mine := make([]contactEmail, 0, len(claims)) // mine[i] is docs[i]'s claim
	docAt := make([]int, 0, len(claims))         // docs[i] is cs[docAt[i]]
	for i, claim := range held {
		if claim.ID == "" {
			results[at[i]] = fmt.Errorf("store: contact email: %w", mongodoc.ErrDuplicate)
			continue
		}
		docs = append(docs, cs[at[i]])
		mine = append(mine, claim)
		docAt = append(docAt, at[i])
	}
	if len(docs) == 0 {
		return results, nil
	}
	if _, err := r.c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		failed, ok := notInserted(err, len(docs))
		if ok && len(failed) == 0 {
			err = nil // each exists already: a repeat
		}
		if ok && len(failed) > 0 {
			// The server wrote none of these, so their claims protect
			// nothing: drop them rather than block the emails for a lease.
			var release []contactEmail
			for _, i := range failed {
				release = append(release, mine[i])
			}
			r.releaseExact(context.WithoutCancel(ctx), release...)
		}
		// Otherwise which contacts were written is unknown: their claims
		// stay, and a repeat, or the lease, settles them.
		if err != nil {
			return nil, fmt.Errorf("store: insert contacts: %w", err)
		}
	}
	r.pause("insert:inserted", cs[0].ID)

	lost, err := r.lostClaims(ctx, mine)
	if err != nil {
		return nil, err
	}
	for i, gone := range lost {
		if !gone {
			continue
		}
		// Stalled past the lease, the claim was taken over: this contact
		// would be a second one with the email.
		if _, err := r.c.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: docs[i].ID}}); err != nil {
			return nil, fmt.Errorf("store: undo contact insert: %w", err)
		}
		results[docAt[i]] = fmt.Errorf("store: contact email: %w", mongodoc.ErrDuplicate)
	}
	return results, nil
}

// notInserted returns the positions of the documents an insert failed to
// write, when the server said so for each failure; a document that exists
// already (a repeated insert) counts as written.
func notInserted(err error, n int) ([]int, bool) {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, false
	}
	var out []int
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= n {
			return nil, false
		}
		if !mongo.IsDuplicateKeyError(we.WriteError) {
			out = append(out, we.Index)
		}
	}
	return out, true
}

// claimEmails claims every email in one write and settles those claimed
// already one by one. The result holds, by position, the claim held for
// its contact, or a zero claim where another contact holds the email.
func (r *Repo) claimEmails(ctx context.Context, claims []contactEmail) ([]contactEmail, error) {
	held := slices.Clone(claims)
	_, err := r.emails.InsertMany(ctx, claims, options.InsertMany().SetOrdered(false))
	if err == nil {
		return held, nil
	}
	var bwe mongo.BulkWriteException
	fail := func(err error) ([]contactEmail, error) {
		// No contact of these was written yet, so none of their claims
		// protects anything.
		r.releaseExact(context.WithoutCancel(ctx), claims...)
		return nil, err
	}
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return fail(fmt.Errorf("store: claim contact emails: %w", err))
	}
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we.WriteError) || we.Index < 0 || we.Index >= len(claims) {
			return fail(fmt.Errorf("store: claim contact emails: %w", err))
		}
	}
	for _, we := range bwe.WriteErrors {
		claim, _, err := r.claimEmail(ctx, claims[we.Index].ID, claims[we.Index].ContactID)
		switch {
		case errors.Is(err, mongodoc.ErrDuplicate):
			held[we.Index] = contactEmail{}
		case err != nil:
			return fail(err)
		default:
			held[we.Index] = claim
		}
	}
	return held, nil
}

// lostClaims reports, by position, which of claims their contacts no
// longer hold. Within half the lease of the oldest claim none can have
// been taken over, whatever the clocks of other processes, so nothing is
// read.
func (r *Repo) lostClaims(ctx context.Context, claims []contactEmail) ([]bool, error) {
	lost := make([]bool, len(claims))
	oldest := r.clock()
	for _, c := range claims {
		if c.ClaimedAt.Before(oldest) {
			oldest = c.ClaimedAt
		}
	}
	if r.clock().Sub(oldest) < EmailClaimLease/2 {
		return lost, nil
	}
	for i, c := range claims {
		now, _, err := mongodoc.Lookup[contactEmail](ctx, r.emails, "check contact email", c.ID)
		if err != nil {
			return nil, err
		}
		lost[i] = now.ContactID != c.ContactID
	}
	return lost, nil
}

// releaseExact drops claims whose contacts were never written, each only
// in the version given; best effort, as a claim left over is recognised
// as stale once its lease is over.
func (r *Repo) releaseExact(ctx context.Context, claims ...contactEmail) {
	for _, c := range claims {
		_, _ = r.emails.DeleteOne(ctx, c.exact())
	}
}

// ClaimEmail claims index for contactID, as Insert does: ErrDuplicate when
// another contact holds it; taken reports whether this call made the
// claim (false when contactID held it already).
func (r *Repo) ClaimEmail(ctx context.Context, index, contactID string) (taken bool, err error) {
	_, taken, err = r.claimEmail(ctx, index, contactID)
	return taken, err
}

// emailClaimAttempts bounds how often a claim is tried again when the entry it
// found changed before it could act on it.
const emailClaimAttempts = 4

// claimEmail returns the claim contactID holds on index once it returns
// without error. A claim contactID held already is renewed; one another
// contact holds is taken over only when that contact does not hold the
// email and the claim is older than EmailClaimLease, by compare-and-swap
// on the exact claim read.
func (r *Repo) claimEmail(ctx context.Context, index, contactID string) (contactEmail, bool, error) {
	for range emailClaimAttempts {
		claim := contactEmail{ID: index, ContactID: contactID, ClaimedAt: r.clock()}
		_, err := r.emails.InsertOne(ctx, claim)
		if err == nil {
			return claim, true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return contactEmail{}, false, fmt.Errorf("store: claim contact email: %w", err)
		}
		owner, found, err := mongodoc.Lookup[contactEmail](ctx, r.emails, "claim contact email", index)
		if err != nil {
			return contactEmail{}, false, err
		}
		if !found {
			continue // released meanwhile
		}
		if owner.ContactID == contactID {
			// A repeat, or an earlier attempt that did not finish: renew
			// it (by _id alone, deciding in Go), so that a release still
			// due for the old version misses.
			var before contactEmail
			err := r.emails.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: index}},
				bson.D{{Key: "$max", Value: bson.D{{Key: "claimedAt", Value: claim.ClaimedAt}}}},
				options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return contactEmail{}, false, fmt.Errorf("store: renew contact email: %w", err)
			}
			if before.ContactID != contactID {
				continue // taken over meanwhile; look again
			}
			if before.ClaimedAt.After(claim.ClaimedAt) {
				claim.ClaimedAt = before.ClaimedAt
			}
			return claim, false, nil
		}
		if claim.ClaimedAt.Sub(owner.ClaimedAt) < EmailClaimLease {
			return contactEmail{}, false, fmt.Errorf("store: contact email: %w", mongodoc.ErrDuplicate)
		}
		if holds, err := r.holds(ctx, owner); err != nil || holds {
			return contactEmail{}, false, duplicateOr(err)
		}
		r.pause("claim:checked", contactID)
		swapped, err := r.swapClaim(ctx, owner, claim)
		if err != nil {
			return contactEmail{}, false, err
		}
		if !swapped {
			continue
		}
		r.pause("claim:swapped", contactID)
		// The owner may have written its contact between the check and the
		// swap; it then keeps the email.
		if holds, err := r.holds(ctx, owner); err != nil || holds {
			if _, err := r.swapClaim(context.WithoutCancel(ctx), claim, owner); err != nil {
				return contactEmail{}, false, err
			}
			return contactEmail{}, false, duplicateOr(err)
		}
		return claim, true, nil
	}
	return contactEmail{}, false, fmt.Errorf("store: contact email keeps changing: %w", mongodoc.ErrDuplicate)
}

func duplicateOr(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("store: contact email: %w", mongodoc.ErrDuplicate)
}

// swapClaim replaces claim from by to, only while from is what is stored.
func (r *Repo) swapClaim(ctx context.Context, from, to contactEmail) (bool, error) {
	res, err := r.emails.UpdateOne(ctx, from.exact(),
		bson.D{{Key: "$set", Value: bson.D{{Key: "contactId", Value: to.ContactID}, {Key: "claimedAt", Value: to.ClaimedAt}}}})
	if err != nil {
		return false, fmt.Errorf("store: swap contact email: %w", err)
	}
	return res.MatchedCount > 0, nil
}

// holds reports whether claim's contact exists with the claimed email.
func (r *Repo) holds(ctx context.Context, claim contactEmail) (bool, error) {
	c, err := r.ByID(ctx, claim.ContactID)
	if errors.Is(err, mongodoc.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.EmailIndex == claim.ID, nil
}

// ReleaseEmail drops the claim on index when contactID holds it, and
// reports whether it did.
func (r *Repo) ReleaseEmail(ctx context.Context, index, contactID string) (bool, error) {
	// An _id look-up first: most calls find nothing to release, and only a
	// filter of exactly _id is served from an index everywhere.
	claim, err := r.claimOf(ctx, index, contactID)
	if err != nil || claim.ID == "" {
		return false, err
	}
	return r.release(ctx, claim)
}

// claimOf returns contactID's claim on index, or a zero claim.
func (r *Repo) claimOf(ctx context.Context, index, contactID string) (contactEmail, error) {
	claim, found, err := mongodoc.Lookup[contactEmail](ctx, r.emails, "find contact email", index)
	if !found || err != nil || claim.ContactID != contactID {
		return contactEmail{}, err
	}
	return claim, nil
}

func (r *Repo) release(ctx context.Context, claim contactEmail) (bool, error) {
	res, err := r.emails.DeleteOne(ctx, claim.exact())
	if err != nil {
		return false, fmt.Errorf("store: release contact email: %w", err)
	}
	return res.DeletedCount > 0, nil
}

// Keys are the parts of a contact that depend on a root key: the
// wrapped data key and the blind index of the email.
type Keys struct {
	DataKey    seal.Box
	EmailIndex string
}

// Rekey replaces a contact's keys from → to in one write, only while the
// contact still has from and is not erased: a rectification or erasure
// that came first is never overwritten. ErrConflict when it did; the
// caller reads the contact again. A new email index must be claimed for
// the contact first (ClaimEmail); ErrDuplicate, and the contact as it
// was, when another contact has taken that claim over since.
func (r *Repo) Rekey(ctx context.Context, id string, from, to Keys) error {
	keys := func(k Keys) bson.D {
		return bson.D{
			{Key: "_id", Value: id},
			{Key: "dataKey.k", Value: k.DataKey.KeyID},
			{Key: "dataKey.d", Value: k.DataKey.Data},
			{Key: "emailIndex", Value: k.EmailIndex},
			{Key: "status", Value: bson.D{{Key: "$ne", Value: Erased}}},
		}
	}
	set := func(k Keys) bson.D {
		return bson.D{{Key: "$set", Value: bson.D{{Key: "dataKey", Value: k.DataKey}, {Key: "emailIndex", Value: k.EmailIndex}}}}
	}
	res, err := r.c.UpdateOne(ctx, keys(from), set(to))
	if err != nil {
		return fmt.Errorf("store: rekey contact: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: rekey contact %s: %w", id, mongodoc.ErrConflict)
	}
	if to.EmailIndex == from.EmailIndex {
		return nil
	}
	r.pause("rekey:rekeyed", id)
	claim, err := r.claimOf(ctx, to.EmailIndex, id)
	if err != nil {
		return err
	}
	if claim.ID == "" {
		if _, err := r.c.UpdateOne(context.WithoutCancel(ctx), keys(to), set(from)); err != nil {
			return fmt.Errorf("store: undo rekey contact: %w", err)
		}
		return fmt.Errorf("store: rekey contact %s: %w", id, mongodoc.ErrDuplicate)
	}
	return nil
}

// ByID returns one contact.
func (r *Repo) ByID(ctx context.Context, id string) (Contact, error) {
	return mongodoc.ByID[Contact](ctx, r.c, "find contact", id)
}

// ByEmailIndex returns the contact whose email has one of the blind
// indexes (one per key in the ring, so rotation does not lose contacts).
func (r *Repo) ByEmailIndex(ctx context.Context, indexes ...string) (Contact, error) {
	for _, idx := range indexes {
		e, found, err := mongodoc.Lookup[contactEmail](ctx, r.emails, "find contact email", idx)
		if err != nil {
			return Contact{}, err
		}
		if !found {
			continue
		}
		c, err := r.ByID(ctx, e.ContactID)
		if errors.Is(err, mongodoc.ErrNotFound) || (err == nil && !slices.Contains(indexes, c.EmailIndex)) {
			continue // stale claim, or one a change of email left behind
		}
		return c, err
	}
	return Contact{}, fmt.Errorf("store: find contact by email: %w", mongodoc.ErrNotFound)
}

// Filter narrows a list of contacts.
type Filter struct {
	AccountIDs []string // nil: any account; empty non-nil: none
	Status     Status
	Role       *Role // nil: any role; NoRole: those without one
}

func (f Filter) bson() bson.D {
	filter := bson.D{}
	if f.AccountIDs != nil {
		filter = append(filter, bson.E{Key: "accountId", Value: bson.D{{Key: "$in", Value: f.AccountIDs}}})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	switch {
	case f.Role == nil:
	case *f.Role == NoRole:
		filter = append(filter, bson.E{Key: "role", Value: bson.D{{Key: "$in", Value: bson.A{nil, ""}}}})
	default:
		filter = append(filter, bson.E{Key: "role", Value: *f.Role})
	}
	return filter
}

// List returns a page of contacts, oldest first, and the total matching.
func (r *Repo) List(ctx context.Context, f Filter, p mongodoc.Page) ([]Contact, int64, error) {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return []Contact{}, 0, nil
	}
	return mongodoc.FindPage[Contact](ctx, r.c, "contacts", f.bson(), oldestFirst(), p)
}

// oldestFirst is the order contacts are listed in.
func oldestFirst() bson.D { return bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}} }

// Each calls fn for every contact matching f, streaming from a cursor so
// exports do not hold the whole list in memory.
func (r *Repo) Each(ctx context.Context, f Filter, fn func(Contact) error) error {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return nil
	}
	return mongodoc.Each(ctx, r.c, "contacts", f.bson(), fn, options.Find().SetSort(oldestFirst()).SetBatchSize(500))
}

// Count counts the contacts matching f.
func (r *Repo) Count(ctx context.Context, f Filter) (int64, error) {
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
// email is claimed first (ErrDuplicate if taken), then the contact written,
// then the old email released: a crash between them leaves a claim its
// contact does not hold, which lapses with the lease. It writes only over
// the contact as it was read (previousEmailIndex, and c.DataKey as
// stored): ErrConflict when an erasure or a key rotation changed it since,
// and the caller reads it again.
func (r *Repo) Replace(ctx context.Context, c Contact, previousEmailIndex string) error {
	changed := c.EmailIndex != previousEmailIndex
	var claim, previous contactEmail
	var taken bool
	if changed {
		var err error
		// The old claim's version now, so that releasing it below cannot
		// drop a claim renewed by a later change back to that email.
		if previousEmailIndex != "" {
			if previous, err = r.claimOf(ctx, previousEmailIndex, c.ID); err != nil {
				return err
			}
		}
		if claim, taken, err = r.claimEmail(ctx, c.EmailIndex, c.ID); err != nil {
			return err
		}
		r.pause("replace:claimed", c.ID)
	}
	var before Contact
	err := r.c.FindOneAndReplace(ctx, bson.D{
		{Key: "_id", Value: c.ID},
		{Key: "dataKey.k", Value: c.DataKey.KeyID},
		{Key: "dataKey.d", Value: c.DataKey.Data},
		{Key: "emailIndex", Value: previousEmailIndex},
		{Key: "status", Value: bson.D{{Key: "$ne", Value: Erased}}},
	}, c, options.FindOneAndReplace().SetReturnDocument(options.Before)).Decode(&before)
	if errors.Is(err, mongo.ErrNoDocuments) {
		err = mongodoc.ErrConflict
		if _, err2 := r.ByID(ctx, c.ID); errors.Is(err2, mongodoc.ErrNotFound) {
			err = mongodoc.ErrNotFound
		}
	}
	if err != nil {
		if taken {
			r.releaseExact(context.WithoutCancel(ctx), claim)
		}
		return fmt.Errorf("store: update contact: %w", err)
	}
	if !changed {
		return nil
	}
	r.pause("replace:replaced", c.ID)
	lost, err := r.lostClaims(ctx, []contactEmail{claim})
	if err != nil {
		return err
	}
	if lost[0] {
		// Stalled past the lease, the new claim was taken over: put the
		// contact back as it was, unless something changed it since.
		_, err := r.c.ReplaceOne(context.WithoutCancel(ctx), bson.D{
			{Key: "_id", Value: c.ID},
			{Key: "dataKey.k", Value: c.DataKey.KeyID},
			{Key: "dataKey.d", Value: c.DataKey.Data},
			{Key: "emailIndex", Value: c.EmailIndex},
			{Key: "status", Value: bson.D{{Key: "$ne", Value: Erased}}},
		}, before)
		if err != nil {
			return fmt.Errorf("store: undo contact update: %w", err)
		}
		return fmt.Errorf("store: contact email: %w", mongodoc.ErrDuplicate)
	}
	if previous.ID != "" {
		if _, err := r.release(ctx, previous); err != nil {
			return err
		}
	}
	return nil
}

// SetStatus changes a contact's status (unsubscribed, bounced, active).
// An erased contact stays erased.
func (r *Repo) SetStatus(ctx context.Context, id string, status Status, now time.Time) error {
	res, err := r.c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: bson.D{{Key: "$ne", Value: Erased}}}},
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
// contact-frequency rule reads. It keeps the latest time with $max: a
// sender that records late, after another sent a newer survey, leaves the
// newer time.
func (r *Repo) MarkSurveyed(ctx context.Context, id string, at time.Time) error {
	_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "lastSurveyedAt", Value: at}}}})
	if err != nil {
		return fmt.Errorf("store: mark contact surveyed: %w", err)
	}
	return nil
}

// surveyedChunk bounds the updates of one bulk write. FerretDB 1.24 left a
// bulk update of 100 statements unanswered for over 10 s (holding up every
// write behind it), while 32 went through at 1.8 ms a document, against
// 6.5 ms for single updates, measured on the embedded database under load.
const surveyedChunk = 25

// MarkSurveyedMany records that contacts were sent a survey at at, as
// MarkSurveyed does for one.
func (r *Repo) MarkSurveyedMany(ctx context.Context, ids []string, at time.Time) error {
	each := make([]Surveyed, len(ids))
	for i, id := range ids {
		each[i] = Surveyed{ID: id, At: at}
	}
	return r.MarkSurveyedEach(ctx, each)
}

// Surveyed is a contact and when they were sent a survey.
type Surveyed struct {
	ID string
	At time.Time
}

// MarkSurveyedEach records when each contact was sent a survey, as
// MarkSurveyed does for one: a bulk write of updates by _id per chunk of
// contacts, the only filter the embedded database looks up without a scan.
// Each update is idempotent, so a chunk written again after an error
// changes nothing.
func (r *Repo) MarkSurveyedEach(ctx context.Context, each []Surveyed) error {
	for start := 0; start < len(each); start += surveyedChunk {
		chunk := each[start:min(start+surveyedChunk, len(each))]
		models := make([]mongo.WriteModel, len(chunk))
		for i, s := range chunk {
			models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: s.ID}}).
				SetUpdate(bson.D{{Key: "$max", Value: bson.D{{Key: "lastSurveyedAt", Value: s.At}}}})
		}
		if _, err := r.c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("store: mark contacts surveyed: %w", err)
		}
	}
	return nil
}

// Erase destroys a contact's personal data for good: the wrapped data key,
// and with it every copy of the sealed name and email (backups included),
// becomes unusable, and the email index entry is released. The record stays,
// marked erased, so that references to it keep resolving.
func (r *Repo) Erase(ctx context.Context, id string, now time.Time) error {
	// The contact as it was when erased, so that the email claim released
	// is the one it had then, whatever changed it before.
	var before Contact
	err := r.c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: Erased}, {Key: "updatedAt", Value: now}, {Key: "dataKey", Value: seal.Box{}}}},
			{Key: "$unset", Value: bson.D{{Key: "name", Value: ""}, {Key: "email", Value: ""}, {Key: "emailIndex", Value: ""}, {Key: "lastSurveyedAt", Value: ""}, {Key: "role", Value: ""}}},
		}, options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err != nil {
		return fmt.Errorf("store: erase contact: %w", mongodoc.NotFound(err))
	}
	if before.EmailIndex != "" {
		r.pause("erase:erased", id)
		if _, err := r.emails.DeleteOne(ctx, bson.D{{Key: "_id", Value: before.EmailIndex}, {Key: "contactId", Value: id}}); err != nil {
			return fmt.Errorf("store: erase contact email: %w", err)
		}
	}
	return nil
}

// CountByRole counts an account's active contacts by role; those without
// one count under NoRole. Roles no contact has are left out.
func (r *Repo) CountByRole(ctx context.Context, accountID string) (map[Role]int, error) {
	cur, err := r.c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "accountId", Value: accountID}, {Key: "status", Value: Active}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$role"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("store: count contacts by role: %w", err)
	}
	var rows []struct {
		Role *Role `bson:"_id"`
		N    int   `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: count contacts by role: %w", err)
	}
	out := make(map[Role]int, len(rows))
	for _, row := range rows {
		role := NoRole
		if row.Role != nil {
			role = *row.Role
		}
		out[role] += row.N
	}
	return out, nil
}

// CountByDataKey counts contacts by the root key their data key is wrapped
// under; erased contacts, which have none, count under "".
func (r *Repo) CountByDataKey(ctx context.Context) (map[string]int64, error) {
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

// RolesOf returns the roles of the contacts with the given ids, by id; a
// contact without a role, or gone, is left out.
func (r *Repo) RolesOf(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	type roleDoc struct {
		ID   string `bson:"_id"`
		Role Role   `bson:"role"`
	}
	docs, err := mongodoc.FindAll[roleDoc](ctx, r.c, "contacts' roles",
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "role", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "role", Value: 1}}))
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.Role != NoRole {
			out[d.ID] = string(d.Role)
		}
	}
	return out, nil
}

// Unsurveyed returns up to limit contacts, not erased, last surveyed
// before t or, never surveyed, created before t, in _id order: the ones
// the retention policy erases. Each erased one leaves the list, so calling
// it again after erasing a batch gives the next.
func (r *Repo) Unsurveyed(ctx context.Context, before time.Time, limit int64) ([]Contact, error) {
	return mongodoc.FindAll[Contact](ctx, r.c, "unsurveyed contacts", unsurveyed(before),
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(limit))
}

// CountUnsurveyed counts what Unsurveyed would return without a limit.
func (r *Repo) CountUnsurveyed(ctx context.Context, before time.Time) (int64, error) {
	n, err := r.c.CountDocuments(ctx, unsurveyed(before))
	if err != nil {
		return 0, fmt.Errorf("store: count unsurveyed contacts: %w", err)
	}
	return n, nil
}

func unsurveyed(before time.Time) bson.D {
	return bson.D{
		{Key: "status", Value: bson.D{{Key: "$ne", Value: Erased}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "lastSurveyedAt", Value: bson.D{{Key: "$lt", Value: before}}}},
			bson.D{{Key: "lastSurveyedAt", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}}},
		}},
	}
}
