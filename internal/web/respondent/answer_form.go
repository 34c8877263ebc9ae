package respondent

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/survey"
)

// Fields of the answer form besides the answers ("q.<key>").
const (
	ConsentField        = "consent"        // ticked: attach my name
	ConsentVersionField = "consentVersion" // the consent text version shown
	LocaleField         = "locale"         // the language answered in
)

// AnswerForm is a survey's answer form as a respondent sees it in one
// language: the data of the "respondent_form" template in
// views/survey_form.html, which the staff preview and the respondent page
// share so that the preview is exactly what respondents get.
type AnswerForm struct {
	Locale    string
	Title     string
	Intro     string
	Questions []answerQuestion
	Msg       i18n.Catalog

	Consent        string
	ConsentField   string
	ConsentChecked bool

	// Preview shows the form without a way to send it.
	Preview bool
	// Embedded titles the form as a part of another page (h3), not as the
	// page itself (h1).
	Embedded bool
	Action   string        // where answers are posted
	Hidden   []hiddenField // sent with the answers; not in a preview

	// Steps, for a survey of several steps, is where the respondent is;
	// Questions are then the current step's only. nil: one form.
	Steps *StepNav
}

type hiddenField struct{ Name, Value string }

// answerQuestion is one question, laid out by kind: "scale" (nps, csat,
// ces) and "single" as radio groups, "multi" as checkboxes, "text" as a
// text area.
type answerQuestion struct {
	Key, ID, Field string
	Kind           string
	Prompt         string
	Required       bool
	Choices        []answerChoice
	Low, High      string // a scale's anchors: "0 = Not at all likely"
	Hint           string
	MaxLength      int
	Text           string
	Error          string
	RequiredText   string // "required", in the form's language
	// ShowIf is the question's condition as JSON, for the script that
	// shows it in place; empty when it has none.
	ShowIf string
	// Pipe is the prompt with the piped answers as {{answer:key}}, for the
	// script that fills them in as answers change; empty when it pipes none.
	Pipe string
}

type answerChoice struct {
	Value, Label, ID string
	Checked          bool
}

// NewAnswerForm lays out sv in the language closest to locale. values are
// answers to show again (a posted form), errs messages by question key,
// already in the respondent's language; both may be nil.
func NewAnswerForm(sv survey.Survey, locale string, values map[string][]string, errs map[string]string) AnswerForm {
	loc := sv.Locale(locale)
	def := sv.DefaultLocale
	msg := i18n.Messages(loc)
	f := AnswerForm{
		Locale:       loc,
		Title:        sv.Title.Get(loc, def),
		Intro:        sv.Intro.Get(loc, def),
		Msg:          msg,
		ConsentField: ConsentField,
	}
	// The answer records the consent version shown, not whatever is current
	// when it arrives.
	consent, version, _ := sv.ConsentFor(loc)
	f.Consent = consent
	f.Hidden = []hiddenField{{LocaleField, loc}, {ConsentVersionField, strconv.Itoa(version)}}
	f.ConsentChecked = values[ConsentField] != nil && values[ConsentField][0] != ""

	for _, q := range sv.Questions {
		f.Questions = append(f.Questions, layoutQuestion(sv, q, loc, msg, q.Prompt.Get(loc, def), values[survey.FormField(q.Key)], errs[q.Key]))
	}
	return f
}

// layoutQuestion lays out q with prompt, the values given and the
// problem with them.
func layoutQuestion(sv survey.Survey, q survey.Question, loc string, msg i18n.Catalog, prompt string, given []string, problem string) answerQuestion {
	def := sv.DefaultLocale
	field := survey.FormField(q.Key)
	aq := answerQuestion{
		Key: q.Key, ID: "q-" + q.Key, Field: field,
		Prompt: prompt, Required: q.Required, Error: problem, RequiredText: msg.T("form.required"),
	}
	if lo, hi, ok := q.Type.Scale(); ok {
		aq.Kind = "scale"
		aq.Low = strconv.Itoa(lo) + " = " + msg.T("scale."+string(q.Type)+".low")
		aq.High = strconv.Itoa(hi) + " = " + msg.T("scale."+string(q.Type)+".high")
		for n := lo; n <= hi; n++ {
			v := strconv.Itoa(n)
			aq.Choices = append(aq.Choices, answerChoice{Value: v, Label: v, ID: aq.ID + "-" + v, Checked: slices.Contains(given, v)})
		}
	}
	switch q.Type {
	case survey.TypeSingle, survey.TypeMulti:
		aq.Kind = string(q.Type)
		for _, o := range q.Options {
			aq.Choices = append(aq.Choices, answerChoice{
				Value: o.Key, Label: o.Label.Get(loc, def), ID: aq.ID + "-" + o.Key, Checked: slices.Contains(given, o.Key),
			})
		}
		if q.Type == survey.TypeMulti {
			aq.Hint = msg.T("form.multi.hint")
		}
	case survey.TypeText:
		aq.Kind = "text"
		aq.MaxLength = q.MaxLength
		if aq.MaxLength == 0 {
			aq.MaxLength = survey.DefaultTextLength
		}
		aq.Hint = fmt.Sprintf(msg.T("form.text.max"), aq.MaxLength)
		if len(given) > 0 {
			aq.Text = given[0]
		}
	}
	return aq
}
