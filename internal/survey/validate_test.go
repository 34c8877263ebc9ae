package survey_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(s *survey.Survey)
		path   string
		msg    string
	}{
		{"title missing", func(s *survey.Survey) { s.Title = nil }, "title", "is required"},
		{"title untranslated", func(s *survey.Survey) { delete(s.Title, "fi") }, "title.fi", "missing the Finnish (fi) translation"},
		{"title blank in a locale", func(s *survey.Survey) { s.Title["fi"] = "" }, "title.fi", "missing the Finnish (fi) translation"},
		{"title too long", func(s *survey.Survey) { s.Title["en"] = strings.Repeat("ä", 201) }, "title.en", "at most 200 characters (has 201)"},
		{"title in an undeclared locale", func(s *survey.Survey) { s.Title["sv"] = "Enkät" }, "title.sv", "Swedish (sv) is not one of the survey's languages (en, fi)"},
		{"title under an unnormalized key", func(s *survey.Survey) { s.Title["EN"] = "Survey" }, "title.EN", `"EN" is not one of the survey's languages`},
		{"intro partly translated", func(s *survey.Survey) { s.Intro = survey.Text{"en": "Hello"} }, "intro.fi", "missing the Finnish (fi) translation"},
		{"intro too long", func(s *survey.Survey) { s.Intro = bi(strings.Repeat("x", 4001), "x") }, "intro.en", "at most 4000"},
		{"unsupported locale", func(s *survey.Survey) { s.Locales = append(s.Locales, "ru") }, "locales[2]", `"ru" is not a supported language; use en, fi, sv, de, fr, es, it, zh`},
		{"traditional chinese", func(s *survey.Survey) { s.Locales = append(s.Locales, "zh-TW") }, "locales[2]", `"zh-TW" is not a supported language`},
		{"locale listed twice", func(s *survey.Survey) { s.Locales = append(s.Locales, "fi") }, "locales[2]", "Finnish (fi) is listed twice"},
		{"unsupported default locale", func(s *survey.Survey) {
			s.DefaultLocale = "ru"
			s.Locales = []string{"ru", "en", "fi"}
		}, "defaultLocale", `"ru" is not a supported language`},
		{"default locale not declared", func(s *survey.Survey) { s.DefaultLocale = "fi"; s.Locales = []string{"en"} }, "locales", `must include the default locale "fi"`},
		{"no questions", func(s *survey.Survey) { s.Questions = nil }, "questions", "add at least one question"},
		{"too many questions", func(s *survey.Survey) { s.Questions = manyQuestions(101) }, "questions", "at most 100 questions (this one has 101)"},
		{"question key missing", func(s *survey.Survey) { s.Questions[0].Key = "" }, "questions[0].key", "is required"},
		{"question key starts with a digit", func(s *survey.Survey) { s.Questions[0].Key = "1nps" }, "questions[0].key", "must start with a letter"},
		{"question key upper case", func(s *survey.Survey) { s.Questions[0].Key = "Nps" }, "questions[0].key", "must start with a letter"},
		{"question key with a dash", func(s *survey.Survey) { s.Questions[0].Key = "net-promoter" }, "questions[0].key", "only a–z, 0–9 and _"},
		{"question key too long", func(s *survey.Survey) { s.Questions[0].Key = "a" + strings.Repeat("b", 40) }, "questions[0].key", "at most 40 characters"},
		{"question key repeated", func(s *survey.Survey) { s.Questions[2].Key = "nps" }, "questions[2].key", `another question already has the key "nps"`},
		{"unknown question type", func(s *survey.Survey) { s.Questions[1].Type = "x" }, "questions[1].type", `unknown question type "x"; use nps, csat, ces, single, multi or text`},
		{"question type missing", func(s *survey.Survey) { s.Questions[1].Type = "" }, "questions[1].type", "is required; use nps"},
		{"prompt missing", func(s *survey.Survey) { s.Questions[2].Prompt = nil }, "questions[2].prompt", "is required"},
		{"prompt untranslated", func(s *survey.Survey) { delete(s.Questions[2].Prompt, "fi") }, "questions[2].prompt.fi", "missing the Finnish (fi) translation"},
		{"prompt too long", func(s *survey.Survey) { s.Questions[2].Prompt["fi"] = strings.Repeat("x", 1001) }, "questions[2].prompt.fi", "at most 1000"},
		{"one option", func(s *survey.Survey) { s.Questions[3].Options = s.Questions[3].Options[:1] }, "questions[3].options", "needs 2 to 50 options (this one has 1)"},
		{"no options", func(s *survey.Survey) { s.Questions[4].Options = nil }, "questions[4].options", "needs 2 to 50 options (this one has 0)"},
		{"too many options", func(s *survey.Survey) { s.Questions[4].Options = manyOptions(51) }, "questions[4].options", "(this one has 51)"},
		{"option key repeated", func(s *survey.Survey) { s.Questions[3].Options[2].Key = "email" }, "questions[3].options[2].key", `another option already has the key "email"`},
		{"option key malformed", func(s *survey.Survey) { s.Questions[3].Options[0].Key = "e mail" }, "questions[3].options[0].key", "must start with a letter"},
		{"option key missing", func(s *survey.Survey) { s.Questions[3].Options[0].Key = "" }, "questions[3].options[0].key", "is required"},
		{"option label untranslated", func(s *survey.Survey) { delete(s.Questions[4].Options[1].Label, "fi") }, "questions[4].options[1].label.fi", "missing the Finnish (fi) translation"},
		{"option label missing", func(s *survey.Survey) { s.Questions[4].Options[1].Label = nil }, "questions[4].options[1].label", "is required"},
		{"options on a scale question", func(s *survey.Survey) { s.Questions[0].Options = manyOptions(2) }, "questions[0].options", "only single and multi questions have options"},
		{"options on a text question", func(s *survey.Survey) { s.Questions[5].Options = manyOptions(2) }, "questions[5].options", "only single and multi questions have options"},
		{"max length on a scale question", func(s *survey.Survey) { s.Questions[0].MaxLength = 100 }, "questions[0].maxLength", "only text questions have a maximum length"},
		{"max length too big", func(s *survey.Survey) { s.Questions[5].MaxLength = 10001 }, "questions[5].maxLength", "between 1 and 10000"},
		{"max length negative", func(s *survey.Survey) { s.Questions[5].MaxLength = -1 }, "questions[5].maxLength", "between 1 and 10000"},
		{"quotable scale question", func(s *survey.Survey) { s.Questions[0].Quotable = true }, "questions[0].quotable", "only text questions can be quotable"},
		{"quotable choice question", func(s *survey.Survey) { s.Questions[4].Quotable = true }, "questions[4].quotable", "only text questions can be quotable"},
		{"confidential and quotable", func(s *survey.Survey) { s.Questions[5].Confidential = true }, "questions[5].quotable", "a confidential question cannot be quotable"},
		{"consent missing", func(s *survey.Survey) { s.ConsentText = nil }, "consentText", "is required"},
		{"consent untranslated", func(s *survey.Survey) {
			s.Locales = append(s.Locales, "sv")
			addSwedish(s)
			delete(s.ConsentText, "sv")
		}, "consentText.sv", "missing the Swedish (sv) translation"},
		{"consent too long", func(s *survey.Survey) { s.ConsentText["en"] = strings.Repeat("x", 4001) }, "consentText.en", "at most 4000"},
		{"anonymity threshold too low", func(s *survey.Survey) { s.AnonymityThreshold = 2 }, "anonymityThreshold", "must be at least 3"},
		{"comment threshold below anonymity threshold", func(s *survey.Survey) { s.CommentThreshold = 4 }, "commentThreshold", "must be at least the anonymity threshold (5)"},
		{"token validity zero", func(s *survey.Survey) { s.TokenValidityDays = 0 }, "tokenValidityDays", "between 1 and 365 days"},
		{"token validity too long", func(s *survey.Survey) { s.TokenValidityDays = 366 }, "tokenValidityDays", "between 1 and 365 days"},
		{"named retention negative", func(s *survey.Survey) { s.NamedRetentionMonths = -1 }, "namedRetentionMonths", "between 0 and 120 months"},
		{"named retention too long", func(s *survey.Survey) { s.NamedRetentionMonths = 121 }, "namedRetentionMonths", "between 0 and 120 months"},
		{"consent version zero", func(s *survey.Survey) { s.ConsentVersion = 0 }, "consentVersion", "at least 1"},
		{"unknown status", func(s *survey.Survey) { s.Status = "paused" }, "status", `unknown status "paused"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fixture()
			tt.mutate(&s)
			wantField(t, s.Validate(), tt.path, tt.msg)
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(s *survey.Survey)
	}{
		{"fixture", func(*survey.Survey) {}},
		{"no intro", func(s *survey.Survey) { s.Intro = nil }},
		{"full intro", func(s *survey.Survey) { s.Intro = bi("Hello", "Hei") }},
		{"every locale", func(s *survey.Survey) {
			s.Locales = []string{"en", "fi", "sv", "de", "fr", "es", "it", "zh"}
			for _, l := range s.Locales[2:] {
				addLocale(s, l)
			}
		}},
		{"40-character key", func(s *survey.Survey) { s.Questions[0].Key = "a" + strings.Repeat("_9", 19) + "z" }},
		{"one-letter key", func(s *survey.Survey) { s.Questions[0].Key = "q" }},
		{"100 questions", func(s *survey.Survey) { s.Questions = manyQuestions(100) }},
		{"2 options", func(s *survey.Survey) { s.Questions[3].Options = s.Questions[3].Options[:2] }},
		{"50 options", func(s *survey.Survey) { s.Questions[4].Options = manyOptions(50) }},
		{"longest text answers", func(s *survey.Survey) { s.Questions[5].MaxLength = 10000 }},
		{"shortest text answers", func(s *survey.Survey) { s.Questions[5].MaxLength = 1 }},
		{"confidential scale question", func(s *survey.Survey) { s.Questions[0].Confidential = true }},
		{"lowest thresholds", func(s *survey.Survey) { s.AnonymityThreshold, s.CommentThreshold = 3, 3 }},
		{"token validity bounds", func(s *survey.Survey) { s.TokenValidityDays = 365 }},
		{"one-day tokens", func(s *survey.Survey) { s.TokenValidityDays = 1 }},
		{"names kept a month", func(s *survey.Survey) { s.NamedRetentionMonths = 1 }},
		{"names kept ten years", func(s *survey.Survey) { s.NamedRetentionMonths = 120 }},
		{"longest title", func(s *survey.Survey) { s.Title["fi"] = strings.Repeat("ö", 200) }},
		{"open", func(s *survey.Survey) { s.Status = survey.StatusOpen }},
		{"closed", func(s *survey.Survey) { s.Status = survey.StatusClosed }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fixture()
			tt.mutate(&s)
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFieldErrorMessage(t *testing.T) {
	t.Parallel()
	s := fixture()
	s.Title = nil
	s.AnonymityThreshold = 1
	err := s.Validate()
	want := "survey: invalid input: anonymityThreshold: must be at least 3; title: is required"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

// manyQuestions returns n valid optional NPS questions.
func manyQuestions(n int) []survey.Question {
	qs := make([]survey.Question, n)
	for i := range qs {
		qs[i] = survey.Question{Key: fmt.Sprintf("q%d", i), Type: survey.TypeNPS, Prompt: bi("Q", "K")}
	}
	return qs
}

// manyOptions returns n valid options.
func manyOptions(n int) []survey.Option {
	opts := make([]survey.Option, n)
	for i := range opts {
		opts[i] = opt(fmt.Sprintf("o%d", i), "O", "V")
	}
	return opts
}

// addLocale translates every text of s into locale, which s must declare.
func addLocale(s *survey.Survey, locale string) {
	s.Title[locale] = "Title " + locale
	s.ConsentText[locale] = "Consent " + locale
	for i := range s.Questions {
		s.Questions[i].Prompt[locale] = "Prompt " + locale
		for j := range s.Questions[i].Options {
			s.Questions[i].Options[j].Label[locale] = "Label " + locale
		}
	}
	if s.Intro != nil {
		s.Intro[locale] = "Intro " + locale
	}
}

func addSwedish(s *survey.Survey) { addLocale(s, "sv") }
