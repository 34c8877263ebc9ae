package report

import (
	"slices"
	"strings"
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

// FuzzParseCombo: a combo reads back as written, and one of five values,
// as rollups from before accounts wrote them, reads with no account.
func FuzzParseCombo(f *testing.F) {
	f.Add("EMEA", "FI", "Real estate", "Gold", "m1", "a1")
	f.Add("", "", "", "", "", "")
	f.Add("a\x1fb", "c", "", "d", "e", "f")
	f.Fuzz(func(t *testing.T, region, country, industry, tier, manager, account string) {
		c := release.Combo{region, country, industry, tier, manager, account}
		for _, s := range []string{comboString(c), strings.Join(c[:5], comboSep)} {
			if got, ok := parseCombo(s); ok && parseAgain(t, comboString(got)) != got {
				t.Fatalf("parseCombo(%q) = %v, which does not read back", s, got)
			}
		}
		if slices.ContainsFunc(c[:], func(v string) bool { return strings.Contains(v, comboSep) }) {
			return
		}
		if got, ok := parseCombo(comboString(c)); !ok || got != c {
			t.Fatalf("parseCombo(%q) = %v, %v; want %v", comboString(c), got, ok, c)
		}
		old := c
		old[5] = ""
		if got, ok := parseCombo(strings.Join(c[:5], comboSep)); !ok || got != old {
			t.Fatalf("a combo without account: %v, %v; want %v", got, ok, old)
		}
	})
}

func parseAgain(t *testing.T, s string) release.Combo {
	t.Helper()
	c, ok := parseCombo(s)
	if !ok {
		t.Fatalf("parseCombo(%q) refused what comboString wrote", s)
	}
	return c
}
