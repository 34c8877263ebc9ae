package builder

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/pager"
)

const surveysPerPage = 25

type surveyListPage struct {
	Rows []surveyRow
	pager.Pager
	Scopes      []filterTab
	Statuses    []filterTab
	Filtered    bool
	CanCreate   bool
	ClearFilter string
}

type surveyRow struct {
	ID, Title   string
	Status      survey.Status
	StatusLabel string
	Languages   string
	Questions   int
	CreatedAt   time.Time
	Owner       string
}

type filterTab struct {
	Label, Href string
	Current     bool
}

// surveyListQuery is the list's filter and page, as in its address:
// /surveys?mine=1&status=open&page=2.
type surveyListQuery struct {
	mine   bool
	status survey.Status
	page   int
}

// values is the query's filter, without the page.
func (q surveyListQuery) values() url.Values {
	v := url.Values{}
	if q.mine {
		v.Set("mine", "1")
	}
	if q.status != "" {
		v.Set("status", string(q.status))
	}
	return v
}

// href is the first page of the list filtered by q.
func (q surveyListQuery) href() string {
	if v := q.values(); len(v) > 0 {
		return "/surveys?" + v.Encode()
	}
	return "/surveys"
}

// List is the survey list: every survey, newest first, filtered by
// owner and status. An unknown filter value shows everything rather than
// an error: it can only come from an edited address.
func (s *Pages) List(c *fiber.Ctx) error {
	q := surveyListQuery{mine: c.Query("mine") == "1", page: max(c.QueryInt("page", 1), 1)}
	if st := survey.Status(c.Query("status")); st.Valid() {
		q.status = st
	}
	u, _ := identity.User(c)
	offset := int64(q.page-1) * surveysPerPage
	items, total, err := s.surveys.List(c.UserContext(), u, authoring.Filter{Mine: q.mine, Status: q.status},
		store.Page{Offset: offset, Limit: surveysPerPage})
	if err != nil {
		return err
	}

	page := surveyListPage{
		Pager:     pager.New("/surveys", q.values(), q.page, surveysPerPage, len(items), total),
		Filtered:  q.mine || q.status != "",
		CanCreate: policy.CanWriteSurveys(policy.Of(u)),
	}
	for _, tab := range []struct {
		label string
		mine  bool
	}{{"All surveys", false}, {"My surveys", true}} {
		t := surveyListQuery{mine: tab.mine, status: q.status}
		page.Scopes = append(page.Scopes, filterTab{Label: tab.label, Href: t.href(), Current: tab.mine == q.mine})
	}
	for _, st := range []survey.Status{"", survey.StatusDraft, survey.StatusOpen, survey.StatusClosed} {
		label := "Any status"
		if st != "" {
			label = labels.Status(st)
		}
		t := surveyListQuery{mine: q.mine, status: st}
		page.Statuses = append(page.Statuses, filterTab{Label: label, Href: t.href(), Current: st == q.status})
	}
	page.ClearFilter = surveyListQuery{}.href()

	owners := ownerNames{s: s, c: c, me: u, names: map[string]string{}}
	for _, sv := range items {
		name, err := owners.name(sv.OwnerID)
		if err != nil {
			return err
		}
		page.Rows = append(page.Rows, surveyRow{
			ID:          sv.ID,
			Title:       sv.Title.Get(sv.DefaultLocale, survey.DefaultLocale),
			Status:      sv.Status,
			StatusLabel: labels.Status(sv.Status),
			Languages:   strings.ToUpper(strings.Join(sv.Locales, " · ")),
			Questions:   len(sv.Questions),
			CreatedAt:   sv.CreatedAt,
			Owner:       name,
		})
	}
	return s.views.Render(c, fiber.StatusOK, "surveys", "Surveys", page)
}

// ownerNames looks up each owner once per page.
type ownerNames struct {
	s     *Pages
	c     *fiber.Ctx
	me    store.User
	names map[string]string
}

func (o ownerNames) name(id string) (string, error) {
	if id == o.me.ID {
		return "You", nil
	}
	if n, ok := o.names[id]; ok {
		return n, nil
	}
	u, err := o.s.auth.User(o.c.UserContext(), id)
	switch {
	case errors.Is(err, auth.ErrNotFound), errors.Is(err, store.ErrNotFound):
		o.names[id] = "—"
	case err != nil:
		return "", err
	default:
		o.names[id] = u.Name
	}
	return o.names[id], nil
}
