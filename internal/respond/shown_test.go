package respond_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// TestSubmitRecordsWhatWasShown: the stored response names the questions
// its respondent was shown, and keeps no answer to one not shown,
// whatever the form posted.
func TestSubmitRecordsWhatWasShown(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	def := respondtest.Definition()
	def.Questions = slices.Insert(def.Questions, 1, survey.Question{
		Key: "reason", Type: survey.TypeSingle, Prompt: survey.Text{"en": "What is the main reason for your score?", "fi": "Mikä on tärkein syy arvosanaasi?"},
		Options: []survey.Option{{Key: "price", Label: survey.Text{"en": "Price", "fi": "Hinta"}}, {Key: "service", Label: survey.Text{"en": "Service", "fi": "Palvelu"}}},
		ShowIf:  &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)},
	})
	sv := w.OpenSurvey(t, &def)
	tests := []struct {
		name, score string
		wantReason  bool
	}{
		{"a detractor is asked", "3", true},
		{"a promoter is not", "9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := w.Invite(t, sv, "Pat "+tt.score, "pat"+tt.score+"@example.com", "en")
			values := respondtest.Answers()
			values["q.nps"] = []string{tt.score}
			values["q.reason"] = []string{"price"}
			if _, err := w.Respond.Submit(ctx, resolve(t, w, p.Token), respond.Submission{Values: values, Locale: "en"}); err != nil {
				t.Fatal(err)
			}
			score, _ := strconv.Atoi(tt.score)
			var found bool
			err := w.Store.Responses.Each(ctx, sv.ID, func(r store.Response) error {
				if !slices.ContainsFunc(r.Answers, func(a store.ResponseAnswer) bool { return a.Key == "nps" && a.Score != nil && *a.Score == score }) {
					return nil
				}
				found = true
				if r.Shown == nil || slices.Contains(r.Shown, "reason") != tt.wantReason || !slices.Contains(r.Shown, "nps") {
					t.Errorf("shown %v, want reason %v", r.Shown, tt.wantReason)
				}
				if answered := slices.ContainsFunc(r.Answers, func(a store.ResponseAnswer) bool { return a.Key == "reason" }); answered != tt.wantReason {
					t.Errorf("reason answered %v, want %v", answered, tt.wantReason)
				}
				return nil
			})
			if err != nil || !found {
				t.Fatalf("response found %v, %v", found, err)
			}
		})
	}
}
