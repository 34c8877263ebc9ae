// Package webhooks keeps the outgoing webhooks: the endpoints admins
// configure (webhook_endpoints), the deliveries, one per event and
// endpoint, which are also their log (webhook_deliveries), the small queue
// of those still to be posted (webhook_due), and what the threshold watch
// last saw of each survey (webhook_thresholds).
//
// A delivery's _id is derived from its event and endpoint, so publishing
// an event twice queues it once. The log grows for 30 days, so the
// dispatcher never scans it: it claims work from webhook_due, which holds
// only pending deliveries (a delivery leaves it once delivered, failed or
// dropped), by a lease written with findOneAndUpdate, and reads and writes
// the delivery itself by _id alone.
package webhooks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Endpoint is where events are posted. Its URL and secrets are sealed:
// a Slack or Teams incoming-webhook URL is itself a credential.
type Endpoint struct {
	ID      string   `bson:"_id"`
	Name    string   `bson:"name"`
	Kind    string   `bson:"kind"` // generic, slack, teams
	URL     seal.Box `bson:"url"`
	Display string   `bson:"display"` // the URL without path secrets, for lists
	Events  []string `bson:"events"`
	Enabled bool     `bson:"enabled"`
	// Secret signs generic deliveries; Previous, until PreviousUntil, too,
	// so that receivers can switch over after a rotation.
	Secret        seal.Box   `bson:"secret"`
	Previous      *seal.Box  `bson:"previous,omitempty"`
	PreviousUntil *time.Time `bson:"previousUntil,omitempty"`
	// NPSThreshold, when set, is the score whose crossing by a survey's
	// released NPS sends report.threshold_crossed.
	NPSThreshold   *int      `bson:"npsThreshold,omitempty"`
	DisabledReason string    `bson:"disabledReason,omitempty"`
	CreatedBy      string    `bson:"createdBy"`
	CreatedAt      time.Time `bson:"createdAt"`
	UpdatedAt      time.Time `bson:"updatedAt"`
}

// State is where a delivery is.
type State string

// Delivery states: pending → delivered | failed | dropped; a replay puts a
// delivered or failed one back to pending.
const (
	Pending   State = "pending"
	Delivered State = "delivered"
	Failed    State = "failed"
	// Dropped: the event may no longer leave, as when the person behind a
	// follow-up withdrew consent before it went.
	Dropped State = "dropped"
)

// Delivery is one event on its way to one endpoint, and afterwards its
// entry in the endpoint's delivery log until ExpiresAt.
type Delivery struct {
	ID         string   `bson:"_id"` // DeliveryID(event, endpoint)
	EndpointID string   `bson:"endpointId"`
	EventID    string   `bson:"eventId"`
	EventType  string   `bson:"eventType"`
	Subject    string   `bson:"subject,omitempty"` // the follow-up a named event is about
	Body       seal.Box `bson:"body"`              // the event as JSON, sealed

	State         State      `bson:"state"`
	Attempts      int        `bson:"attempts"`
	Replays       int        `bson:"replays"`
	NextAttemptAt time.Time  `bson:"nextAttemptAt"` // pending: when it is tried next
	LastStatus    int        `bson:"lastStatus,omitempty"`
	LastError     string     `bson:"lastError,omitempty"`
	CreatedAt     time.Time  `bson:"createdAt"`
	UpdatedAt     time.Time  `bson:"updatedAt"`
	DeliveredAt   *time.Time `bson:"deliveredAt,omitempty"`
	ExpiresAt     time.Time  `bson:"expiresAt"`
}

// Due is a pending delivery in the queue the dispatcher claims from: its
// _id is the delivery's.
type Due struct {
	ID            string    `bson:"_id"`
	NextAttemptAt time.Time `bson:"nextAttemptAt"`
	LeaseUntil    time.Time `bson:"leaseUntil"`
	Lease         string    `bson:"lease,omitempty"` // the claim's token: only its holder records the outcome
	Attempts      int       `bson:"attempts"`        // claims so far, counted by the claim itself
}

// Threshold is what the threshold watch last saw of one survey's NPS for
// one endpoint: whether it was at or above the threshold.
type Threshold struct {
	ID         string    `bson:"_id"` // endpoint|survey
	EndpointID string    `bson:"endpointId"`
	Threshold  int       `bson:"threshold"`
	Above      bool      `bson:"above"`
	NPS        float64   `bson:"nps"`
	Seq        int       `bson:"seq"` // crossings so far, for the events' ids
	At         time.Time `bson:"at"`
}

// Repo is the webhook collections.
type Repo struct {
	endpoints  *mongo.Collection
	deliveries *mongo.Collection
	due        *mongo.Collection
	thresholds *mongo.Collection
}

// New returns the repository over db.
func New(db *mongo.Database) *Repo {
	return &Repo{
		endpoints:  db.Collection("webhook_endpoints"),
		deliveries: db.Collection("webhook_deliveries"),
		due:        db.Collection("webhook_due"),
		thresholds: db.Collection("webhook_thresholds"),
	}
}

// Collection is the endpoints'.
func (r *Repo) Collection() *mongo.Collection { return r.endpoints }

// Indexes of the endpoints: none beyond _id, there are few.
func (r *Repo) Indexes() []mongo.IndexModel { return nil }

// Related lists the deliveries, with the log's look-up by endpoint, newest
// first, the sweep's by expiry, the repair's of pending ones and erasure's
// by subject; and the queue, by due time.
func (r *Repo) Related() []mongodoc.Indexed {
	return []mongodoc.Indexed{
		mongodoc.Related{C: r.deliveries, Models: []mongo.IndexModel{
			mongodoc.Index("endpoint_created", "endpointId", "-createdAt"),
			mongodoc.Index("expires", "expiresAt"),
			mongodoc.Index("state_updated", "state", "updatedAt"),
			mongodoc.Index("subject", "subject"),
		}},
		mongodoc.Related{C: r.due, Models: []mongo.IndexModel{
			mongodoc.Index("due", "nextAttemptAt"),
		}},
	}
}

// InsertEndpoint adds an endpoint.
func (r *Repo) InsertEndpoint(ctx context.Context, e Endpoint) error {
	return mongodoc.Insert(ctx, r.endpoints, e, "webhook endpoint", "webhook endpoint")
}

// Endpoint returns one endpoint; ErrNotFound when there is none.
func (r *Repo) Endpoint(ctx context.Context, id string) (Endpoint, error) {
	return mongodoc.ByID[Endpoint](ctx, r.endpoints, "find webhook endpoint", id)
}

// Endpoints returns a page of endpoints by name, and how many there are.
func (r *Repo) Endpoints(ctx context.Context, p mongodoc.Page) ([]Endpoint, int64, error) {
	return mongodoc.FindPage[Endpoint](ctx, r.endpoints, "webhook endpoints", bson.D{}, bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}, p)
}

// Subscribed returns the enabled endpoints subscribed to eventType. The
// collection is small (a few endpoints), so the scan is cheap.
func (r *Repo) Subscribed(ctx context.Context, eventType string) ([]Endpoint, error) {
	return mongodoc.FindAll[Endpoint](ctx, r.endpoints, "subscribed webhook endpoints",
		bson.D{{Key: "enabled", Value: true}, {Key: "events", Value: eventType}})
}

// SaveEndpoint replaces an endpoint read when it was last updated at
// prev, in one compare-and-swap: ErrConflict when it changed meanwhile (a
// rotation, or a receiver's 410 disabling it), ErrNotFound when it is gone.
func (r *Repo) SaveEndpoint(ctx context.Context, e Endpoint, prev time.Time) error {
	res, err := r.endpoints.ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.ID}, {Key: "updatedAt", Value: prev}}, e)
	if err != nil {
		return fmt.Errorf("store: save webhook endpoint: %w", err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	exists, err := mongodoc.Exists(ctx, r.endpoints, "save webhook endpoint", e.ID)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("store: save webhook endpoint: %w", mongodoc.ErrNotFound)
	}
	return fmt.Errorf("store: save webhook endpoint: %w", mongodoc.ErrConflict)
}

// Disable turns an endpoint off, saying why (a receiver answered 410).
func (r *Repo) Disable(ctx context.Context, id, reason string, at time.Time) error {
	if _, err := r.endpoints.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "enabled", Value: false}, {Key: "disabledReason", Value: reason}, {Key: "updatedAt", Value: at},
	}}}); err != nil {
		return fmt.Errorf("store: disable webhook endpoint: %w", err)
	}
	return nil
}

// DeleteEndpoint removes an endpoint with its deliveries and threshold
// marks; one already gone is ErrNotFound.
func (r *Repo) DeleteEndpoint(ctx context.Context, id string) error {
	res, err := r.endpoints.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("store: delete webhook endpoint: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("store: delete webhook endpoint: %w", mongodoc.ErrNotFound)
	}
	// Their queue entries leave when the dispatcher finds no delivery.
	if _, err := r.deliveries.DeleteMany(ctx, bson.D{{Key: "endpointId", Value: id}}); err != nil {
		return fmt.Errorf("store: delete webhook deliveries: %w", err)
	}
	if _, err := r.thresholds.DeleteMany(ctx, bson.D{{Key: "endpointId", Value: id}}); err != nil {
		return fmt.Errorf("store: delete webhook thresholds: %w", err)
	}
	return nil
}

// Enqueue adds a pending delivery and queues it; false, and no error, when
// it exists already (the same event published again). A crash between the
// two writes leaves a pending delivery out of the queue, which Repair puts
// back.
func (r *Repo) Enqueue(ctx context.Context, d Delivery) (bool, error) {
	if added, err := mongodoc.InsertOnce(ctx, r.deliveries, "queue webhook delivery", d); !added || err != nil {
		return false, err
	}
	return true, r.queue(ctx, d.ID, d.NextAttemptAt, d.Attempts, false)
}

// queue puts a delivery in the queue, due at next; reset replaces an entry
// that is there, which otherwise stays as it is.
func (r *Repo) queue(ctx context.Context, id string, next time.Time, attempts int, reset bool) error {
	fields := bson.D{{Key: "nextAttemptAt", Value: next}, {Key: "leaseUntil", Value: time.Time{}}, {Key: "lease", Value: ""}, {Key: "attempts", Value: attempts}}
	op := "$setOnInsert"
	if reset {
		op = "$set"
	}
	return mongodoc.Upsert(ctx, r.due, "queue webhook delivery", id, bson.D{{Key: op, Value: fields}})
}

// Delivery returns one delivery; ErrNotFound when there is none.
func (r *Repo) Delivery(ctx context.Context, id string) (Delivery, error) {
	return mongodoc.ByID[Delivery](ctx, r.deliveries, "find webhook delivery", id)
}

// due matches the queue's entries due at now that nobody holds.
func due(now time.Time) bson.D {
	return bson.D{
		{Key: "nextAttemptAt", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}},
	}
}

// Due returns up to limit entries of the queue due at now, oldest due
// first. The queue holds only pending deliveries, so it stays small.
func (r *Repo) Due(ctx context.Context, now time.Time, limit int64) ([]Due, error) {
	return mongodoc.FindAll[Due](ctx, r.due, "due webhook deliveries", due(now),
		options.Find().SetSort(bson.D{{Key: "nextAttemptAt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(limit))
}

// Claim leases a due entry until until under token, in one
// findOneAndUpdate by _id, counting the attempt; false when another
// dispatcher holds it or it is no longer due.
func (r *Repo) Claim(ctx context.Context, id, token string, now, until time.Time) (Due, bool, error) {
	filter := append(bson.D{{Key: "_id", Value: id}}, due(now)...)
	return mongodoc.Claim[Due](ctx, r.due, "claim webhook delivery", filter, bson.D{
		{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: until}, {Key: "lease", Value: token}}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	})
}

// Outcome is what became of one attempt.
type Outcome struct {
	State    State     // Pending: try again at Next
	Next     time.Time // Pending only
	Attempts int       // attempts so far
	Status   int       // the receiver's HTTP status; 0 when none came
	Error    string    // why it failed, without secrets
	At       time.Time
}

// Finish records an attempt's outcome if token still holds the lease:
// first in the queue (due again, or out of it), then on the delivery, by
// _id. False, and nothing written, when the lease was lost (it ran out
// and another took it). A crash between the two writes leaves the
// delivery pending outside the queue, which Repair puts back; it is then
// posted again, under the same id.
func (r *Repo) Finish(ctx context.Context, id, token string, o Outcome) (bool, error) {
	mine := bson.D{{Key: "_id", Value: id}, {Key: "lease", Value: token}}
	if o.State == Pending {
		res, err := r.due.UpdateOne(ctx, mine, bson.D{{Key: "$set", Value: bson.D{
			{Key: "nextAttemptAt", Value: o.Next}, {Key: "leaseUntil", Value: time.Time{}}, {Key: "lease", Value: ""},
		}}})
		if err != nil {
			return false, fmt.Errorf("store: record webhook delivery: %w", err)
		}
		if res.MatchedCount == 0 {
			return false, nil
		}
	} else if ok, err := r.Unqueue(ctx, id, token); err != nil || !ok {
		return false, err
	}
	set := bson.D{
		{Key: "state", Value: o.State}, {Key: "attempts", Value: o.Attempts}, {Key: "lastStatus", Value: o.Status},
		{Key: "lastError", Value: o.Error}, {Key: "updatedAt", Value: o.At},
	}
	switch o.State {
	case Pending:
		set = append(set, bson.E{Key: "nextAttemptAt", Value: o.Next})
	case Delivered:
		set = append(set, bson.E{Key: "deliveredAt", Value: o.At})
	case Dropped:
		set = append(set, bson.E{Key: "body", Value: seal.Box{}})
	}
	if _, err := r.deliveries.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}}); err != nil {
		return true, fmt.Errorf("store: record webhook delivery: %w", err)
	}
	return true, nil
}

// Unqueue takes an entry held under token out of the queue: its delivery
// is done, or gone. False when the lease was lost.
func (r *Repo) Unqueue(ctx context.Context, id, token string) (bool, error) {
	res, err := r.due.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "lease", Value: token}})
	if err != nil {
		return false, fmt.Errorf("store: unqueue webhook delivery: %w", err)
	}
	return res.DeletedCount > 0, nil
}

// Repair queues again the deliveries pending since before without an
// entry in the queue (a crash between two writes), due at now, and
// reports how many it looked at. Entries there already stay as they are.
func (r *Repo) Repair(ctx context.Context, before, now time.Time) (int, error) {
	type pending struct {
		ID       string `bson:"_id"`
		Attempts int    `bson:"attempts"`
	}
	n := 0
	err := mongodoc.Each(ctx, r.deliveries, "pending webhook deliveries",
		bson.D{{Key: "state", Value: Pending}, {Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: before}}}},
		func(p pending) error {
			n++
			return r.queue(ctx, p.ID, now, p.Attempts, false)
		}, options.Find().SetProjection(bson.D{{Key: "attempts", Value: 1}}))
	return n, err
}

// Replay puts a delivered or failed delivery back in the queue, due at
// now, as a new series of attempts under the same event id; ErrConflict
// when it is pending or dropped, ErrNotFound when there is none.
func (r *Repo) Replay(ctx context.Context, id string, now, expires time.Time) (Delivery, error) {
	d, ok, err := mongodoc.Claim[Delivery](ctx, r.deliveries, "replay webhook delivery",
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: bson.D{{Key: "$in", Value: []State{Delivered, Failed}}}}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "state", Value: Pending}, {Key: "attempts", Value: 0}, {Key: "nextAttemptAt", Value: now},
				{Key: "updatedAt", Value: now}, {Key: "expiresAt", Value: expires}}},
			{Key: "$inc", Value: bson.D{{Key: "replays", Value: 1}}},
		})
	if err != nil {
		return d, err
	}
	if ok {
		return d, r.queue(ctx, id, now, 0, true)
	}
	exists, err := mongodoc.Exists(ctx, r.deliveries, "replay webhook delivery", id)
	if err != nil {
		return Delivery{}, err
	}
	if !exists {
		return Delivery{}, fmt.Errorf("store: replay webhook delivery: %w", mongodoc.ErrNotFound)
	}
	return Delivery{}, fmt.Errorf("store: replay webhook delivery: %w", mongodoc.ErrConflict)
}

// ForEndpoint returns a page of an endpoint's deliveries, newest first,
// and how many it has.
func (r *Repo) ForEndpoint(ctx context.Context, endpointID string, p mongodoc.Page) ([]Delivery, int64, error) {
	return mongodoc.FindPage[Delivery](ctx, r.deliveries, "webhook deliveries", bson.D{{Key: "endpointId", Value: endpointID}},
		bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}, p)
}

// Sweep deletes the deliveries whose log entry expired, and reports how
// many went.
func (r *Repo) Sweep(ctx context.Context, now time.Time) (int64, error) {
	res, err := r.deliveries.DeleteMany(ctx, bson.D{
		{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: now}}},
		{Key: "state", Value: bson.D{{Key: "$ne", Value: Pending}}},
	})
	if err != nil {
		return 0, fmt.Errorf("store: sweep webhook deliveries: %w", err)
	}
	return res.DeletedCount, nil
}

// Threshold returns what the watch last saw for endpoint and survey;
// found is false when it saw nothing yet.
func (r *Repo) Threshold(ctx context.Context, id string) (Threshold, bool, error) {
	return mongodoc.Lookup[Threshold](ctx, r.thresholds, "find webhook threshold", id)
}

// SaveThreshold records what the watch saw. Two watches that saw the
// same crossing write the same mark, and publish the same event id.
func (r *Repo) SaveThreshold(ctx context.Context, t Threshold) error {
	if _, err := r.thresholds.ReplaceOne(ctx, bson.D{{Key: "_id", Value: t.ID}}, t, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("store: save webhook threshold: %w", err)
	}
	return nil
}

// watchLease is the _id of the threshold watch's lease among the marks.
const watchLease = "lease:watch"

// ClaimWatch takes the threshold watch's lease until until for holder, in
// one findOneAndUpdate, so that one process at a time runs the watch;
// false when another holds it.
func (r *Repo) ClaimWatch(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	err := r.thresholds.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: watchLease}, {Key: "at", Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: until}, {Key: "holder", Value: holder}}}},
		options.FindOneAndUpdate().SetUpsert(true)).Err()
	switch {
	case err == nil, errors.Is(err, mongo.ErrNoDocuments):
		return true, nil
	case mongodoc.IsDuplicate(err):
		return false, nil
	}
	return false, fmt.Errorf("store: claim threshold watch: %w", err)
}

// EachEndpoint calls fn with every endpoint, for re-sealing.
func (r *Repo) EachEndpoint(ctx context.Context, fn func(Endpoint) error) error {
	return mongodoc.Each(ctx, r.endpoints, "webhook endpoints", bson.D{}, fn)
}

// ResealEndpoint writes fresh's sealed URL and secrets if the endpoint's
// are still old's: one changed meanwhile is already under the current key
// and is left alone (false).
func (r *Repo) ResealEndpoint(ctx context.Context, old, fresh Endpoint) (bool, error) {
	res, err := r.endpoints.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: old.ID}, {Key: "url.d", Value: old.URL.Data}, {Key: "secret.d", Value: old.Secret.Data}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "url", Value: fresh.URL}, {Key: "secret", Value: fresh.Secret}, {Key: "previous", Value: fresh.Previous}}}})
	if err != nil {
		return false, fmt.Errorf("store: reseal webhook endpoint: %w", err)
	}
	return res.MatchedCount > 0, nil
}

// EachBody calls fn with every delivery's sealed event, for re-sealing.
func (r *Repo) EachBody(ctx context.Context, fn func(id string, body seal.Box) error) error {
	type sealed struct {
		ID   string   `bson:"_id"`
		Body seal.Box `bson:"body"`
	}
	return mongodoc.Each(ctx, r.deliveries, "webhook events", bson.D{},
		func(d sealed) error { return fn(d.ID, d.Body) }, options.Find().SetProjection(bson.D{{Key: "body", Value: 1}}))
}

// SetBody replaces a delivery's sealed event if it is still old; false
// when it changed or went meanwhile.
func (r *Repo) SetBody(ctx context.Context, id string, old, fresh seal.Box) (bool, error) {
	res, err := r.deliveries.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "body.d", Value: old.Data}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "body", Value: fresh}}}})
	if err != nil {
		return false, fmt.Errorf("store: reseal webhook event: %w", err)
	}
	return res.MatchedCount > 0, nil
}

// ForgetSubject deletes the bodies of every delivery about subject (a
// follow-up whose person withdrew or was erased), delivered or not, and
// reports how many it changed. The entries stay in the log without what
// they said; a pending one is dropped when it comes due.
func (r *Repo) ForgetSubject(ctx context.Context, subject string, now time.Time) (int64, error) {
	if subject == "" {
		return 0, nil
	}
	// Repeatable: a forgotten delivery has no body left to unset.
	res, err := r.deliveries.UpdateMany(ctx,
		bson.D{{Key: "subject", Value: subject}, {Key: "body", Value: bson.D{{Key: "$exists", Value: true}}}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "body", Value: ""}}}, {Key: "$set", Value: bson.D{{Key: "updatedAt", Value: now}}}})
	if err != nil {
		return 0, fmt.Errorf("store: forget webhook deliveries: %w", err)
	}
	return res.ModifiedCount, nil
}
