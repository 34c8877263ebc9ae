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
	ResponseID string              `json:"responseId"`
	Contact    string              `json:"contact"`
	AccountID  string              `json:"accountId"`
	Account    string              `json:"account"`
	SurveyID   string              `json:"surveyId"`
	Survey     string              `json:"survey"`
	Date       string              `json:"date"`
	Score      *int                `json:"score"`
	Detractor  bool                `json:"detractor"`
	State      store.FollowupState `json:"state"`
	DoneAt     *time.Time          `json:"doneAt,omitempty"`
}

// Followups lists the caller's follow-ups, newest first, as a page:
// ?state=open|done&survey=ID&offset=0&limit=50.
func (s *API) Followups(c *fiber.Ctx) error {
	fields := map[string]string{}
	p := apiPage(c, fields)
	q := followup.Query{SurveyID: strings.TrimSpace(c.Query("survey")), Page: p}
	switch st := c.Query("state"); st {
	case "", "all":
	case string(store.FollowupOpen), string(store.FollowupDone):
		q.State = store.FollowupState(st)
	default:
		fields["state"] = "must be open, done or all"
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
			State: it.State, DoneAt: it.DoneAt,
		})
	}
	return c.JSON(out)
}
