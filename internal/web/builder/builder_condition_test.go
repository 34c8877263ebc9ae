package builder

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

// conditionForm is a form with an NPS question, a single-choice question
// and a text question, none with keys, plus extra fields.
func conditionForm(extra ...string) url.Values {
	form := url.Values{
		"questions[0].type": {"nps"}, "questions[0].prompt.en": {"How likely?"},
		"questions[1].type": {"single"}, "questions[1].prompt.en": {"What went wrong?"},
		"questions[1].options[0].label.en": {"Price"}, "questions[1].options[1].label.en": {"Support"},
		"questions[1].options[2].label.en": {""},
		"questions[2].type":                {"text"}, "questions[2].prompt.en": {"Tell us more"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Add(extra[i], extra[i+1])
	}
	return form
}

func TestParseConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		form     url.Values
		want     map[int]*survey.Condition // by question position; others nil
		problems map[string]string
	}{
		{"no condition", conditionForm(), nil, nil},
		{"Always show", conditionForm("questions[1].showIf.question", "", "questions[1].showIf.op", "between"), nil, nil},
		{"a range on a question without a key", conditionForm(
			"questions[1].showIf.question", "#0", "questions[1].showIf.for", "#0", "questions[1].showIf.op", "between",
			"questions[1].showIf.min", "0", "questions[1].showIf.max", " 6 ",
			// Offered alongside, but not what between takes.
			"questions[1].showIf.options", "#0",
		), map[int]*survey.Condition{1: {Question: "how_likely", Op: survey.OpBetween, Min: new(0), Max: new(6)}}, nil},
		{"options by row, keys made from the labels", conditionForm(
			"questions[2].showIf.question", "#1", "questions[2].showIf.for", "#1", "questions[2].showIf.op", "any_of",
			"questions[2].showIf.options", "#1", "questions[2].showIf.options", "#2", "questions[2].showIf.options", "#1",
			"questions[2].showIf.min", "3",
		), map[int]*survey.Condition{2: {Question: "what_went_wrong", Op: survey.OpAnyOf, Options: []string{"support"}}}, nil},
		{"a key stands for itself", conditionForm(
			"questions[2].showIf.question", "gone", "questions[2].showIf.op", "none_of", "questions[2].showIf.options", "x",
		), map[int]*survey.Condition{2: {Question: "gone", Op: survey.OpNoneOf, Options: []string{"x"}}}, nil},
		{"a question chosen anew drops the old test", conditionForm(
			"questions[2].showIf.question", "#1", "questions[2].showIf.for", "#0", "questions[2].showIf.op", "between",
			"questions[2].showIf.min", "0", "questions[2].showIf.max", "6",
		), map[int]*survey.Condition{2: {Question: "what_went_wrong"}}, nil},
		{"a row not on the form", conditionForm(
			"questions[2].showIf.question", "#7", "questions[2].showIf.op", "answered",
		), map[int]*survey.Condition{2: {Op: survey.OpAnswered}}, nil},
		{"scores that are not numbers", conditionForm(
			"questions[1].showIf.question", "#0", "questions[1].showIf.op", "between", "questions[1].showIf.min", "low",
		), map[int]*survey.Condition{1: {Question: "how_likely", Op: survey.OpBetween}},
			map[string]string{"questions[1].showIf.min": "must be a whole number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sv, problems := parseSurveyForm(tt.form)
			for i, q := range sv.Questions {
				if want := tt.want[i]; !reflect.DeepEqual(q.ShowIf, want) {
					t.Errorf("question %d: condition %+v, want %+v", i, q.ShowIf, want)
				}
			}
			if tt.problems == nil {
				tt.problems = map[string]string{}
			}
			if !reflect.DeepEqual(problems, tt.problems) {
				t.Errorf("problems = %v, want %v", problems, tt.problems)
			}
		})
	}
}

// TestConditionSurvivesRemovingAnOption removes an option row of the
// question a condition tests: the condition keeps the options still there.
func TestConditionSurvivesRemovingAnOption(t *testing.T) {
	t.Parallel()
	form := conditionForm(
		"questions[2].showIf.question", "#1", "questions[2].showIf.for", "#1", "questions[2].showIf.op", "any_of",
		"questions[2].showIf.options", "#0", "questions[2].showIf.options", "#1",
	)
	a := parseBuilderAction("remove-option:1:0")
	a.prepare(form)
	sv, _ := parseSurveyForm(form)
	if got := sv.Questions[2].ShowIf; got == nil || strings.Join(got.Options, ",") != "support" {
		t.Errorf("after removing Price: %+v", got)
	}
}

func TestPinReferencedKeys(t *testing.T) {
	t.Parallel()
	form := conditionForm(
		"questions[2].showIf.question", "#1", "questions[2].showIf.for", "#1", "questions[2].showIf.op", "any_of",
		"questions[2].showIf.options", "#1",
		"questions[2].prompt.en", "",
	)
	form.Set("questions[2].prompt.en", "You scored {{answer:how_likely}}. What went wrong?")
	sv, _ := parseSurveyForm(form)
	pinReferencedKeys(&sv)
	got := []string{sv.Questions[0].Key, sv.Questions[1].Key, sv.Questions[1].Options[0].Key, sv.Questions[1].Options[1].Key, sv.Questions[2].Key}
	// Referenced: the NPS question (by placeholder), the choice question
	// and its option Support (by condition). Not the others.
	if want := []string{"how_likely", "what_went_wrong", "", "support", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("keys = %q, want %q", got, want)
	}
	// Rewording a pinned question keeps the reference.
	sv.Questions[1].Prompt["en"] = "Why that score?"
	check := sv.Clone()
	check.Normalize()
	if err := check.Validate(); err != nil && strings.Contains(err.Error(), "showIf") {
		t.Errorf("after rewording: %v", err)
	}
}

func TestConditionActions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		action    string
		want      builderAction
		wantFocus string
		wantNil   bool
	}{
		{"condition:2", builderAction{kind: actionCondition, q: 2}, "f-questions-2-showIf-op", false},
		{"always-show:2", builderAction{kind: actionAlwaysShow, q: 2}, "f-questions-2-showIf-question", true},
	} {
		a := parseBuilderAction(tt.action)
		if a != tt.want {
			t.Errorf("parseBuilderAction(%q) = %+v", tt.action, a)
		}
		sv, _ := parseSurveyForm(conditionForm("questions[2].showIf.question", "#0", "questions[2].showIf.op", "answered"))
		focus, _ := a.apply(&sv, "")
		if focus != tt.wantFocus || (sv.Questions[2].ShowIf == nil) != tt.wantNil {
			t.Errorf("%s: focus %q, condition %+v", tt.action, focus, sv.Questions[2].ShowIf)
		}
	}
}

// TestConditionFieldsOffer checks what the builder offers to depend on,
// and the tests it offers for each type.
func TestConditionFieldsOffer(t *testing.T) {
	t.Parallel()
	form := conditionForm(
		"questions[1].confidential", "on",
		"questions[2].showIf.question", "#0", "questions[2].showIf.for", "#0", "questions[2].showIf.op", "between",
		"questions[2].showIf.min", "0", "questions[2].showIf.max", "6",
	)
	sv, _ := parseSurveyForm(form)
	page := newBuilderPage(sv, builderOptions{})
	if page.Questions[0].Condition != nil {
		t.Error("the first question offers a condition")
	}
	cf := page.Questions[2].Condition
	var values []string
	for _, o := range cf.Question.Options {
		values = append(values, o.Value)
	}
	// Not the confidential question 2, nor question 3 itself.
	if strings.Join(values, ",") != ",#0" {
		t.Errorf("offered %q", values)
	}
	var ops []string
	for _, o := range cf.Op.Options {
		ops = append(ops, o.Value)
	}
	if strings.Join(ops, ",") != "between,answered,not_answered" || !cf.Scale || cf.Choice || len(cf.Min.Options) != 11 {
		t.Errorf("tests offered for an NPS question: %q, scale %v, %d scores", ops, cf.Scale, len(cf.Min.Options))
	}
	if cf.Summary != "Shown when ‘How likely?’ is 0–6" {
		t.Errorf("summary %q", cf.Summary)
	}
	if page.Steps != 2 || page.Questions[2].Step != 2 {
		t.Errorf("steps %d, question 3 on step %d", page.Steps, page.Questions[2].Step)
	}
	var codes []string
	for _, p := range page.Questions[2].Placeholders {
		codes = append(codes, p.Code)
	}
	if strings.Join(codes, " ") != "{{account}} {{answer:how_likely}}" {
		t.Errorf("placeholders %q", codes)
	}
}

func TestConditionFieldsWithoutCandidates(t *testing.T) {
	t.Parallel()
	sv, _ := parseSurveyForm(conditionForm("questions[0].confidential", "on"))
	page := newBuilderPage(sv, builderOptions{})
	cf := page.Questions[1].Condition
	if len(cf.Question.Options) != 1 || !strings.Contains(cf.NoCandidates, "all confidential") {
		t.Errorf("question 2 offers %+v, says %q", cf.Question.Options, cf.NoCandidates)
	}
	// Moved to the top, a conditional question keeps its condition on
	// show, so that saving can say what is wrong with it.
	sv.Questions[0].ShowIf = &survey.Condition{Question: "what_went_wrong", Op: survey.OpAnswered}
	sv.Questions[0].Confidential = false
	page = newBuilderPage(sv, builderOptions{errs: map[string]string{"questions[0].showIf.question": "not a question before this one"}})
	cf = page.Questions[0].Condition
	if cf == nil || !strings.Contains(cf.NoCandidates, "first question") || !strings.Contains(cf.Question.Error, "not a question before") {
		t.Fatalf("the first question's condition: %+v", cf)
	}
	if last := cf.Question.Options[len(cf.Question.Options)-1]; !last.Selected || !strings.HasSuffix(last.Label, "(comes after this one)") {
		t.Errorf("the condition's question shows as %+v", last)
	}
}
