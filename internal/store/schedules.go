package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Cadence is how often a schedule runs.
type Cadence string

// Cadences.
const (
	Monthly    Cadence = "monthly"
	Quarterly  Cadence = "quarterly"
	HalfYearly Cadence = "half-yearly"
	Yearly     Cadence = "yearly"
)

// Months is the cadence's period in months; 0 for an unknown cadence.
func (c Cadence) Months() int {
	switch c {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case HalfYearly:
		return 6
	case Yearly:
		return 12
	}
	return 0
}

// Outcomes of a schedule's run.
const (
	RunCreated       = "created"       // a campaign was created
	RunSurveyClosed  = "survey_closed" // the survey was not open: nothing sent
	RunNobody        = "nobody"        // every contact was skipped, or there were none
	RunFailed        = "failed"        // the audience could not be resolved (the creator lost access, say)
	RunSkippedPaused = "paused"        // periods that passed while the schedule was paused
)

// ScheduleRun is what became of one period's run.
type ScheduleRun struct {
	Period     int       `bson:"period"`
	At         time.Time `bson:"at"`
	Outcome    string    `bson:"outcome"`
	CampaignID string    `bson:"campaignId,omitempty"`
	Note       string    `bson:"note,omitempty"`
}

// ScheduleLease is a run in progress: the period, and when another
// process may take it over from one that died.
type ScheduleLease struct {
	Period int       `bson:"period"`
	Until  time.Time `bson:"until"`
}

// CampaignSchedule sends a survey again and again: at each period it
// creates a normal campaign to the audience as it is then.
type CampaignSchedule struct {
	ID        string `bson:"_id"`
	SurveyID  string `bson:"surveyId"`
	CreatedBy string `bson:"createdBy"`
	// AccountIDs are the accounts chosen; empty, the audience is every
	// account ManagerID manages at run time.
	AccountIDs []string     `bson:"accountIds,omitempty"`
	ManagerID  string       `bson:"managerId,omitempty"`
	Cadence    Cadence      `bson:"cadence"`
	FirstRunAt time.Time    `bson:"firstRunAt"`
	Reminders  ReminderPlan `bson:"reminders"`
	Paused     bool         `bson:"paused"`
	// NextPeriod is the first period not yet run; periods are numbered
	// from 0, the first run. It only advances, by compare-and-swap.
	NextPeriod int            `bson:"nextPeriod"`
	Running    *ScheduleLease `bson:"running,omitempty"`
	LastRun    *ScheduleRun   `bson:"lastRun,omitempty"`
	CreatedAt  time.Time      `bson:"createdAt"`
}

// Schedules is the campaign_schedules collection.
type Schedules struct {
	c *mongo.Collection
}

func (r *Schedules) Collection() *mongo.Collection { return r.c }

func (r *Schedules) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{mongodoc.Index("survey_created", "surveyId", "-createdAt")}
}

// Insert stores a new schedule.
func (r *Schedules) Insert(ctx context.Context, s CampaignSchedule) error {
	return mongodoc.Insert(ctx, r.c, s, "campaign schedule", "campaign schedule")
}

// ByID returns one schedule.
func (r *Schedules) ByID(ctx context.Context, id string) (CampaignSchedule, error) {
	return mongodoc.ByID[CampaignSchedule](ctx, r.c, "find campaign schedule", id)
}

// ListBySurvey returns a survey's schedules, newest first; createdBy, when
// not empty, keeps only that user's.
func (r *Schedules) ListBySurvey(ctx context.Context, surveyID, createdBy string) ([]CampaignSchedule, error) {
	filter := bson.D{{Key: "surveyId", Value: surveyID}}
	if createdBy != "" {
		filter = append(filter, bson.E{Key: "createdBy", Value: createdBy})
	}
	return mongodoc.FindAll[CampaignSchedule](ctx, r.c, "list campaign schedules", filter,
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}))
}

// Unpaused returns the schedules that may run. Schedules are few (a
// handful per survey), so the periodic loop reads them all.
func (r *Schedules) Unpaused(ctx context.Context) ([]CampaignSchedule, error) {
	return mongodoc.FindAll[CampaignSchedule](ctx, r.c, "list campaign schedules",
		bson.D{{Key: "paused", Value: false}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// SetPaused pauses or resumes a schedule; false when it was so already.
func (r *Schedules) SetPaused(ctx context.Context, id string, paused bool) (bool, error) {
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "paused", Value: !paused}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "paused", Value: paused}}}})
	if err != nil {
		return false, fmt.Errorf("store: pause campaign schedule: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// Delete removes a schedule; the campaigns it made stay.
func (r *Schedules) Delete(ctx context.Context, id string) error {
	res, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("store: delete campaign schedule: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("store: campaign schedule %s: %w", id, ErrNotFound)
	}
	return nil
}

// ClaimRun leases the run of period for until, by compare-and-swap on the
// schedule still expecting a period no later than it and not being run
// by anyone whose lease holds. Only the caller that gets true runs it.
func (r *Schedules) ClaimRun(ctx context.Context, id string, nextPeriod, period int, now, until time.Time) (bool, error) {
	res, err := r.c.UpdateOne(ctx, bson.D{
		{Key: "_id", Value: id}, {Key: "nextPeriod", Value: nextPeriod}, {Key: "paused", Value: false},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "running", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "running", Value: nil}},
			bson.D{{Key: "running.until", Value: bson.D{{Key: "$lte", Value: now}}}},
		}},
	}, bson.D{{Key: "$set", Value: bson.D{{Key: "running", Value: ScheduleLease{Period: period, Until: until}}}}})
	if err != nil {
		return false, fmt.Errorf("store: claim campaign schedule run: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// FinishRun records a run and moves the schedule past its period, if it
// still expects it; false when another process finished it first.
func (r *Schedules) FinishRun(ctx context.Context, id string, nextPeriod int, run ScheduleRun) (bool, error) {
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "nextPeriod", Value: nextPeriod}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "nextPeriod", Value: run.Period + 1}, {Key: "lastRun", Value: run}}},
			{Key: "$unset", Value: bson.D{{Key: "running", Value: ""}}},
		})
	if err != nil {
		return false, fmt.Errorf("store: finish campaign schedule run: %w", err)
	}
	return res.ModifiedCount == 1, nil
}

// DropOrphanBatches deletes the backlog batches of a campaign that does
// not exist: what a process that died inside Create left behind, which
// would otherwise keep the campaign's id from being used.
func (r *Campaigns) DropOrphanBatches(ctx context.Context, campaignID string) error {
	if exists, err := mongodoc.Exists(ctx, r.c, "find campaign", campaignID); err != nil || exists {
		return err
	}
	if _, err := r.batches.DeleteMany(ctx, bson.D{{Key: "campaignId", Value: campaignID}}); err != nil {
		return fmt.Errorf("store: drop campaign batches: %w", err)
	}
	return nil
}
