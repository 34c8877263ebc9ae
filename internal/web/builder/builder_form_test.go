package builder

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func TestParseSurveyForm(t *testing.T) {
	t.Parallel()
	bi := func(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }
	tests := []struct {
		name     string
		form     url.Values
		want     survey.Survey
		problems map[string]string
	}{
		{
			name: "a full form",
			form: url.Values{
				"defaultLocale": {"en"}, "locales": {"en", "fi"},
				"title.en": {"Survey"}, "title.fi": {"Kysely"},
				"intro.en": {"Hello\r\nthere"}, "intro.fi": {"Hei"},
				"consentText.en": {"Name me."}, "consentText.fi": {"Nimeä minut."},
				"anonymityThreshold": {"7"}, "commentThreshold": {" 12 "}, "tokenValidityDays": {"30"}, "revision": {"4"},
				"questions[0].key": {"nps"}, "questions[0].type": {"nps"}, "questions[0].required": {"on"},
				"questions[0].prompt.en": {"Recommend?"}, "questions[0].prompt.fi": {"Suosittelisitko?"},
				"questions[1].key": {"channel"}, "questions[1].type": {"single"}, "questions[1].confidential": {"on"},
				"questions[1].prompt.en": {"Channel?"}, "questions[1].prompt.fi": {"Kanava?"},
				"questions[1].options[0].key": {"email"}, "questions[1].options[0].label.en": {"Email"}, "questions[1].options[0].label.fi": {"Sähköposti"},
				"questions[1].options[1].key": {"phone"}, "questions[1].options[1].label.en": {"Phone"}, "questions[1].options[1].label.fi": {"Puhelin"},
				"questions[2].key": {"comment"}, "questions[2].type": {"text"}, "questions[2].maxLength": {"300"}, "questions[2].quotable": {"on"},
				"questions[2].prompt.en": {"Why?"}, "questions[2].prompt.fi": {"Miksi?"},
				"_csrf": {"token"}, "action": {"save"}, "newType": {"nps"},
			},
			want: survey.Survey{
				DefaultLocale: "en", Locales: []string{"en", "fi"},
				Title: bi("Survey", "Kysely"), Intro: bi("Hello\r\nthere", "Hei"), ConsentText: bi("Name me.", "Nimeä minut."),
				AnonymityThreshold: 7, CommentThreshold: 12, TokenValidityDays: 30, Revision: 4,
				Questions: []survey.Question{
					{Key: "nps", Type: survey.TypeNPS, Required: true, Prompt: bi("Recommend?", "Suosittelisitko?")},
					{Key: "channel", Type: survey.TypeSingle, Confidential: true, Prompt: bi("Channel?", "Kanava?"), Options: []survey.Option{
						{Key: "email", Label: bi("Email", "Sähköposti")}, {Key: "phone", Label: bi("Phone", "Puhelin")},
					}},
					{Key: "comment", Type: survey.TypeText, MaxLength: 300, Quotable: true, Prompt: bi("Why?", "Miksi?")},
				},
			},
		},
		{
			name: "an empty form",
			form: url.Values{},
			want: survey.Survey{Locales: []string{"en"}},
		},
		{
			name: "the default language is always declared, first",
			form: url.Values{"defaultLocale": {" fi "}, "locales": {"en", "fi", "en", ""}, "title.fi": {"Kysely"}, "title.en": {"Survey"}},
			want: survey.Survey{DefaultLocale: "fi", Locales: []string{"fi", "en"}, Title: survey.Text{"fi": "Kysely", "en": "Survey"}},
		},
		{
			name: "texts in undeclared languages are dropped",
			form: url.Values{"locales": {"en"}, "title.en": {"Survey"}, "title.sv": {"Enkät"}, "title": {"Loose"}, "intro.en": {""}},
			want: survey.Survey{Locales: []string{"en"}, Title: survey.Text{"en": "Survey"}},
		},
		{
			name: "blank option rows are dropped, the rest kept in row order",
			form: url.Values{
				"questions[0].type":           {"multi"},
				"questions[0].options[0].key": {" "}, "questions[0].options[0].label.en": {""},
				"questions[0].options[7].key": {"b"},
				"questions[0].options[2].key": {""}, "questions[0].options[2].label.en": {"Label only"},
			},
			want: survey.Survey{Locales: []string{"en"}, Questions: []survey.Question{{Type: survey.TypeMulti, Options: []survey.Option{
				{Label: survey.Text{"en": "Label only"}}, {Key: "b"},
			}}}},
		},
		{
			name: "fields that do not apply to the type are ignored",
			form: url.Values{
				"questions[0].type": {"nps"}, "questions[0].maxLength": {"50"}, "questions[0].quotable": {"on"},
				"questions[0].options[0].key": {"a"},
				"questions[1].type":           {"text"}, "questions[1].options[0].key": {"a"}, "questions[1].maxLength": {""},
			},
			want: survey.Survey{Locales: []string{"en"}, Questions: []survey.Question{{Type: survey.TypeNPS}, {Type: survey.TypeText}}},
		},
		{
			name: "questions in index order, gaps closed",
			form: url.Values{"questions[10].key": {"ten"}, "questions[2].key": {"two"}, "questions[0].required": {"yes"}},
			want: survey.Survey{Locales: []string{"en"}, Questions: []survey.Question{{Required: true}, {Key: "two"}, {Key: "ten"}}},
		},
		{
			name: "malformed indexes name no question",
			form: url.Values{
				"questions[01].key": {"a"}, "questions[-1].key": {"b"}, "questions[1000].key": {"c"}, "questions[x].key": {"d"},
				"questions[3.key": {"e"}, "questions[].key": {"f"}, "questions[+1].key": {"g"}, "questions[1 ].key": {"h"},
			},
			want: survey.Survey{Locales: []string{"en"}},
		},
		{
			name: "numbers that are not",
			form: url.Values{
				"anonymityThreshold": {"five"}, "commentThreshold": {"1e3"}, "tokenValidityDays": {"99999999999999999999"}, "revision": {"-2"},
				"questions[0].type": {"text"}, "questions[0].maxLength": {"2,000"},
			},
			want: survey.Survey{Locales: []string{"en"}, Revision: -2, Questions: []survey.Question{{Type: survey.TypeText}}},
			problems: map[string]string{
				"anonymityThreshold": "must be a whole number", "commentThreshold": "must be a whole number",
				"tokenValidityDays": "must be a whole number", "questions[0].maxLength": "must be a whole number",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, problems := parseSurveyForm(tt.form)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseSurveyForm =\n%+v\nwant\n%+v", got, tt.want)
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

func TestParseBuilderAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want builderAction
	}{
		{"save", builderAction{kind: actionSave}},
		{"", builderAction{kind: actionSave}},
		{"add", builderAction{kind: actionAdd}},
		{"refresh", builderAction{kind: actionRefresh}},
		{"remove:2", builderAction{kind: actionRemove, q: 2}},
		{"up:0", builderAction{kind: actionUp}},
		{"down:7", builderAction{kind: actionDown, q: 7}},
		{"add-option:3", builderAction{kind: actionAddOption, q: 3}},
		{"remove-option:3:1", builderAction{kind: actionRemoveOption, q: 3, opt: 1}},
		// Anything malformed saves, as Enter does.
		{"remove", builderAction{kind: actionSave}},
		{"remove:-1", builderAction{kind: actionSave}},
		{"remove:1000", builderAction{kind: actionSave}},
		{"up:x", builderAction{kind: actionSave}},
		{"add:1", builderAction{kind: actionSave}},
		{"remove-option:3", builderAction{kind: actionSave}},
		{"remove:1:2", builderAction{kind: actionSave}},
		{"delete-everything", builderAction{kind: actionSave}},
	}
	for _, tt := range tests {
		if got := parseBuilderAction(tt.in); got != tt.want {
			t.Errorf("parseBuilderAction(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestMoveKeepsEveryValue moves questions of a posted form up and down: every
// value typed, saved or not, moves with its question, and the button
// pressed keeps the focus.
func TestMoveKeepsEveryValue(t *testing.T) {
	t.Parallel()
	form := url.Values{
		"locales": {"en", "fi"}, "title.en": {"Unsaved title"}, "branding.accent": {"#0b5cad"},
		"questions[0].type": {"nps"}, "questions[0].prompt.en": {"Recommend?"}, "questions[0].prompt.fi": {"Suosittelisitko?"}, "questions[0].required": {"on"},
		"questions[1].type": {"single"}, "questions[1].prompt.en": {"Channel?"}, "questions[1].confidential": {"on"},
		"questions[1].options[0].label.en": {"Email"}, "questions[1].options[0].label.fi": {"Sähköposti"}, "questions[1].options[1].key": {"phone"},
		"questions[2].key": {"why"}, "questions[2].type": {"text"}, "questions[2].prompt.en": {"Why?"}, "questions[2].maxLength": {"300"}, "questions[2].quotable": {"on"},
	}
	parsed, _ := parseSurveyForm(form)
	for _, tc := range []struct {
		action string
		order  []int // indexes into the posted questions
		focus  string
	}{
		{"up:2", []int{0, 2, 1}, "f-questions-1-up"},
		{"up:1", []int{1, 0, 2}, "f-questions-0-down"}, // at the top: the other button
		{"down:0", []int{1, 0, 2}, "f-questions-1-down"},
		{"down:1", []int{0, 2, 1}, "f-questions-2-up"}, // at the bottom
		{"up:0", []int{0, 1, 2}, ""},                   // nowhere to go
		{"down:2", []int{0, 1, 2}, ""},
		{"up:9", []int{0, 1, 2}, ""},
	} {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			sv, _ := parseSurveyForm(form)
			focus, notice := parseBuilderAction(tc.action).apply(&sv, "")
			if focus != tc.focus || notice != "" {
				t.Errorf("focus %q, notice %q; want focus %q", focus, notice, tc.focus)
			}
			for i, from := range tc.order {
				if !reflect.DeepEqual(sv.Questions[i], parsed.Questions[from]) {
					t.Errorf("question %d = %+v, want %+v", i, sv.Questions[i], parsed.Questions[from])
				}
			}
			if sv.Title["en"] != "Unsaved title" || sv.Branding.Accent != "#0b5cad" || !slices.Equal(sv.Locales, []string{"en", "fi"}) {
				t.Errorf("the rest of the form changed: %+v", sv)
			}
			// The page shows the moved question's values where it now is,
			// and the buttons say which question they move.
			page := newBuilderPage(sv, builderOptions{focus: focus})
			for i, from := range tc.order {
				q := page.Questions[i]
				if q.Prompts[0].Value != parsed.Questions[from].Prompt["en"] || q.Number != i+1 {
					t.Errorf("page question %d shows %q", i+1, q.Prompts[0].Value)
				}
				if q.Up != fmt.Sprintf("up:%d", i) || q.UpID != fmt.Sprintf("f-questions-%d-up", i) || q.FocusUp != (q.UpID == focus) {
					t.Errorf("page question %d: up button %q %q", i+1, q.Up, q.UpID)
				}
			}
		})
	}
}

func TestAddLeavesTheKeyToThePrompt(t *testing.T) {
	t.Parallel()
	sv := survey.Survey{Locales: []string{"en"}, Questions: []survey.Question{{Key: "nps", Type: survey.TypeNPS}}}
	focus, _ := parseBuilderAction("add").apply(&sv, survey.TypeText)
	if len(sv.Questions) != 2 || sv.Questions[1].Key != "" || sv.Questions[1].Type != survey.TypeText || focus != "f-questions-1-prompt-en" {
		t.Fatalf("after add: %+v, focus %q", sv.Questions, focus)
	}
	sv.Questions[1].Prompt = survey.Text{"en": "What could we do better?"}
	page := newBuilderPage(sv, builderOptions{})
	if help := page.Questions[1].Key.Help; !strings.Contains(help, "“what_could_we_do_better”") {
		t.Errorf("key help = %q", help)
	}
	if page.Questions[1].AdvancedOpen || page.Questions[0].Key.Locked != "" {
		t.Errorf("advanced open %v, locked %q", page.Questions[1].AdvancedOpen, page.Questions[0].Key.Locked)
	}
	if got := page.Preview.Questions[1].Key; got != "what_could_we_do_better" || !page.Preview.Preview {
		t.Errorf("preview question key = %q", got)
	}
}

func TestParseBranding(t *testing.T) {
	t.Parallel()
	logo := strings.Repeat("ab", 32)
	form := url.Values{"branding.logoId": {logo}, "branding.accent": {" #0B5CAD"}, "branding.senderName": {"Acme"}, "branding.replyTo": {"a@acme.example"}}
	sv, _ := parseSurveyForm(form)
	want := survey.Branding{LogoID: logo, Accent: " #0B5CAD", SenderName: "Acme", ReplyTo: "a@acme.example"}
	if sv.Branding != want {
		t.Errorf("branding = %+v, want %+v", sv.Branding, want)
	}
	form.Set("branding.removeLogo", "on")
	if sv, _ := parseSurveyForm(form); sv.Branding.LogoID != "" {
		t.Errorf("the logo stayed after Remove: %+v", sv.Branding)
	}
}

func TestFieldID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"questions[2].prompt.fi":           "f-questions-2-prompt-fi",
		"questions[0].options[11].key":     "f-questions-0-options-11-key",
		"title.en":                         "f-title-en",
		"anonymityThreshold":               "f-anonymityThreshold",
		`"><script>alert(1)</script>`:      "f-script-alert-1-script",
		"questions[1].options[0].label.zh": "f-questions-1-options-0-label-zh",
	} {
		if got := fieldID(in); got != want {
			t.Errorf("fieldID(%q) = %q, want %q", in, got, want)
		}
	}
}

var problemPath = regexp.MustCompile(`^(anonymityThreshold|commentThreshold|tokenValidityDays|namedRetentionMonths|revision|questions\[\d+\]\.(maxLength|showIf\.min|showIf\.max))$`)

// FuzzParseSurveyForm feeds arbitrary form bodies and actions through the
// builder: parsing, the action and laying out the page never panic, and
// the parsed survey stays within the form's bounds.
func FuzzParseSurveyForm(f *testing.F) {
	f.Add("defaultLocale=fi&locales=en&title.fi=Kysely&questions[0].type=single&questions[0].options[3].key=a", "add-option:0")
	f.Add("questions[999].key=x&questions[0].options[999].label.en=y&anonymityThreshold=%ff", "remove-option:0:999")
	f.Add("locales=xx&locales=&title.xx=%00&questions[5].type=text&questions[5].maxLength=-1", "up:5")
	f.Add("questions[1].key=a&questions[2].key=b&questions[2].type=multi", "down:1")
	f.Add("questions[0]=&questions[0].=&questions[0]].key=a&questions[[0].key=b", "remove:0")
	f.Add(strings.Repeat("locales=l&", 40)+"defaultLocale=en", "add")
	f.Add("questions[0].type=nps&questions[1].type=single&questions[1].options[0].key=a&questions[1].showIf.question=%230&questions[1].showIf.for=%230&questions[1].showIf.op=between&questions[1].showIf.min=x&questions[1].showIf.max=99", "condition:1")
	f.Add("questions[0].type=multi&questions[0].options[2].key=a&questions[1].showIf.question=%230&questions[1].showIf.op=any_of&questions[1].showIf.options=%232&questions[1].showIf.options=%23999&questions[1].prompt.en={{answer:", "remove-option:0:2")
	f.Add("questions[0].showIf.question=%230&questions[3].showIf.question=nope&questions[3].showIf.op=none_of&questions[3].showIf.options=x", "always-show:3")
	f.Fuzz(func(t *testing.T, body, action string) {
		form, _ := url.ParseQuery(body) // a partly malformed body still yields fields
		a := parseBuilderAction(action)
		a.prepare(form)
		sv, problems := parseSurveyForm(form)
		pinReferencedKeys(&sv)

		if len(sv.Locales) == 0 || len(sv.Locales) > maxFormLocales {
			t.Fatalf("%d locales", len(sv.Locales))
		}
		if len(sv.Questions) > maxFormQuestion {
			t.Fatalf("%d questions", len(sv.Questions))
		}
		declared := map[string]bool{}
		for _, l := range sv.Locales {
			declared[l] = true
		}
		texts := []survey.Text{sv.Title, sv.Intro, sv.ConsentText}
		for _, q := range sv.Questions {
			texts = append(texts, q.Prompt)
			if len(q.Options) > maxFormOptions {
				t.Fatalf("%d options", len(q.Options))
			}
			if len(q.Options) > 0 && !q.Type.IsChoice() {
				t.Fatalf("a %q question has options", q.Type)
			}
			for _, o := range q.Options {
				texts = append(texts, o.Label)
			}
		}
		for _, text := range texts {
			for l := range text {
				if !declared[l] {
					t.Fatalf("text in undeclared locale %q", l)
				}
			}
		}
		for path := range problems {
			if !problemPath.MatchString(path) {
				t.Fatalf("problem at unexpected path %q", path)
			}
		}

		focus, _ := a.apply(&sv, survey.QuestionType(form.Get(fieldNewType)))
		page := newBuilderPage(sv, builderOptions{errs: problems, focus: focus})
		if len(page.Questions) != len(sv.Questions) {
			t.Fatalf("page shows %d questions of %d", len(page.Questions), len(sv.Questions))
		}
		check := sv.Clone()
		check.Normalize()
		_ = check.Validate()
	})
}
