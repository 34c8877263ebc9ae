package report

import "github.com/candorhq/candor/internal/report/release"

// selection is a group of responses: every response (no dimension), one
// value of a dimension, or, with a manager, that value among the
// manager's accounts. It names its rollups (see rollup) and a selection
// of the release (see key).
type selection struct {
	dim     Dimension
	value   string
	manager string // with cross
	cross   bool   // the value among one manager's accounts; never dim Manager
}

func (s selection) has(c release.Combo) bool {
	if s.cross && c.Of(release.Manager) != s.manager {
		return false
	}
	return s.dim == "" || c.Of(release.Dim(s.dim)) == s.value
}

// key returns the selection in the release's terms, which name dimensions,
// periods and reasons as reports do (TestReleaseSpeaksAsReports).
func (s selection) key() release.Selection {
	return release.Selection{Dim: release.Dim(s.dim), Value: s.value, Manager: s.manager, Cross: s.cross}
}

// node returns the release's time node of a period's unit by its label;
// no period is all time.
func node(p Period, label string) release.Node {
	return release.Node{Grain: release.Grain(p), Label: label}
}

// comboOf returns a segment's values in the release's order.
func comboOf(s Segment) release.Combo {
	return release.Combo{s.Region, s.Country, s.Industry, s.Tier, s.ManagerID, s.AccountID}
}
