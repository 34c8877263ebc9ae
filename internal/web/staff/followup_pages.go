package staff

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
)

const followupsPerPage = 50

// followupsPage is followups.html.
type followupsPage struct {
	Items    []followupRow
	Surveys  []followup.SurveyChoice
	State    string // "open", "done" or "" for all
	SurveyID string
	Filtered bool
	pager.Pager
}

type followupRow struct {
	Href, Contact, Account, Survey, Date, State string
	Score                                       string
	Detractor, Done                             bool
}

// followupQuery reads the list's filters; an unknown state is bad input.
func followupQuery(c *fiber.Ctx) (followup.Query, int, error) {
	n := max(c.QueryInt("page", 1), 1)
	q := followup.Query{SurveyID: strings.TrimSpace(c.Query("survey")),
		Page: store.Page{Offset: int64(n-1) * followupsPerPage, Limit: followupsPerPage}}
	switch st := c.Query("state"); st {
	case "", "all":
	case string(store.FollowupOpen), string(store.FollowupDone):
		q.State = store.FollowupState(st)
	default:
		return q, n, problem.BadRequest("invalid input", map[string]string{"state": "must be open, done or all"})
	}
	return q, n, nil
}

// FollowupList lists the named responses of the viewer's accounts (every
// account's for an admin), newest first.
func (s *Pages) FollowupList(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	q, n, err := followupQuery(c)
	if err != nil {
		return err
	}
	items, total, err := s.followups.List(c.UserContext(), u, q)
	if err != nil {
		return err
	}
	surveys, err := s.followups.Surveys(c.UserContext(), u)
	if err != nil {
		return err
	}
	page := followupsPage{Surveys: surveys, State: string(q.State), SurveyID: q.SurveyID, Filtered: q.State != "" || q.SurveyID != "",
		Pager: pager.New("/followups", url.Values{"state": {string(q.State)}, "survey": {q.SurveyID}}, n, followupsPerPage, len(items), total)}
	page.NewestFirst = true
	for _, it := range items {
		page.Items = append(page.Items, rowOf(it))
	}
	return s.views.Render(c, fiber.StatusOK, "followups", "Follow-ups", page)
}

func rowOf(it followup.Item) followupRow {
	r := followupRow{
		Href: "/followups/" + url.PathEscape(it.ResponseID), Contact: it.Contact, Account: it.Account, Survey: it.Survey,
		Date: it.Date, State: "Open", Detractor: it.Detractor, Done: it.State == store.FollowupDone,
	}
	if r.Done {
		r.State = "Done"
	}
	if it.Score != nil {
		r.Score = strconv.Itoa(*it.Score)
	}
	return r
}

// followupPage is followup.html.
type followupPage struct {
	Row    followupRow
	D      followup.Detail
	DoneAt string
	Note   string // the form's note
	Errors map[string]string
	Saved  string
}

// FollowupShow opens a named response; the service audit-logs the view.
func (s *Pages) FollowupShow(c *fiber.Ctx) error {
	return s.renderFollowup(c, fiber.StatusOK, "", nil)
}

func (s *Pages) renderFollowup(c *fiber.Ctx, status int, note string, errs map[string]string) error {
	u, _ := identity.User(c)
	d, err := s.followups.Open(c.UserContext(), u, input.Param(c, "id"), problem.RequestID(c))
	if err != nil {
		return err
	}
	page := followupPage{Row: rowOf(d.Item), D: d, Note: note, Errors: errs, Saved: c.Query("done")}
	if d.DoneAt != nil {
		page.DoneAt = d.DoneAt.UTC().Format("2 Jan 2006 15:04") + " UTC"
	}
	return s.views.Render(c, status, "followup", "Follow-up: "+d.Contact, page)
}

// FollowupDone marks a follow-up done, with an optional note.
func (s *Pages) FollowupDone(c *fiber.Ctx) error {
	return s.setFollowup(c, true)
}

// FollowupReopen opens a follow-up again.
func (s *Pages) FollowupReopen(c *fiber.Ctx) error {
	return s.setFollowup(c, false)
}

func (s *Pages) setFollowup(c *fiber.Ctx, done bool) error {
	u, _ := identity.User(c)
	id := input.Param(c, "id")
	note := input.Form(c, "note")
	err := s.followups.SetDone(c.UserContext(), u, id, done, note, problem.RequestID(c))
	if fields := fault.FieldsOf(err); fields != nil {
		errs := map[string]string{}
		for field, msg := range fields {
			errs[field] = problem.Sentence(field + " " + msg)
		}
		return s.renderFollowup(c, fiber.StatusUnprocessableEntity, note, errs)
	}
	if err != nil {
		return err
	}
	state := "reopened"
	if done {
		state = "done"
	}
	return c.Redirect("/followups/"+url.PathEscape(id)+"?done="+state, fiber.StatusSeeOther)
}
