// Package home serves the start page after sign-in: what a staff member
// should look at next. A manager sees their follow-ups and their deadlines,
// their accounts' numbers, the campaigns under way and the surveys waiting
// for them; an analyst the headline numbers of the surveys; an admin all of
// it for every account. Every number comes from the same anonymity engine
// as the reports, so the home page shows nothing a report would not.
package home

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/relationship"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/reports"
)

// Renderer draws a staff page within the staff layout.
type Renderer interface {
	Render(c *fiber.Ctx, status int, name, title string, page any) error
}

// Surveys lists surveys (*authoring.Service).
type Surveys interface {
	List(ctx context.Context, actor store.User, f authoring.Filter, p store.Page) ([]survey.Survey, int64, error)
}

var _ Surveys = (*authoring.Service)(nil)

// Headlines computes a survey's numbers at a glance (*reports.Reports).
type Headlines interface {
	Headline(ctx context.Context, u store.User, sv survey.Survey) (reports.Headline, error)
}

var _ Headlines = (*reports.Reports)(nil)

// Campaigns lists campaigns (*invite.Service): those under way, and a
// survey's.
type Campaigns interface {
	InFlight(ctx context.Context, actor store.User, limit int) ([]invite.Report, error)
	List(ctx context.Context, actor store.User, surveyID string) (survey.Survey, []store.Campaign, error)
}

var _ Campaigns = (*invite.Service)(nil)

// Followups sums up the follow-ups a staff member sees (*followup.Service).
type Followups interface {
	Summary(ctx context.Context, actor store.User) (followup.Summary, error)
}

var _ Followups = (*followup.Service)(nil)

// Accounts are the accounts a staff member keeps (*customer.Service).
type Accounts interface {
	VisibleAccounts(ctx context.Context, actor store.User) ([]store.Account, error)
}

var _ Accounts = (*customer.Service)(nil)

// Relationships sums up accounts' numbers (*relationship.Service).
type Relationships interface {
	AccountSummaries(ctx context.Context, who store.User, accountIDs []string) ([]relationship.Summary, error)
}

var _ Relationships = (*relationship.Service)(nil)

// Deps is what the home page is built from. All but Views and Surveys may
// be nil: their sections are then left out.
type Deps struct {
	Views         Renderer
	Surveys       Surveys
	Headlines     Headlines
	Campaigns     Campaigns
	Followups     Followups
	Accounts      Accounts
	Relationships Relationships
}

// Page is the home page's handler.
type Page struct{ d Deps }

// New builds the home page.
func New(d Deps) *Page { return &Page{d: d} }

// How much each section lists; each links to the whole list.
const (
	glanceSurveys   = 8
	inFlightLimit   = 5
	waitingPerGroup = 5
	// myAccounts bounds the accounts summed up: a manager's own are
	// usually fewer; an admin sees the largest first on the accounts page.
	myAccounts = 10
)

type homePage struct {
	Name string
	// Sections, each nil when the user has none to see.
	Followups *followupsView
	Accounts  *accountsView
	Glance    *glanceView
	InFlight  *inFlightView
	Waiting   *waitingView
}

type followupsView struct {
	Open, Overdue, DueSoon int64
	Next                   []followupRow
}

type followupRow struct {
	Href, Contact, Account, Survey string
	Detractor                      bool
	DueClass, DueText              string
}

type accountsView struct {
	Rows  []accountRow
	Total int // accounts the user keeps; Rows holds the first myAccounts
}

type accountRow struct {
	Href, Name, Survey   string
	NPS, Responses, Rate string
	Hidden               string // why the numbers are withheld
	Trend, TrendText     string
}

type glanceView struct {
	Scope string // "your accounts" or "all accounts"
	Rows  []reports.Headline
}

type inFlightView struct {
	Rows []campaignRow
}

type campaignRow struct {
	Href, Survey, State, StateClass string
	Percent                         int
	Invited, Sent, Answered         int
	Started                         time.Time
}

type waitingView struct {
	Drafts   []surveyLink // the user's own drafts, to finish and open
	Unsent   []surveyLink // open surveys the user has sent no campaign of
	CanWrite bool
}

type surveyLink struct {
	Href, Title string
	CreatedAt   time.Time
}

// Show renders the home page.
func (p *Page) Show(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	ctx := c.UserContext()
	page := homePage{Name: u.Name}
	a := policy.Of(u)

	recent, err := p.recentSurveys(ctx, u)
	if err != nil {
		return err
	}
	if page.Glance, err = p.glance(ctx, u, recent); err != nil {
		return err
	}
	if policy.CanSeeFollowups(a) && p.d.Followups != nil {
		if page.Followups, err = p.followups(ctx, u); err != nil {
			return err
		}
	}
	if policy.CanManageCustomers(a) && p.d.Accounts != nil && p.d.Relationships != nil {
		if page.Accounts, err = p.accounts(ctx, u); err != nil {
			return err
		}
	}
	if policy.CanRunCampaigns(a) && p.d.Campaigns != nil {
		if page.InFlight, err = p.inFlight(ctx, u); err != nil {
			return err
		}
	}
	if policy.CanWriteSurveys(a) {
		if page.Waiting, err = p.waiting(ctx, u, recent); err != nil {
			return err
		}
	}
	return p.d.Views.Render(c, fiber.StatusOK, "home", "Home", page)
}

// recentSurveys returns the newest surveys that are open or closed:
// those with numbers to show.
func (p *Page) recentSurveys(ctx context.Context, u store.User) ([]survey.Survey, error) {
	var out []survey.Survey
	for _, st := range []survey.Status{survey.StatusOpen, survey.StatusClosed} {
		list, _, err := p.d.Surveys.List(ctx, u, authoring.Filter{Status: st}, store.Page{Limit: glanceSurveys})
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out[:min(len(out), glanceSurveys)], nil
}

func (p *Page) glance(ctx context.Context, u store.User, recent []survey.Survey) (*glanceView, error) {
	if p.d.Headlines == nil || len(recent) == 0 {
		return nil, nil
	}
	g := &glanceView{Scope: "all accounts"}
	if policy.ReportsLimitedToOwnAccounts(policy.Of(u)) {
		g.Scope = "your accounts"
	}
	for _, sv := range recent {
		h, err := p.d.Headlines.Headline(ctx, u, sv)
		if errors.Is(err, reports.ErrUnavailable) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("home: headline of %s: %w", sv.ID, err)
		}
		g.Rows = append(g.Rows, h)
	}
	return g, nil
}

func (p *Page) inFlight(ctx context.Context, u store.User) (*inFlightView, error) {
	list, err := p.d.Campaigns.InFlight(ctx, u, inFlightLimit)
	if errors.Is(err, invite.ErrForbidden) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &inFlightView{}
	for _, r := range list {
		c := r.Campaign
		v.Rows = append(v.Rows, campaignRow{
			Href: "/campaigns/" + c.ID, Survey: r.Survey.Title.Get(r.Survey.DefaultLocale, r.Survey.DefaultLocale),
			State: labels.CampaignState(c.State), StateClass: string(c.State), Percent: int(r.Progress * 100),
			Invited: c.Counts.Invited, Sent: r.Counts.Sent, Answered: r.Counts.Answered, Started: c.CreatedAt,
		})
	}
	return v, nil
}

func (p *Page) waiting(ctx context.Context, u store.User, recent []survey.Survey) (*waitingView, error) {
	w := &waitingView{CanWrite: true}
	drafts, _, err := p.d.Surveys.List(ctx, u, authoring.Filter{Mine: true, Status: survey.StatusDraft}, store.Page{Limit: waitingPerGroup})
	if err != nil {
		return nil, err
	}
	for _, sv := range drafts {
		w.Drafts = append(w.Drafts, linkTo(sv, "/surveys/"+sv.ID+"/edit"))
	}
	if p.d.Campaigns == nil {
		return w, nil
	}
	for _, sv := range recent {
		if sv.Status != survey.StatusOpen || len(w.Unsent) == waitingPerGroup {
			continue
		}
		_, list, err := p.d.Campaigns.List(ctx, u, sv.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(list, func(c store.Campaign) bool { return c.CreatedBy == u.ID }) {
			w.Unsent = append(w.Unsent, linkTo(sv, "/surveys/"+sv.ID+"/campaigns/new"))
		}
	}
	return w, nil
}

func linkTo(sv survey.Survey, href string) surveyLink {
	return surveyLink{Href: href, Title: sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale), CreatedAt: sv.CreatedAt}
}

func (p *Page) followups(ctx context.Context, u store.User) (*followupsView, error) {
	sum, err := p.d.Followups.Summary(ctx, u)
	if errors.Is(err, followup.ErrForbidden) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &followupsView{Open: sum.Open, Overdue: sum.Overdue, DueSoon: sum.DueSoon}
	for _, it := range sum.Next {
		r := followupRow{Href: "/followups/" + url.PathEscape(it.ResponseID), Contact: it.Contact, Account: it.Account,
			Survey: it.Survey, Detractor: it.Detractor}
		if it.DueAt != nil {
			r.DueClass, r.DueText = labels.Due(it.State.Active(), it.Overdue, it.DueIn)
		}
		v.Next = append(v.Next, r)
	}
	return v, nil
}

func (p *Page) accounts(ctx context.Context, u store.User) (*accountsView, error) {
	all, err := p.d.Accounts.VisibleAccounts(ctx, u)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return &accountsView{}, nil
	}
	ids := make([]string, 0, min(len(all), myAccounts))
	for _, a := range all[:min(len(all), myAccounts)] {
		ids = append(ids, a.ID)
	}
	sums, err := p.d.Relationships.AccountSummaries(ctx, u, ids)
	if err != nil {
		return nil, err
	}
	v := &accountsView{Total: len(all)}
	for _, s := range sums {
		r := accountRow{Href: "/accounts/" + url.PathEscape(s.AccountID), Name: s.Name, Survey: s.LatestSurvey,
			NPS: "—", Responses: "—", Rate: "—", Trend: string(s.Trend)}
		switch c := s.Latest; {
		case c == nil:
			r.Hidden = "not surveyed yet"
		case c.Suppressed:
			r.NPS, r.Responses, r.Hidden = "Suppressed", "Suppressed", c.Reason.Text(s.Threshold)
		default:
			if c.Responses != nil {
				r.Responses = fmt.Sprint(*c.Responses)
			}
			if c.NPS != nil {
				r.NPS = reports.FormatNPS(c.NPS.Score)
			}
		}
		if s.ResponseRate != nil {
			r.Rate = reports.FormatNPS(*s.ResponseRate) + "%"
		}
		r.TrendText = map[relationship.Trend]string{relationship.TrendUp: "up since the survey before",
			relationship.TrendDown: "down since the survey before", relationship.TrendFlat: "as in the survey before"}[s.Trend]
		v.Rows = append(v.Rows, r)
	}
	return v, nil
}
