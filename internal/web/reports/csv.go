package reports

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/web/csvfile"
)

// CSVHeader names the export's columns.
var CSVHeader = []string{"group", "label", "from", "to", "responses", "nps", "promoters", "passives", "detractors", "csat", "ces", "suppressed", "reason", "answered", "shown"}

// reportCSV is a report's aggregates as rows: the whole range, each
// breakdown group, each period of the trend, then each question over the
// range with how many answered it of how many were shown it. A
// suppressed row has empty numbers and says why.
func reportCSV(rep report.Report, labels map[string]string) [][]string {
	k := rep.Threshold
	from, to := day(rep.From), day(rep.To)
	records := [][]string{CSVHeader}
	row := func(group, label, from, to string, c report.Cell) []string {
		r := []string{group, customer.SafeCell(label), from, to, "", "", "", "", "", "", "", "false", "", "", ""}
		if c.Suppressed {
			r[11], r[12] = "true", c.Reason.Text(k)
			return r
		}
		if c.Responses != nil {
			r[4] = strconv.Itoa(*c.Responses)
		}
		if n := c.NPS; n != nil {
			r[5], r[6], r[7], r[8] = csvNum(n.Score), strconv.Itoa(n.Promoters), strconv.Itoa(n.Passives), strconv.Itoa(n.Detractors)
		}
		if c.CSAT != nil {
			r[9] = csvNum(c.CSAT.Percent)
		}
		if c.CES != nil {
			r[10] = csvNum(c.CES.Average)
		}
		return r
	}
	records = append(records, row("overall", "all responses", from, to, rep.Overall))
	group := "breakdown:" + string(rep.By)
	for _, c := range rep.Breakdown {
		label := c.Label
		if l, ok := labels[c.Label]; ok {
			label = l
		}
		records = append(records, row(group, label, from, to, c))
	}
	for _, p := range rep.Trend {
		records = append(records, row("period:"+string(rep.Period), p.Label, day(p.From), day(p.To), p.Cell))
	}
	for _, q := range rep.Questions {
		r := row("question", q.Key, from, to, report.Cell{Suppressed: q.Suppressed, Reason: q.Reason})
		if !q.Suppressed {
			if q.Answered != nil {
				r[13] = strconv.Itoa(*q.Answered)
			}
			if q.Shown != nil {
				r[14] = strconv.Itoa(*q.Shown)
			}
		}
		records = append(records, r)
	}
	return records
}

// csvNum writes a number for spreadsheets: a dot and at most two decimals.
func csvNum(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// CSV answers GET /surveys/{id}/report.csv and its API twin.
func (s *Reports) CSV(c *fiber.Ctx) error {
	sv, rep, labels, err := s.validReport(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	name := "report-" + sv.ID + "-" + time.Now().UTC().Format(time.DateOnly) + ".csv"
	return csvfile.Send(c, name, reportCSV(rep, labels))
}
