package report

import (
	"fmt"
	"strconv"

	"github.com/candorhq/candor/internal/store"
)

// change returns what the entry adds to its survey's rollups with the
// given weight: one week document per dimension, and every response's
// document ("all"), each counting the scored and chosen answers.
func (e Entry) change(weight int64) (store.RollupChange, error) {
	if !store.ValidRollupKey(e.SurveyID) || e.Day.IsZero() {
		return store.RollupChange{}, fmt.Errorf("%w: survey %q on %v", ErrInvalidEntry, e.SurveyID, e.Day)
	}
	c := store.RollupChange{SurveyID: e.SurveyID, Week: weekOf(e.Day).String(), Weight: weight}
	c.Segments = append(c.Segments, store.RollupSegment{Dim: dimAll})
	for _, d := range Dimensions() {
		c.Segments = append(c.Segments, store.RollupSegment{Dim: string(d), Value: e.Segment.Value(d)})
	}
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
		if !store.ValidRollupField(a.Key) {
			return store.RollupChange{}, fmt.Errorf("%w: question key %q", ErrInvalidEntry, a.Key)
		}
		for _, v := range values {
			if !store.ValidRollupField(v) {
				return store.RollupChange{}, fmt.Errorf("%w: answer %q to %q", ErrInvalidEntry, v, a.Key)
			}
		}
		c.Answers = append(c.Answers, store.RollupAnswer{Key: a.Key, Values: values})
	}
	return c, nil
}
