package staff

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
)

const followupsPerPage = 50

// followupsPage is followups.html.
type followupsPage struct {
	Items    []followupRow
	Surveys  []followup.SurveyChoice
	State    string // "" (open and contacted), "open", "contacted", "resolved" or "all"
	Overdue  bool
	Mine     bool
	SurveyID string
	Filtered bool
	pager.Pager
}

type followupRow struct {
	Href, Contact, Account, Survey, Date string
	Score                                string
	Detractor                            bool
	State                                string // the store state, for the badge's class
	StateLabel                           string
	Owner                                string // "Admins" when nobody owns it
	Due                                  string // the due time, "" when there is none
	DueAt                                string // RFC 3339, for <time datetime>
	DueText                              string // "Overdue by 3 hours", "Due in 2 days"
	DueClass                             string // due-overdue, due-soon, due-later, due-closed
	Overdue, Active                      bool
}

var stateLabels = map[store.FollowupState]string{
	store.FollowupOpen:      "Open",
	store.FollowupContacted: "Contacted",
	store.FollowupResolved:  "Resolved",
}

// followupQuery reads the list's filters; an unknown value is bad input.
func followupQuery(c *fiber.Ctx) (followup.Query, followupsPage, int, error) {
	n := pager.Number(c)
	page := followupsPage{State: strings.TrimSpace(c.Query("state")), SurveyID: strings.TrimSpace(c.Query("survey"))}
	q := followup.Query{SurveyID: page.SurveyID,
		Page: store.Page{Offset: int64(n-1) * followupsPerPage, Limit: followupsPerPage}}
	fields := map[string]string{}
	states, ok := followup.ParseStates(page.State, followup.ActiveStates)
	if !ok {
		fields["state"] = "must be open, contacted, resolved or all"
	}
	if page.State == "done" {
		page.State = string(store.FollowupResolved)
	}
	q.States = states
	switch c.Query("overdue") {
	case "":
	case "1", "on", "true":
		q.Overdue, page.Overdue = true, true
	default:
		fields["overdue"] = "must be 1 or empty"
	}
	switch c.Query("owner") {
	case "", "all":
	case "mine":
		q.Mine, page.Mine = true, true
	default:
		fields["owner"] = "must be mine or all"
	}
	if len(fields) > 0 {
		return q, page, n, problem.BadRequest("invalid input", fields)
	}
	page.Filtered = page.State != "" || page.SurveyID != "" || page.Overdue || page.Mine
	return q, page, n, nil
}

// FollowupList lists the named responses of the viewer's accounts (every
// account's for an admin), soonest due first; by default those still open
// or contacted.
func (s *Pages) FollowupList(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	q, page, n, err := followupQuery(c)
	if err != nil {
		return err
	}
	items, total, err := s.followups.List(c.UserContext(), u, q)
	if err != nil {
		return err
	}
	if page.Surveys, err = s.followups.Surveys(c.UserContext(), u); err != nil {
		return err
	}
	query := url.Values{"state": {page.State}, "survey": {q.SurveyID}}
	if page.Overdue {
		query.Set("overdue", "1")
	}
	if page.Mine {
		query.Set("owner", "mine")
	}
	page.Pager = pager.New("/followups", query, n, followupsPerPage, len(items), total)
	for _, it := range items {
		page.Items = append(page.Items, rowOf(it))
	}
	return s.views.Render(c, fiber.StatusOK, "followups", "Follow-ups", page)
}

func rowOf(it followup.Item) followupRow {
	r := followupRow{
		Href: "/followups/" + url.PathEscape(it.ResponseID), Contact: it.Contact, Account: it.Account, Survey: it.Survey,
		Date: it.Date, Detractor: it.Detractor, State: string(it.State), StateLabel: stateLabels[it.State],
		Owner: it.Owner, Overdue: it.Overdue, Active: it.State.Active(),
	}
	if r.StateLabel == "" {
		r.StateLabel = string(it.State)
	}
	if r.Owner == "" {
		r.Owner = "Admins"
	}
	if it.Score != nil {
		r.Score = strconv.Itoa(*it.Score)
	}
	if it.DueAt != nil {
		r.Due, r.DueAt = formatTime(*it.DueAt), it.DueAt.UTC().Format(time.RFC3339)
		r.DueClass, r.DueText = labels.Due(r.Active, it.Overdue, it.DueIn)
	}
	return r
}

func formatTime(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006 15:04") + " UTC" }

// followupPage is followup.html.
type followupPage struct {
	Row         followupRow
	D           followup.Detail
	ContactedAt string
	ResolvedAt  string
	History     []historyRow
	Note        string // the form's note
	OwnerID     string // the owner form's choice
	Errors      map[string]string
	Problem     string // a change the state did not allow
	Saved       string
	SavedText   string
	Contacted   bool // the state, for the buttons
	Resolved    bool
}

type historyRow struct{ At, AtISO, Text string }

// savedTexts are the confirmations after each change, by ?done=.
var savedTexts = map[string]string{
	"contacted": "Marked as contacted.",
	"resolved":  "Resolved.",
	"reopened":  "Opened again.",
	"assigned":  "Owner changed.",
}

// FollowupShow opens a named response; the service audit-logs the view.
func (s *Pages) FollowupShow(c *fiber.Ctx) error {
	return s.renderFollowup(c, fiber.StatusOK, followupPage{Saved: c.Query("done")})
}

func (s *Pages) renderFollowup(c *fiber.Ctx, status int, page followupPage) error {
	u, _ := identity.User(c)
	d, err := s.followups.Open(c.UserContext(), u, input.Param(c, "id"), problem.RequestID(c))
	if err != nil {
		return err
	}
	page.Row, page.D, page.SavedText = rowOf(d.Item), d, savedTexts[page.Saved]
	page.Contacted, page.Resolved = d.State == store.FollowupContacted, d.State == store.FollowupResolved
	if page.OwnerID == "" {
		page.OwnerID = d.OwnerID
	}
	if d.ContactedAt != nil {
		page.ContactedAt = formatTime(*d.ContactedAt)
	}
	if d.ResolvedAt != nil {
		page.ResolvedAt = formatTime(*d.ResolvedAt)
	}
	for _, e := range d.History {
		page.History = append(page.History, historyRow{At: formatTime(e.At), AtISO: e.At.UTC().Format(time.RFC3339), Text: eventText(e)})
	}
	return s.views.Render(c, status, "followup", "Follow-up: "+d.Contact, page)
}

func eventText(e followup.Event) string {
	by := e.By
	if by == "" {
		by = "Candor"
	}
	switch e.Action {
	case string(store.FollowupContacted):
		return "Marked contacted by " + by
	case string(store.FollowupResolved):
		return "Resolved by " + by
	case string(store.FollowupOpen):
		return "Reopened by " + by
	case store.EventAssigned:
		owner := e.Owner
		if owner == "" {
			owner = "the admins"
		}
		return "Given to " + owner + " by " + by
	case string(store.NoticeReminder):
		return "Reminder sent to the owner"
	case string(store.NoticeEscalation):
		return "Escalated: overdue notice sent"
	}
	return e.Action + " by " + by
}

// FollowupContacted records that the person was reached.
func (s *Pages) FollowupContacted(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	id := input.Param(c, "id")
	return s.afterChange(c, id, "contacted", followupPage{},
		s.followups.MarkContacted(c.UserContext(), u, id, problem.RequestID(c)))
}

// FollowupResolve closes a follow-up with a note.
func (s *Pages) FollowupResolve(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	id := input.Param(c, "id")
	note := input.Form(c, "note")
	return s.afterChange(c, id, "resolved", followupPage{Note: note},
		s.followups.Resolve(c.UserContext(), u, id, note, problem.RequestID(c)))
}

// FollowupReopen opens a resolved follow-up again.
func (s *Pages) FollowupReopen(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	id := input.Param(c, "id")
	return s.afterChange(c, id, "reopened", followupPage{},
		s.followups.Reopen(c.UserContext(), u, id, problem.RequestID(c)))
}

// FollowupAssign gives a follow-up to another owner.
func (s *Pages) FollowupAssign(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	id := input.Param(c, "id")
	owner := input.Form(c, "owner")
	return s.afterChange(c, id, "assigned", followupPage{OwnerID: owner},
		s.followups.Assign(c.UserContext(), u, id, owner, problem.RequestID(c)))
}

// afterChange redirects to the follow-up after a change, or shows it
// again with what was wrong: its form's values and messages for bad input
// (422), the reason for a change its state no longer allows (409).
func (s *Pages) afterChange(c *fiber.Ctx, id, done string, page followupPage, err error) error {
	if fields := fault.FieldsOf(err); fields != nil {
		page.Errors = map[string]string{}
		for field, msg := range fields {
			page.Errors[field] = problem.Sentence(field + " " + msg)
		}
		return s.renderFollowup(c, fiber.StatusUnprocessableEntity, page)
	}
	if e, ok := fault.As(err); ok && errors.Is(err, followup.ErrState) {
		page.Problem = problem.Sentence(e.Message())
		return s.renderFollowup(c, fiber.StatusConflict, page)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/followups/"+url.PathEscape(id)+"?done="+done, fiber.StatusSeeOther)
}
