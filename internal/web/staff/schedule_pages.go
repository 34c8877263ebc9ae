package staff

import (
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// Schedule audiences on the form.
const (
	scheduleAccounts = "accounts" // the accounts chosen
	scheduleManager  = "manager"  // every account of a manager, at each run
)

// scheduleForm is the new-schedule form as entered.
type scheduleForm struct {
	Audience   string
	AccountIDs []string
	ManagerID  string
	Cadence    string
	FirstRunAt string // sendAtLayout, UTC
	Reminders  int
	AfterDays  int
}

// HasAccount reports whether an account is chosen.
func (f scheduleForm) HasAccount(id string) bool { return slices.Contains(f.AccountIDs, id) }

// readScheduleForm reads the form from a POST body or, for "Repeat this
// campaign", from the query.
func readScheduleForm(c *fiber.Ctx) (scheduleForm, map[string]string) {
	get := func(key string) string { return formValue(c, key) }
	f := scheduleForm{Audience: scheduleAccounts, Cadence: string(store.Quarterly), Reminders: invite.DefaultReminders, AfterDays: invite.DefaultReminderDays}
	fields := map[string]string{}
	if a := get("audience"); a != "" {
		f.Audience = a
	}
	f.AccountIDs = multiValues(c, "accountIds")
	f.ManagerID = get("managerId")
	if v := get("cadence"); v != "" {
		f.Cadence = v
	}
	f.FirstRunAt = get("firstRunAt")
	readReminderPlan(c, &f.Reminders, &f.AfterDays, fields)
	return f, fields
}

// request turns the form into a schedule request, or says what is wrong.
func (f scheduleForm) request() (invite.ScheduleRequest, map[string]string) {
	fields := map[string]string{}
	req := invite.ScheduleRequest{Cadence: store.Cadence(f.Cadence), Reminders: &store.ReminderPlan{Count: f.Reminders, AfterDays: f.AfterDays}}
	switch f.Audience {
	case scheduleAccounts:
		if len(f.AccountIDs) == 0 {
			fields["accountIds"] = "choose at least one account"
		}
		req.AccountIDs = f.AccountIDs
	case scheduleManager:
		if f.ManagerID == "" {
			fields["managerId"] = "choose a manager"
		}
		req.ManagerID = f.ManagerID
	default:
		fields["audience"] = "choose accounts, or every account of a manager"
	}
	if f.FirstRunAt == "" {
		fields["firstRunAt"] = "choose the date and time of the first run"
	} else if at, err := time.ParseInLocation(sendAtLayout, f.FirstRunAt, time.UTC); err != nil {
		fields["firstRunAt"] = "enter a date and time in UTC, such as 2026-05-04T09:00"
	} else {
		req.FirstRunAt = at
	}
	return req, fields
}

// scheduleFormPage is what schedule_new.html shows.
type scheduleFormPage struct {
	Form        scheduleForm
	Options     invite.FormOptions
	SurveyTitle string
	Managers    []store.User // whose accounts the actor may choose
	Cadences    []cadenceOption
	Errors      map[string]string
	Error       string
	MinRunAt    string
}

type cadenceOption struct{ Value, Label string }

// ScheduleNew shows the form, filled from the query when repeating a campaign.
func (s *Pages) ScheduleNew(c *fiber.Ctx) error {
	form, fields := readScheduleForm(c)
	return s.renderScheduleForm(c, fiber.StatusOK, form, fields, "")
}

func (s *Pages) renderScheduleForm(c *fiber.Ctx, status int, form scheduleForm, fields map[string]string, formError string) error {
	actor, _ := identity.User(c)
	opts, err := s.campaigns.FormOptions(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	p := scheduleFormPage{Form: form, Options: opts, SurveyTitle: surveyTitle(opts.Survey), Errors: fields, Error: formError,
		MinRunAt: time.Now().UTC().Format(sendAtLayout)}
	for _, cd := range invite.Cadences() {
		p.Cadences = append(p.Cadences, cadenceOption{Value: string(cd), Label: invite.CadenceLabel(cd)})
	}
	if policy.SeesAllAccounts(policy.Of(actor)) {
		users, _, err := s.auth.ListUsers(c.UserContext(), store.Page{Limit: 500})
		if err != nil {
			return err
		}
		for _, u := range users {
			if policy.CanBeAccountManager(u) {
				p.Managers = append(p.Managers, u)
			}
		}
	} else {
		p.Managers = []store.User{actor}
	}
	return s.views.Render(c, status, "schedule_new", "New schedule · "+p.SurveyTitle, p)
}

// ScheduleCreate stores the schedule and goes back to the campaigns page.
func (s *Pages) ScheduleCreate(c *fiber.Ctx) error {
	form, fields := readScheduleForm(c)
	req, more := form.request()
	for k, v := range more {
		fields[k] = v
	}
	if len(fields) > 0 {
		return s.renderScheduleForm(c, fiber.StatusBadRequest, form, fields, "")
	}
	actor, _ := identity.User(c)
	sch, err := s.campaigns.CreateSchedule(c.UserContext(), actor, input.Param(c, "id"), req)
	if p := problem.Classify(err); err != nil && len(p.Fields) > 0 {
		return s.renderScheduleForm(c, p.Status, form, p.Fields, "")
	} else if err != nil && fault.KindOf(err) == fault.Conflict {
		return s.renderScheduleForm(c, p.Status, form, nil, problem.Sentence(p.Msg))
	} else if err != nil {
		return err
	}
	return c.Redirect("/surveys/"+url.PathEscape(sch.SurveyID)+"/campaigns?schedule=created#schedules", fiber.StatusSeeOther)
}

// SchedulePause, ScheduleResume and ScheduleDelete act on one schedule and
// go back to its survey's campaigns page.
func (s *Pages) SchedulePause(c *fiber.Ctx) error  { return s.scheduleAction(c, "paused") }
func (s *Pages) ScheduleResume(c *fiber.Ctx) error { return s.scheduleAction(c, "resumed") }
func (s *Pages) ScheduleDelete(c *fiber.Ctx) error { return s.scheduleAction(c, "deleted") }

func (s *Pages) scheduleAction(c *fiber.Ctx, done string) error {
	actor, _ := identity.User(c)
	ctx, id := c.UserContext(), input.Param(c, "id")
	sch, err := s.campaigns.Schedule(ctx, actor, id)
	if err != nil {
		return err
	}
	switch done {
	case "deleted":
		err = s.campaigns.DeleteSchedule(ctx, actor, id)
	default:
		_, err = s.campaigns.PauseSchedule(ctx, actor, id, done == "paused")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/surveys/"+url.PathEscape(sch.SurveyID)+"/campaigns?schedule="+done+"#schedules", fiber.StatusSeeOther)
}

// scheduleRow is a schedule as the campaigns page lists it.
type scheduleRow struct {
	Schedule store.CampaignSchedule
	Cadence  string
	Audience string
	NextRun  string // UTC, or "Paused"
	NextISO  string
	LastRun  string
	Closed   bool // the last run was skipped because the survey was closed
}

func newScheduleRow(info invite.ScheduleInfo) scheduleRow {
	sch := info.Schedule
	r := scheduleRow{Schedule: sch, Cadence: invite.CadenceLabel(sch.Cadence), LastRun: "Not run yet"}
	switch {
	case len(sch.AccountIDs) > 0:
		r.Audience = "Active contacts of " + plural(len(sch.AccountIDs), "account", "accounts")
	default:
		r.Audience = "Active contacts of every account of their manager"
	}
	next := info.NextRun.UTC()
	r.NextRun, r.NextISO = next.Format("2 Jan 2006 15:04")+" UTC", next.Format(time.RFC3339)
	if sch.Paused {
		r.NextRun = "Paused"
	}
	if lr := sch.LastRun; lr != nil {
		at := lr.At.UTC().Format("2 Jan 2006 15:04") + " UTC"
		switch lr.Outcome {
		case store.RunCreated:
			r.LastRun = at + ": campaign created"
		case store.RunSurveyClosed:
			r.LastRun, r.Closed = at+": skipped, the survey was closed", true
		case store.RunNobody:
			r.LastRun = at + ": nobody to invite"
		case store.RunSkippedPaused:
			r.LastRun = at + ": periods passed while paused were skipped"
		default:
			r.LastRun = at + ": failed (" + lr.Note + ")"
		}
	}
	return r
}
