package reports

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// The report API's documents. They are mapped from report.Report here, so
// that the API stays the same when the computation's types change. A
// suppressed cell carries "suppressed", a reason and its English text, and
// no numbers at all.

type ReportJSON struct {
	Survey      string         `json:"survey"`
	Threshold   int            `json:"threshold"`
	Period      report.Period  `json:"period"`
	From        string         `json:"from,omitempty"`
	To          string         `json:"to,omitempty"`
	Filter      *report.Filter `json:"filter,omitempty"`
	suppression                // of the overall numbers
	Responses   *int           `json:"responses,omitempty"`
	NPS         *NpsJSON       `json:"nps,omitempty"`
	CSAT        *CsatJSON      `json:"csat,omitempty"`
	CES         *CesJSON       `json:"ces,omitempty"`
	// Invitations and ResponseRate appear for a report over every
	// response of every account, once invitations were sent.
	Invitations  int            `json:"invitations,omitempty"`
	ResponseRate *float64       `json:"responseRate,omitempty"`
	Questions    []QuestionJSON `json:"questions"`

	By              report.Dimension `json:"by,omitempty"`
	Breakdown       []CellJSON       `json:"breakdown,omitempty"`
	BreakdownReason string           `json:"breakdownReason,omitempty"`

	Trend    []PeriodJSON `json:"trend"`
	Previous *PeriodJSON  `json:"previous,omitempty"`
	Change   *ChangeJSON  `json:"change,omitempty"`
}

type suppression struct {
	Suppressed bool   `json:"suppressed,omitempty"`
	Reason     string `json:"reason,omitempty"`
	ReasonText string `json:"reasonText,omitempty"`
}

func suppressionOf(suppressed bool, r report.Reason, k int) suppression {
	if !suppressed {
		return suppression{}
	}
	return suppression{Suppressed: true, Reason: string(r), ReasonText: r.Text(k)}
}

type NpsJSON struct {
	Score      float64 `json:"score"`
	Promoters  int     `json:"promoters"`
	Passives   int     `json:"passives"`
	Detractors int     `json:"detractors"`
	Answered   int     `json:"answered"`
}

type CsatJSON struct {
	Percent   float64 `json:"percent"`
	Satisfied int     `json:"satisfied"`
	Answered  int     `json:"answered"`
}

type CesJSON struct {
	Average  float64 `json:"average"`
	Answered int     `json:"answered"`
}

// CellJSON is one group of a breakdown: Value is the segment value (a
// manager's user id), Label its name for people.
type CellJSON struct {
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
	suppression
	N    *int      `json:"n,omitempty"`
	NPS  *NpsJSON  `json:"nps,omitempty"`
	CSAT *CsatJSON `json:"csat,omitempty"`
	CES  *CesJSON  `json:"ces,omitempty"`
}

type PeriodJSON struct {
	Label string `json:"label"`
	From  string `json:"from"`
	To    string `json:"to"`
	suppression
	Responses *int      `json:"responses,omitempty"`
	NPS       *NpsJSON  `json:"nps,omitempty"`
	CSAT      *CsatJSON `json:"csat,omitempty"`
	CES       *CesJSON  `json:"ces,omitempty"`
}

type QuestionJSON struct {
	Key    string              `json:"key"`
	Type   survey.QuestionType `json:"type"`
	Prompt string              `json:"prompt"`
	suppression
	// ShowIf is a conditional question's condition; Shown how many were
	// shown the question, of whom Answered answered.
	ShowIf       *survey.Condition `json:"showIf,omitempty"`
	Shown        *int              `json:"shown,omitempty"`
	Answered     *int              `json:"answered,omitempty"`
	Mean         *float64          `json:"mean,omitempty"`
	NPS          *NpsJSON          `json:"nps,omitempty"`
	CSAT         *CsatJSON         `json:"csat,omitempty"`
	Distribution []BucketJSON      `json:"distribution,omitempty"`
}

type BucketJSON struct {
	Value string  `json:"value"`
	Label string  `json:"label"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

type ChangeJSON struct {
	Responses *int     `json:"responses,omitempty"`
	NPS       *float64 `json:"nps,omitempty"`
	CSAT      *float64 `json:"csat,omitempty"`
	CES       *float64 `json:"ces,omitempty"`
}

func npsOf(n *report.NPS) *NpsJSON {
	if n == nil {
		return nil
	}
	return &NpsJSON{Score: n.Score, Promoters: n.Promoters, Passives: n.Passives, Detractors: n.Detractors, Answered: n.Answered}
}

func csatOf(c *report.CSAT) *CsatJSON {
	if c == nil {
		return nil
	}
	return &CsatJSON{Percent: c.Percent, Satisfied: c.Satisfied, Answered: c.Answered}
}

func cesOf(c *report.CES) *CesJSON {
	if c == nil {
		return nil
	}
	return &CesJSON{Average: c.Average, Answered: c.Answered}
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func periodOf(p report.Point, k int) PeriodJSON {
	out := PeriodJSON{Label: p.Label, From: day(p.From), To: day(p.To), suppression: suppressionOf(p.Suppressed, p.Reason, k)}
	if !p.Suppressed {
		out.Responses, out.NPS, out.CSAT, out.CES = p.Responses, npsOf(p.NPS), csatOf(p.CSAT), cesOf(p.CES)
	}
	return out
}

// reportDocument maps a report for the API; labels names breakdown values.
func reportDocument(sv survey.Survey, rep report.Report, labels map[string]string) ReportJSON {
	k := rep.Threshold
	o := rep.Overall
	out := ReportJSON{
		Survey: sv.ID, Threshold: k, Period: rep.Period, From: day(rep.From), To: day(rep.To), Filter: rep.Filter,
		suppression: suppressionOf(o.Suppressed, o.Reason, k),
		Invitations: rep.Invitations, ResponseRate: rep.ResponseRate,
		Questions: []QuestionJSON{}, Trend: []PeriodJSON{},
		By: rep.By, BreakdownReason: string(rep.BreakdownReason),
	}
	if !o.Suppressed {
		out.Responses, out.NPS, out.CSAT, out.CES = o.Responses, npsOf(o.NPS), csatOf(o.CSAT), cesOf(o.CES)
	} else {
		// A rate would give the hidden count away.
		out.ResponseRate = nil
	}
	for _, q := range rep.Questions {
		qj := QuestionJSON{Key: q.Key, Type: q.Type, suppression: suppressionOf(q.Suppressed, q.Reason, k)}
		def, _ := sv.Question(q.Key)
		qj.Prompt, qj.ShowIf = def.Prompt.Get(sv.DefaultLocale, q.Key), def.ShowIf
		if !q.Suppressed {
			qj.Shown, qj.Answered, qj.Mean, qj.NPS, qj.CSAT = q.Shown, q.Answered, q.Mean, npsOf(q.NPS), csatOf(q.CSAT)
			for _, b := range q.Distribution {
				qj.Distribution = append(qj.Distribution, BucketJSON{Value: b.Value, Label: optionLabel(sv, def, b.Value), Count: b.Count, Share: b.Share})
			}
		}
		out.Questions = append(out.Questions, qj)
	}
	for _, c := range rep.Breakdown {
		cj := CellJSON{Value: c.Label, suppression: suppressionOf(c.Suppressed, c.Reason, k)}
		if l := labels[c.Label]; l != c.Label {
			cj.Label = l
		}
		if !c.Suppressed {
			cj.N, cj.NPS, cj.CSAT, cj.CES = c.Responses, npsOf(c.NPS), csatOf(c.CSAT), cesOf(c.CES)
		}
		out.Breakdown = append(out.Breakdown, cj)
	}
	if rep.BreakdownReason != "" {
		out.BreakdownReason = string(rep.BreakdownReason)
	}
	for _, p := range rep.Trend {
		out.Trend = append(out.Trend, periodOf(p, k))
	}
	if rep.Previous != nil {
		p := periodOf(*rep.Previous, k)
		out.Previous = &p
	}
	if ch := rep.Change; ch != nil && !o.Suppressed {
		out.Change = &ChangeJSON{Responses: ch.Responses, NPS: ch.NPS, CSAT: ch.CSAT, CES: ch.CES}
	}
	return out
}

// optionLabel names an answer value: a choice by its option's label, a
// score by itself.
func optionLabel(sv survey.Survey, q survey.Question, value string) string {
	for _, o := range q.Options {
		if o.Key == value {
			return o.Label.Get(sv.DefaultLocale, value)
		}
	}
	return value
}

// reportRequest loads the survey and validates the query of a report
// request; fields are returned, not raised, so that pages can show them.
func (s *Reports) reportRequest(c *fiber.Ctx) (survey.Survey, reportParams, report.Query, map[string]string, error) {
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return survey.Survey{}, reportParams{}, report.Query{}, nil, err
	}
	p := reportParamsOf(c)
	q, fields := p.query(identity.Actor(c))
	return sv, p, q, fields, nil
}

// JSON answers GET /api/v1/surveys/{id}/report.
func (s *Reports) JSON(c *fiber.Ctx) error {
	sv, rep, labels, err := s.validReport(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(reportDocument(sv, rep, labels))
}

// validReport computes the report a request asks for, or says why not.
func (s *Reports) validReport(c *fiber.Ctx) (survey.Survey, report.Report, map[string]string, error) {
	sv, p, q, fields, err := s.reportRequest(c)
	if err != nil {
		return survey.Survey{}, report.Report{}, nil, err
	}
	if len(fields) > 0 {
		return survey.Survey{}, report.Report{}, nil, problem.BadRequest("invalid input", fields)
	}
	ctx := c.UserContext()
	rep, err := s.reportFor(ctx, identity.Actor(c), sv, p, q)
	if err != nil {
		return survey.Survey{}, report.Report{}, nil, err
	}
	return sv, rep, s.breakdownLabels(ctx, rep), nil
}
