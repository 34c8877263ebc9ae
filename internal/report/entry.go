package report

import (
	"fmt"
	"slices"
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
	answered := make(map[string]bool)
	for _, a := range e.Answers {
		if shown, ok := e.Conditional[a.Key]; ok && !shown {
			continue // posted to a question not shown: it counts for nothing
		}
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
		answered[a.Key] = true
	}
	pattern, err := patternOf(e.Conditional, answered)
	if err != nil {
		return rollups.Change{}, err
	}
	c.Pattern = pattern
	return c, nil
}

// Pattern tokens: a conditional question not shown is its key, one shown
// but not answered its key and skippedMark. The release splits responses
// by pattern to protect the numbers of those shown and of those who
// answered (see release.Measure).
const (
	skippedMark = "~"
	patternSep  = ","
)

// patternOf returns the pattern of a response: its conditional questions
// not shown or not answered, in key order; empty when none.
func patternOf(conditional map[string]bool, answered map[string]bool) (string, error) {
	var tokens []string
	for q, shown := range conditional {
		if !rollups.ValidField(q) || strings.ContainsAny(q, skippedMark+patternSep) {
			return "", fmt.Errorf("%w: question key %q", ErrInvalidEntry, q)
		}
		switch {
		case !shown:
			tokens = append(tokens, q)
		case !answered[q]:
			tokens = append(tokens, q+skippedMark)
		}
	}
	slices.Sort(tokens)
	return strings.Join(tokens, patternSep), nil
}

// pattern is a parsed pattern: the conditional questions not shown, and
// those shown but not answered.
type pattern struct{ hidden, skipped []string }

func parsePattern(s string) pattern {
	var p pattern
	if s == "" {
		return p
	}
	for _, t := range strings.Split(s, patternSep) {
		if q, ok := strings.CutSuffix(t, skippedMark); ok {
			p.skipped = append(p.skipped, q)
		} else {
			p.hidden = append(p.hidden, t)
		}
	}
	return p
}
