package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/api"
)

// everyQuestionAnswered stands in for the responses: on an open survey,
// every question has answers, which is what limits edits most.
type everyQuestionAnswered struct{}

func (everyQuestionAnswered) HasAnswers(context.Context, string, string) (bool, error) {
	return true, nil
}

// surveyBody is a survey with every question type, in English and Finnish.
const surveyBody = `{
  "title": {"en": "Customer survey 2026", "fi": "Asiakaskysely 2026"},
  "intro": {"en": "It takes three minutes.", "fi": "Vastaaminen vie kolme minuuttia."},
  "defaultLocale": "en",
  "locales": ["en", "fi"],
  "questions": [
    {"key": "nps", "type": "nps", "required": true,
     "prompt": {"en": "How likely are you to recommend us to a colleague?", "fi": "Kuinka todennäköisesti suosittelisit meitä kollegallesi?"}},
    {"key": "csat", "type": "csat",
     "prompt": {"en": "How satisfied are you with our maintenance?", "fi": "Kuinka tyytyväinen olet huoltoomme?"}},
    {"key": "effort", "type": "ces",
     "prompt": {"en": "How easy was it to get help?", "fi": "Kuinka helppoa oli saada apua?"}},
    {"key": "channel", "type": "single",
     "prompt": {"en": "How do you usually reach us?", "fi": "Miten yleensä otat meihin yhteyttä?"},
     "options": [{"key": "email", "label": {"en": "Email", "fi": "Sähköposti"}},
                 {"key": "phone", "label": {"en": "Phone", "fi": "Puhelin"}}]},
    {"key": "services", "type": "multi",
     "prompt": {"en": "Which services do you use?", "fi": "Mitä palveluitamme käytät?"},
     "options": [{"key": "repair", "label": {"en": "Repair", "fi": "Korjaus"}},
                 {"key": "maintenance", "label": {"en": "Maintenance", "fi": "Huolto"}},
                 {"key": "modernisation", "label": {"en": "Modernisation", "fi": "Modernisointi"}}]},
    {"key": "comment", "type": "text", "maxLength": 500, "quotable": true,
     "prompt": {"en": "What should we do better?", "fi": "Mitä meidän pitäisi tehdä paremmin?"}}
  ],
  "consentText": {"en": "Attach my name so that my account manager can follow up.", "fi": "Liitä nimeni, jotta asiakasvastaavani voi olla yhteydessä."}
}`

// surveyJSON returns surveyBody changed by edit, as JSON.
func surveyJSON(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	return editedJSON(t, surveyBody, edit)
}

// editedJSON returns the JSON object body changed by edit.
func editedJSON(t *testing.T, body string, edit func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bodyQuestion returns question i of a decoded survey body.
func bodyQuestion(m map[string]any, i int) map[string]any {
	return m["questions"].([]any)[i].(map[string]any)
}

// createSurvey stores surveyBody through the API as u.
func (f *fixture) createSurvey(t *testing.T, u store.User) survey.Survey {
	t.Helper()
	r := f.client(t).api("POST", "/api/v1/surveys", f.token(t, u), surveyBody)
	wantStatus(t, r, http.StatusCreated)
	return decodeSurvey(t, r)
}

func decodeSurvey(t *testing.T, r response) survey.Survey {
	t.Helper()
	var sv survey.Survey
	if err := json.Unmarshal([]byte(r.body), &sv); err != nil {
		t.Fatalf("decode survey: %v\n%s", err, truncate(r.body))
	}
	return sv
}

func TestAPICreateSurvey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := f.token(t, f.manager)

	t.Run("every question type in two languages", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		r := c.api("POST", "/api/v1/surveys", token, surveyBody)
		wantStatus(t, r, http.StatusCreated)
		sv := decodeSurvey(t, r)
		if got, want := r.Header.Get("Location"), "/api/v1/surveys/"+sv.ID; sv.ID == "" || got != want {
			t.Fatalf("Location = %q, want %q", got, want)
		}
		if sv.Status != survey.StatusDraft || sv.OwnerID != f.manager.ID || sv.Revision != 1 || sv.AnonymityThreshold != 5 {
			t.Errorf("created survey = status %q, owner %q, revision %d, k %d", sv.Status, sv.OwnerID, sv.Revision, sv.AnonymityThreshold)
		}
		var types []survey.QuestionType
		for _, q := range sv.Questions {
			types = append(types, q.Type)
		}
		if got := strings.Join(toStrings(types), " "); got != "nps csat ces single multi text" {
			t.Errorf("question types = %s", got)
		}
		if sv.Questions[3].Options[1].Label["fi"] != "Puhelin" || sv.Title["fi"] != "Asiakaskysely 2026" {
			t.Errorf("translations lost: %+v", sv.Questions[3].Options)
		}

		got := c.api("GET", r.Header.Get("Location"), token, "")
		wantStatus(t, got, http.StatusOK)
		if stored := decodeSurvey(t, got); stored.ID != sv.ID || len(stored.Questions) != 6 || stored.Questions[5].MaxLength != 500 {
			t.Errorf("GET returned %+v", stored)
		}
	})

	t.Run("a plain string is the default language", func(t *testing.T) {
		t.Parallel()
		body := surveyJSON(t, func(m map[string]any) {
			m["locales"] = []string{"en"}
			m["title"] = "Quick check"
			m["intro"] = nil
			m["consentText"] = "Attach my name."
			m["questions"] = []any{map[string]any{"key": "nps", "type": "nps", "prompt": "Recommend us?"}}
		})
		r := f.client(t).api("POST", "/api/v1/surveys", token, body)
		wantStatus(t, r, http.StatusCreated)
		if sv := decodeSurvey(t, r); sv.Title["en"] != "Quick check" || sv.Questions[0].Prompt["en"] != "Recommend us?" {
			t.Errorf("plain strings stored as %v, %v", sv.Title, sv.Questions[0].Prompt)
		}
	})

	t.Run("keys made from the prompts, and branding", func(t *testing.T) {
		t.Parallel()
		body := surveyJSON(t, func(m map[string]any) {
			delete(bodyQuestion(m, 0), "key")
			bodyQuestion(m, 1)["key"] = ""
			for _, o := range bodyQuestion(m, 3)["options"].([]any) {
				delete(o.(map[string]any), "key")
			}
			m["branding"] = map[string]any{"accent": "#7A1F5C", "senderName": "Acme Lifts", "replyTo": "care@acme-lifts.example"}
		})
		r := f.client(t).api("POST", "/api/v1/surveys", token, body)
		wantStatus(t, r, http.StatusCreated)
		sv := decodeSurvey(t, r)
		var keys []string
		for _, q := range sv.Questions {
			keys = append(keys, q.Key)
		}
		if got := strings.Join(keys, " "); got != "how_likely_are_you_to_recommend_us_to_a how_satisfied_are_you_with_our effort channel services comment" {
			t.Errorf("keys = %s", got)
		}
		if o := sv.Questions[3].Options; o[0].Key != "email" || o[1].Key != "phone" {
			t.Errorf("option keys = %+v", o)
		}
		if want := (survey.Branding{Accent: "#7a1f5c", SenderName: "Acme Lifts", ReplyTo: "care@acme-lifts.example"}); sv.Branding != want {
			t.Errorf("branding = %+v", sv.Branding)
		}
	})

	tests := []struct {
		name       string
		body       string
		wantError  string
		wantFields map[string]string // path → part of the message
	}{
		{
			name: "branding that does not fit",
			body: surveyJSON(t, func(m map[string]any) {
				m["branding"] = map[string]any{"accent": "#a0c4ff", "senderName": "Acme\nBcc: x@evil.example", "replyTo": "nobody", "logoId": strings.Repeat("a", 64)}
			}),
			wantError: "invalid input",
			wantFields: map[string]string{
				"branding.accent":     "contrast of only 1.7:1 with white",
				"branding.senderName": "one line",
				"branding.replyTo":    "one email address",
			},
		},
		{
			name: "a logo never uploaded",
			body: surveyJSON(t, func(m map[string]any) {
				m["branding"] = map[string]any{"logoId": strings.Repeat("a", 64), "senderName": "Acme"}
			}),
			wantError:  "invalid input",
			wantFields: map[string]string{"branding.logo": "not an uploaded logo"},
		},
		{
			name:       "unknown question type",
			body:       surveyJSON(t, func(m map[string]any) { bodyQuestion(m, 0)["type"] = "stars" }),
			wantError:  "invalid input",
			wantFields: map[string]string{"questions[0].type": `unknown question type "stars"`},
		},
		{
			name:       "missing translation",
			body:       surveyJSON(t, func(m map[string]any) { delete(bodyQuestion(m, 2)["prompt"].(map[string]any), "fi") }),
			wantError:  "invalid input",
			wantFields: map[string]string{"questions[2].prompt.fi": "missing the Finnish (fi) translation"},
		},
		{
			name:       "duplicate question keys",
			body:       surveyJSON(t, func(m map[string]any) { bodyQuestion(m, 1)["key"] = "nps" }),
			wantError:  "invalid input",
			wantFields: map[string]string{"questions[1].key": `another question already has the key "nps"`},
		},
		{
			name:       "choice without options",
			body:       surveyJSON(t, func(m map[string]any) { delete(bodyQuestion(m, 3), "options") }),
			wantError:  "invalid input",
			wantFields: map[string]string{"questions[3].options": "needs 2 to 50 options (this one has 0)"},
		},
		{
			name: "several problems at once",
			body: surveyJSON(t, func(m map[string]any) {
				m["title"] = map[string]any{"en": "Survey"}
				m["anonymityThreshold"] = 2
			}),
			wantError: "invalid input",
			wantFields: map[string]string{
				"title.fi":           "missing the Finnish (fi) translation",
				"anonymityThreshold": "must be at least 3",
			},
		},
		{
			name:       "unknown field",
			body:       surveyJSON(t, func(m map[string]any) { m["colour"] = "blue" }),
			wantError:  "invalid input",
			wantFields: map[string]string{"colour": "is not a known field"},
		},
		{
			name:       "wrong type",
			body:       surveyJSON(t, func(m map[string]any) { m["tokenValidityDays"] = "thirty" }),
			wantError:  "invalid input",
			wantFields: map[string]string{"tokenValidityDays": "has the wrong type"},
		},
		{
			name:       "a text of the wrong shape",
			body:       surveyJSON(t, func(m map[string]any) { bodyQuestion(m, 1)["prompt"] = []string{"en"} }),
			wantError:  "invalid input",
			wantFields: map[string]string{"questions.prompt": "has the wrong type"},
		},
		{name: "not JSON", body: `{"title":`, wantError: "request body is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.client(t).api("POST", "/api/v1/surveys", token, tt.body)
			wantStatus(t, r, http.StatusBadRequest)
			e := decodeError(t, r)
			if e.Error != tt.wantError {
				t.Errorf("error = %q, want %q", e.Error, tt.wantError)
			}
			for path, want := range tt.wantFields {
				if !strings.Contains(e.Fields[path], want) {
					t.Errorf("fields[%q] = %q, want it to contain %q (all: %v)", path, e.Fields[path], want, e.Fields)
				}
			}
		})
	}
}

func toStrings[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func TestAPIUpdateSurvey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := f.token(t, f.manager)

	t.Run("fields in the body replace, others stay", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		sv := f.createSurvey(t, f.manager)
		r := c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, `{"title": {"en": "Renamed", "fi": "Uusi nimi"}, "tokenValidityDays": 14}`)
		wantStatus(t, r, http.StatusOK)
		got := decodeSurvey(t, r)
		if got.Title["en"] != "Renamed" || got.TokenValidityDays != 14 || got.Revision != sv.Revision+1 {
			t.Errorf("changed fields = %v, %d days, revision %d", got.Title, got.TokenValidityDays, got.Revision)
		}
		if len(got.Questions) != 6 || got.Intro["fi"] != sv.Intro["fi"] || got.ConsentText["en"] != sv.ConsentText["en"] {
			t.Errorf("fields not in the body changed: %d questions, intro %v", len(got.Questions), got.Intro)
		}
	})

	t.Run("a question list replaces the stored one whole", func(t *testing.T) {
		t.Parallel()
		sv := f.createSurvey(t, f.manager)
		// Position 0 held a required NPS question; nothing of it may linger.
		r := f.client(t).api("PATCH", "/api/v1/surveys/"+sv.ID, token,
			`{"questions": [{"key": "why", "type": "text", "prompt": {"en": "Why?", "fi": "Miksi?"}}]}`)
		wantStatus(t, r, http.StatusOK)
		got := decodeSurvey(t, r)
		if len(got.Questions) != 1 {
			t.Fatalf("questions = %+v", got.Questions)
		}
		if q := got.Questions[0]; q.Key != "why" || q.Required || q.MaxLength != survey.DefaultTextLength || q.Quotable {
			t.Errorf("question = %+v, want a fresh optional text question", q)
		}
	})

	t.Run("a survey fetched with GET can be sent back", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		sv := f.createSurvey(t, f.manager)
		got := c.api("GET", "/api/v1/surveys/"+sv.ID, token, "")
		r := c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, got.body)
		wantStatus(t, r, http.StatusOK)
	})

	t.Run("a stale revision is a conflict", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		sv := f.createSurvey(t, f.manager)
		wantStatus(t, c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, `{"revision": 1, "tokenValidityDays": 10}`), http.StatusOK)
		r := c.api("PATCH", "/api/v1/surveys/"+sv.ID, token, `{"revision": 1, "tokenValidityDays": 20}`)
		wantStatus(t, r, http.StatusConflict)
		if e := decodeError(t, r); !strings.Contains(e.Error, "changed by someone else") {
			t.Errorf("error = %q", e.Error)
		}
		if cur := decodeSurvey(t, c.api("GET", "/api/v1/surveys/"+sv.ID, token, "")); cur.TokenValidityDays != 10 {
			t.Errorf("the losing change was applied: %d days", cur.TokenValidityDays)
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		t.Parallel()
		sv := f.createSurvey(t, f.manager)
		for body, want := range map[string]string{
			`{}`:                        "nothing to change",
			`{"questions": "many"}`:     "invalid input",
			`{"title": {"en": "Only"}}`: "invalid input",
			`{"owner": "me"}`:           "invalid input",
		} {
			r := f.client(t).api("PATCH", "/api/v1/surveys/"+sv.ID, token, body)
			wantStatus(t, r, http.StatusBadRequest)
			if e := decodeError(t, r); !strings.Contains(e.Error, want) {
				t.Errorf("%s: error = %q, want %q", body, e.Error, want)
			}
		}
	})
}

func TestAPISurveyLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := f.token(t, f.manager)
	c := f.client(t)
	sv := f.createSurvey(t, f.manager)
	path := "/api/v1/surveys/" + sv.ID
	removeComment := surveyJSON(t, func(m map[string]any) { m["questions"] = m["questions"].([]any)[:5] })

	// In order: each step depends on the state the previous one left.
	steps := []struct {
		name, method, path, body string
		wantStatus               int
		wantError, wantField     string
		check                    func(t *testing.T, sv survey.Survey)
	}{
		{name: "closing a draft", method: "POST", path: path + "/close", wantStatus: 409, wantError: "only an open survey can be closed"},
		{name: "opening a draft", method: "POST", path: path + "/open", wantStatus: 200, check: func(t *testing.T, sv survey.Survey) {
			if sv.Status != survey.StatusOpen || sv.OpenedAt == nil || len(sv.ConsentHistory) != 1 || sv.ConsentHistory[0].Hashes["fi"] == "" {
				t.Errorf("opened survey = %q, opened %v, consent history %+v", sv.Status, sv.OpenedAt, sv.ConsentHistory)
			}
		}},
		{name: "opening twice", method: "POST", path: path + "/open", wantStatus: 409, wantError: "only a draft survey can be opened"},
		{name: "removing an answered question", method: "PATCH", path: path, body: removeComment,
			wantStatus: 400, wantError: "invalid input", wantField: "questions"},
		{name: "changing the anonymity threshold", method: "PATCH", path: path, body: `{"anonymityThreshold": 7}`,
			wantStatus: 400, wantError: "invalid input", wantField: "anonymityThreshold"},
		{name: "a wording fix", method: "PATCH", path: path, body: `{"title": {"en": "Customer survey", "fi": "Asiakaskysely"}}`,
			wantStatus: 200, check: func(t *testing.T, sv survey.Survey) {
				if sv.Title["en"] != "Customer survey" || sv.Status != survey.StatusOpen {
					t.Errorf("after the fix: %v, %q", sv.Title, sv.Status)
				}
			}},
		{name: "closing", method: "POST", path: path + "/close", wantStatus: 200, check: func(t *testing.T, sv survey.Survey) {
			if sv.Status != survey.StatusClosed || sv.ClosedAt == nil {
				t.Errorf("closed survey = %q, closed %v", sv.Status, sv.ClosedAt)
			}
		}},
		{name: "closing twice", method: "POST", path: path + "/close", wantStatus: 409, wantError: "only an open survey can be closed"},
		{name: "editing a closed survey", method: "PATCH", path: path, body: `{"tokenValidityDays": 5}`, wantStatus: 409, wantError: "a closed survey cannot be changed"},
		{name: "duplicating it", method: "POST", path: path + "/duplicate", wantStatus: 201, check: func(t *testing.T, dup survey.Survey) {
			if dup.ID == sv.ID || dup.Status != survey.StatusDraft || dup.Title["fi"] != "Copy of Asiakaskysely" {
				t.Errorf("duplicate = %s, %q, %v", dup.ID, dup.Status, dup.Title)
			}
		}},
	}
	for _, st := range steps {
		r := c.api(st.method, st.path, token, st.body)
		if r.StatusCode != st.wantStatus {
			t.Fatalf("%s: status %d, want %d\n%s", st.name, r.StatusCode, st.wantStatus, truncate(r.body))
		}
		if st.wantError != "" {
			e := decodeError(t, r)
			if e.Error != st.wantError {
				t.Errorf("%s: error = %q, want %q", st.name, e.Error, st.wantError)
			}
			if st.wantField != "" && e.Fields[st.wantField] == "" {
				t.Errorf("%s: no message for %s: %v", st.name, st.wantField, e.Fields)
			}
		}
		if st.check != nil {
			st.check(t, decodeSurvey(t, r))
		}
	}
}

func TestAPISurveyAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other, err := f.auth.CreateUser(context.Background(), auth.NewUser{
		Email: "other@example.com", Name: "Other Manager", Role: store.RoleManager, Password: testPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	sv := f.createSurvey(t, f.manager)
	path := "/api/v1/surveys/" + sv.ID
	analyst, manager, admin, otherManager := f.token(t, f.analyst), f.token(t, f.manager), f.token(t, f.admin), f.token(t, other)

	tests := []struct {
		name, method, path, token, body string
		want                            int
		wantError                       string
	}{
		{"analyst lists", "GET", "/api/v1/surveys", analyst, "", 200, ""},
		{"analyst reads", "GET", path, analyst, "", 200, ""},
		{"analyst cannot create", "POST", "/api/v1/surveys", analyst, surveyBody, 403, "forbidden"},
		{"analyst cannot edit", "PATCH", path, analyst, `{"tokenValidityDays": 3}`, 403, "forbidden"},
		{"analyst cannot open", "POST", path + "/open", analyst, "", 403, "forbidden"},
		{"analyst cannot duplicate", "POST", path + "/duplicate", analyst, "", 403, "forbidden"},
		{"another manager reads", "GET", path, otherManager, "", 200, ""},
		{"another manager cannot edit", "PATCH", path, otherManager, `{"tokenValidityDays": 3}`, 403, "only the survey's owner or an admin may change it"},
		{"another manager cannot open", "POST", path + "/open", otherManager, "", 403, "only the survey's owner or an admin may change it"},
		{"another manager may duplicate", "POST", path + "/duplicate", otherManager, "", 201, ""},
		{"an admin may edit", "PATCH", path, admin, `{"tokenValidityDays": 40}`, 200, ""},
		{"no token", "GET", path, "", "", 401, "missing bearer token"},
		{"missing survey", "GET", "/api/v1/surveys/nope", manager, "", 404, "not found"},
		{"editing a missing survey", "PATCH", "/api/v1/surveys/nope", manager, `{"tokenValidityDays": 3}`, 404, "not found"},
		{"opening a missing survey", "POST", "/api/v1/surveys/nope/open", manager, "", 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.client(t).api(tt.method, tt.path, tt.token, tt.body)
			wantStatus(t, r, tt.want)
			if tt.wantError != "" {
				if e := decodeError(t, r); e.Error != tt.wantError {
					t.Errorf("error = %q, want %q", e.Error, tt.wantError)
				}
			}
		})
	}
}

func TestAPIListSurveys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := f.createSurvey(t, f.manager)
	f.createSurvey(t, f.manager)
	f.createSurvey(t, f.admin)
	token := f.token(t, f.manager)
	wantStatus(t, f.client(t).api("POST", "/api/v1/surveys/"+mine.ID+"/open", token, ""), http.StatusOK)

	tests := []struct {
		query                string
		wantTotal, wantItems int
		wantLimit            int64
	}{
		{"", 3, 3, 50},
		{"?mine=true", 2, 2, 50},
		{"?mine=false", 3, 3, 50},
		{"?status=open", 1, 1, 50},
		{"?status=draft&mine=true", 1, 1, 50},
		{"?status=closed", 0, 0, 50},
		{"?limit=2", 3, 2, 2},
		{"?offset=2&limit=2", 3, 1, 2},
		{"?limit=9999", 3, 3, 500},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			r := f.client(t).api("GET", "/api/v1/surveys"+tt.query, token, "")
			wantStatus(t, r, http.StatusOK)
			var got api.ListJSON[survey.Survey]
			if err := json.Unmarshal([]byte(r.body), &got); err != nil {
				t.Fatal(err)
			}
			if got.Total != int64(tt.wantTotal) || len(got.Items) != tt.wantItems || got.Limit != tt.wantLimit || got.Items == nil {
				t.Errorf("total %d, items %d, limit %d; want %d, %d, %d", got.Total, len(got.Items), got.Limit, tt.wantTotal, tt.wantItems, tt.wantLimit)
			}
		})
	}

	for query, field := range map[string]string{"?status=paused": "status", "?mine=perhaps": "mine", "?offset=-1": "offset", "?limit=x": "limit"} {
		t.Run(query, func(t *testing.T) {
			t.Parallel()
			r := f.client(t).api("GET", "/api/v1/surveys"+query, token, "")
			wantStatus(t, r, http.StatusBadRequest)
			if e := decodeError(t, r); e.Fields[field] == "" {
				t.Errorf("no message for %s: %v", field, e.Fields)
			}
		})
	}
}
