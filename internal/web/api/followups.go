package api

import (
	"strings"
	"time"

	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/gofiber/fiber/v2"
)

// FollowupJSON is one follow-up in the API.
type FollowupJSON struct {
	ResponseID  string              `json:"responseId"`
	Contact     string              `json:"contact"`
	AccountID   string              `json:"accountId"`
	Account     string              `json:"account"`
	SurveyID    string              `json:"surveyId"`
	Survey      string              `json:"survey"`
	Date        string              `json:"date"`
	Score       *int                `json:"score"`
	Detractor   bool                `json:"detractor"`
	State       store.FollowupState `json:"state"`
	OwnerID     string              `json:"ownerId,omitempty"`
	Owner       string              `json:"owner,omitempty"`
	DueAt       *time.Time          `json:"dueAt,omitempty"`
	Overdue     bool                `json:"overdue"`
	ContactedAt *time.Time          `json:"contactedAt,omitempty"`
	ResolvedAt  *time.Time          `json:"resolvedAt,omitempty"`
	DoneAt      *time.Time          `json:"doneAt,omitempty"` // resolvedAt, under its earlier name
}

// Followups lists the caller's follow-ups, soonest due first, as a page:
// ?state=open|contacted|resolved|active|all&overdue=true&owner=me&survey=ID&offset=0&limit=50.
func (s *API) Followups(c *fiber.Ctx) error {
	fields := map[string]string{}
	p := apiPage(c, fields)
	q := followup.Query{SurveyID: strings.TrimSpace(c.Query("survey")), Page: p}
	states, ok := followup.ParseStates(c.Query("state"), nil)
	if !ok {
		fields["state"] = "must be open, contacted, resolved, active or all"
	}
	q.States = states
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		q.Overdue = true
	default:
		fields["overdue"] = "must be true or false"
	}
	switch c.Query("owner") {
	case "", "all":
	case "me":
		q.Mine = true
	default:
		fields["owner"] = "must be me or all"
	}
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}
	items, total, err := s.followups.List(c.UserContext(), identity.Actor(c), q)
	if err != nil {
		return err
	}
	out := ListJSON[FollowupJSON]{Items: make([]FollowupJSON, 0, len(items)), Total: total, Offset: p.Offset, Limit: p.Limit}
	for _, it := range items {
		out.Items = append(out.Items, FollowupJSON{
			ResponseID: it.ResponseID, Contact: it.Contact, AccountID: it.AccountID, Account: it.Account,
			SurveyID: it.SurveyID, Survey: it.Survey, Date: it.Date, Score: it.Score, Detractor: it.Detractor,
			State: it.State, OwnerID: it.OwnerID, Owner: it.Owner, DueAt: it.DueAt, Overdue: it.Overdue,
			ContactedAt: it.ContactedAt, ResolvedAt: it.ResolvedAt, DoneAt: it.ResolvedAt,
		})
	}
	return c.JSON(out)
}
