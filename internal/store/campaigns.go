package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// CampaignState is where a campaign is in its life.
type CampaignState string

// Campaign states: scheduled → sending → sent, or cancelled from any of them.
const (
	CampaignScheduled CampaignState = "scheduled" // waits for SendAt
	CampaignSending   CampaignState = "sending"   // invitations are being fed to the outbox and sent
	CampaignSent      CampaignState = "sent"      // every invitation went out or failed; reminders may follow
	CampaignCancelled CampaignState = "cancelled" // nothing more is sent
)

// Skip reasons: why a contact in the audience gets no invitation.
const (
	SkipUnsubscribed     = "unsubscribed"
	SkipBounced          = "bounced"
	SkipErased           = "erased"
	SkipInvalidEmail     = "invalid_email"
	SkipAlreadyInvited   = "already_invited"
	SkipRecentlySurveyed = "recently_surveyed"
)

// Audience kinds.
const (
	AudienceContacts = "contacts"
	AudienceAccounts = "accounts"
	AudienceSegment  = "segment"
)

// Segment selects accounts by their attributes; empty fields match any.
type Segment struct {
	Region   string `bson:"region,omitempty" json:"region,omitempty"`
	Country  string `bson:"country,omitempty" json:"country,omitempty"`
	Industry string `bson:"industry,omitempty" json:"industry,omitempty"`
	Tier     string `bson:"tier,omitempty" json:"tier,omitempty"`
	// ManagerID is the account's manager, recorded on responses only so
	// that reports can break down by it. Audiences never set it (it is not
	// read from JSON), so campaigns select and compare as before.
	ManagerID string `bson:"managerId,omitempty" json:"-"`
}

// IsZero reports whether s selects every account.
func (s Segment) IsZero() bool { return s == Segment{} }

// CampaignAudience records how the audience was chosen. Chosen contacts are
// not listed here: they are in the campaign's batches.
type CampaignAudience struct {
	Kind       string   `bson:"kind"`
	AccountIDs []string `bson:"accountIds,omitempty"`
	Segment    Segment  `bson:"segment,omitempty"`
	Contacts   int      `bson:"contacts"` // contacts the audience resolved to, skipped ones included
}

// ReminderPlan says how many reminders go to contacts who have not
// answered, and how long after the invitation (and each other).
type ReminderPlan struct {
	Count     int `bson:"count" json:"count"`
	AfterDays int `bson:"afterDays" json:"afterDays"`
}

// CampaignCounts are kept with $inc as messages are fed, sent and dropped.
// Queued and sending are not stored: they follow from these and the outbox.
type CampaignCounts struct {
	Invited    int `bson:"invited"`    // invitations to send (the audience less the skipped)
	Fed        int `bson:"fed"`        // invitations put into the outbox so far
	Sent       int `bson:"sent"`       // invitation emails accepted by the mail server
	Failed     int `bson:"failed"`     // gave up after transient errors, or the message was invalid
	Bounced    int `bson:"bounced"`    // rejected for good by the mail server
	Reminded   int `bson:"reminded"`   // reminder emails accepted by the mail server
	Suppressed int `bson:"suppressed"` // dropped before sending: unsubscribed, bounced or erased meanwhile
	Withdrawn  int `bson:"withdrawn"`  // never sent because the campaign was cancelled
	// Complained counts messages their recipient reported as spam (an
	// ARF report); Bounced also counts bounces reported after the server
	// accepted the message.
	Complained int `bson:"complained"`
	// Answered counts the invitations answered, one $inc by whichever
	// submission moved the invitation to answered (Invitations.FinishAnswer
	// tells it). A count lost to a crash between the two writes is made up
	// by the census, which is why readers take the larger of the two.
	Answered int `bson:"answered"`
}

// CampaignCensus counts the campaign's invitations by state. Counting needs
// a pass over the invitations, so the dispatcher refreshes it in the
// background rather than on every page view.
type CampaignCensus struct {
	Pending  int       `bson:"pending"`
	Answered int       `bson:"answered"`
	Revoked  int       `bson:"revoked"`
	At       time.Time `bson:"at"`
}

// Campaign sends one survey to an audience. The audience is kept as a
// backlog of batches (campaign_batches) that the dispatcher feeds into the
// outbox a batch at a time, so the outbox stays small however large the
// audience is.
type Campaign struct {
	ID        string           `bson:"_id"`
	SurveyID  string           `bson:"surveyId"`
	CreatedBy string           `bson:"createdBy"`
	Audience  CampaignAudience `bson:"audience"`
	Reminders ReminderPlan     `bson:"reminders"`
	State     CampaignState    `bson:"state"`
	SendAt    time.Time        `bson:"sendAt"`
	// Wave, when set, is the run of a schedule this campaign is (schedule
	// and period): its contacts are invited once per wave rather than once
	// per survey, so that a relationship survey can ask them again each
	// period. Empty for a campaign on its own.
	Wave string `bson:"wave,omitempty"`
	// ScheduleID is the schedule that made the campaign, if any.
	ScheduleID string `bson:"scheduleId,omitempty"`

	// Batches is the number of backlog batches, numbered from 0. NextBatch
	// is the next one to feed; NextReminder walks the reminder rounds, at
	// round*Batches + batch. Both only ever advance by compare-and-swap, so
	// no two dispatchers feed the same batch.
	Batches      int `bson:"batches"`
	NextBatch    int `bson:"nextBatch"`
	NextReminder int `bson:"nextReminder"`
	// Feeding holds the feeds claimed but not finished, by FeedKey, with the
	// time after which a sweeper may take one over from a crashed process.
	Feeding map[string]time.Time `bson:"feeding,omitempty"`
	// BatchSentAt is when a message of each batch (by its number) was last
	// accepted; reminders are timed from it.
	BatchSentAt map[string]time.Time `bson:"batchSentAt,omitempty"`

	Counts      CampaignCounts  `bson:"counts"`
	Skipped     int             `bson:"skipped"`
	SkipReasons map[string]int  `bson:"skipReasons,omitempty"`
	Census      *CampaignCensus `bson:"census,omitempty"`

	CreatedAt   time.Time  `bson:"createdAt"`
	StartedAt   *time.Time `bson:"startedAt,omitempty"`
	FinishedAt  *time.Time `bson:"finishedAt,omitempty"`
	CancelledAt *time.Time `bson:"cancelledAt,omitempty"`
	// ActiveUntil is when the dispatcher stops looking after the campaign
	// (reminders, census): far ahead while it sends, then the end of the
	// links' validity.
	ActiveUntil time.Time `bson:"activeUntil"`
}

// FeedKey names one feed of a campaign: batch seq of the invitations
// (round 0) or of reminder round n.
func FeedKey(round, seq int) string {
	if round == 0 {
		return "i" + strconv.Itoa(seq)
	}
	// No dots: the key is a field name in update paths.
	return "r" + strconv.Itoa(round) + "-" + strconv.Itoa(seq)
}

// ParseFeedKey reverses FeedKey.
func ParseFeedKey(key string) (round, seq int, ok bool) {
	var err error
	switch {
	case strings.HasPrefix(key, "i"):
		seq, err = strconv.Atoi(key[1:])
		return 0, seq, err == nil && seq >= 0
	case strings.HasPrefix(key, "r"):
		r, sq, found := strings.Cut(key[1:], "-")
		if !found {
			return 0, 0, false
		}
		if round, err = strconv.Atoi(r); err != nil || round < 1 {
			return 0, 0, false
		}
		seq, err = strconv.Atoi(sq)
		return round, seq, err == nil && seq >= 0
	}
	return 0, 0, false
}

// BatchEntry is one invitation-to-be in a backlog batch. The invitation
// itself is created when its batch is fed, so that its link's validity
// counts from sending, and a scheduled campaign holds no live links.
type BatchEntry struct {
	InvitationID string `bson:"invitationId"`
	ContactID    string `bson:"contactId"`
	AccountID    string `bson:"accountId"`
	Locale       string `bson:"locale"`
}

// CampaignBatch is a slice of a campaign's audience, found by _id.
type CampaignBatch struct {
	ID         string       `bson:"_id"` // campaignID + "|" + seq
	CampaignID string       `bson:"campaignId"`
	Seq        int          `bson:"seq"`
	Entries    []BatchEntry `bson:"entries"`
}

// BatchID is the _id of a campaign's batch seq.
func BatchID(campaignID string, seq int) string { return campaignID + "|" + strconv.Itoa(seq) }

// Skip is a contact left out of a campaign, and why.
type Skip struct {
	ContactID string `bson:"contactId" json:"contactId"`
	Reason    string `bson:"reason" json:"reason"`
}

// skipChunk keeps a campaign's skips in documents of bounded size.
type skipChunk struct {
	ID         string    `bson:"_id"` // campaignID + "|" + chunk name
	CampaignID string    `bson:"campaignId"`
	Skips      []Skip    `bson:"skips"`
	CreatedAt  time.Time `bson:"createdAt"`
}

// skipsPerChunk bounds a skip document well below MongoDB's 16 MB.
const skipsPerChunk = 1000

// Campaigns is the campaigns collection with its backlog batches and skips.
type Campaigns struct {
	c       *mongo.Collection
	batches *mongo.Collection
	skips   *mongo.Collection
}

func (r *Campaigns) Collection() *mongo.Collection { return r.c }

func (r *Campaigns) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("survey_created", "surveyId", "-createdAt"),
		mongodoc.Index("activeUntil", "activeUntil"),
	}
}

// Related lists the skips, the one collection besides campaigns that needs
// indexes.
func (r *Campaigns) Related() []mongodoc.Indexed {
	return []mongodoc.Indexed{mongodoc.Related{C: r.skips, Models: []mongo.IndexModel{
		mongodoc.Index("campaign", "campaignId"),
	}}}
}

// Create stores a campaign with its backlog batches and skips. The campaign
// document goes last: until it exists nothing reads the others, so a crash
// part-way leaves no half-made campaign behind. A campaign whose id (or
// first batch) exists already is ErrDuplicate: a schedule's runs derive
// the id from the period, and the one that writes first owns it.
func (r *Campaigns) Create(ctx context.Context, c Campaign, batches []CampaignBatch, skips []Skip) error {
	const perInsert = 100
	for start := 0; start < len(batches); start += perInsert {
		docs := make([]any, 0, perInsert)
		for _, b := range batches[start:min(start+perInsert, len(batches))] {
			docs = append(docs, b)
		}
		if _, err := r.batches.InsertMany(ctx, docs); err != nil {
			if mongodoc.IsDuplicate(err) {
				return fmt.Errorf("store: insert campaign batches: %w", ErrDuplicate)
			}
			return fmt.Errorf("store: insert campaign batches: %w", err)
		}
	}
	if err := r.AddSkips(ctx, c.ID, "s", skips, c.CreatedAt); err != nil {
		return err
	}
	if _, err := r.c.InsertOne(ctx, c); err != nil {
		if mongodoc.IsDuplicate(err) {
			return fmt.Errorf("store: insert campaign: %w", ErrDuplicate)
		}
		return fmt.Errorf("store: insert campaign: %w", err)
	}
	return nil
}

// AddSkips records skips under chunk names prefix0, prefix1, ...; adding
// the same chunks again changes nothing.
func (r *Campaigns) AddSkips(ctx context.Context, campaignID, prefix string, skips []Skip, now time.Time) error {
	for n, start := 0, 0; start < len(skips); n, start = n+1, start+skipsPerChunk {
		chunk := skipChunk{
			ID: campaignID + "|" + prefix + strconv.Itoa(n), CampaignID: campaignID,
			Skips: skips[start:min(start+skipsPerChunk, len(skips))], CreatedAt: now,
		}
		if _, err := r.skips.InsertOne(ctx, chunk); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("store: insert campaign skips: %w", err)
		}
	}
	return nil
}

// ByID returns one campaign.
func (r *Campaigns) ByID(ctx context.Context, id string) (Campaign, error) {
	return mongodoc.ByID[Campaign](ctx, r.c, "find campaign", id)
}

// Batch returns one backlog batch.
func (r *Campaigns) Batch(ctx context.Context, campaignID string, seq int) (CampaignBatch, error) {
	return mongodoc.ByID[CampaignBatch](ctx, r.batches, "find campaign batch", BatchID(campaignID, seq))
}

// ListBySurvey returns a survey's campaigns, newest first; createdBy, when
// not empty, keeps only that user's.
func (r *Campaigns) ListBySurvey(ctx context.Context, surveyID, createdBy string) ([]Campaign, error) {
	filter := bson.D{{Key: "surveyId", Value: surveyID}}
	if createdBy != "" {
		filter = append(filter, bson.E{Key: "createdBy", Value: createdBy})
	}
	return mongodoc.FindAll[Campaign](ctx, r.c, "list campaigns", filter, options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}))
}

// Active returns the campaigns the dispatcher looks after: not cancelled,
// and sending or within their links' validity.
func (r *Campaigns) Active(ctx context.Context, now time.Time) ([]Campaign, error) {
	return mongodoc.FindAll[Campaign](ctx, r.c, "list campaigns", bson.D{
		{Key: "activeUntil", Value: bson.D{{Key: "$gt", Value: now}}},
		{Key: "state", Value: bson.D{{Key: "$ne", Value: CampaignCancelled}}},
	}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
}

// Skips returns up to limit of a campaign's skips.
func (r *Campaigns) Skips(ctx context.Context, campaignID string, limit int) ([]Skip, error) {
	cur, err := r.skips.Find(ctx, bson.D{{Key: "campaignId", Value: campaignID}},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: campaign skips: %w", err)
	}
	defer cur.Close(ctx)
	out := []Skip{}
	for cur.Next(ctx) && len(out) < limit {
		var chunk skipChunk
		if err := cur.Decode(&chunk); err != nil {
			return nil, fmt.Errorf("store: campaign skips: %w", err)
		}
		out = append(out, chunk.Skips[:min(len(chunk.Skips), limit-len(out))]...)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("store: campaign skips: %w", err)
	}
	return out, nil
}

// Start moves a scheduled campaign whose time has come to sending; false
// when another process did it first.
func (r *Campaigns) Start(ctx context.Context, id string, now time.Time) (bool, error) {
	return r.update(ctx, bson.D{{Key: "_id", Value: id}, {Key: "state", Value: CampaignScheduled}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: CampaignSending}, {Key: "startedAt", Value: now}}}})
}

// ClaimFeed claims the feed at position pos of a cursor ("nextBatch" or
// "nextReminder") by advancing it with a compare-and-swap, and notes the
// feed as in progress until deadline. Only the caller that gets true feeds.
func (r *Campaigns) ClaimFeed(ctx context.Context, id, cursor string, pos int, key string, deadline time.Time) (bool, error) {
	if cursor != "nextBatch" && cursor != "nextReminder" {
		return false, fmt.Errorf("store: claim feed: unknown cursor %q", cursor)
	}
	filter := bson.D{{Key: "_id", Value: id}, {Key: cursor, Value: pos},
		{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{CampaignSending, CampaignSent}}}}}
	return r.update(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: cursor, Value: pos + 1}, {Key: "feeding." + key, Value: deadline}}}})
}

// RenewFeed takes over a feed whose deadline passed (its process died);
// false when someone else took it or it finished.
func (r *Campaigns) RenewFeed(ctx context.Context, id, key string, old, deadline time.Time) (bool, error) {
	return r.update(ctx, bson.D{{Key: "_id", Value: id}, {Key: "feeding." + key, Value: old}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "feeding." + key, Value: deadline}}}})
}

// Finish moves a sending campaign to sent; activeUntil is when its last
// links expire.
func (r *Campaigns) Finish(ctx context.Context, id string, now, activeUntil time.Time) (bool, error) {
	return r.update(ctx, bson.D{{Key: "_id", Value: id}, {Key: "state", Value: CampaignSending}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: CampaignSent}, {Key: "finishedAt", Value: now}, {Key: "activeUntil", Value: activeUntil}}}})
}

// Cancel moves a campaign that is not cancelled yet to cancelled; false when
// it already was.
func (r *Campaigns) Cancel(ctx context.Context, id string, now time.Time) (bool, error) {
	return r.update(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: bson.D{{Key: "$ne", Value: CampaignCancelled}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: CampaignCancelled}, {Key: "cancelledAt", Value: now}, {Key: "feeding", Value: bson.D{}}}}})
}

// CountsDelta is a change to a campaign's counters; zero fields change nothing.
type CountsDelta struct {
	Invited, Fed, Sent, Failed, Bounced, Reminded, Suppressed, Withdrawn, Skipped int
	Complained                                                                    int
	// SkipReasons adds to the skip counts by reason.
	SkipReasons map[string]int
	// SentBatch, when not negative, records Now as the batch's latest send.
	SentBatch int
	Now       time.Time
	// FinishFeed, when set, ends that feed in the same update, so that a
	// feed's counts are applied exactly when the feed is marked done: a
	// feed taken over after a crash counts afresh.
	FinishFeed string
}

// AddCounts applies d to a campaign's counters in one atomic update.
func (r *Campaigns) AddCounts(ctx context.Context, id string, d CountsDelta) error {
	inc := bson.D{}
	for _, f := range []struct {
		name string
		n    int
	}{
		{"counts.invited", d.Invited}, {"counts.fed", d.Fed}, {"counts.sent", d.Sent}, {"counts.failed", d.Failed},
		{"counts.bounced", d.Bounced}, {"counts.reminded", d.Reminded}, {"counts.suppressed", d.Suppressed},
		{"counts.withdrawn", d.Withdrawn}, {"skipped", d.Skipped},
		{"counts.complained", d.Complained},
	} {
		if f.n != 0 {
			inc = append(inc, bson.E{Key: f.name, Value: f.n})
		}
	}
	for reason, n := range d.SkipReasons {
		if n != 0 {
			inc = append(inc, bson.E{Key: "skipReasons." + reason, Value: n})
		}
	}
	update := bson.D{}
	if len(inc) > 0 {
		update = append(update, bson.E{Key: "$inc", Value: inc})
	}
	if d.SentBatch >= 0 {
		update = append(update, bson.E{Key: "$max", Value: bson.D{{Key: "batchSentAt." + strconv.Itoa(d.SentBatch), Value: d.Now}}})
	}
	if d.FinishFeed != "" {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "feeding." + d.FinishFeed, Value: ""}}})
	}
	if len(update) == 0 {
		return nil
	}
	_, err := r.update(ctx, bson.D{{Key: "_id", Value: id}}, update)
	return err
}

// SetCensus stores a fresh count of the campaign's invitations by state.
// The answered count only ever grows (answered is final), so it is kept
// with $max: a census that read earlier but writes later does not undo a
// newer one.
func (r *Campaigns) SetCensus(ctx context.Context, id string, c CampaignCensus) error {
	_, err := r.update(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "census.pending", Value: c.Pending}, {Key: "census.revoked", Value: c.Revoked}, {Key: "census.at", Value: c.At}}},
		{Key: "$max", Value: bson.D{{Key: "census.answered", Value: c.Answered}}},
	})
	return err
}

// CountAnswered adds one answered invitation to a campaign's count. Call
// it only when Invitations.FinishAnswer reported that this caller answered
// the invitation, so that each answer counts once.
func (r *Campaigns) CountAnswered(ctx context.Context, id string) error {
	_, err := r.update(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "counts.answered", Value: 1}}}})
	return err
}

// Answered is how many of the campaign's invitations were answered: the
// larger of the live count and the last census, each of which never
// counts more than there are.
func (c Campaign) Answered() int {
	n := c.Counts.Answered
	if c.Census != nil {
		n = max(n, c.Census.Answered)
	}
	return n
}

func (r *Campaigns) update(ctx context.Context, filter, update bson.D) (bool, error) {
	res, err := r.c.UpdateOne(ctx, filter, update)
	if err != nil {
		return false, fmt.Errorf("store: update campaign: %w", err)
	}
	return res.ModifiedCount == 1, nil
}
