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
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/policy"
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

// Deps is what the home page is built from. Campaigns and Headlines may be
// nil: their sections are then left out.
type Deps struct {
	Views     Renderer
	Surveys   Surveys
	Headlines Headlines
	Campaigns Campaigns
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
)

type homePage struct {
	Name string
	// Sections, each nil when the user has none to see.
	Glance   *glanceView
	InFlight *inFlightView
	Waiting  *waitingView
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
