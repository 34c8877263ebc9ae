package reports

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/problem"
)

// ReportService computes anonymised reports; *report.Service is one.
type ReportService interface {
	Report(ctx context.Context, q report.Query, surveys ...survey.Survey) (report.Report, error)
}

var _ ReportService = (*report.Service)(nil)

// SurveyCampaigns lists a survey's campaigns, whose counters say how many
// people were invited; *store.Campaigns is one.
type SurveyCampaigns interface {
	ListBySurvey(ctx context.Context, surveyID, createdBy string) ([]store.Campaign, error)
}

var _ SurveyCampaigns = (*store.Campaigns)(nil)

// ErrUnavailable answers report routes on a server built without reports;
// a page that shows report numbers among other things leaves them out.
var ErrUnavailable = &problem.Problem{Status: fiber.StatusNotFound, Msg: "reports are not available"}

// reportParams are a report's query parameters as given, for forms and
// links to repeat them.
type reportParams struct {
	Period, From, To, By, Filter string
}

func reportParamsOf(c *fiber.Ctx) reportParams {
	get := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	return reportParams{Period: get("period"), From: get("from"), To: get("to"), By: get("by"), Filter: get("filter")}
}

// encode is the parameters as a query string, empty ones left out.
func (p reportParams) encode() string {
	var parts []string
	for _, kv := range [][2]string{{"period", p.Period}, {"from", p.From}, {"to", p.To}, {"by", p.By}, {"filter", p.Filter}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+url.QueryEscape(kv[1]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// Dates must fall in these years: far enough either way for any survey,
// near enough that a range stays a sensible number of periods.
const (
	reportFirstYear = 2000
	reportLastYear  = 2999
)

// query validates the parameters into a report query for u. A manager's
// report is always filtered to their own accounts, which they may break
// down by any other dimension; analysts may break down every response or
// one manager's accounts, the breakdowns the release decides.
func (p reportParams) query(u store.User) (report.Query, map[string]string) {
	fields := map[string]string{}
	var q report.Query
	switch report.Period(p.Period) {
	case "":
		q.Period = report.Monthly
	case report.Weekly, report.Monthly, report.Quarterly:
		q.Period = report.Period(p.Period)
	default:
		fields["period"] = "must be week, month or quarter"
	}
	date := func(field, raw string) time.Time {
		if raw == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			fields[field] = "must be a date like 2026-01-31"
			return time.Time{}
		}
		if t.Year() < reportFirstYear || t.Year() > reportLastYear {
			fields[field] = "must be a date between 2000 and 2999"
			return time.Time{}
		}
		return t
	}
	q.From, q.To = date("from", p.From), date("to", p.To)
	if !q.From.IsZero() && !q.To.IsZero() {
		if q.To.Before(q.From) {
			fields["to"] = "must not be before from"
		} else if q.Period.Valid() && periodsBetween(q.From, q.To, q.Period) > report.MaxPeriods {
			fields["to"] = "the range is too long for this period; choose a shorter range or a longer period"
		}
	}
	if p.By != "" {
		if d := report.Dimension(p.By); d.Valid() {
			q.By = d
		} else {
			fields["by"] = "must be region, country, industry, tier, manager or account"
		}
	}
	if p.Filter != "" {
		dim, value, ok := strings.Cut(p.Filter, ":")
		if d := report.Dimension(dim); ok && d.Valid() {
			q.Filter = report.Filter{Dimension: d, Value: value}
		} else {
			fields["filter"] = "must be a dimension and a value, like region:EMEA"
		}
	}
	if policy.ReportsLimitedToOwnAccounts(policy.Of(u)) {
		switch q.By {
		case report.Manager:
			fields["by"] = "managers see their own accounts only; break them down by region, country, industry or tier"
		case report.Account:
			fields["by"] = "managers see each of their accounts on its own page; break them down by region, country, industry or tier"
		}
		if p.Filter != "" {
			fields["filter"] = "managers see their own accounts only"
		}
		q.Filter = report.Filter{Dimension: report.Manager, Value: u.ID}
	} else if p.By != "" && p.Filter != "" && (q.Filter.Dimension != report.Manager || q.By == report.Manager || q.By == report.Account) {
		fields["filter"] = "with a breakdown, filter to one manager's accounts only, or choose either"
		if q.By == report.Account {
			fields["filter"] = "accounts are broken down over every response only: remove the filter"
		}
	}
	return q, fields
}

// periodsBetween is about how many periods a range spans, at least.
func periodsBetween(from, to time.Time, p report.Period) int {
	days := int(to.Sub(from).Hours() / 24)
	switch p {
	case report.Weekly:
		return days / 7
	case report.Quarterly:
		return days / 92
	}
	return days / 31
}

// reportFor computes the report the user may see on one survey, with the
// response rate where it means something: over every response (no range),
// of every account (no filter), against every invitation sent.
func (s *Reports) reportFor(ctx context.Context, u store.User, sv survey.Survey, p reportParams, q report.Query) (report.Report, error) {
	if s.reports == nil {
		return report.Report{}, ErrUnavailable
	}
	if s.reportCampaigns != nil && p.From == "" && p.To == "" && q.Filter == (report.Filter{}) {
		camps, err := s.reportCampaigns.ListBySurvey(ctx, sv.ID, "")
		if err != nil {
			return report.Report{}, err
		}
		for _, cp := range camps {
			q.Invitations += cp.Counts.Sent
		}
	}
	rep, err := s.reports.Report(ctx, q, sv)
	if f, ok := fault.As(err); ok && errors.Is(err, report.ErrInvalidQuery) {
		// The report's query is the one field of the page and the API.
		return report.Report{}, problem.BadRequest("invalid input", map[string]string{"query": f.Message()})
	}
	return rep, err
}

// dimensionLabel names a dimension for people.
func dimensionLabel(d report.Dimension) string {
	switch d {
	case report.Region:
		return "Region"
	case report.Country:
		return "Country"
	case report.Industry:
		return "Industry"
	case report.Tier:
		return "Tier"
	case report.Manager:
		return "Account manager"
	case report.Account:
		return "Account"
	}
	return string(d)
}

// breakdownLabels names the segment values of a report's breakdown:
// managers by name rather than user id, and an empty value as not recorded.
func (s *Reports) breakdownLabels(ctx context.Context, rep report.Report) map[string]string {
	out := make(map[string]string, len(rep.Breakdown))
	for _, c := range rep.Breakdown {
		switch {
		case c.Label == "":
			out[c.Label] = "Not recorded"
		case rep.By == report.Manager:
			out[c.Label] = "Unknown user"
			if u, err := s.auth.User(ctx, c.Label); err == nil {
				out[c.Label] = u.Name
			}
		case rep.By == report.Account:
			// Only shown accounts are listed, and named.
			out[c.Label] = c.Label
			if s.accounts == nil || c.Suppressed {
				continue
			}
			if a, err := s.accounts.ByID(ctx, c.Label); err == nil {
				out[c.Label] = a.Name
			} else {
				out[c.Label] = "Deleted account"
			}
		default:
			out[c.Label] = c.Label
		}
	}
	return out
}
