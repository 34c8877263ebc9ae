package api

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// CreateScheduleRequest is the body of POST /api/v1/surveys/{id}/schedules:
// accountIds, or managerId for every account of that manager at each run.
type CreateScheduleRequest struct {
	AccountIDs []string            `json:"accountIds"`
	ManagerID  string              `json:"managerId"`
	Cadence    string              `json:"cadence"`
	FirstRunAt string              `json:"firstRunAt"` // RFC 3339
	Reminders  *store.ReminderPlan `json:"reminders"`
}

// ScheduleJSON is a schedule as the API shows it.
type ScheduleJSON struct {
	ID         string             `json:"id"`
	SurveyID   string             `json:"surveyId"`
	AccountIDs []string           `json:"accountIds"`
	ManagerID  string             `json:"managerId,omitempty"`
	Cadence    string             `json:"cadence"`
	FirstRunAt time.Time          `json:"firstRunAt"`
	NextRunAt  time.Time          `json:"nextRunAt"`
	Paused     bool               `json:"paused"`
	Reminders  store.ReminderPlan `json:"reminders"`
	LastRun    *ScheduleRunJSON   `json:"lastRun,omitempty"`
	CreatedAt  time.Time          `json:"createdAt"`
}

// ScheduleRunJSON is what became of a schedule's latest run.
type ScheduleRunJSON struct {
	Period     int       `json:"period"`
	At         time.Time `json:"at"`
	Outcome    string    `json:"outcome"`
	CampaignID string    `json:"campaignId,omitempty"`
	Note       string    `json:"note,omitempty"`
}

func toScheduleJSON(info invite.ScheduleInfo) ScheduleJSON {
	s := info.Schedule
	out := ScheduleJSON{ID: s.ID, SurveyID: s.SurveyID, AccountIDs: s.AccountIDs, ManagerID: s.ManagerID, Cadence: string(s.Cadence),
		FirstRunAt: s.FirstRunAt, NextRunAt: info.NextRun, Paused: s.Paused, Reminders: s.Reminders, CreatedAt: s.CreatedAt}
	if out.AccountIDs == nil {
		out.AccountIDs = []string{}
	}
	if r := s.LastRun; r != nil {
		out.LastRun = &ScheduleRunJSON{Period: r.Period, At: r.At, Outcome: r.Outcome, CampaignID: r.CampaignID, Note: r.Note}
	}
	return out
}

// CreateSchedule stores a schedule: 201 with it.
func (s *API) CreateSchedule(c *fiber.Ctx) error {
	var in CreateScheduleRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	req := invite.ScheduleRequest{AccountIDs: in.AccountIDs, ManagerID: in.ManagerID, Cadence: store.Cadence(in.Cadence), Reminders: in.Reminders}
	if in.FirstRunAt != "" {
		at, err := time.Parse(time.RFC3339, in.FirstRunAt)
		if err != nil {
			return problem.BadRequest("invalid input", map[string]string{"firstRunAt": "must be an RFC 3339 time such as 2026-05-04T09:00:00Z"})
		}
		req.FirstRunAt = at
	}
	actor, _ := identity.User(c)
	sch, err := s.campaigns.CreateSchedule(c.UserContext(), actor, input.Param(c, "id"), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/schedules/" + url.PathEscape(sch.ID))
	return c.Status(fiber.StatusCreated).JSON(toScheduleJSON(invite.ScheduleInfo{Schedule: sch, NextRun: sch.FirstRunAt}))
}

// ListSchedules lists a survey's schedules the caller may see, with their next run.
func (s *API) ListSchedules(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	list, err := s.campaigns.Schedules(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	items := make([]ScheduleJSON, len(list))
	for i, info := range list {
		items[i] = toScheduleJSON(info)
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

// PauseSchedule and ResumeSchedule stop and restart a schedule's runs.
func (s *API) PauseSchedule(c *fiber.Ctx) error  { return s.pauseSchedule(c, true) }
func (s *API) ResumeSchedule(c *fiber.Ctx) error { return s.pauseSchedule(c, false) }

func (s *API) pauseSchedule(c *fiber.Ctx, paused bool) error {
	actor, _ := identity.User(c)
	sch, err := s.campaigns.PauseSchedule(c.UserContext(), actor, input.Param(c, "id"), paused)
	if err != nil {
		return err
	}
	return c.JSON(toScheduleJSON(invite.ScheduleInfo{Schedule: sch, NextRun: invite.NextRun(sch, time.Now())}))
}

// DeleteSchedule deletes a schedule; the campaigns it made stay. 204.
func (s *API) DeleteSchedule(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	if err := s.campaigns.DeleteSchedule(c.UserContext(), actor, input.Param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
