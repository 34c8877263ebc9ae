package report

import (
	"testing"

	"github.com/candorhq/candor/internal/report/release"
)

// TestReleaseSpeaksAsReports checks that the release names dimensions,
// periods and reasons as reports do, and orders a combo as comboOf does.
func TestReleaseSpeaksAsReports(t *testing.T) {
	t.Parallel()
	seg := Segment{Region: "EMEA", Country: "FI", Industry: "retail", Tier: "gold", ManagerID: "m1"}
	for _, d := range append(Dimensions(), "") {
		if got := comboOf(seg).Of(release.Dim(d)); got != seg.Value(d) {
			t.Errorf("dimension %q: the release reads %q, the segment holds %q", d, got, seg.Value(d))
		}
	}
	periods := map[Period]release.Grain{"": release.AllTime, Quarterly: release.Quarterly, Monthly: release.Monthly, Weekly: release.Weekly}
	for p, g := range periods {
		if node(p, "x").Grain != g {
			t.Errorf("period %q is grain %q, want %q", p, node(p, "x").Grain, g)
		}
	}
	reasons := map[release.Reason]Reason{release.FewResponses: FewResponses, release.Complement: Complement, release.Unchecked: Unchecked}
	for r, want := range reasons {
		if Reason(r) != want {
			t.Errorf("release reason %q is not the report's %q", r, want)
		}
	}
}
