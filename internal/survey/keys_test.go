package survey_test

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
)

func TestSlug(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ prompt, want string }{
		{"How likely are you to recommend us?", "how_likely_are_you_to_recommend_us"},
		{"  Qualité du service après-vente ", "qualite_du_service_apres_vente"},
		{"Größe & Übergabe", "grosse_ubergabe"},
		{"Ærø, Łódź, Søren", "aero_lodz_soren"},
		{"Café\u0301", "cafe"}, // a combining accent after a precomposed one
		{"Our customer's view", "our_customers_view"},
		{"2026 plans", "q_2026_plans"},
		{"", ""},
		{"🙂👍", ""},
		{"123 456", ""},
		{"日本語", ""},
		{"Как дела? ok", "ok"},
		{"___", ""},
		// Cut at the last word boundary within 40 characters.
		{"How satisfied are you with the maintenance of your elevators", "how_satisfied_are_you_with_the"},
		// One word longer than 40 characters is cut inside it.
		{strings.Repeat("a", 50), strings.Repeat("a", 40)},
	} {
		got := survey.Slug(tc.prompt)
		if got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.prompt, got, tc.want)
		}
		if len(got) > survey.MaxKeyLength {
			t.Errorf("Slug(%q) = %q is longer than %d", tc.prompt, got, survey.MaxKeyLength)
		}
	}
}

func TestNormalizeFillsMissingKeys(t *testing.T) {
	t.Parallel()
	long := "How satisfied are you with the maintenance of your elevators"
	q := func(key, prompt string) survey.Question {
		return survey.Question{Key: key, Type: survey.TypeText, Prompt: survey.Text{"en": prompt}}
	}
	for _, tc := range []struct {
		name      string
		questions []survey.Question
		want      []string
	}{
		{"from the prompt", []survey.Question{q("", "How likely?"), q("", "Why?")}, []string{"how_likely", "why"}},
		{"accents", []survey.Question{q("", "Était-ce rapide ?")}, []string{"etait_ce_rapide"}},
		{"duplicates get a suffix", []survey.Question{q("", "Why?"), q("", "Why?"), q("", "why")}, []string{"why", "why_2", "why_3"}},
		{"an explicit key is kept and avoided", []survey.Question{q("", "Why?"), q("why", "Reason")}, []string{"why_2", "why"}},
		{"empty and emoji prompts are numbered", []survey.Question{q("", ""), q("", "🙂"), q("", "Fine")}, []string{"q1", "q2", "fine"}},
		{"a numbered fallback that is taken", []survey.Question{q("q1", "One"), q("", "")}, []string{"q1", "q2"}},
		{"q1 taken by position", []survey.Question{q("", ""), q("q1", "x")}, []string{"q1_2", "q1"}},
		{"the suffix fits in 40", []survey.Question{q("", long), q("", long), q("", long+" too")}, []string{
			"how_satisfied_are_you_with_the", "how_satisfied_are_you_with_the_2", "how_satisfied_are_you_with_the_3"}},
		{"a long word with a suffix", []survey.Question{q("", strings.Repeat("b", 45)), q("", strings.Repeat("b", 41))}, []string{
			strings.Repeat("b", 40), strings.Repeat("b", 38) + "_2"}},
		{"existing keys stay as they are", []survey.Question{q("nps", "How likely?"), q("comment", "Why?")}, []string{"nps", "comment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := survey.Survey{Title: survey.Text{"en": "T"}, ConsentText: survey.Text{"en": "C"}, Questions: tc.questions}
			s.Normalize()
			for i, want := range tc.want {
				if got := s.Questions[i].Key; got != want {
					t.Errorf("question %d key = %q, want %q", i+1, got, want)
				}
			}
			for path, msg := range fault.FieldsOf(s.Validate()) {
				if strings.HasSuffix(path, ".key") {
					t.Errorf("a generated key does not validate: %s: %s", path, msg)
				}
			}
		})
	}
}

func TestNormalizeFillsOptionKeysFromLabels(t *testing.T) {
	t.Parallel()
	s := survey.Survey{
		DefaultLocale: "fi", Locales: []string{"fi", "en"},
		Questions: []survey.Question{{Type: survey.TypeSingle, Prompt: survey.Text{"fi": "Kanava", "en": "Channel"}, Options: []survey.Option{
			{Label: survey.Text{"fi": "Sähköposti", "en": "Email"}},
			{Label: survey.Text{"fi": "Puhelin", "en": "Phone"}},
			{Key: "puhelin", Label: survey.Text{"fi": "Puhelin 2", "en": "Phone 2"}},
			{Label: survey.Text{"fi": "🙂", "en": "Smile"}},
		}}},
	}
	s.Normalize()
	var got []string
	for _, o := range s.Questions[0].Options {
		got = append(got, o.Key)
	}
	if want := "sahkoposti puhelin_2 puhelin o4"; strings.Join(got, " ") != want || s.Questions[0].Key != "kanava" {
		t.Errorf("keys = %s %v, want kanava %s", s.Questions[0].Key, got, want)
	}
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"How likely?", "Größe", "🙂", "", "2026", "a_b", "ǅ", "ﬁne", "İstanbul", strings.Repeat("ab ", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := survey.Slug(s)
		if key == "" {
			return
		}
		// Every slug is a valid key, and one survey can hold it.
		sv := survey.Survey{Title: survey.Text{"en": "T"}, ConsentText: survey.Text{"en": "C"},
			Questions: []survey.Question{{Key: key, Type: survey.TypeText, Prompt: survey.Text{"en": "P"}}}}
		sv.Normalize()
		if err := sv.Validate(); err != nil || sv.Questions[0].Key != key {
			t.Fatalf("Slug(%q) = %q, which is not a valid key: %v", s, key, err)
		}
		if strings.Contains(key, "__") || strings.HasSuffix(key, "_") {
			t.Fatalf("Slug(%q) = %q has an empty word", s, key)
		}
		if survey.Slug(key) != key {
			t.Fatalf("Slug(%q) = %q is not a fixed point", s, key)
		}
	})
}
