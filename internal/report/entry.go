package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/candorhq/candor/internal/report/release"
	"github.com/candorhq/candor/internal/store/rollups"
)

// Rollup dimensions besides Dimensions: every response, each manager's
// responses by the values of another dimension, and the responses by
// combo, counted only, that the release is decided from.
const (
	dimAll      = "all"
	crossPrefix = "manager+"
	dimCombo    = "combo"
	comboSep    = "\x1f"
)

// rollupDim names the rollup documents that count a selection's
// responses, and the value they count them under.
func (s selection) rollup() (dim, value string) {
	switch {
	case s.dim == "":
		return dimAll, ""
	case s.cross:
		return crossPrefix + string(s.dim), s.manager + comboSep + s.value
	}
	return string(s.dim), s.value
}

// comboString returns a combo as its rollup documents name it.
func comboString(c release.Combo) string { return strings.Join(c[:], comboSep) }

// parseCombo reads a combo; one of rollups from before accounts were
// counted has no account, which reads as none recorded.
func parseCombo(s string) (release.Combo, bool) {
	var c release.Combo
	parts := strings.Split(s, comboSep)
	if len(parts) != len(c) && len(parts) != len(c)-1 {
		return c, false
	}
	copy(c[:], parts)
	return c, true
}

// change returns what the entry adds to its survey's rollups with the
// given weight: documents of its part of a week (see part) for every
// response ("all"), per dimension, per dimension among its manager's
// accounts, per account, each counting the scored and chosen answers, and
// its combo, counted only. An account lies within its manager's accounts,
// so it has no manager's breakdown.
func (e Entry) change(weight int64) (rollups.Change, error) {
	if !rollups.ValidKey(e.SurveyID) || e.Day.IsZero() {
		return rollups.Change{}, fmt.Errorf("%w: survey %q on %v", ErrInvalidEntry, e.SurveyID, e.Day)
	}
	c := rollups.Change{SurveyID: e.SurveyID, Week: partOf(dayOf(e.Day)).String(), Weight: weight}
	c.Segments = append(c.Segments, rollups.Segment{Dim: dimAll})
	cb := comboOf(e.Segment)
	for _, d := range Dimensions() {
		c.Segments = append(c.Segments, rollups.Segment{Dim: string(d), Value: e.Segment.Value(d)})
		if d != Manager {
			dim, v := selection{dim: d, value: e.Segment.Value(d), manager: cb.Of(release.Manager), cross: true}.rollup()
			c.Segments = append(c.Segments, rollups.Segment{Dim: dim, Value: v})
		}
	}
	c.Segments = append(c.Segments, rollups.Segment{Dim: string(Account), Value: e.Segment.AccountID})
	c.Segments = append(c.Segments, rollups.Segment{Dim: dimCombo, Value: comboString(cb), CountOnly: true})
	for _, a := range e.Answers {
		var values []string
		switch {
		case a.Score != nil:
			values = []string{strconv.Itoa(*a.Score)}
		case len(a.Choices) > 0:
			values = a.Choices
		default:
			continue // a text answer, or none
		}
		if !rollups.ValidField(a.Key) {
			return rollups.Change{}, fmt.Errorf("%w: question key %q", ErrInvalidEntry, a.Key)
		}
		for _, v := range values {
			if !rollups.ValidField(v) {
				return rollups.Change{}, fmt.Errorf("%w: answer %q to %q", ErrInvalidEntry, v, a.Key)
			}
		}
		c.Answers = append(c.Answers, rollups.Answer{Key: a.Key, Values: values})
	}
	return c, nil
}
