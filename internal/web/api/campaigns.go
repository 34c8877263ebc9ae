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

// CreateCampaignRequest is the body of POST /api/v1/surveys/{id}/campaigns:
// exactly one of contactIds, accountIds and segment.
type CreateCampaignRequest struct {
	ContactIDs []string            `json:"contactIds"`
	AccountIDs []string            `json:"accountIds"`
	Segment    *store.Segment      `json:"segment"`
	Reminders  *store.ReminderPlan `json:"reminders"`
	SendAt     string              `json:"sendAt"` // RFC 3339; empty: now
}

// CreatedCampaignJSON is the 202 answer: the campaign is stored and will be
// delivered in the background.
type CreatedCampaignJSON struct {
	ID      string           `json:"id"`
	State   string           `json:"state"`
	SendAt  time.Time        `json:"sendAt"`
	Queued  int              `json:"queued"`
	Skipped []invite.Skipped `json:"skipped"`
}

// CreateCampaign creates a campaign: 202 with who is queued and who
// skipped, 422 when nobody can be invited.
func (s *API) CreateCampaign(c *fiber.Ctx) error {
	var in CreateCampaignRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	req := invite.Request{ContactIDs: in.ContactIDs, AccountIDs: in.AccountIDs, Segment: in.Segment, Reminders: in.Reminders}
	if in.SendAt != "" {
		at, err := time.Parse(time.RFC3339, in.SendAt)
		if err != nil {
			return problem.BadRequest("invalid input", map[string]string{"sendAt": "must be an RFC 3339 time such as 2026-05-04T09:00:00Z"})
		}
		req.SendAt = &at
	}
	actor, _ := identity.User(c)
	created, err := s.campaigns.Create(c.UserContext(), actor, input.Param(c, "id"), req)
	if err != nil {
		return err
	}
	skipped := created.Skipped
	if skipped == nil {
		skipped = []invite.Skipped{}
	}
	c.Location("/api/v1/campaigns/" + url.PathEscape(created.Campaign.ID))
	return c.Status(fiber.StatusAccepted).JSON(CreatedCampaignJSON{
		ID: created.Campaign.ID, State: string(created.Campaign.State), SendAt: created.Campaign.SendAt,
		Queued: created.Queued, Skipped: skipped,
	})
}

// CampaignJSON is a campaign as the API shows it.
type CampaignJSON struct {
	ID          string              `json:"id"`
	SurveyID    string              `json:"surveyId"`
	State       string              `json:"state"`
	Audience    AudienceJSON        `json:"audience"`
	Reminders   store.ReminderPlan  `json:"reminders"`
	SendAt      time.Time           `json:"sendAt"`
	CreatedAt   time.Time           `json:"createdAt"`
	StartedAt   *time.Time          `json:"startedAt,omitempty"`
	FinishedAt  *time.Time          `json:"finishedAt,omitempty"`
	CancelledAt *time.Time          `json:"cancelledAt,omitempty"`
	Counts      *invite.Counts      `json:"counts,omitempty"`
	Progress    *float64            `json:"progress,omitempty"`
	AnsweredAt  *time.Time          `json:"answeredCountedAt,omitempty"`
	SkipReasons map[string]int      `json:"skipReasons,omitempty"`
	Skipped     []invite.Skipped    `json:"skipped,omitempty"`
	Failures    []CampaignFailureJS `json:"failures,omitempty"`
}

type AudienceJSON struct {
	Kind       string         `json:"kind"`
	AccountIDs []string       `json:"accountIds,omitempty"`
	Segment    *store.Segment `json:"segment,omitempty"`
	Contacts   int            `json:"contacts"`
}

type CampaignFailureJS struct {
	ContactID string     `json:"contactId"`
	Kind      string     `json:"kind"`
	State     string     `json:"state"`
	Error     string     `json:"error"`
	At        *time.Time `json:"at,omitempty"`
}

func toCampaignJSON(camp store.Campaign) CampaignJSON {
	out := CampaignJSON{
		ID: camp.ID, SurveyID: camp.SurveyID, State: string(camp.State), Reminders: camp.Reminders, SendAt: camp.SendAt,
		CreatedAt: camp.CreatedAt, StartedAt: camp.StartedAt, FinishedAt: camp.FinishedAt, CancelledAt: camp.CancelledAt,
		Audience:    AudienceJSON{Kind: camp.Audience.Kind, AccountIDs: camp.Audience.AccountIDs, Contacts: camp.Audience.Contacts},
		SkipReasons: camp.SkipReasons,
	}
	if !camp.Audience.Segment.IsZero() {
		seg := camp.Audience.Segment
		out.Audience.Segment = &seg
	}
	return out
}

func toReportJSON(r invite.Report) CampaignJSON {
	out := toCampaignJSON(r.Campaign)
	counts, progress := r.Counts, r.Progress
	out.Counts, out.Progress = &counts, &progress
	if r.Campaign.Census != nil {
		at := r.Campaign.Census.At
		out.AnsweredAt = &at
	}
	out.Skipped = r.Skipped
	if out.Skipped == nil {
		out.Skipped = []invite.Skipped{}
	}
	out.Failures = []CampaignFailureJS{}
	for _, f := range r.Failures {
		out.Failures = append(out.Failures, CampaignFailureJS{
			ContactID: f.ContactID, Kind: string(f.Kind), State: string(f.State), Error: f.LastError, At: f.FinishedAt,
		})
	}
	return out
}

// Campaign returns a campaign with its live counts.
func (s *API) Campaign(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	r, err := s.campaigns.Report(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(toReportJSON(r))
}

// ListCampaigns lists a survey's campaigns the caller may see.
func (s *API) ListCampaigns(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	_, list, err := s.campaigns.List(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	items := make([]CampaignJSON, len(list))
	for i, camp := range list {
		items[i] = toCampaignJSON(camp)
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

// CancelCampaign cancels a campaign; cancelling again changes nothing.
func (s *API) CancelCampaign(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	r, err := s.campaigns.Cancel(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(toReportJSON(r))
}
