package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// conditionalQuestions is a survey body in three steps: a score; a
// follow-up only detractors see; a question only those who chose Support
// see, repeating their score and their company's name, and one for those
// who were not asked the follow-up.
const conditionalQuestions = `{"locales": ["en"], "title": "Follow-up", "intro": null, "consentText": "Attach my name.",
  "questions": [
    {"key": "nps", "type": "nps", "required": true, "prompt": "How likely are you to recommend us?"},
    {"key": "why_low", "type": "single", "required": true, "prompt": "What went wrong?",
     "options": [{"key": "price", "label": "Price"}, {"key": "support", "label": "Support"}],
     "showIf": {"question": "nps", "op": "between", "min": 0, "max": 6}},
    {"key": "fix", "type": "text", "prompt": "You gave {{account}} a {{answer:nps}}. What should we fix first?",
     "showIf": {"question": "why_low", "op": "any_of", "options": ["support"]}},
    {"key": "comment", "type": "text", "prompt": "Anything else?",
     "showIf": {"question": "why_low", "op": "not_answered"}}
  ]}`

// conditionalBody returns conditionalQuestions changed by edit.
func conditionalBody(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	return editedJSON(t, conditionalQuestions, edit)
}

func TestAPIConditionalSurvey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := f.token(t, f.manager)
	c := f.client(t)
	d := loadOpenAPI(t)

	r := c.api("POST", "/api/v1/surveys", token, conditionalQuestions)
	wantStatus(t, r, http.StatusCreated)
	d.wantDocumented(t, r, "/surveys")
	sv := decodeSurvey(t, r)
	if got := sv.Questions[1].ShowIf; got == nil || got.String() != "nps between 0 6" {
		t.Fatalf("created with condition %v", got)
	}
	if steps := sv.Steps(); len(steps) != 3 {
		t.Errorf("%d steps, want 3", len(steps))
	}

	r = c.api("GET", "/api/v1/surveys/"+sv.ID, token, "")
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/surveys/{id}")
	var raw struct {
		Questions []struct {
			ShowIf map[string]any `json:"showIf"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(r.body), &raw); err != nil {
		t.Fatal(err)
	}
	if q := raw.Questions; q[0].ShowIf != nil || q[1].ShowIf["op"] != "between" || q[1].ShowIf["max"] != 6.0 ||
		q[2].ShowIf["options"].([]any)[0] != "support" || q[3].ShowIf["op"] != "not_answered" || len(q[3].ShowIf) != 2 {
		t.Errorf("GET returned conditions %+v", q)
	}

	// A draft's conditions change freely, and a GET body goes back as is.
	r = c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, conditionalBody(t, func(m map[string]any) {
		bodyQuestion(m, 1)["showIf"] = map[string]any{"question": "nps", "op": "between", "min": 0, "max": 8}
		delete(bodyQuestion(m, 3), "showIf")
	}))
	wantStatus(t, r, http.StatusOK)
	d.wantDocumented(t, r, "/surveys/{id}")
	if got := decodeSurvey(t, r); got.Questions[1].ShowIf.String() != "nps between 0 8" || got.Questions[3].ShowIf != nil {
		t.Errorf("after the change: %v, %v", got.Questions[1].ShowIf, got.Questions[3].ShowIf)
	}
	wantStatus(t, c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, c.api("GET", "/api/v1/surveys/"+sv.ID, token, "").body), http.StatusOK)

	// Open, every question has answers (see everyQuestionAnswered): a
	// condition stays as it is, wording may still change.
	wantStatus(t, c.api("POST", "/api/v1/surveys/"+sv.ID+"/open", token, ""), http.StatusOK)
	r = c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, conditionalBody(t, func(m map[string]any) {
		bodyQuestion(m, 1)["showIf"] = map[string]any{"question": "nps", "op": "between", "min": 0, "max": 6}
	}))
	wantStatus(t, r, http.StatusBadRequest)
	d.wantDocumented(t, r, "/surveys/{id}")
	if e := decodeError(t, r); e.Error != "invalid input" || !strings.Contains(e.Fields["questions[1].showIf"], "cannot change") {
		t.Errorf("changing an answered question's condition: %q %v", e.Error, e.Fields)
	}
	r = c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, conditionalBody(t, func(m map[string]any) {
		bodyQuestion(m, 1)["showIf"] = map[string]any{"question": "nps", "op": "between", "min": 0, "max": 8}
		bodyQuestion(m, 2)["showIf"] = nil
		bodyQuestion(m, 3)["showIf"] = map[string]any{"question": "nps", "op": "answered"}
	}))
	wantStatus(t, r, http.StatusBadRequest) // removing or adding one is a change too
	if e := decodeError(t, r); !strings.Contains(e.Fields["questions[2].showIf"], "cannot change") ||
		!strings.Contains(e.Fields["questions[3].showIf"], "cannot change") {
		t.Errorf("removing and adding an answered question's condition: %v", e.Fields)
	}
	r = c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, conditionalBody(t, func(m map[string]any) {
		bodyQuestion(m, 1)["showIf"] = map[string]any{"question": "nps", "op": "between", "min": 0, "max": 8}
		bodyQuestion(m, 1)["prompt"] = "What went wrong, in a word?"
		delete(bodyQuestion(m, 3), "showIf")
	}))
	wantStatus(t, r, http.StatusOK) // the same conditions, reworded
	if got := decodeSurvey(t, r); got.Questions[1].Prompt["en"] != "What went wrong, in a word?" {
		t.Errorf("the wording fix was not applied: %v", got.Questions[1].Prompt)
	}
}

func TestAPIConditionRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := f.token(t, f.manager)
	d := loadOpenAPI(t)
	cond := func(i int, c map[string]any) func(m map[string]any) {
		return func(m map[string]any) { bodyQuestion(m, i)["showIf"] = c }
	}
	tests := []struct {
		name       string
		edit       func(m map[string]any)
		path, want string
	}{
		{"a later question", cond(1, map[string]any{"question": "fix", "op": "answered"}),
			"questions[1].showIf.question", `"fix" is not a question before this one; a question can only depend on an earlier one`},
		{"a missing question", cond(1, map[string]any{"question": "nope", "op": "answered"}),
			"questions[1].showIf.question", `"nope" is not a question before this one`},
		{"itself", cond(1, map[string]any{"question": "why_low", "op": "answered"}),
			"questions[1].showIf.question", "its own answer"},
		{"a confidential question", func(m map[string]any) {
			bodyQuestion(m, 0)["confidential"] = true
			bodyQuestion(m, 2)["prompt"] = "What should we fix first?"
		}, "questions[1].showIf.question", `"nps" is confidential`},
		{"an operator that does not fit", cond(1, map[string]any{"question": "nps", "op": "any_of", "options": []string{"price"}}),
			"questions[1].showIf.op", "any_of does not apply to a nps question"},
		{"an unknown operator", cond(1, map[string]any{"question": "nps", "op": "above"}),
			"questions[1].showIf.op", `unknown condition "above"`},
		{"a range out of the scale", cond(1, map[string]any{"question": "nps", "op": "between", "min": 0, "max": 11}),
			"questions[1].showIf.min", `scores of "nps" run from 0 to 10`},
		{"a range upside down", cond(1, map[string]any{"question": "nps", "op": "between", "min": 7, "max": 6}),
			"questions[1].showIf.max", "must be at least the lowest score (7)"},
		{"an unknown option", cond(2, map[string]any{"question": "why_low", "op": "none_of", "options": []string{"weather"}}),
			"questions[2].showIf.options", `"weather" is not an option of "why_low"`},
		{"an unknown placeholder", func(m map[string]any) { bodyQuestion(m, 2)["prompt"] = "Hello {{acount}}" },
			"questions[2].prompt.en", `unknown placeholder "{{acount}}"`},
		{"piping a later answer", func(m map[string]any) { bodyQuestion(m, 1)["prompt"] = "You wrote {{answer:fix}}" },
			"questions[1].prompt.en", `"fix" is not a question before this one`},
		{"a condition of the wrong shape", cond(1, map[string]any{"question": "nps", "op": "between", "min": "low"}),
			"questions.showIf.min", "has the wrong type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.client(t).api("POST", "/api/v1/surveys", token, conditionalBody(t, tt.edit))
			wantStatus(t, r, http.StatusBadRequest)
			d.wantDocumented(t, r, "/surveys")
			e := decodeError(t, r)
			if e.Error != "invalid input" || !strings.Contains(e.Fields[tt.path], tt.want) {
				t.Errorf("error %q, fields[%q] = %q, want …%s… (all: %v)", e.Error, tt.path, e.Fields[tt.path], tt.want, e.Fields)
			}
		})
	}
}
