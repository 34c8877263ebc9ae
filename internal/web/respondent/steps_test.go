package respondent

import (
	"maps"
	"slices"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

// planSurvey is three steps: nps; why_low (0–6) and why_high (9–10); fix,
// for those who chose support.
func planSurvey(t *testing.T) survey.Survey {
	t.Helper()
	en := func(s string) survey.Text { return survey.Text{"en": s} }
	sv := survey.Survey{
		Title: en("Plan"), DefaultLocale: "en", Locales: []string{"en"}, ConsentText: en("Name me."),
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: en("Score?"), Required: true},
			{Key: "why_low", Type: survey.TypeSingle, Prompt: en("Why?"), Required: true,
				Options: []survey.Option{{Key: "price", Label: en("Price")}, {Key: "support", Label: en("Support")}},
				ShowIf:  &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)}},
			{Key: "why_high", Type: survey.TypeText, Prompt: en("Best?"),
				ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(9), Max: new(10)}},
			{Key: "fix", Type: survey.TypeText, Prompt: en("You gave {{answer:nps}}. Fix?"),
				ShowIf: &survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"support"}}},
		},
	}
	sv.Normalize()
	if err := sv.Validate(); err != nil {
		t.Fatal(err)
	}
	return sv
}

func TestStepPlan(t *testing.T) {
	t.Parallel()
	p := newStepPlan(planSurvey(t))
	if len(p.steps) != 3 {
		t.Fatalf("%d steps, want 3", len(p.steps))
	}
	tests := []struct {
		name      string
		values    map[string][]string
		at        int
		wantSteps []int // the steps counted from where the respondent is
		next      int
		previous  int
	}{
		{"nothing answered yet", nil, 0, []int{0, 1, 2}, -1, 0},
		{"a detractor on step 1", map[string][]string{"q.nps": {"3"}}, 0, []int{0, 1, 2}, 1, 0},
		{"a detractor on step 2", map[string][]string{"q.nps": {"3"}}, 1, []int{0, 1, 2}, -1, 0},
		{"a detractor who blamed support", map[string][]string{"q.nps": {"3"}, "q.why_low": {"support"}}, 1, []int{0, 1, 2}, 2, 0},
		{"a detractor who blamed the price", map[string][]string{"q.nps": {"3"}, "q.why_low": {"price"}}, 1, []int{0, 1, 2}, -1, 0},
		{"a promoter on step 2", map[string][]string{"q.nps": {"10"}}, 1, []int{0, 1}, -1, 0},
		{"a passive after step 1", map[string][]string{"q.nps": {"7"}}, 0, []int{0, 1, 2}, -1, 0},
		{"on step 3", map[string][]string{"q.nps": {"3"}, "q.why_low": {"support"}}, 2, []int{0, 1, 2}, -1, 1},
		{"a passive on the finishing page", map[string][]string{"q.nps": {"7"}}, 3, []int{0}, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vis := p.visible(tt.values, tt.at)
			var counted []int
			for j := range p.steps {
				if p.shows(vis, j) {
					counted = append(counted, j)
				}
			}
			if !slices.Equal(counted, tt.wantSteps) {
				t.Errorf("steps counted %v, want %v", counted, tt.wantSteps)
			}
			if got := p.next(tt.values, tt.at); got != tt.next {
				t.Errorf("next = %d, want %d", got, tt.next)
			}
			if got := p.previous(tt.values, tt.at); got != tt.previous {
				t.Errorf("previous = %d, want %d", got, tt.previous)
			}
		})
	}
}

func TestStepPlanDropsAnswersNoLongerShown(t *testing.T) {
	t.Parallel()
	p := newStepPlan(planSurvey(t))
	tests := []struct {
		name   string
		values map[string][]string
		want   []string
	}{
		{"a detractor turned promoter", map[string][]string{"q.nps": {"10"}, "q.why_low": {"support"}, "q.fix": {"x"}, "q.why_high": {"y"}}, []string{"q.nps", "q.why_high"}},
		{"support turned price", map[string][]string{"q.nps": {"3"}, "q.why_low": {"price"}, "q.fix": {"x"}}, []string{"q.nps", "q.why_low"}},
		{"a score taken back", map[string][]string{"q.why_low": {"support"}, "q.fix": {"x"}}, nil},
		{"the consent box stays", map[string][]string{"q.nps": {"7"}, ConsentField: {"yes"}}, []string{ConsentField, "q.nps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			values := maps.Clone(tt.values)
			p.prune(values)
			if got := slices.Sorted(maps.Keys(values)); !slices.Equal(got, tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStepProblemsAreTheStepsOwn(t *testing.T) {
	t.Parallel()
	p := newStepPlan(planSurvey(t))
	values := map[string][]string{"q.nps": {"3"}}
	if errs := p.problems(values, 0); len(errs) != 0 {
		t.Errorf("step 1 has problems %v", errs)
	}
	if errs := p.problems(values, 1); len(errs) != 1 || errs["why_low"].Code != survey.CodeRequired {
		t.Errorf("step 2 has problems %v, want why_low required", errs)
	}
	step, errs := p.firstWith(map[string]survey.FieldError{"fix": {Code: survey.CodeTooLong}, "why_low": {Code: survey.CodeRequired}})
	if step != 1 || len(errs) != 1 {
		t.Errorf("firstWith = %d %v, want step 2 with why_low", step, errs)
	}
}
