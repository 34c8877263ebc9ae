package reports

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/survey"
)

func TestHeadlineOf(t *testing.T) {
	sv := survey.Survey{ID: "s1", DefaultLocale: "en", Title: survey.Text{"en": "Service 2026"}}
	n := func(v int) *int { return &v }
	rate := 40.0
	point := func(label string, score float64) report.Point {
		return report.Point{Cell: report.Cell{Label: label, Responses: n(9), NPS: &report.NPS{Score: score}}}
	}
	hidden := report.Point{Cell: report.Cell{Label: "2026-Q3", Suppressed: true, Reason: report.FewResponses}}
	tests := []struct {
		name string
		rep  report.Report
		own  bool
		want Headline
		line bool // a sparkline is drawn
	}{
		{"shown, with a change", report.Report{Threshold: 5,
			Overall:      report.Cell{Responses: n(18), NPS: &report.NPS{Score: 22}},
			ResponseRate: &rate, Trend: []report.Point{point("2026-Q1", 10), point("2026-Q2", 30)}},
			false, Headline{Scope: "all accounts", Responses: "18", NPS: "22", ResponseRate: "40%", Change: "+20 points since 2026-Q1", Trend: "up"}, true},
		{"a manager's own accounts, a hidden quarter in between", report.Report{Threshold: 5,
			Overall: report.Cell{Responses: n(20), NPS: &report.NPS{Score: -5}},
			Trend:   []report.Point{point("2026-Q2", 10), hidden, point("2026-Q4", 0)}},
			true, Headline{Scope: "your accounts", Responses: "20", NPS: "−5", Change: "−10 points since 2026-Q2", Trend: "down"}, true},
		{"suppressed overall", report.Report{Threshold: 5,
			Overall: report.Cell{Suppressed: true, Reason: report.FewResponses}},
			false, Headline{Scope: "all accounts", Responses: "Suppressed", NPS: "Suppressed", Hidden: "fewer than 5 responses"}, false},
		{"nobody answered the NPS question, one quarter", report.Report{Threshold: 5,
			Overall: report.Cell{Responses: n(7)}, Trend: []report.Point{point("2026-Q1", 10)}},
			false, Headline{Scope: "all accounts", Responses: "7", NPS: "—"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := headlineOf(sv, tt.rep, tt.own)
			if (got.Sparkline != "") != tt.line {
				t.Errorf("sparkline drawn: %v, want %v", got.Sparkline != "", tt.line)
			}
			if tt.line && !strings.Contains(string(got.Sparkline), `aria-label="NPS by quarter: `) {
				t.Errorf("the sparkline has no label for screen readers: %s", got.Sparkline)
			}
			got.Sparkline = ""
			tt.want.SurveyID, tt.want.Survey = "s1", "Service 2026"
			if got != tt.want {
				t.Errorf("headline\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
