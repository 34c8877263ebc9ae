package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// conditionDraft drives the builder of a new survey, as a browser without
// JavaScript would, to three questions: an NPS score, a single choice and
// a text question. It returns the form as last shown.
func conditionDraft(t *testing.T, c *client) url.Values {
	t.Helper()
	form := builderFields(t, c.get("/surveys/new").body)
	form.Set("title.en", "Follow-up")
	form.Set("questions[0].prompt.en", "How likely are you to recommend us?")
	form = builderStep(t, c, form, "add", "newType", "single")
	form.Set("questions[1].prompt.en", "What went wrong?")
	form.Set("questions[1].options[0].label.en", "Price")
	form.Set("questions[1].options[1].label.en", "Support")
	form = builderStep(t, c, form, "add", "newType", "text")
	form.Set("questions[2].prompt.en", "What should we fix first?")
	return form
}

// builderStep posts form with an action and returns the form shown next.
func builderStep(t *testing.T, c *client, form url.Values, action string, extra ...string) url.Values {
	t.Helper()
	r := builderPost(t, c, form, action, extra...)
	wantStatus(t, r, http.StatusOK)
	return builderFields(t, r.body)
}

func builderPost(t *testing.T, c *client, form url.Values, action string, extra ...string) response {
	t.Helper()
	form.Set("action", action)
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return c.post("/surveys/new", form)
}

// selectOptions returns the options of the select named name on page:
// value → label.
func selectOptions(t *testing.T, page, name string) map[string]string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<select[^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</select>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no select %s on the page", name)
	}
	out := map[string]string{}
	for _, o := range regexp.MustCompile(`<option value="([^"]*)"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(m[1], -1) {
		out[html.UnescapeString(o[1])] = html.UnescapeString(o[2])
	}
	return out
}

func TestSurveyBuilderConditionWithoutJavaScript(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	form := conditionDraft(t, c)
	if form.Get("_csrf") == "" {
		t.Fatal("the builder form carries no CSRF token")
	}
	forged := url.Values{}
	for k, v := range form {
		forged[k] = v
	}
	forged.Set("_csrf", "forged")
	wantStatus(t, builderPost(t, c, forged, "condition:1", "questions[1].showIf.question", "#0"), http.StatusForbidden)

	// Question 2 depends on the score: choose the question, then its test.
	page := builderPost(t, c, form, "refresh").body
	if got := selectOptions(t, page, "questions[1].showIf.question"); len(got) != 2 || got[""] != "Always show (no condition)" ||
		got["#0"] != "Question 1: How likely are you to recommend us?" {
		t.Fatalf("question 2 may depend on %v", got)
	}
	if got := selectOptions(t, page, "questions[2].showIf.question"); len(got) != 3 {
		t.Fatalf("question 3 may depend on %v", got)
	}
	if strings.Contains(page, `name="questions[0].showIf.question"`) {
		t.Error("the first question offers a condition")
	}
	r := builderPost(t, c, form, "condition:1", "questions[1].showIf.question", "#0")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, `<select id="f-questions-1-showIf-op" name="questions[1].showIf.op" autofocus>`,
		`<label for="f-questions-1-showIf-min">Lowest score</label>`)
	if got := selectOptions(t, r.body, "questions[1].showIf.op"); len(got) != 3 || got["between"] != "score is between" {
		t.Errorf("tests offered for an NPS question: %v", got)
	}
	if got := selectOptions(t, r.body, "questions[1].showIf.max"); len(got) != 11 || got["10"] != "10" {
		t.Errorf("scores offered: %v", got)
	}
	form = builderFields(t, r.body)
	if form.Get("title.en") != "Follow-up" || form.Get("questions[2].prompt.en") != "What should we fix first?" {
		t.Fatalf("choosing a condition lost values: %v", form)
	}
	if form.Get("questions[0].key") != "how_likely_are_you_to_recommend_us" {
		t.Errorf("the question depended on keeps no key: %q", form.Get("questions[0].key"))
	}
	form.Set("questions[1].showIf.max", "6")

	// Question 3 depends on the choice, and repeats the score.
	form = builderStep(t, c, form, "condition:2", "questions[2].showIf.question", "#1")
	form.Set("questions[2].showIf.op", "any_of")
	form.Add("questions[2].showIf.options", "#1")
	form.Set("questions[2].prompt.en", "You gave us {{answer:how_likely_are_you_to_recommend_us}}. What should we fix first?")
	r = builderPost(t, c, form, "refresh")
	wantBody(t, r, "Respondents without JavaScript see this survey in 3 steps", "Step 3 of 3",
		"Shown when ‘How likely are you to recommend us?’ is 0–6",
		"Shown when ‘What went wrong?’ is answered with “Support”",
		"<code>{{answer:how_likely_are_you_to_recommend_us}}</code> — their answer to Question 1: How likely are you to recommend us?",
		`<input id="f-questions-2-showIf-options-1" name="questions[2].showIf.options" type="checkbox" value="#1" checked>`)

	form = builderFields(t, r.body)
	r = builderPost(t, c, form, "save")
	wantStatus(t, r, http.StatusSeeOther)
	id, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Location"), "/surveys/"), "?")
	sv, err := f.st.Surveys.ByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	low, fix := sv.Questions[1].ShowIf, sv.Questions[2].ShowIf
	if low == nil || low.String() != "how_likely_are_you_to_recommend_us between 0 6" ||
		fix == nil || fix.String() != "what_went_wrong any_of support" || len(sv.Steps()) != 3 {
		t.Fatalf("stored conditions %v, %v", low, fix)
	}

	// The survey's page and its preview say when each question is shown.
	wantBody(t, c.get("/surveys/"+id), "Respondents without JavaScript see this survey in 3 steps",
		"Shown when ‘How likely are you to recommend us?’ is 0–6")
	wantBody(t, c.get("/surveys/"+id+"/preview"), "Step 2 of 3", "Shown when ‘What went wrong?’ is answered with “Support”")

	// Editing it shows the conditions as stored, and removing one.
	edit := "/surveys/" + id + "/edit"
	r = c.get(edit)
	wantStatus(t, r, http.StatusOK)
	form = builderFields(t, r.body)
	if form.Get("questions[2].showIf.question") != "#1" || form.Get("questions[2].showIf.op") != "any_of" ||
		strings.Join(form["questions[2].showIf.options"], ",") != "#1" || form.Get("questions[1].showIf.min") != "0" {
		t.Fatalf("the edit form shows the conditions as %v", form)
	}
	form.Set("action", "always-show:2")
	r = c.post(edit, form)
	wantStatus(t, r, http.StatusOK)
	form = builderFields(t, r.body)
	if form.Get("questions[2].showIf.question") != "" || form.Has("questions[2].showIf.op") {
		t.Fatalf("Always show kept the condition: %v", form)
	}
	form.Set("action", "save")
	wantStatus(t, c.post(edit, form), http.StatusSeeOther)
	if sv, _ = f.st.Surveys.ByID(context.Background(), id); sv.Questions[2].ShowIf != nil || sv.Questions[1].ShowIf == nil {
		t.Errorf("after removing one condition: %v, %v", sv.Questions[1].ShowIf, sv.Questions[2].ShowIf)
	}
}

func TestSurveyBuilderConditionErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	base := conditionDraft(t, c)
	base = builderStep(t, c, base, "condition:2", "questions[2].showIf.question", "#1")

	tests := []struct {
		name   string
		action string
		edit   func(form url.Values)
		want   []string
	}{
		{"no option ticked", "save", func(form url.Values) {
			form.Set("questions[2].showIf.op", "none_of")
			form.Del("questions[2].showIf.options")
		}, []string{
			`<a href="#f-questions-2-showIf-options">Question 3 condition options: choose at least one option.</a>`,
			`<p class="field-error" id="f-questions-2-showIf-options-error">Question 3 condition options: choose at least one option.</p>`,
		}},
		{"a question chosen without choosing its test", "save", func(form url.Values) {
			form.Set("questions[2].showIf.question", "#0")
		}, []string{
			`id="f-questions-2-showIf-op-error">Question 3 condition: choose what the answer must be, then save.</p>`,
			`<select id="f-questions-2-showIf-op" name="questions[2].showIf.op" aria-describedby=" f-questions-2-showIf-op-error" aria-invalid="true">`,
			`<option value="between" selected>score is between</option>`,
		}},
		{"moved below the question it depends on", "up:2", nil, nil},
		{"an unknown placeholder", "save", func(form url.Values) {
			form.Set("questions[2].showIf.options", "#0")
			form.Set("questions[2].prompt.en", "Why {{acount}}?")
		}, []string{`id="f-questions-2-prompt-en-error">Question 3 prompt (English): unknown placeholder &#34;{{acount}}&#34;`}},
		{"a confidential question", "save", func(form url.Values) {
			form.Set("questions[2].showIf.options", "#0")
			form.Set("questions[1].confidential", "on")
		}, []string{
			`(confidential)</option>`,
			`Question 3 condition: &#34;what_went_wrong&#34; is confidential: showing a question depending on its answer would tell who gave which answer.`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range base {
				form[k] = append([]string(nil), v...)
			}
			form.Set("questions[2].showIf.options", "#1")
			if tt.edit != nil {
				tt.edit(form)
			}
			r := builderPost(t, c, form, tt.action)
			if tt.action == "up:2" {
				// Now question 2, depending on question 3: saving says so.
				wantStatus(t, r, http.StatusOK)
				wantBody(t, r, "Question 3: What went wrong? (comes after this one)</option>")
				r = builderPost(t, c, builderFields(t, r.body), "save")
				tt.want = []string{`Question 2 condition: &#34;what_went_wrong&#34; is not a question before this one; a question can only depend on an earlier one.`}
			}
			wantStatus(t, r, http.StatusBadRequest)
			wantBody(t, r, tt.want...)
			again := builderFields(t, r.body)
			if again.Get("title.en") != "Follow-up" || !strings.Contains(strings.Join(questionPrompts(again), "|"), "What went wrong?") {
				t.Errorf("values not kept: %v", again)
			}
		})
	}
}

// TestSurveyBuilderConditionControlsAreLabelled checks that every control
// of the condition sections and the placeholder hints has a label, and
// that each section says why only earlier, open questions can be chosen.
func TestSurveyBuilderConditionControlsAreLabelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	form := conditionDraft(t, c)
	form = builderStep(t, c, form, "condition:1", "questions[1].showIf.question", "#0")
	r := builderPost(t, c, form, "condition:2", "questions[2].showIf.question", "#1")
	wantStatus(t, r, http.StatusOK)

	sections := regexp.MustCompile(`(?s)<fieldset class="field condition"[^>]*>.*?<legend>Show this question only if…</legend>(.*?)</fieldset>\s*<details`).FindAllStringSubmatch(r.body, -1)
	if len(sections) != 2 {
		t.Fatalf("%d condition sections, want 2", len(sections))
	}
	for _, s := range sections {
		if !strings.Contains(s[1], "A question can only depend on an earlier one.") || !strings.Contains(s[1], "Confidential questions cannot be chosen") {
			t.Errorf("a condition section lacks its help: %s", s[1])
		}
		wantEveryControlLabelled(t, r.body, s[1])
	}
	// The script that hides what does not apply is a file of its own:
	// the policy allows no inline script.
	if !regexp.MustCompile(`<script src="/static/js/builder-conditions\.[0-9a-f]+\.js" defer></script>`).MatchString(r.body) ||
		regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(r.body) {
		t.Error("the builder does not load its conditions script from a file")
	}
	for _, id := range []string{"f-questions-2-prompt-en"} {
		if !regexp.MustCompile(`id="` + id + `"[^>]*aria-describedby="f-questions-2-prompt-placeholders"`).MatchString(r.body) {
			t.Errorf("the prompt %s is not described by its placeholders", id)
		}
	}
}

// wantEveryControlLabelled checks that each visible input, select and
// textarea in fragment has an id that a <label for> on page names.
func wantEveryControlLabelled(t *testing.T, page, fragment string) {
	t.Helper()
	for _, m := range tagPattern.FindAllStringSubmatch(fragment, -1) {
		attrs := map[string]string{}
		for _, a := range attrPattern.FindAllStringSubmatch(m[2], -1) {
			attrs[a[1]] = a[2]
		}
		if attrs["type"] == "hidden" {
			continue
		}
		id := attrs["id"]
		if id == "" || !strings.Contains(page, `<label for="`+id+`">`) {
			t.Errorf("%s %q has no label", m[1], attrs["name"])
		}
	}
}

func TestSurveyConditionDescribedOnEveryPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sv := f.createSurvey(t, f.manager)
	r := f.client(t).api("PATCH", "/api/v1/surveys/"+sv.ID, f.token(t, f.manager), conditionalQuestions)
	wantStatus(t, r, http.StatusOK)
	c := f.signIn(t, f.analyst)
	for _, path := range []string{"/surveys/" + sv.ID, "/surveys/" + sv.ID + "/preview"} {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "3 steps", "Shown when ‘How likely are you to recommend us?’ is 0–6",
			"Shown when ‘What went wrong?’ is answered with “Support”")
	}
}

// TestSurveyBuilderKeepsAnsweredConditions edits an open survey whose
// questions all have answers: adding a condition is refused next to it.
func TestSurveyBuilderKeepsAnsweredConditions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sv := f.createSurvey(t, f.manager)
	wantStatus(t, f.client(t).api("POST", "/api/v1/surveys/"+sv.ID+"/open", f.token(t, f.manager), ""), http.StatusOK)
	c := f.signIn(t, f.manager)
	path := "/surveys/" + sv.ID + "/edit"
	r := c.get(path)
	wantBody(t, r, "A question that has answers keeps its condition", "On an open survey, a question that has answers keeps its condition")
	form := builderFields(t, r.body)
	form.Set("action", "condition:1")
	form.Set("questions[1].showIf.question", "#0")
	form = builderFields(t, c.post(path, form).body)
	form.Set("action", "save")
	r = c.post(path, form)
	wantStatus(t, r, http.StatusBadRequest)
	wantBody(t, r, `id="f-questions-1-showIf-question-error">Question 2 condition cannot change: the question already has answers`)
	if stored, _ := f.st.Surveys.ByID(context.Background(), sv.ID); stored.Questions[1].ShowIf != nil {
		t.Errorf("the condition was stored: %v", stored.Questions[1].ShowIf)
	}
}
