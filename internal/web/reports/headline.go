package reports

import (
	"context"
	"fmt"
	"html/template"
	"strings"

	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Headline is one survey's numbers at a glance, as one staff member may
// see them: a manager their own accounts' only, as on the report page.
// Every number is the release's, so a headline shows nothing the survey's
// report would not.
type Headline struct {
	SurveyID, Survey string
	// Scope says whose responses the numbers are: "all accounts" or
	// "your accounts".
	Scope        string
	Responses    string // the count, or "Suppressed"
	NPS          string // the score, "Suppressed", or "—" when nobody answered it
	ResponseRate string // a percentage; "" when it cannot be told (a manager's view)
	Hidden       string // why the numbers are withheld; "" when shown
	// Change is the NPS of the newest shown quarter against the one
	// before it ("+4 points since 2026-Q2"); Trend is "up", "down" or
	// "flat" for its colour; both empty without two shown quarters.
	Change, Trend string
	// Sparkline is the NPS by quarter, drawn small; empty with fewer than
	// two quarters.
	Sparkline template.HTML
}

// Headline computes the headline of one survey for u.
func (s *Reports) Headline(ctx context.Context, u store.User, sv survey.Survey) (Headline, error) {
	p := reportParams{Period: string(report.Quarterly)}
	q, fields := p.query(u)
	if len(fields) > 0 {
		return Headline{}, fmt.Errorf("reports: headline query: %v", fields)
	}
	rep, err := s.reportFor(ctx, u, sv, p, q)
	if err != nil {
		return Headline{}, err
	}
	return headlineOf(sv, rep, q.Filter != (report.Filter{})), nil
}

func headlineOf(sv survey.Survey, rep report.Report, own bool) Headline {
	h := Headline{SurveyID: sv.ID, Survey: sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale), Scope: "all accounts"}
	if own {
		h.Scope = "your accounts"
	}
	o := rep.Overall
	switch {
	case o.Suppressed:
		h.Responses, h.NPS, h.Hidden = "Suppressed", "Suppressed", o.Reason.Text(rep.Threshold)
	default:
		h.Responses, h.NPS = "0", "—"
		if o.Responses != nil {
			h.Responses = fmt.Sprint(*o.Responses)
		}
		if o.NPS != nil {
			h.NPS = formatScore(o.NPS.Score)
		}
		if rep.ResponseRate != nil {
			h.ResponseRate = formatScore(*rep.ResponseRate) + "%"
		}
	}
	var points []chartPoint
	var shown []report.Point
	for _, pt := range rep.Trend {
		cp := chartPoint{Label: pt.Label, Hidden: pt.Suppressed}
		if !pt.Suppressed && pt.NPS != nil {
			v := pt.NPS.Score
			cp.Value = &v
			shown = append(shown, pt)
		}
		points = append(points, cp)
	}
	if n := len(shown); n >= 2 {
		d := shown[n-1].NPS.Score - shown[n-2].NPS.Score
		h.Change = fmt.Sprintf("%s points since %s", signed(d), shown[n-2].Label)
		h.Trend = direction(d)
	}
	if len(points) >= 2 {
		h.Sparkline = sparkline("NPS by quarter: "+trendWords(points), points, -100, 100)
	}
	return h
}

// trendWords spells a trend out for the sparkline's label, which is all a
// screen reader gets of it.
func trendWords(points []chartPoint) string {
	words := make([]string, 0, len(points))
	for _, p := range points {
		switch {
		case p.Value != nil:
			words = append(words, p.Label+" "+formatScore(*p.Value))
		case p.Hidden:
			words = append(words, p.Label+" suppressed")
		default:
			words = append(words, p.Label+" no answers")
		}
	}
	return strings.Join(words, ", ")
}
