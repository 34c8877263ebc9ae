package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// InvitationState is what a survey link may still do.
type InvitationState string

// Invitation states.
const (
	InvitationPending  InvitationState = "pending"  // may be answered
	InvitationAnswered InvitationState = "answered" // answered once; the link still opens the privacy page
	InvitationRevoked  InvitationState = "revoked"  // cancelled campaign, unsubscribed or erased contact
)

// Invitation is one contact's personal link to one survey. It deliberately
// records neither when nor how it was answered, and nothing that points to
// the response: an anonymous answer must not be joinable to its contact.
type Invitation struct {
	ID             string          `bson:"_id"` // link.NewID: short, it travels in the link
	SurveyID       string          `bson:"surveyId"`
	CampaignID     string          `bson:"campaignId"`
	ContactID      string          `bson:"contactId"`
	AccountID      string          `bson:"accountId"`
	Locale         string          `bson:"locale"`
	State          InvitationState `bson:"state"`
	ExpiresAt      time.Time       `bson:"expiresAt"`
	RemindersSent  int             `bson:"remindersSent"`
	NextReminderAt *time.Time      `bson:"nextReminderAt,omitempty"`
	CreatedAt      time.Time       `bson:"createdAt"`
	// Wave is the campaign's (see Campaign.Wave): a contact is invited
	// once per survey and wave.
	Wave string `bson:"wave,omitempty"`
	// Taken: a submission has taken the pending link and is storing its
	// response (Take). Nothing revokes a taken link any more; the
	// response's deterministic id keeps it to one response, and a
	// resubmission after a crash finishes it.
	Taken bool `bson:"taken,omitempty"`
	// SoftBounces counts the temporary failures reported for the
	// invitation's messages after the mail server accepted them.
	SoftBounces int `bson:"softBounces,omitempty"`
}

// invitationKey makes (survey, contact) unique and finds the invitation by
// an _id look-up. It names the feeder that claimed it and when, so that a
// key left by a feeder that crashed before writing the invitation can be
// taken over, but only once its lease has run out and only by a
// compare-and-swap on that claim.
type invitationKey struct {
	ID           string    `bson:"_id"` // surveyID + "|" + contactID
	InvitationID string    `bson:"invitationId"`
	Claimant     string    `bson:"claimant,omitempty"` // the campaign whose feed wrote it
	ClaimedAt    time.Time `bson:"claimedAt,omitempty"`
}

// InvitationKeyLease is how long a key without its invitation belongs to
// the feeder that wrote it; a feeder writes the invitations straight after
// the keys, so a key this old without its invitation was left by a crash.
const InvitationKeyLease = 10 * time.Minute

// InvitationHooks are called between the steps of multi-write operations,
// so that tests can run a competing operation in between (the embedded
// database serialises writes, and races show only when one is paused).
type InvitationHooks struct {
	BeforeAnswer func() // before the write that answers an invitation
	AfterKeys    func() // after InsertBatch wrote the keys, before the invitations
}

// Invitations is the invitations collection and its (survey, contact) key.
type Invitations struct {
	c     *mongo.Collection
	keys  *mongo.Collection
	hooks InvitationHooks
}

// SetHooks installs hooks for interleaving tests; production never sets any.
func (r *Invitations) SetHooks(h InvitationHooks) { r.hooks = h }

func (r *Invitations) Collection() *mongo.Collection { return r.c }

func (r *Invitations) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("campaign", "campaignId"),
		mongodoc.Index("contact", "contactId"),
		// An account's relationship view reads its invitations.
		mongodoc.Index("account", "accountId"),
	}
}

func invitationKeyID(scope, contactID string) string { return scope + "|" + contactID }

// InvitationScope is what a contact is invited to once: the survey, or one
// wave of it. "~" sorts after "|", so a wave's keys fall outside the range
// of its survey's own.
func InvitationScope(surveyID, wave string) string {
	if wave == "" {
		return surveyID
	}
	return surveyID + "~" + wave
}

// InvitationID is the id of the invitation of a contact to a survey,
// derived from the pair so that two feeders inviting the same contact
// collide on the invitation's unique _id whatever the interleaving. It has
// the length of link.NewID (it travels in the link); the link is signed,
// so being derivable gives nothing away.
func InvitationID(surveyID, contactID string) string {
	sum := sha256.Sum256([]byte("candor invitation\x00" + surveyID + "\x00" + contactID))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// Insert adds an invitation; ErrDuplicate when the contact was already
// invited to the survey.
func (r *Invitations) Insert(ctx context.Context, inv Invitation) error {
	taken, err := r.InsertBatch(ctx, []Invitation{inv})
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return fmt.Errorf("store: invitation: %w", ErrDuplicate)
	}
	return nil
}

// ByID returns one invitation.
func (r *Invitations) ByID(ctx context.Context, id string) (Invitation, error) {
	return mongodoc.ByID[Invitation](ctx, r.c, "find invitation", id)
}

// Exists reports whether the contact has been invited to the survey.
func (r *Invitations) Exists(ctx context.Context, surveyID, contactID string) (bool, error) {
	return mongodoc.Exists(ctx, r.keys, "find invitation key", invitationKeyID(surveyID, contactID))
}

// Transition moves an invitation from one state to another in one
// conditional write; it reports false when the invitation was not in state
// from (someone else moved it first). Revoking matches only links no
// submission has taken, so a link being answered is never revoked, and
// moving back to pending gives the link back.
//
// The filter is more than _id, so the embedded database scans the
// invitations for it (see DESIGN.md): it serves staff and privacy
// actions. Submissions use Take and FinishAnswer, which filter on _id
// alone.
func (r *Invitations) Transition(ctx context.Context, id string, from, to InvitationState) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}, {Key: "state", Value: from}}
	if to == InvitationRevoked {
		filter = append(filter, untaken())
	}
	unset := bson.D{{Key: "nextReminderAt", Value: ""}}
	if to == InvitationPending {
		unset = append(unset, bson.E{Key: "taken", Value: ""})
	}
	res, err := r.c.UpdateOne(ctx, filter,
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: to}}}, {Key: "$unset", Value: unset}})
	if err != nil {
		return false, fmt.Errorf("store: update invitation: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// untaken is the filter term of every revocation: a link a submission
// has taken is not revoked.
func untaken() bson.E { return bson.E{Key: "taken", Value: bson.D{{Key: "$ne", Value: true}}} }

// Take marks the link as taken by a submission and returns it as it is
// after that write. One write by _id, so the embedded database looks it up
// without a scan, and atomic on MongoDB: when the returned state is
// pending, the link is the caller's (or shared with a simultaneous
// submission of the same link, which the response's id settles) and no
// revocation can match it any more, because every revocation filters on
// the link being untaken. A link revoked first comes back revoked; taking
// it changes nothing that matters.
func (r *Invitations) Take(ctx context.Context, id string) (Invitation, error) {
	if r.hooks.BeforeAnswer != nil {
		r.hooks.BeforeAnswer()
	}
	return mongodoc.UpdateAndGet[Invitation](ctx, r.c, "take invitation", bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "taken", Value: true}}}})
}

// FinishAnswer moves a taken invitation to answered. It filters on _id
// alone and lets $min do the compare ("answered" sorts before "pending"):
// safe because a taken link is never revoked, so its state is pending or
// answered already. Never call it for a link the caller has not taken. The
// mark goes with it: an answered invitation is left with its state alone.
//
// It returns the invitation as it was before the write, and whether this
// write is the one that answered it: answered is final, so of any number
// of calls, whatever their interleaving, exactly one gets true, which is
// what lets the caller count the answer once.
func (r *Invitations) FinishAnswer(ctx context.Context, id string) (Invitation, bool, error) {
	var before Invitation
	err := r.c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$min", Value: bson.D{{Key: "state", Value: InvitationAnswered}}},
			{Key: "$unset", Value: bson.D{{Key: "nextReminderAt", Value: ""}, {Key: "taken", Value: ""}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err != nil {
		return Invitation{}, false, fmt.Errorf("store: update invitation: %w", mongodoc.NotFound(err))
	}
	return before, before.State == InvitationPending, nil
}

// ByContact returns every invitation of a contact, for their privacy page.
func (r *Invitations) ByContact(ctx context.Context, contactID string) ([]Invitation, error) {
	return mongodoc.FindAll[Invitation](ctx, r.c, "invitations of contact", bson.D{{Key: "contactId", Value: contactID}},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}}))
}

// ByAccount returns every invitation to an account's contacts, oldest
// first, for the account's relationship view: the surveys it was invited
// to, and per contact whether they answered (never when, nor which
// response).
func (r *Invitations) ByAccount(ctx context.Context, accountID string) ([]Invitation, error) {
	return mongodoc.FindAll[Invitation](ctx, r.c, "invitations of account", bson.D{{Key: "accountId", Value: accountID}},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
}

// InsertBatch creates the invitations of a fed batch, two round trips for
// the lot rather than two per invitation. It returns the contacts that were
// already invited to the survey by someone else; an invitation that exists
// already for the same campaign (a batch fed again after a crash) counts as
// created. The invitations' CreatedAt is the feeder's clock for the keys'
// leases.
//
// At most one invitation per (survey, contact) is ever created: a key is
// taken over from another feeder only after its lease and by a
// compare-and-swap on its claim, and invitation ids derived from the pair
// (InvitationID) collide on _id if a feeder paused past its lease writes
// after all.
func (r *Invitations) InsertBatch(ctx context.Context, invs []Invitation) (alreadyInvited []string, err error) {
	if len(invs) == 0 {
		return nil, nil
	}
	keys := make([]any, len(invs))
	for i, inv := range invs {
		keys[i] = invitationKey{ID: invitationKeyID(InvitationScope(inv.SurveyID, inv.Wave), inv.ContactID), InvitationID: inv.ID,
			Claimant: inv.CampaignID, ClaimedAt: inv.CreatedAt}
	}
	taken, err := mongodoc.DuplicateIndexes(r.keys.InsertMany(ctx, keys, options.InsertMany().SetOrdered(false)))
	if err != nil {
		return nil, fmt.Errorf("store: insert invitation keys: %w", err)
	}
	create := make([]any, 0, len(invs))
	creating := make([]Invitation, 0, len(invs))
	for i, inv := range invs {
		ours := !taken[i]
		if !ours {
			if ours, err = r.claimKey(ctx, keys[i].(invitationKey)); err != nil {
				return nil, err
			}
		}
		if ours {
			create = append(create, inv)
			creating = append(creating, inv)
		} else {
			alreadyInvited = append(alreadyInvited, inv.ContactID)
		}
	}
	if r.hooks.AfterKeys != nil {
		r.hooks.AfterKeys()
	}
	if len(create) == 0 {
		return alreadyInvited, nil
	}
	dups, err := mongodoc.DuplicateIndexes(r.c.InsertMany(ctx, create, options.InsertMany().SetOrdered(false)))
	if err != nil {
		return nil, fmt.Errorf("store: insert invitations: %w", err)
	}
	for i := range dups {
		// This campaign's own invitation from an earlier, interrupted feed,
		// or another feeder's that took the key over after our lease.
		existing, err := r.ByID(ctx, creating[i].ID)
		if err != nil {
			return nil, err
		}
		if existing.CampaignID != creating[i].CampaignID {
			alreadyInvited = append(alreadyInvited, creating[i].ContactID)
		}
	}
	return alreadyInvited, nil
}

// claimKey decides about a (survey, contact) key that exists: true when it
// is this feeder's own (the same campaign's invitation, fed again), or was
// left without its invitation for longer than the lease and is now taken
// over; false when the contact is invited already or another feeder is
// creating their invitation.
func (r *Invitations) claimKey(ctx context.Context, key invitationKey) (bool, error) {
	existing, err := mongodoc.ByID[invitationKey](ctx, r.keys, "invitation key", key.ID)
	if err != nil {
		return false, err
	}
	if existing.InvitationID == key.InvitationID && existing.Claimant == key.Claimant {
		return true, nil
	}
	if !existing.ClaimedAt.IsZero() && existing.ClaimedAt.After(key.ClaimedAt.Add(-InvitationKeyLease)) {
		return false, nil // its feeder is still within its lease
	}
	if _, err := r.ByID(ctx, existing.InvitationID); !errors.Is(err, ErrNotFound) {
		return false, err // invited (nil), or the look-up failed
	}
	// Compare-and-swap on the whole claim: of two feeders taking over the
	// same stale key, one wins.
	filter := bson.D{{Key: "_id", Value: key.ID}, {Key: "invitationId", Value: existing.InvitationID},
		fieldOrMissing("claimant", existing.Claimant, existing.Claimant == ""),
		fieldOrMissing("claimedAt", existing.ClaimedAt, existing.ClaimedAt.IsZero())}
	res, err := r.keys.ReplaceOne(ctx, filter, key)
	if err != nil {
		return false, fmt.Errorf("store: take over invitation key: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// fieldOrMissing matches a field equal to v, or absent when missing: keys
// written before claims were recorded have neither claimant nor time.
func fieldOrMissing(name string, v any, missing bool) bson.E {
	if missing {
		return bson.E{Key: name, Value: bson.D{{Key: "$exists", Value: false}}}
	}
	return bson.E{Key: name, Value: v}
}

// InvitedContacts returns the contacts invited within a scope (a survey,
// or a wave of it: InvitationScope), read from the (scope, contact) keys in
// one range query rather than a look-up per contact.
func (r *Invitations) InvitedContacts(ctx context.Context, scope string) (map[string]bool, error) {
	surveyID := scope
	prefix := surveyID + "|"
	out := map[string]bool{}
	type key struct {
		ID string `bson:"_id"`
	}
	err := mongodoc.Each(ctx, r.keys, "invited contacts", bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: prefix}, {Key: "$lt", Value: surveyID + "}"}}}},
		func(k key) error {
			if len(k.ID) > len(prefix) && k.ID[:len(prefix)] == prefix {
				out[k.ID[len(prefix):]] = true
			}
			return nil
		}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(5000))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeCampaign revokes every pending invitation of a cancelled campaign
// in one update, atomic per invitation, so one answered meanwhile stays
// answered. It returns how many were revoked.
func (r *Invitations) RevokeCampaign(ctx context.Context, campaignID string) (int64, error) {
	// Repeatable: a revoked invitation is out of the filter.
	var res *mongo.UpdateResult
	err := mongodoc.RetryIdempotent(ctx, func(ctx context.Context) error {
		var err error
		res, err = r.c.UpdateMany(ctx,
			bson.D{{Key: "campaignId", Value: campaignID}, {Key: "state", Value: InvitationPending}, untaken()},
			bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: InvitationRevoked}}}, {Key: "$unset", Value: bson.D{{Key: "nextReminderAt", Value: ""}}}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: revoke campaign invitations: %w", err)
	}
	return res.ModifiedCount, nil
}

// CountByState counts a campaign's invitations by state, in one pass with
// a single accumulator (which every supported server computes correctly).
func (r *Invitations) CountByState(ctx context.Context, campaignID string) (map[InvitationState]int, error) {
	cur, err := r.c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "campaignId", Value: campaignID}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$state"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("store: count invitations: %w", err)
	}
	var rows []struct {
		State InvitationState `bson:"_id"`
		N     int             `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: count invitations: %w", err)
	}
	out := make(map[InvitationState]int, len(rows))
	for _, row := range rows {
		out[row.State] = row.N
	}
	return out, nil
}

// AddSoftBounce counts a temporary failure reported for one of the
// invitation's messages.
func (r *Invitations) AddSoftBounce(ctx context.Context, id string) error {
	_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "softBounces", Value: 1}}}})
	if err != nil {
		return fmt.Errorf("store: count soft bounce: %w", err)
	}
	return nil
}

// RecordReminder notes that reminder number round went out; it is a no-op
// when it was recorded already.
func (r *Invitations) RecordReminder(ctx context.Context, id string, round int) error {
	_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "remindersSent", Value: round}}}})
	if err != nil {
		return fmt.Errorf("store: record reminder: %w", err)
	}
	return nil
}
