package reports

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/problem"
)

// reportPage is the dashboard of one survey.
type reportPage struct {
	ID, Href, Title string
	Params          reportParams
	Fields          map[string]string
	Errors          []string
	Periods         []selectOption
	Dimensions      []selectOption
	IsManager       bool
	CSVHref         string
	CommentsHref    string

	// Everything below is empty when the parameters are invalid.
	Ready     bool
	Empty     bool // no responses in the range
	Threshold int
	Range     string
	Tiles     []reportTile
	NPS       *npsView
	Questions []questionView
	Trend     *trendView
	Breakdown *breakdownView
}

type selectOption struct {
	Value, Label string
	Selected     bool
}

// reportTile is one headline number with its change from the previous
// period.
type reportTile struct {
	ID, Label  string
	Value      string
	Suppressed bool
	Why        string // the reason, when suppressed
	Change     string // "+3 vs previous period"; empty when not shown
	Trend      string // up, down or flat, for the change's colour
}

type npsView struct {
	Gauge, Split template.HTML
	Rows         []labelledCell
}

type labelledCell struct {
	Label, Value string
}

type questionView struct {
	Key, Prompt, Type string
	Suppressed        bool
	Why               string
	Answered, Mean    string
	// Shown is, for a conditional question, how many were shown it and
	// the share of them who answered; Asked says when it is asked.
	Shown, Rate, Asked string
	Chart              template.HTML
	Rows               []bucketRow
}

type bucketRow struct {
	Label, Count, Share string
}

type trendView struct {
	NPSChart, ResponsesChart template.HTML
	Table                    metricsTable
	Gaps                     bool
	Unit                     string
}

type breakdownView struct {
	Dimension string
	Chart     template.HTML
	Table     metricsTable
	Why       string // why there is no breakdown at all
	// Hint offers the coarser breakdown that shows more, where most
	// groups are hidden at this detail.
	Hint, HintHref string
	// Hidden summarises the groups left out of the table: accounts are
	// listed only where shown.
	Hidden string
}

// metricsTable lists groups or periods with their headline numbers.
type metricsTable struct {
	ID, Caption, Head string
	Rows              []metricRow
}

// metricRow is one group or period with its headline numbers.
type metricRow struct {
	Label                               string
	Suppressed                          bool
	Why                                 string
	Responses, NPS, Promoters, Passives string
	Detractors, CSAT, CES               string
}

func reportPeriods(selected string) []selectOption {
	if selected == "" {
		selected = string(report.Monthly)
	}
	var out []selectOption
	for _, p := range []struct{ v, l string }{{"week", "Week"}, {"month", "Month"}, {"quarter", "Quarter"}} {
		out = append(out, selectOption{Value: p.v, Label: p.l, Selected: p.v == selected})
	}
	return out
}

func reportDimensions(selected string, manager bool) []selectOption {
	out := []selectOption{{Value: "", Label: "No breakdown", Selected: selected == ""}}
	for _, d := range report.Dimensions() {
		if manager && d == report.Manager {
			continue
		}
		out = append(out, selectOption{Value: string(d), Label: dimensionLabel(d), Selected: string(d) == selected})
	}
	if !manager {
		out = append(out, selectOption{Value: string(report.Account), Label: dimensionLabel(report.Account), Selected: selected == string(report.Account)})
	}
	return out
}

// Page shows a survey's dashboard; invalid parameters show the
// form again with what is wrong, and no numbers.
func (s *Reports) Page(c *fiber.Ctx) error {
	sv, p, q, fields, err := s.reportRequest(c)
	if err != nil {
		return err
	}
	u := identity.Actor(c)
	href := "/surveys/" + url.PathEscape(sv.ID)
	page := reportPage{
		ID: sv.ID, Href: href, Title: sv.Title.Get(sv.DefaultLocale, survey.DefaultLocale),
		Params: p, Fields: fields, Periods: reportPeriods(p.Period), IsManager: policy.ReportsLimitedToOwnAccounts(policy.Of(u)),
		CSVHref: href + "/report.csv" + p.encode(), CommentsHref: href + "/comments",
	}
	page.Dimensions = reportDimensions(p.By, page.IsManager)
	status := fiber.StatusOK
	if len(fields) == 0 {
		rep, err := s.reportFor(c.UserContext(), u, sv, p, q)
		var pr *problem.Problem
		if errors.As(err, &pr) && pr.Status == fiber.StatusBadRequest {
			fields = pr.Fields
		} else if err != nil {
			return err
		} else {
			s.fillReport(c, &page, sv, rep)
		}
	}
	if len(fields) > 0 {
		page.Fields = fields
		page.Errors = problem.Summary(fields)
		status = fiber.StatusBadRequest
	}
	return s.render(c, status, "report", "Report: "+page.Title, page)
}

func (s *Reports) fillReport(c *fiber.Ctx, page *reportPage, sv survey.Survey, rep report.Report) {
	k := rep.Threshold
	page.Ready, page.Threshold = true, k
	o := rep.Overall
	page.Empty = !o.Suppressed && (o.Responses == nil || *o.Responses == 0)
	if !rep.From.IsZero() {
		page.Range = fmt.Sprintf("%s – %s", rep.From.Format("2 Jan 2006"), rep.To.Format("2 Jan 2006"))
	}
	why := func(suppressed bool, r report.Reason) string {
		if !suppressed {
			return ""
		}
		return r.Text(k)
	}
	ch := rep.Change
	if o.Suppressed {
		ch = nil
	}
	if ch == nil {
		ch = &report.Change{}
	}
	tile := func(id, label string, value *float64, format func(float64) string, change *float64, unit string) reportTile {
		t := reportTile{ID: id, Label: label, Suppressed: o.Suppressed, Why: why(o.Suppressed, o.Reason)}
		switch {
		case o.Suppressed:
			t.Value = "Suppressed"
		case value == nil:
			t.Value = "—"
		default:
			t.Value = format(*value)
		}
		if change != nil {
			t.Change, t.Trend = signed(*change)+unit+" vs previous period", direction(*change)
		}
		return t
	}
	var responses, npsScore, csat, ces *float64
	if o.Responses != nil {
		v := float64(*o.Responses)
		responses = &v
	}
	if o.NPS != nil {
		npsScore = &o.NPS.Score
	}
	if o.CSAT != nil {
		csat = &o.CSAT.Percent
	}
	if o.CES != nil {
		ces = &o.CES.Average
	}
	var respChange *float64
	if ch.Responses != nil {
		v := float64(*ch.Responses)
		respChange = &v
	}
	integer := func(v float64) string { return strconv.Itoa(int(v)) }
	percent := func(v float64) string { return formatScore(v) + "%" }
	page.Tiles = []reportTile{
		tile("overall-responses", "Responses", responses, integer, respChange, ""),
		tile("overall-rate", "Response rate", rep.ResponseRate, percent, nil, ""),
		tile("overall-nps", "NPS", npsScore, formatScore, ch.NPS, " points"),
		tile("overall-csat", "CSAT", csat, percent, ch.CSAT, " points"),
		tile("overall-ces", "CES", ces, formatScore, ch.CES, ""),
	}
	if !o.Suppressed && rep.ResponseRate == nil {
		page.Tiles[1].Value = "—"
	}
	if page.Empty {
		return
	}
	if !o.Suppressed && o.NPS != nil {
		n := o.NPS
		page.NPS = &npsView{
			Gauge: npsGauge(n.Score), Split: npsSplit(n.Promoters, n.Passives, n.Detractors),
			Rows: []labelledCell{
				{"NPS", formatScore(n.Score)}, {"Promoters (9–10)", strconv.Itoa(n.Promoters)},
				{"Passives (7–8)", strconv.Itoa(n.Passives)}, {"Detractors (0–6)", strconv.Itoa(n.Detractors)},
				{"Answered", strconv.Itoa(n.Answered)},
			},
		}
	}
	for _, q := range rep.Questions {
		def, _ := sv.Question(q.Key)
		qv := questionView{Key: q.Key, Prompt: def.Prompt.Get(sv.DefaultLocale, q.Key), Type: labels.ShortQuestionType(q.Type),
			Suppressed: q.Suppressed, Why: why(q.Suppressed, q.Reason), Asked: askedWhen(sv, def)}
		if !q.Suppressed {
			if q.Answered != nil {
				qv.Answered = strconv.Itoa(*q.Answered)
			}
			if def.ShowIf != nil && q.Shown != nil {
				qv.Shown = strconv.Itoa(*q.Shown)
				if *q.Shown > 0 && q.Answered != nil {
					qv.Rate = formatScore(float64(*q.Answered)*100/float64(*q.Shown)) + "%"
				}
			}
			if q.Mean != nil {
				qv.Mean = formatScore(*q.Mean)
			}
			var bars []chartBar
			for _, b := range q.Distribution {
				label := optionLabel(sv, def, b.Value)
				share := b.Share
				bars = append(bars, chartBar{Label: label, Value: &share, Text: formatScore(b.Share) + "%"})
				qv.Rows = append(qv.Rows, bucketRow{Label: label, Count: strconv.Itoa(b.Count), Share: formatScore(b.Share) + "%"})
			}
			qv.Chart = barChart("Answers to "+qv.Prompt+", share of those who answered", bars, 0, 100)
		}
		page.Questions = append(page.Questions, qv)
	}
	page.Trend = trendOf(rep, k)
	if rep.By != "" {
		page.Breakdown = breakdownOf(rep, k, s.breakdownLabels(c.UserContext(), rep))
		page.Breakdown.Hint, page.Breakdown.HintHref = coarserHint(rep, page.Params, page.Href)
	}
}

// coarserHint suggests, where most of a breakdown is hidden, the coarser
// level that can be shown: months instead of weeks, regions instead of
// countries, quarters instead of months.
func coarserHint(rep report.Report, p reportParams, href string) (string, string) {
	hidden, total := 0, 0
	count := func(cells []report.Cell) {
		for _, c := range cells {
			total++
			if c.Suppressed {
				hidden++
			}
		}
	}
	count(rep.Breakdown)
	for _, pt := range rep.Trend {
		count(pt.Breakdown)
	}
	weekly := rep.Period == report.Weekly
	if !weekly && (total == 0 || hidden*2 <= total) {
		return "", ""
	}
	next := p
	var text string
	switch {
	case weekly:
		next.Period, text = string(report.Monthly), "Breakdowns are shown by month and quarter, not by week: show them by month."
	case rep.By == report.Country:
		next.By, text = string(report.Region), "Most countries are hidden to protect small groups: show the breakdown by region."
	case rep.Period == report.Monthly:
		next.Period, text = string(report.Quarterly), "Most groups are hidden by month to protect small groups: show the breakdown by quarter."
	default:
		return "", ""
	}
	return text, href + "/report" + next.encode()
}

func metricRowOf(label string, cell report.Cell, k int) metricRow {
	r := metricRow{Label: label, Suppressed: cell.Suppressed}
	if cell.Suppressed {
		r.Why = cell.Reason.Text(k)
		return r
	}
	r.Responses, r.NPS, r.Promoters, r.Passives, r.Detractors, r.CSAT, r.CES = "0", "—", "—", "—", "—", "—", "—"
	if cell.Responses != nil {
		r.Responses = strconv.Itoa(*cell.Responses)
	}
	if n := cell.NPS; n != nil {
		r.NPS, r.Promoters, r.Passives, r.Detractors = formatScore(n.Score), strconv.Itoa(n.Promoters), strconv.Itoa(n.Passives), strconv.Itoa(n.Detractors)
	}
	if cell.CSAT != nil {
		r.CSAT = formatScore(cell.CSAT.Percent) + "%"
	}
	if cell.CES != nil {
		r.CES = formatScore(cell.CES.Average)
	}
	return r
}

func trendOf(rep report.Report, k int) *trendView {
	if len(rep.Trend) == 0 {
		return nil
	}
	t := &trendView{Unit: string(rep.Period)}
	t.Table = metricsTable{Caption: "Numbers by " + t.Unit, Head: strings.ToUpper(t.Unit[:1]) + t.Unit[1:]}
	var nps, counts []chartPoint
	top := 0.0
	for _, p := range rep.Trend {
		row := metricRowOf(p.Label, p.Cell, k)
		t.Table.Rows = append(t.Table.Rows, row)
		np, cp := chartPoint{Label: p.Label}, chartPoint{Label: p.Label}
		if p.Suppressed {
			t.Gaps, np.Hidden, cp.Hidden = true, true, true
		} else {
			if p.NPS != nil {
				v := p.NPS.Score
				np.Value = &v
			}
			if p.Responses != nil {
				v := float64(*p.Responses)
				cp.Value = &v
				top = math.Max(top, v)
			}
		}
		nps, counts = append(nps, np), append(counts, cp)
	}
	t.NPSChart = lineChart("NPS by "+t.Unit, nps, -100, 100)
	t.ResponsesChart = lineChart("Responses by "+t.Unit, counts, 0, niceMax(top))
	return t
}

func breakdownOf(rep report.Report, k int, labels map[string]string) *breakdownView {
	b := &breakdownView{Dimension: dimensionLabel(rep.By)}
	b.Table = metricsTable{ID: "breakdown-table", Caption: "Numbers by " + strings.ToLower(b.Dimension), Head: b.Dimension}
	if rep.BreakdownReason != "" && len(rep.Breakdown) == 0 {
		b.Why = rep.BreakdownReason.Text(k)
		return b
	}
	var bars []chartBar
	hidden := 0
	for _, c := range rep.Breakdown {
		if rep.By == report.Account && c.Suppressed {
			// Thousands of hidden rows would say one thing: summed up below.
			hidden++
			continue
		}
		label := labels[c.Label]
		b.Table.Rows = append(b.Table.Rows, metricRowOf(label, c, k))
		bar := chartBar{Label: label}
		if !c.Suppressed && c.NPS != nil {
			v := c.NPS.Score
			bar.Value, bar.Text = &v, "NPS "+formatScore(v)
		} else if !c.Suppressed {
			v := 0.0
			bar.Value, bar.Text = &v, "no NPS answers"
		}
		bars = append(bars, bar)
	}
	if hidden > 0 {
		b.Hidden = fmt.Sprintf("%d accounts hidden: fewer than %d responses, or hidden to protect one that has.", hidden, k)
		if hidden == 1 {
			b.Hidden = fmt.Sprintf("1 account hidden: fewer than %d responses, or hidden to protect one that has.", k)
		}
	}
	if rep.By != report.Account || (len(bars) > 0 && len(bars) <= maxBars) {
		b.Chart = barChart("NPS by "+b.Dimension, bars, -100, 100)
	}
	return b
}

// maxBars is the most bars a breakdown by account draws; beyond it the
// table alone lists the accounts.
const maxBars = 40

// signed formats a change with its sign: +3, −2.5, 0.
func signed(v float64) string {
	if math.Round(v*10) > 0 {
		return "+" + formatScore(v)
	}
	return formatScore(v)
}

func direction(v float64) string {
	switch r := math.Round(v * 10); {
	case r > 0:
		return "up"
	case r < 0:
		return "down"
	}
	return "flat"
}

// askedWhen says in plain English when a conditional question is asked;
// empty for one without a condition.
func askedWhen(sv survey.Survey, q survey.Question) string {
	if q.ShowIf == nil {
		return ""
	}
	return "Asked when " + sv.DescribeCondition(*q.ShowIf, sv.DefaultLocale)
}
