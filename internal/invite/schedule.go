package invite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
)

// Schedules: a survey sent again every period ("every quarter to all
// active contacts of these accounts"). Each run creates a normal campaign,
// so progress, counts and reminders are a campaign's; its id and its wave
// come from the schedule and the period, so that however many dispatchers
// race for a period, one campaign is made.

// ScheduleStore is what invite needs of the schedules collection.
type ScheduleStore interface {
	Insert(ctx context.Context, s store.CampaignSchedule) error
	ByID(ctx context.Context, id string) (store.CampaignSchedule, error)
	ListBySurvey(ctx context.Context, surveyID, createdBy string) ([]store.CampaignSchedule, error)
	Unpaused(ctx context.Context) ([]store.CampaignSchedule, error)
	SetPaused(ctx context.Context, id string, paused bool) (bool, error)
	Delete(ctx context.Context, id string) error
	ClaimRun(ctx context.Context, id string, nextPeriod, period int, now, until time.Time) (bool, error)
	FinishRun(ctx context.Context, id string, nextPeriod int, run store.ScheduleRun) (bool, error)
}

// UserStore finds the staff member a schedule runs as.
type UserStore interface {
	ByID(ctx context.Context, id string) (store.User, error)
}

// Cadences lists the cadences a schedule may have, shortest first.
func Cadences() []store.Cadence {
	return []store.Cadence{store.Monthly, store.Quarterly, store.HalfYearly, store.Yearly}
}

// CadenceLabel names a cadence for staff.
func CadenceLabel(c store.Cadence) string {
	switch c {
	case store.Monthly:
		return "Every month"
	case store.Quarterly:
		return "Every quarter"
	case store.HalfYearly:
		return "Every half year"
	case store.Yearly:
		return "Every year"
	}
	return string(c)
}

// RunAt is when period n of a schedule runs: n cadences after the first
// run, at the same time of day, on the same day of the month or on the
// month's last day when it has fewer (a schedule from 31 January runs on
// 28 or 29 February, then on 31 March). Counting from the first run, not
// from the previous one, keeps a short month from shifting every later run.
func RunAt(first time.Time, c store.Cadence, n int) time.Time {
	first = first.UTC()
	y, m, d := first.Date()
	months := int(m) - 1 + n*c.Months()
	year, month := y+months/12, time.Month(months%12+1)
	last := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(year, month, min(d, last), first.Hour(), first.Minute(), first.Second(), first.Nanosecond(), time.UTC)
}

// DuePeriod is the period a schedule should run now: the latest one whose
// time has come, not before its next. Periods missed while nothing ran
// (every replica down) are not made up in a burst: only the latest runs.
func DuePeriod(s store.CampaignSchedule, now time.Time) (int, bool) {
	if s.Cadence.Months() == 0 || now.Before(RunAt(s.FirstRunAt, s.Cadence, s.NextPeriod)) {
		return 0, false
	}
	p := s.NextPeriod
	for !now.Before(RunAt(s.FirstRunAt, s.Cadence, p+1)) {
		p++
	}
	return p, true
}

// NextRun is when a schedule runs next, as its page shows it.
func NextRun(s store.CampaignSchedule, now time.Time) time.Time {
	if p, due := DuePeriod(s, now); due {
		return RunAt(s.FirstRunAt, s.Cadence, p)
	}
	return RunAt(s.FirstRunAt, s.Cadence, s.NextPeriod)
}

// RunCampaignID is the id of the campaign a schedule's period makes, which
// is also its wave: derived, so racing runs collide on it.
func RunCampaignID(scheduleID string, period int) string {
	return scheduleID + "-p" + strconv.Itoa(period)
}

// ScheduleRequest is a new schedule.
type ScheduleRequest struct {
	// AccountIDs are the accounts chosen; or, with ManagerID, every account
	// that manager has when each run fires.
	AccountIDs []string
	ManagerID  string
	Cadence    store.Cadence
	FirstRunAt time.Time
	Reminders  *store.ReminderPlan // nil: the campaigns' default
}

// CreateSchedule validates and stores a schedule for an open survey.
func (s *Service) CreateSchedule(ctx context.Context, actor store.User, surveyID string, req ScheduleRequest) (store.CampaignSchedule, error) {
	if err := mayCampaign(actor); err != nil {
		return store.CampaignSchedule{}, err
	}
	sv, err := s.openSurvey(ctx, surveyID)
	if err != nil {
		return store.CampaignSchedule{}, err
	}
	now := s.clock()
	fields := map[string]string{}
	// The reminder plan is checked as a campaign's is.
	plan := Request{Reminders: req.Reminders}
	if err := s.checkRequest(&plan, now); err != nil {
		fields = fault.FieldsOf(err)
	}
	if req.Cadence.Months() == 0 {
		fields["cadence"] = "choose monthly, quarterly, half-yearly or yearly"
	}
	first := req.FirstRunAt.UTC().Truncate(time.Minute)
	switch {
	case first.IsZero():
		fields["firstRunAt"] = "choose the date and time of the first run"
	case first.Before(now.Add(-time.Minute)):
		fields["firstRunAt"] = "must not be in the past"
	case first.After(now.Add(MaxScheduleAhead)):
		fields["firstRunAt"] = "must be within a year"
	}
	sch := store.CampaignSchedule{
		ID: store.NewID(), SurveyID: sv.ID, CreatedBy: actor.ID, Cadence: req.Cadence, FirstRunAt: first,
		Reminders: *plan.Reminders, CreatedAt: now,
	}
	manager := strings.TrimSpace(req.ManagerID)
	switch {
	case manager != "" && len(req.AccountIDs) > 0:
		fields["audience"] = "choose accounts, or all accounts of a manager, not both"
	case manager != "":
		if manager != actor.ID && !policy.SeesAllAccounts(policy.Of(actor)) {
			fields["managerId"] = "you may choose only your own accounts"
		} else if u, err := s.stores.Users.ByID(ctx, manager); errors.Is(err, store.ErrNotFound) || (err == nil && !policy.CanBeAccountManager(u)) {
			fields["managerId"] = "no such manager"
		} else if err != nil {
			return store.CampaignSchedule{}, fmt.Errorf("invite: %w", err)
		}
		sch.ManagerID = manager
	case len(req.AccountIDs) == 0:
		fields["accountIds"] = "choose at least one account, or all accounts of a manager"
	default:
		ids, err := s.resolveAccounts(ctx, actor, req.AccountIDs)
		if err != nil {
			if f := fault.FieldsOf(err); len(f) > 0 {
				for k, v := range f {
					fields[k] = v
				}
			} else {
				return store.CampaignSchedule{}, customerError(err)
			}
		}
		sch.AccountIDs = ids
	}
	if err := invalid(fields); err != nil {
		return store.CampaignSchedule{}, err
	}
	if err := s.stores.Schedules.Insert(ctx, sch); err != nil {
		return store.CampaignSchedule{}, fmt.Errorf("invite: %w", err)
	}
	s.logger.InfoContext(ctx, "campaign schedule created", "schedule", sch.ID, "survey", sv.ID, "cadence", sch.Cadence)
	return sch, nil
}

// ScheduleInfo is a schedule with when it runs next, by the services' clock.
type ScheduleInfo struct {
	Schedule store.CampaignSchedule
	NextRun  time.Time
}

// Schedules returns a survey's schedules the actor may see, newest first.
func (s *Service) Schedules(ctx context.Context, actor store.User, surveyID string) ([]ScheduleInfo, error) {
	if err := mayCampaign(actor); err != nil {
		return nil, err
	}
	createdBy := actor.ID
	if policy.SeesAllCampaigns(policy.Of(actor)) {
		createdBy = ""
	}
	list, err := s.stores.Schedules.ListBySurvey(ctx, surveyID, createdBy)
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	now := s.clock()
	out := make([]ScheduleInfo, len(list))
	for i, sch := range list {
		out[i] = ScheduleInfo{Schedule: sch, NextRun: NextRun(sch, now)}
	}
	return out, nil
}

// Schedule returns one schedule the actor may see.
func (s *Service) Schedule(ctx context.Context, actor store.User, id string) (store.CampaignSchedule, error) {
	if err := mayCampaign(actor); err != nil {
		return store.CampaignSchedule{}, err
	}
	sch, err := s.stores.Schedules.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !policy.SeesCampaign(policy.Of(actor), sch.CreatedBy)) {
		return store.CampaignSchedule{}, ErrNotFound
	}
	if err != nil {
		return store.CampaignSchedule{}, fmt.Errorf("invite: %w", err)
	}
	return sch, nil
}

// PauseSchedule pauses (or, with paused false, resumes) a schedule: a
// paused one does not run. Periods that pass while it is paused are not
// run on resuming; the next one is.
func (s *Service) PauseSchedule(ctx context.Context, actor store.User, id string, paused bool) (store.CampaignSchedule, error) {
	sch, err := s.Schedule(ctx, actor, id)
	if err != nil {
		return store.CampaignSchedule{}, err
	}
	if _, err := s.stores.Schedules.SetPaused(ctx, id, paused); err != nil {
		return store.CampaignSchedule{}, fmt.Errorf("invite: %w", err)
	}
	if !paused {
		if err := s.skipPassedPeriods(ctx, sch); err != nil {
			return store.CampaignSchedule{}, err
		}
	}
	return s.Schedule(ctx, actor, id)
}

// skipPassedPeriods moves a resumed schedule past the periods whose time
// came while it was paused, all but a run due right now.
func (s *Service) skipPassedPeriods(ctx context.Context, sch store.CampaignSchedule) error {
	now := s.clock()
	p, due := DuePeriod(sch, now)
	if !due || p == sch.NextPeriod {
		return nil
	}
	_, err := s.stores.Schedules.FinishRun(ctx, sch.ID, sch.NextPeriod, store.ScheduleRun{
		Period: p - 1, At: now, Outcome: store.RunSkippedPaused, Note: "periods passed while paused were not run",
	})
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	return nil
}

// DeleteSchedule deletes a schedule; the campaigns it made stay.
func (s *Service) DeleteSchedule(ctx context.Context, actor store.User, id string) error {
	if _, err := s.Schedule(ctx, actor, id); err != nil {
		return err
	}
	if err := s.stores.Schedules.Delete(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("invite: %w", err)
	}
	return nil
}

// RunSchedules runs every schedule whose period has come. The dispatcher
// calls it from its feed loop; any number of processes may.
func (d *Dispatcher) RunSchedules(ctx context.Context) error {
	if d.stores.Schedules == nil {
		return nil
	}
	now := d.clock()
	list, err := d.stores.Schedules.Unpaused(ctx)
	if err != nil {
		return fmt.Errorf("invite: schedules: %w", err)
	}
	var errs []error
	for _, sch := range list {
		period, due := DuePeriod(sch, now)
		if !due {
			continue
		}
		claimed, err := d.stores.Schedules.ClaimRun(ctx, sch.ID, sch.NextPeriod, period, now, now.Add(d.cfg.Lease))
		if err != nil || !claimed {
			errs = append(errs, err)
			continue
		}
		if d.hooks.AfterScheduleClaim != nil {
			d.hooks.AfterScheduleClaim()
		}
		errs = append(errs, d.runSchedule(ctx, sch, period, now))
	}
	return errors.Join(errs...)
}

// runSchedule makes the campaign of a claimed period and records how it
// went. An error that may pass (the database) leaves the run to be taken
// over once its lease runs out; an outcome is recorded otherwise.
func (d *Dispatcher) runSchedule(ctx context.Context, sch store.CampaignSchedule, period int, now time.Time) error {
	run := store.ScheduleRun{Period: period, At: now}
	id := RunCampaignID(sch.ID, period)
	created, err := d.createRun(ctx, sch, id, now)
	var empty *EmptyAudienceError
	switch {
	case err == nil:
		run.Outcome, run.CampaignID = store.RunCreated, created.Campaign.ID
		run.Note = fmt.Sprintf("%d invited, %d skipped", created.Queued, len(created.Skipped))
	case errors.Is(err, store.ErrDuplicate):
		// Another process made this period's campaign.
		run.Outcome, run.CampaignID = store.RunCreated, id
	case errors.Is(err, ErrSurveyNotOpen):
		run.Outcome, run.Note = store.RunSurveyClosed, "the survey was not open, so nothing was sent"
	case errors.As(err, &empty):
		run.Outcome = store.RunNobody
		run.Note = fmt.Sprintf("nobody to invite: %d contacts, all skipped", empty.Contacts)
	case errors.Is(err, errNobodyToRun):
		run.Outcome, run.Note = store.RunNobody, err.Error()
	case fault.KindOf(err) != fault.Internal:
		// The request was refused (the creator lost their role or
		// accounts, say): running it again will not help.
		run.Outcome, run.Note = store.RunFailed, err.Error()
	default:
		return fmt.Errorf("invite: schedule %s: %w", sch.ID, err)
	}
	if _, err := d.stores.Schedules.FinishRun(ctx, sch.ID, sch.NextPeriod, run); err != nil {
		return fmt.Errorf("invite: schedule %s: %w", sch.ID, err)
	}
	d.logger.InfoContext(ctx, "campaign schedule ran", "schedule", sch.ID, "period", period, "outcome", run.Outcome, "campaign", run.CampaignID)
	return nil
}

// errNobodyToRun: a schedule's audience has no accounts left.
var errNobodyToRun = errors.New("no accounts to invite")

// createRun creates the period's campaign as the schedule's creator would,
// to the accounts the audience names now.
func (d *Dispatcher) createRun(ctx context.Context, sch store.CampaignSchedule, id string, now time.Time) (Created, error) {
	svc := &Service{base: d.base}
	if _, err := svc.openSurvey(ctx, sch.SurveyID); err != nil {
		return Created{}, err
	}
	creator, err := d.stores.Users.ByID(ctx, sch.CreatedBy)
	if errors.Is(err, store.ErrNotFound) {
		return Created{}, ErrForbidden
	}
	if err != nil {
		return Created{}, err
	}
	visible, err := d.customers.VisibleAccounts(ctx, creator)
	if err != nil {
		return Created{}, customerError(err)
	}
	var ids []string
	for _, a := range visible {
		if sch.ManagerID != "" && slices.Contains(a.ManagerIDs, sch.ManagerID) || slices.Contains(sch.AccountIDs, a.ID) {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return Created{}, errNobodyToRun
	}
	reminders := sch.Reminders
	req := Request{AccountIDs: ids, Reminders: &reminders, wave: id, scheduleID: sch.ID}
	created, err := svc.create(ctx, creator, sch.SurveyID, req, id, now)
	if errors.Is(err, store.ErrDuplicate) {
		// Made by a racing run, or begun by one that died half-way: its
		// batches without the campaign keep the id from being used.
		switch _, err := d.stores.Campaigns.ByID(ctx, id); {
		case err == nil:
			return Created{}, store.ErrDuplicate
		case !errors.Is(err, store.ErrNotFound):
			return Created{}, err
		}
		if err := d.stores.Campaigns.DropOrphanBatches(ctx, id); err != nil {
			return Created{}, err
		}
		created, err = svc.create(ctx, creator, sch.SurveyID, req, id, now)
	}
	return created, err
}
