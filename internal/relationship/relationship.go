// Package relationship is the account view of loyalty: per customer
// account, its NPS in each survey that invited its contacts and the trend
// over them, how many of its contacts were heard from, and the answers its
// contacts chose to give with their names.
//
// Every number comes from reports filtered to the account, so the release
// decides it as it decides every other number (see package
// report/release): an account's cell shows only where no group under k
// can be worked out from everything reports show. How many of an
// account's invited contacts answered is read from the invitations, and
// is as telling as the account's number of responses; it is shown only
// where that number is.
package relationship

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Accounts finds the accounts an actor may see (*customer.Service): one
// the actor may not see is not found.
type Accounts interface {
	Account(ctx context.Context, who store.User, id string) (store.Account, error)
}

// Invitations lists an account's invitations (*store.Invitations).
type Invitations interface {
	ByAccount(ctx context.Context, accountID string) ([]store.Invitation, error)
}

// Surveys finds surveys (*store.Surveys).
type Surveys interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
}

// Reports computes anonymised reports (*report.Service).
type Reports interface {
	Report(ctx context.Context, q report.Query, surveys ...survey.Survey) (report.Report, error)
}

// Followups lists the named responses an actor may see
// (*followup.Service).
type Followups interface {
	List(ctx context.Context, actor store.User, q followup.Query) ([]followup.Item, int64, error)
}

// ContactRoles tells each contact's role at their company (decision
// maker, influencer, user), "" for none recorded. It is the hook for
// counting an account's invited contacts by role: with none, no counts by
// role.
type ContactRoles interface {
	RolesOf(ctx context.Context, contactIDs []string) (map[string]string, error)
}

// Deps are what the service works with; Followups may be nil (no named
// answers listed), and so may Roles (no counts by role).
type Deps struct {
	Accounts    Accounts
	Invitations Invitations
	Surveys     Surveys
	Reports     Reports
	Followups   Followups
	Roles       ContactRoles
}

// Service computes account views.
type Service struct {
	d   Deps
	now func() time.Time
}

// New returns a Service on d.
func New(d Deps) *Service { return &Service{d: d, now: time.Now} }

// WithClock makes the service read time from now, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	s.now = now
	return s
}

// NamedLimit bounds the named answers an account view lists; the
// follow-up list has them all.
const NamedLimit = 20

// SurveyRow is one survey that invited the account's contacts.
type SurveyRow struct {
	SurveyID string
	Title    string
	// FirstInvited is when the first of the account's contacts was
	// invited: the surveys' order.
	FirstInvited time.Time
	// Invited counts the account's contacts invited and not revoked.
	Invited int
	// Answered counts those heard from; only when HeardShown, as it tells
	// as much as the account's responses do.
	Answered   int
	HeardShown bool
	// Roles counts the invited contacts by role, in the order of their
	// roles' names, when roles are known (Deps.Roles). How many of a role
	// answered is not told: it is a group's count of respondents, which
	// only the release may show, and the release does not count roles.
	Roles []RoleCount
	// Cell is the account's numbers in the survey: responses and NPS, or
	// why they are suppressed.
	Cell report.Cell
}

// RoleCount is how many of an account's contacts of one role a survey
// invited.
type RoleCount struct {
	Role    string // "" for none recorded
	Invited int
}

// View is an account's relationship view.
type View struct {
	Account   store.Account
	Threshold int         // the largest k of the surveys
	Surveys   []SurveyRow // oldest first; none when never surveyed
	// Quarters is the account's numbers by calendar quarter over every
	// survey together, oldest first; a quarter shows only where each
	// survey's release shows the account in it.
	Quarters []report.Point
	// Named is the latest of the answers the account's contacts gave with
	// their names, newest first, as follow-ups; NamedTotal counts them
	// all. Empty for an actor who sees no follow-ups.
	Named      []followup.Item
	NamedTotal int64
}

// Never reports whether the account was never surveyed.
func (v View) Never() bool { return len(v.Surveys) == 0 }

// AccountView returns the relationship view of one account; the
// account's ErrNotFound when the actor may not see it.
func (s *Service) AccountView(ctx context.Context, who store.User, accountID string) (View, error) {
	a, err := s.d.Accounts.Account(ctx, who, accountID)
	if err != nil {
		return View{}, err
	}
	v := View{Account: a}
	invited, err := s.invited(ctx, a.ID)
	if err != nil {
		return View{}, err
	}
	filter := report.Filter{Dimension: report.Account, Value: a.ID}
	today := s.now()
	var defs []survey.Survey
	for _, in := range invited {
		rep, err := s.d.Reports.Report(ctx, report.Query{Filter: filter, Today: today}, in.def)
		if err != nil {
			return View{}, fmt.Errorf("relationship: %w", err)
		}
		v.Threshold = max(v.Threshold, rep.Threshold)
		v.Surveys = append(v.Surveys, in.row(rep.Overall))
		defs = append(defs, in.def)
	}
	if len(defs) > 0 {
		rep, err := s.d.Reports.Report(ctx, report.Query{Filter: filter, Period: report.Quarterly, Today: today}, defs...)
		if err != nil {
			return View{}, fmt.Errorf("relationship: %w", err)
		}
		v.Quarters = rep.Trend
	}
	if s.d.Followups != nil && policy.CanSeeFollowups(policy.Of(who)) {
		v.Named, v.NamedTotal, err = s.d.Followups.List(ctx, who, followup.Query{AccountID: a.ID, Page: store.Page{Limit: NamedLimit}})
		if err != nil {
			return View{}, fmt.Errorf("relationship: %w", err)
		}
	}
	return v, nil
}

// Trend says which way an account's NPS went from one survey to the next.
type Trend string

// Trends.
const (
	TrendUnknown Trend = "" // fewer than two shown scores
	TrendUp      Trend = "up"
	TrendDown    Trend = "down"
	TrendFlat    Trend = "flat"
)

// Summary is an account's relationship in brief, for lists of accounts.
type Summary struct {
	AccountID string
	Name      string
	Surveys   int // surveys that invited its contacts
	// Latest is the account's numbers in the latest survey it answered,
	// shown or suppressed; nil when it never answered any.
	Latest       *report.Cell
	LatestSurvey string // its title
	Threshold    int    // its anonymity threshold, which a suppressed cell's reason speaks of
	// ResponseRate is the share of invited contacts heard from, in
	// percent, over the surveys whose numbers of the account show; nil
	// when none does.
	ResponseRate *float64
	// Trend compares the latest shown NPS with the one before it.
	Trend Trend
}

// AccountSummaries returns the summaries of the accounts the actor may
// see among accountIDs, in their order; the others are left out. Each
// survey is reported on once, broken down by account, for all of them.
func (s *Service) AccountSummaries(ctx context.Context, who store.User, accountIDs []string) ([]Summary, error) {
	type account struct {
		a       store.Account
		invited []invitedTo
	}
	var accounts []account
	surveys := make(map[string]survey.Survey)
	for _, id := range accountIDs {
		a, err := s.d.Accounts.Account(ctx, who, id)
		if fault.KindOf(err) == fault.NotFound {
			continue // not the actor's to see
		}
		if err != nil {
			return nil, err
		}
		invited, err := s.invited(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, in := range invited {
			surveys[in.def.ID] = in.def
		}
		accounts = append(accounts, account{a, invited})
	}
	cells := make(map[string]map[string]report.Cell) // survey → account → cell
	why := make(map[string]report.Reason)            // survey → why no account shows
	thresholds := make(map[string]int)
	today := s.now()
	for id, def := range surveys {
		rep, err := s.d.Reports.Report(ctx, report.Query{By: report.Account, Today: today}, def)
		if err != nil {
			return nil, fmt.Errorf("relationship: %w", err)
		}
		cells[id] = make(map[string]report.Cell, len(rep.Breakdown))
		for _, c := range rep.Breakdown {
			cells[id][c.Label] = c
		}
		why[id] = rep.BreakdownReason
		thresholds[id] = rep.Threshold
	}
	out := make([]Summary, 0, len(accounts))
	for _, ac := range accounts {
		sum := Summary{AccountID: ac.a.ID, Name: ac.a.Name, Surveys: len(ac.invited)}
		var shownNPS []float64 // oldest first
		invited, answered := 0, 0
		for _, in := range ac.invited {
			c, ok := cells[in.def.ID][ac.a.ID]
			switch {
			case !ok && why[in.def.ID] != "":
				c = report.Cell{Suppressed: true, Reason: why[in.def.ID]}
			case !ok:
				zero := 0
				c = report.Cell{Responses: &zero} // no responses from the account
			}
			row := in.row(c)
			if c.Suppressed || (c.Responses != nil && *c.Responses > 0) {
				cell, title := row.Cell, row.Title
				sum.Latest, sum.LatestSurvey, sum.Threshold = &cell, title, thresholds[in.def.ID]
			}
			if row.HeardShown {
				invited += row.Invited
				answered += row.Answered
			}
			if !c.Suppressed && c.NPS != nil {
				shownNPS = append(shownNPS, c.NPS.Score)
			}
		}
		if invited > 0 {
			rate := float64(answered) * 100 / float64(invited)
			sum.ResponseRate = &rate
		}
		if n := len(shownNPS); n >= 2 && sum.Latest != nil && !sum.Latest.Suppressed {
			switch d := shownNPS[n-1] - shownNPS[n-2]; {
			case d > 0:
				sum.Trend = TrendUp
			case d < 0:
				sum.Trend = TrendDown
			default:
				sum.Trend = TrendFlat
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// invitedTo is a survey that invited an account's contacts, and how many.
type invitedTo struct {
	def      survey.Survey
	first    time.Time
	invited  int
	answered int
	roles    []RoleCount     // nil without roles
	contacts map[string]bool // invited, not revoked
}

// row is the survey's row for the account's cell: its heard-from count
// only where the cell shows.
func (in invitedTo) row(c report.Cell) SurveyRow {
	r := SurveyRow{SurveyID: in.def.ID, Title: in.def.Title.Get(in.def.DefaultLocale, survey.DefaultLocale),
		FirstInvited: in.first, Invited: in.invited, Cell: c}
	if !c.Suppressed {
		r.Answered, r.HeardShown = in.answered, true
	}
	r.Roles = in.roles
	return r
}

// invited returns the surveys that invited an account's contacts, oldest
// first; surveys since deleted, and those whose every invitation of the
// account was revoked, are left out.
func (s *Service) invited(ctx context.Context, accountID string) ([]invitedTo, error) {
	invs, err := s.d.Invitations.ByAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("relationship: %w", err)
	}
	by := make(map[string]*invitedTo)
	var order []string
	for _, inv := range invs {
		in := by[inv.SurveyID]
		if in == nil {
			in = &invitedTo{first: inv.CreatedAt, contacts: make(map[string]bool)}
			by[inv.SurveyID] = in
			order = append(order, inv.SurveyID)
		}
		in.first = minTime(in.first, inv.CreatedAt)
		switch inv.State {
		case store.InvitationAnswered:
			in.invited++
			in.answered++
			in.contacts[inv.ContactID] = true
		case store.InvitationPending:
			in.invited++
			in.contacts[inv.ContactID] = true
		}
	}
	if err := s.countRoles(ctx, by); err != nil {
		return nil, err
	}
	out := make([]invitedTo, 0, len(order))
	for _, id := range order {
		if by[id].invited == 0 {
			continue // every invitation revoked: never surveyed
		}
		def, err := s.d.Surveys.ByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("relationship: %w", err)
		}
		in := by[id]
		in.def = def
		out = append(out, *in)
	}
	slices.SortStableFunc(out, func(a, b invitedTo) int {
		return cmp.Or(a.first.Compare(b.first), cmp.Compare(a.def.ID, b.def.ID))
	})
	return out, nil
}

// countRoles counts each survey's invited contacts by role, when roles
// are known.
func (s *Service) countRoles(ctx context.Context, by map[string]*invitedTo) error {
	if s.d.Roles == nil {
		return nil
	}
	var ids []string
	for _, in := range by {
		for c := range in.contacts {
			ids = append(ids, c)
		}
	}
	slices.Sort(ids)
	roles, err := s.d.Roles.RolesOf(ctx, slices.Compact(ids))
	if err != nil {
		return fmt.Errorf("relationship: %w", err)
	}
	for _, in := range by {
		counts := make(map[string]*RoleCount)
		for c := range in.contacts {
			rc := counts[roles[c]]
			if rc == nil {
				rc = &RoleCount{Role: roles[c]}
				counts[roles[c]] = rc
			}
			rc.Invited++
		}
		for _, rc := range counts {
			in.roles = append(in.roles, *rc)
		}
		slices.SortFunc(in.roles, func(a, b RoleCount) int { return cmp.Compare(a.Role, b.Role) })
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
