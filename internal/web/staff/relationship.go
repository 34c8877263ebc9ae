package staff

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/relationship"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/reports"
)

// RelationshipService is the relationship view of accounts
// (*relationship.Service).
type RelationshipService interface {
	AccountView(ctx context.Context, who store.User, accountID string) (relationship.View, error)
}

var _ RelationshipService = (*relationship.Service)(nil)

// relationshipSection is the account page's Relationship section.
type relationshipSection struct {
	Threshold int
	Never     bool // never surveyed
	Surveys   []relationshipRow
	Trend     template.HTML // NPS over the surveys, oldest first; empty with fewer than two
	Quarters  []relationshipRow
	Named     []followup.Item
	NamedMore int64 // named answers beyond those listed
}

// relationshipRow is one survey's or quarter's numbers of the account.
type relationshipRow struct {
	ID, Label, Href string
	NPS, Responses  string
	Suppressed      bool
	Reason          string // the reason's code, for the hidden marker
	Why             string // the reason in words
	Heard           string // "6 of 7" or "fewer than 5"
	HeardShown      bool
	Roles           string // who was invited, by role: "2 decision makers, 3 users"
}

// roleWords names the contact roles for the invited-by-role line.
var roleWords = map[string][2]string{
	"decision_maker": {"decision maker", "decision makers"},
	"influencer":     {"influencer", "influencers"},
	"user":           {"user", "users"},
	"":               {"without a role", "without a role"},
}

// rolesText says how many of each role a survey invited.
func rolesText(roles []relationship.RoleCount) string {
	parts := make([]string, 0, len(roles))
	for _, rc := range roles {
		w, ok := roleWords[rc.Role]
		if !ok {
			w = [2]string{rc.Role, rc.Role}
		}
		if rc.Invited == 1 {
			parts = append(parts, "1 "+w[0])
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", rc.Invited, w[1]))
		}
	}
	return strings.Join(parts, ", ")
}

// relationshipOf lays out a relationship view for the page.
func relationshipOf(v relationship.View) *relationshipSection {
	k := v.Threshold
	sec := &relationshipSection{Threshold: k, Never: v.Never(), Named: v.Named, NamedMore: v.NamedTotal - int64(len(v.Named))}
	var points []reports.TrendPoint
	for _, r := range v.Surveys {
		row := cellRow(r.SurveyID, r.Title, r.Cell, k)
		row.Href = "/surveys/" + url.PathEscape(r.SurveyID) + "/report"
		row.HeardShown = r.HeardShown
		row.Roles = rolesText(r.Roles)
		// How many answered tells as much as the account's responses: it
		// shows only where they do.
		switch {
		case r.HeardShown:
			row.Heard = fmt.Sprintf("%d of %d", r.Answered, r.Invited)
		case r.Cell.Reason == report.FewResponses:
			row.Heard = fmt.Sprintf("fewer than %d of %d", k, r.Invited)
		default:
			row.Heard = fmt.Sprintf("hidden, of %d", r.Invited)
		}
		sec.Surveys = append(sec.Surveys, row)
		points = append(points, trendPoint(r.Title, r.Cell))
	}
	if len(points) >= 2 {
		sec.Trend = reports.NPSTrend("NPS of this account by survey, oldest first", points)
	}
	for _, q := range v.Quarters {
		if !q.Suppressed && (q.Responses == nil || *q.Responses == 0) {
			continue // a quarter without responses says nothing
		}
		sec.Quarters = append(sec.Quarters, cellRow(q.Label, q.Label, q.Cell, k))
	}
	return sec
}

func cellRow(id, label string, c report.Cell, k int) relationshipRow {
	row := relationshipRow{ID: id, Label: label, NPS: "—", Responses: "0"}
	switch {
	case c.Suppressed:
		row.Suppressed, row.Reason, row.Why = true, string(c.Reason), accountReason(c.Reason, k)
		row.NPS, row.Responses = "Hidden", "Hidden"
	default:
		if c.Responses != nil {
			row.Responses = fmt.Sprint(*c.Responses)
		}
		if c.NPS != nil {
			row.NPS = reports.FormatNPS(c.NPS.Score)
		}
	}
	return row
}

func trendPoint(label string, c report.Cell) reports.TrendPoint {
	p := reports.TrendPoint{Label: label, Hidden: c.Suppressed}
	if !c.Suppressed && c.NPS != nil {
		score := c.NPS.Score
		p.Score = &score
	}
	return p
}

// accountReason says why an account's numbers are hidden, in the words
// of this page: "choose a coarser breakdown" means nothing here.
func accountReason(r report.Reason, k int) string {
	if r == report.Unchecked {
		return "this survey has too many accounts with few responses to check accounts one by one"
	}
	return r.Text(k)
}
