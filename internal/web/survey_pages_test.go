package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/builder"
)

var (
	tagPattern      = regexp.MustCompile(`(?s)<(input|select|textarea)\b([^>]*)>`)
	attrPattern     = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
	optionPattern   = regexp.MustCompile(`<option value="([^"]*)"( selected)?>`)
	builderFormArea = regexp.MustCompile(`(?s)<form method="post" action="[^"]*" class="builder"[^>]*>(.*?)</form>`)
)

// builderFields returns what a browser would submit from the builder form
// on page, without the submit buttons: it reads the rendered markup, so a
// round trip through it tests the template and parseSurveyForm together.
func builderFields(t *testing.T, page string) url.Values {
	t.Helper()
	m := builderFormArea.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no builder form on the page:\n%s", truncate(page))
	}
	form := m[1]
	values := url.Values{}
	for _, loc := range tagPattern.FindAllStringSubmatchIndex(form, -1) {
		tag := form[loc[2]:loc[3]]
		attrs := map[string]string{}
		for _, a := range attrPattern.FindAllStringSubmatch(form[loc[4]:loc[5]], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		name, named := attrs["name"]
		if _, disabled := attrs["disabled"]; !named || disabled {
			continue
		}
		switch tag {
		case "input":
			if typ := attrs["type"]; typ == "checkbox" || typ == "radio" {
				if _, checked := attrs["checked"]; !checked {
					continue
				}
			}
			values.Add(name, attrs["value"])
		case "textarea":
			end := strings.Index(form[loc[1]:], "</textarea>")
			values.Add(name, html.UnescapeString(form[loc[1]:loc[1]+end]))
		case "select":
			end := strings.Index(form[loc[1]:], "</select>")
			chosen := ""
			for i, o := range optionPattern.FindAllStringSubmatch(form[loc[1]:loc[1]+end], -1) {
				if i == 0 || o[2] != "" {
					chosen = html.UnescapeString(o[1])
				}
			}
			values.Add(name, chosen)
		}
	}
	return values
}

// questionPrompts returns the English prompts of the questions in form
// order.
func questionPrompts(form url.Values) []string {
	var out []string
	for i := 0; form.Has(builder.QuestionPrefix(i) + ".key"); i++ {
		out = append(out, form.Get(builder.QuestionPrefix(i)+".prompt.en"))
	}
	return out
}

// questionKeys returns the question keys in form order.
func questionKeys(form url.Values) []string {
	var out []string
	for i := 0; form.Has(builder.QuestionPrefix(i) + ".key"); i++ {
		out = append(out, form.Get(builder.QuestionPrefix(i)+".key"))
	}
	return out
}

func wantBody(t *testing.T, r response, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(r.body, want) {
			t.Errorf("%s %s lacks %q", r.Request.Method, r.Request.URL.Path, want)
		}
	}
}

func TestSurveyBuilderRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)

	r := c.get("/surveys/new")
	wantStatus(t, r, http.StatusOK)
	form := builderFields(t, r.body)
	// Keys are made from the prompts when the survey is saved.
	if got := questionKeys(form); len(got) != 1 || got[0] != "" || form.Get("questions[0].type") != "nps" {
		t.Fatalf("a new survey starts with questions %q", got)
	}
	form.Set("title.en", "Service survey")
	form.Set("questions[0].prompt.en", "How likely are you to recommend us?")
	form.Add("locales", "fi")

	// step posts the form as it stands with an action and reads back the
	// form the builder shows next.
	step := func(action string, extra ...string) {
		t.Helper()
		form.Set("action", action)
		for i := 0; i+1 < len(extra); i += 2 {
			form.Set(extra[i], extra[i+1])
		}
		r := c.post("/surveys/new", form)
		wantStatus(t, r, http.StatusOK)
		form = builderFields(t, r.body)
		if form.Get("title.en") != "Service survey" {
			t.Fatalf("%s lost the title: %q", action, form.Get("title.en"))
		}
	}

	step("refresh")
	if !form.Has("title.fi") || !form.Has("questions[0].prompt.fi") {
		t.Fatalf("ticking Finnish added no Finnish fields: %v", form)
	}
	form.Set("title.fi", "Palvelukysely")
	form.Set("questions[0].prompt.fi", "Kuinka todennäköisesti suosittelisit meitä?")

	step("add", "newType", "single")
	if got := strings.Join(questionKeys(form), ","); got != "," || form.Get("questions[1].type") != "single" {
		t.Fatalf("after adding a single-choice question: %q, type %q", got, form.Get("questions[1].type"))
	}
	if !form.Has("questions[1].options[1].label.fi") || form.Has("questions[1].options[2].key") {
		t.Fatalf("a new choice question should offer exactly two blank option rows: %v", form)
	}
	for k, v := range map[string]string{
		"questions[1].prompt.en": "How do you reach us?", "questions[1].prompt.fi": "Miten otat yhteyttä?",
		"questions[1].options[0].key": "email", "questions[1].options[0].label.en": "Email", "questions[1].options[0].label.fi": "Sähköposti",
		"questions[1].options[1].key": "phone", "questions[1].options[1].label.en": "Phone", "questions[1].options[1].label.fi": "Puhelin",
	} {
		form.Set(k, v)
	}

	step("add-option:1")
	if !form.Has("questions[1].options[2].key") || form.Has("questions[1].options[3].key") {
		t.Fatalf("Add option should add one blank row: %v", form)
	}
	form.Set("questions[1].options[2].key", "chat")
	form.Set("questions[1].options[2].label.en", "Chat")
	form.Set("questions[1].options[2].label.fi", "Chat")

	step("remove-option:1:0")
	if got := form.Get("questions[1].options[0].key") + "," + form.Get("questions[1].options[1].key"); got != "phone,chat" {
		t.Fatalf("after removing the first option: %q", got)
	}

	step("add", "newType", "text")
	if got := len(questionKeys(form)); got != 3 || form.Get("questions[2].type") != "text" {
		t.Fatalf("after adding a text question: %d questions", got)
	}
	form.Set("questions[2].prompt.en", "Anything else?")
	form.Set("questions[2].prompt.fi", "Muuta?")
	form.Set("questions[2].quotable", "on")

	recommend, reach, other := "How likely are you to recommend us?", "How do you reach us?", "Anything else?"
	step("up:2")
	if got := strings.Join(questionPrompts(form), "|"); got != recommend+"|"+other+"|"+reach {
		t.Fatalf("after moving the last question up: %q", got)
	}
	if form.Get("questions[1].quotable") != "on" || form.Get("questions[2].options[0].key") != "phone" {
		t.Fatalf("moving a question did not move its settings: %v", form)
	}
	step("down:0")
	if got := strings.Join(questionPrompts(form), "|"); got != other+"|"+recommend+"|"+reach {
		t.Fatalf("after moving the first question down: %q", got)
	}
	if form.Get("questions[0].quotable") != "on" || form.Get("questions[2].prompt.fi") != "Miten otat yhteyttä?" {
		t.Fatalf("moving a question did not move its settings: %v", form)
	}
	step("remove:0")
	if got := strings.Join(questionPrompts(form), "|"); got != recommend+"|"+reach {
		t.Fatalf("after removing the first question: %q", got)
	}

	form.Set("consentText.fi", "Liitä nimeni vastauksiini.")
	form.Set("action", "save")
	r = c.post("/surveys/new", form)
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/surveys/"), "?")
	sv, err := f.st.Surveys.ByID(context.Background(), id)
	if err != nil {
		t.Fatalf("saved survey %q: %v", loc, err)
	}
	if sv.Title["fi"] != "Palvelukysely" || len(sv.Questions) != 2 || len(sv.Questions[1].Options) != 2 ||
		sv.Questions[1].Options[1].Label["fi"] != "Chat" || !sv.Questions[0].Required || sv.OwnerID != f.manager.ID {
		t.Fatalf("stored survey = %+v", sv)
	}
	if k0, k1, o1 := sv.Questions[0].Key, sv.Questions[1].Key, sv.Questions[1].Options[1].Key; k0 != "how_likely_are_you_to_recommend_us" || k1 != "how_do_you_reach_us" || o1 != "chat" {
		t.Errorf("keys made from the prompts = %s, %s, option %s", k0, k1, o1)
	}
	wantBody(t, c.get(loc), "The survey was created as a draft.", "Service survey", "Phone")
}

func TestSurveyBuilderShowsErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	form := builderFields(t, c.get("/surveys/new").body)
	form.Add("locales", "fi")
	form.Set("title.en", `Service "survey"`)
	form.Set("questions[0].prompt.en", "Recommend us?")
	form.Set("anonymityThreshold", "five")
	form.Set("commentThreshold", "2")
	form.Set("action", "save")

	r := c.post("/surveys/new", form)
	wantStatus(t, r, http.StatusBadRequest)
	wantBody(t, r,
		`value="Service &#34;survey&#34;"`, `value="Recommend us?"`, `name="anonymityThreshold" type="number" value=""`,
		`<a href="#f-title-fi">Title: missing the Finnish (fi) translation.</a>`,
		`id="f-title-fi-error">Title: missing the Finnish (fi) translation.</p>`,
		`aria-describedby="f-title-fi-error"`, `aria-invalid="true"`,
		`Question 1 prompt: missing the Finnish (fi) translation.`,
		`Consent text: missing the Finnish (fi) translation.`,
		`<a href="#f-anonymityThreshold">Anonymity threshold must be a whole number.</a>`,
		`Comment threshold must be at least the anonymity threshold (5).`,
		"There are 5 problems",
	)
	again := builderFields(t, r.body)
	if again.Get("title.en") != `Service "survey"` || again.Get("questions[0].prompt.en") != "Recommend us?" {
		t.Errorf("values not kept: %v", again)
	}
	if _, total, err := f.st.Surveys.List(context.Background(), store.SurveyFilter{}, store.Page{}); err != nil || total != 0 {
		t.Errorf("an invalid survey was stored: %d, %v", total, err)
	}
}

func TestSurveyEditPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	token := f.token(t, f.manager)

	t.Run("someone else saved meanwhile", func(t *testing.T) {
		sv := f.createSurvey(t, f.manager)
		path := "/surveys/" + sv.ID + "/edit"
		form := builderFields(t, c.get(path).body)
		wantStatus(t, f.client(t).api("PATCH", "/api/v1/surveys/"+sv.ID, token, `{"tokenValidityDays": 9}`), http.StatusOK)

		form.Set("title.en", "My title")
		form.Set("action", "save")
		r := c.post(path, form)
		wantStatus(t, r, http.StatusConflict)
		wantBody(t, r, "Someone else changed this survey", "(version 2,", `value="My title"`, `name="revision" value="2"`)

		// Saving again replaces their version, knowingly.
		r = c.post(path, builderFields(t, r.body))
		wantStatus(t, r, http.StatusSeeOther)
		stored, _ := f.st.Surveys.ByID(context.Background(), sv.ID)
		if stored.Title["en"] != "My title" || stored.Revision != 3 {
			t.Errorf("after saving over: %v, revision %d", stored.Title, stored.Revision)
		}
	})

	t.Run("an open survey shows what is fixed", func(t *testing.T) {
		sv := f.createSurvey(t, f.manager)
		wantStatus(t, f.client(t).api("POST", "/api/v1/surveys/"+sv.ID+"/open", token, ""), http.StatusOK)
		path := "/surveys/" + sv.ID + "/edit"
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "What can change on an open survey", "Fixed once the survey is open: respondents answered under it.",
			`name="anonymityThreshold" type="number" value="5"`, `<select id="f-defaultLocale" disabled`,
			`<input type="hidden" name="defaultLocale" value="en">`, `<input type="hidden" name="locales" value="fi">`)
		if !regexp.MustCompile(`name="anonymityThreshold"[^>]*readonly`).MatchString(r.body) {
			t.Error("the anonymity threshold is not read-only")
		}

		form := builderFields(t, r.body)
		form.Set("action", "remove:5")
		form = builderFields(t, c.post(path, form).body)
		form.Set("action", "save")
		r = c.post(path, form)
		wantStatus(t, r, http.StatusBadRequest)
		wantBody(t, r, `Questions cannot remove &#34;comment&#34;: already answered.`)
	})

	t.Run("a closed survey cannot be edited", func(t *testing.T) {
		sv := f.createSurvey(t, f.manager)
		for _, step := range []string{"open", "close"} {
			wantStatus(t, f.client(t).api("POST", "/api/v1/surveys/"+sv.ID+"/"+step, token, ""), http.StatusOK)
		}
		r := c.get("/surveys/" + sv.ID + "/edit")
		wantStatus(t, r, http.StatusConflict)
		wantBody(t, r, "This survey is closed")
	})
}

func TestSurveyOpenAndClosePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	sv := f.createSurvey(t, f.manager)
	path := "/surveys/" + sv.ID

	r := c.get(path)
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Customer survey 2026", "Draft", `href="`+path+`/open"`, `href="`+path+`/edit"`, `href="`+path+`/preview"`,
		"The text is published as version 1 when the survey opens.", "NPS — likelihood to recommend, 0–10", "Modernisation")

	r = c.get(path + "/open")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Opening fixes the anonymity threshold at 5 and the comment threshold at 10", "published as version 1")

	wantStatus(t, c.post(path+"/open", url.Values{"_csrf": {""}}), http.StatusForbidden)
	r = c.post(path+"/open", nil)
	wantStatus(t, r, http.StatusSeeOther)
	r = c.get(r.Header.Get("Location"))
	hash := survey.ConsentHash("Liitä nimeni, jotta asiakasvastaavani voi olla yhteydessä.")
	wantBody(t, r, "The survey is open and accepts answers.", "Version 1</strong>", "<code title=\"SHA-256 "+hash+"\">"+hash[:12]+"</code>",
		`href="`+path+`/close"`)
	if strings.Contains(r.body, `href="`+path+`/open"`) {
		t.Error("an open survey still offers to open")
	}
	wantStatus(t, c.post(path+"/open", nil), http.StatusConflict)

	wantBody(t, c.get(path+"/close"), "Closing stops the survey accepting answers, for good")
	r = c.post(path+"/close", nil)
	wantStatus(t, r, http.StatusSeeOther)
	r = c.get(r.Header.Get("Location"))
	wantBody(t, r, "The survey is closed.", "Closed")
	if strings.Contains(r.body, `href="`+path+`/edit"`) {
		t.Error("a closed survey still offers to edit")
	}

	r = c.post(path+"/duplicate", nil)
	wantStatus(t, r, http.StatusSeeOther)
	wantBody(t, c.get(r.Header.Get("Location")), "This is a new draft copied", "Copy of Customer survey 2026", "Draft")
}

func TestSurveyPreview(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.analyst) // every role may preview
	sv := f.createSurvey(t, f.manager)
	consentBox := regexp.MustCompile(`<input type="checkbox" id="consent" name="consent"[^>]*>`)

	tests := []struct {
		query, lang string
		want        []string
	}{
		{"", "en", []string{
			"Preview — answers are not recorded", "<h1>Customer survey 2026</h1>", "How likely are you to recommend us to a colleague?",
			"0 = Not at all likely", "10 = Extremely likely", "1 = Very dissatisfied", "7 = Very easy", "Choose all that apply.",
			`maxlength="500"`, "Up to 500 characters.", "(required)", "Attach my name to my answers", "Send answers",
			`<legend class="rq-prompt">How do you usually reach us?</legend>`, `type="radio" id="q-channel-phone" name="q.channel" value="phone"`,
			`type="checkbox" id="q-services-repair" name="q.services" value="repair"`,
		}},
		{"?locale=fi", "fi", []string{
			"Esikatselu – vastauksia ei tallenneta", "<h1>Asiakaskysely 2026</h1>", "Kuinka todennäköisesti suosittelisit meitä kollegallesi?",
			"0 = Erittäin epätodennäköistä", "10 = Erittäin todennäköistä", "Sähköposti", "(pakollinen)", "Liitä nimeni vastauksiini",
			"Liitä nimeni, jotta asiakasvastaavani voi olla yhteydessä.", "Lähetä vastaukset", `<a href="/surveys/` + sv.ID + `/preview?locale=fi" lang="fi" hreflang="fi" aria-current="page">Suomi</a>`,
		}},
		{"?locale=fi-FI", "fi", []string{"Asiakaskysely 2026"}},
		{"?locale=de", "en", []string{"Customer survey 2026"}}, // not one of its languages
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := c.get("/surveys/" + sv.ID + "/preview" + tt.query)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, append(tt.want, `<article class="respondent" lang="`+tt.lang+`">`)...)
			box := consentBox.FindString(r.body)
			if box == "" || strings.Contains(box, "checked") {
				t.Errorf("consent checkbox %q: want it present and unticked", box)
			}
			if !regexp.MustCompile(`<button type="submit"[^>]*disabled`).MatchString(r.body) ||
				strings.Contains(r.body, `class="respondent-form" method="post"`) {
				t.Error("the preview can be submitted")
			}
		})
	}
}

func TestSurveyPagesAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other, err := f.auth.CreateUser(context.Background(), auth.NewUser{
		Email: "other@example.com", Name: "Other Manager", Role: store.RoleManager, Password: testPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	sv := f.createSurvey(t, f.manager)
	path := "/surveys/" + sv.ID
	analyst, otherManager, manager := f.signIn(t, f.analyst), f.signIn(t, other), f.signIn(t, f.manager)

	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		want   int
	}{
		{"analyst sees the home page", analyst, "GET", "/", 200},
		{"analyst sees the list", analyst, "GET", "/surveys", 200},
		{"analyst sees a survey", analyst, "GET", path, 200},
		{"analyst cannot start a survey", analyst, "GET", "/surveys/new", 403},
		{"analyst cannot edit", analyst, "GET", path + "/edit", 403},
		{"analyst cannot duplicate", analyst, "POST", path + "/duplicate", 403},
		{"another manager cannot edit", otherManager, "GET", path + "/edit", 403},
		{"another manager cannot open", otherManager, "GET", path + "/open", 403},
		{"another manager cannot open by posting", otherManager, "POST", path + "/open", 403},
		{"a missing survey", manager, "GET", "/surveys/nope", 404},
		{"a missing survey's preview", manager, "GET", "/surveys/nope/preview", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.method == "GET" {
				r = tt.c.get(tt.path)
			} else {
				tt.c.get("/") // a page, for a current CSRF token: a 403 must not be a CSRF failure
				r = tt.c.post(tt.path, nil)
			}
			wantStatus(t, r, tt.want)
		})
	}

	t.Run("the analyst's views offer no changes", func(t *testing.T) {
		for _, p := range []string{"/", "/surveys", path} {
			r := analyst.get(p)
			for _, offer := range []string{`href="/surveys/new"`, `href="` + path + `/edit"`, `action="` + path + `/duplicate"`} {
				if strings.Contains(r.body, offer) {
					t.Errorf("%s offers %s to an analyst", p, offer)
				}
			}
		}
	})
	t.Run("a form without its CSRF token", func(t *testing.T) {
		form := builderFields(t, manager.get("/surveys/new").body)
		form.Set("_csrf", "")
		form.Set("title.en", "No token")
		wantStatus(t, manager.post("/surveys/new", form), http.StatusForbidden)
	})
}

func TestSurveyListPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)

	r := c.get("/surveys")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "No surveys yet", `<a class="button button-primary" href="/surveys/new">Create your first survey</a>`)

	open := f.createSurvey(t, f.manager)
	wantStatus(t, f.client(t).api("POST", "/api/v1/surveys/"+open.ID+"/open", f.token(t, f.manager), ""), http.StatusOK)
	f.createSurvey(t, f.admin)

	tests := []struct {
		query      string
		want, lack []string
	}{
		{"", []string{"1–2 of 2", "Open</span>", "Draft</span>", "EN · FI", "<td>You</td>", "<td>Test admin</td>", `<td class="num">6</td>`,
			`<a href="/surveys" aria-current="page">All surveys</a>`}, nil},
		{"?mine=1", []string{"1–1 of 1", "<td>You</td>", `<a href="/surveys?mine=1" aria-current="page">My surveys</a>`}, []string{"Test admin"}},
		{"?status=draft", []string{"1–1 of 1", "Test admin"}, []string{"<td>You</td>"}},
		{"?status=closed&mine=1", []string{"No surveys match", `<a href="/surveys">Show all surveys</a>`}, nil},
		{"?page=2", []string{"No surveys on this page"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := c.get("/surveys" + tt.query)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, tt.want...)
			for _, s := range tt.lack {
				if strings.Contains(r.body, s) {
					t.Errorf("list shows %q", s)
				}
			}
		})
	}
}
