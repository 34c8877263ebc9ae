package reports

import (
	"testing"

	"github.com/candorhq/candor/internal/report"
)

func TestReportCSVDisarmsFormulas(t *testing.T) {
	t.Parallel()
	n := 9
	rep := report.Report{Threshold: 5, By: report.Region, Breakdown: []report.Cell{{Label: "=HYPERLINK(\"http://x\")", Responses: &n}}}
	records := reportCSV(rep, map[string]string{})
	if got := records[2][1]; got != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("label = %q, want it disarmed", got)
	}
}
