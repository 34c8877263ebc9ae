package survey_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

// adaptive is a three-step survey: the score, then a follow-up that only
// detractors or only promoters see, then a question piping both earlier
// answers and the company's name.
func adaptive() survey.Survey {
	s := survey.Survey{
		Title: bi("Follow-up", "Jatko"), DefaultLocale: "en", Locales: []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: bi("How likely are you to recommend {{account}}?", "Suosittelisitko {{account}}?"), Required: true},
			{Key: "why_low", Type: survey.TypeSingle, Required: true, Prompt: bi("What went wrong?", "Mikä meni vikaan?"),
				Options: []survey.Option{opt("price", "Price", "Hinta"), opt("support", "Support", "Tuki")},
				ShowIf:  &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)}},
			{Key: "why_high", Type: survey.TypeText, Prompt: bi("What do you like most?", "Mistä pidät eniten?"),
				ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(9), Max: new(10)}},
			{Key: "fix", Type: survey.TypeText, Prompt: bi("You scored {{answer:nps}} and chose {{answer:why_low}}. What should we fix first?", "Annoit {{answer:nps}}, valitsit {{answer:why_low}}. Mitä korjaamme ensin?"),
				ShowIf: &survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"support"}}},
		},
		ConsentText: bi("Attach my name.", "Liitä nimeni."),
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		panic("adaptive: " + err.Error())
	}
	return s
}

func TestConditionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		edit      func(s *survey.Survey)
		path, msg string
	}{
		{"a later question", func(s *survey.Survey) {
			s.Questions[1].ShowIf = &survey.Condition{Question: "fix", Op: survey.OpAnswered}
		}, "questions[1].showIf.question", "not a question before this one"},
		{"a missing question", func(s *survey.Survey) {
			s.Questions[1].ShowIf.Question = "nope"
		}, "questions[1].showIf.question", "not a question before this one"},
		{"itself", func(s *survey.Survey) {
			s.Questions[1].ShowIf = &survey.Condition{Question: "why_low", Op: survey.OpAnswered}
		}, "questions[1].showIf.question", "its own answer"},
		{"no question chosen", func(s *survey.Survey) {
			s.Questions[1].ShowIf.Question = ""
		}, "questions[1].showIf.question", "choose the question"},
		{"a confidential answer", func(s *survey.Survey) {
			s.Questions[0].Confidential = true
			s.Questions[0].Prompt = bi("Score?", "Pisteet?")
		}, "questions[1].showIf.question", "confidential"},
		{"an unknown operator", func(s *survey.Survey) {
			s.Questions[1].ShowIf.Op = "above"
		}, "questions[1].showIf.op", "unknown condition"},
		{"a range on a choice", func(s *survey.Survey) {
			s.Questions[3].ShowIf = &survey.Condition{Question: "why_low", Op: survey.OpBetween, Min: new(1), Max: new(2)}
		}, "questions[3].showIf.op", "does not apply to a single question"},
		{"options on a score", func(s *survey.Survey) {
			s.Questions[1].ShowIf = &survey.Condition{Question: "nps", Op: survey.OpAnyOf, Options: []string{"price"}}
		}, "questions[1].showIf.op", "does not apply to a nps question"},
		{"out of the scale", func(s *survey.Survey) {
			s.Questions[1].ShowIf.Max = new(11)
		}, "questions[1].showIf.min", "run from 0 to 10"},
		{"min above max", func(s *survey.Survey) {
			s.Questions[1].ShowIf.Min = new(7)
		}, "questions[1].showIf.max", "at least the lowest score (7)"},
		{"no range", func(s *survey.Survey) {
			s.Questions[1].ShowIf.Min = nil
		}, "questions[1].showIf.min", "lowest and the highest"},
		{"no options", func(s *survey.Survey) {
			s.Questions[3].ShowIf.Options = nil
		}, "questions[3].showIf.options", "at least one option"},
		{"an unknown option", func(s *survey.Survey) {
			s.Questions[3].ShowIf.Options = []string{"weather"}
		}, "questions[3].showIf.options", `"weather" is not an option of "why_low"`},
		{"scores on answered", func(s *survey.Survey) {
			s.Questions[2].ShowIf = &survey.Condition{Question: "nps", Op: survey.OpAnswered, Min: new(1)}
		}, "questions[2].showIf.min", "only between takes scores"},
		{"an unknown placeholder", func(s *survey.Survey) {
			s.Questions[2].Prompt["fi"] = "Mistä pidät {{acount}}?"
		}, "questions[2].prompt.fi", `unknown placeholder "{{acount}}"`},
		{"piping a later answer", func(s *survey.Survey) {
			s.Questions[1].Prompt["en"] = "Why {{answer:fix}}?"
		}, "questions[1].prompt.en", `"fix" is not a question before this one`},
		{"piping its own answer", func(s *survey.Survey) {
			s.Questions[2].Prompt["en"] = "You wrote {{answer:why_high}}"
		}, "questions[2].prompt.en", "its own question's answer"},
		{"piping a confidential answer", func(s *survey.Survey) {
			s.Questions = slices.Insert(s.Questions, 0, survey.Question{Key: "secret", Type: survey.TypeText, MaxLength: 100, Confidential: true, Prompt: bi("Secret?", "Salaisuus?")})
			s.Questions[4].Prompt["en"] = "You said {{answer:secret}}"
		}, "questions[4].prompt.en", "confidential"},
		{"an unclosed placeholder", func(s *survey.Survey) {
			s.Questions[2].Prompt["en"] = "What do you like {{answer:nps"
		}, "questions[2].prompt.en", "unknown placeholder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := adaptive()
			tt.edit(&s)
			s.Normalize()
			if got := fields(t, s.Validate())[tt.path]; !strings.Contains(got, tt.msg) {
				t.Errorf("%s: %q, want …%s…", tt.path, got, tt.msg)
			}
		})
	}
}

func TestShownAndParseAnswersSkipHiddenQuestions(t *testing.T) {
	t.Parallel()
	s := adaptive()
	tests := []struct {
		name      string
		form      map[string][]string
		wantShown []string
		wantKeys  []string // answered
		wantErrs  []string
	}{
		{"detractor choosing support", map[string][]string{"q.nps": {"3"}, "q.why_low": {"support"}, "q.why_high": {"ignored"}, "q.fix": {"Call back"}},
			[]string{"nps", "why_low", "fix"}, []string{"nps", "why_low", "fix"}, nil},
		{"detractor choosing price", map[string][]string{"q.nps": {"6"}, "q.why_low": {"price"}, "q.fix": {"ignored"}},
			[]string{"nps", "why_low"}, []string{"nps", "why_low"}, nil},
		{"detractor skipping a required follow-up", map[string][]string{"q.nps": {"0"}},
			[]string{"nps", "why_low"}, []string{"nps"}, []string{"why_low"}},
		{"passive", map[string][]string{"q.nps": {"7"}, "q.why_low": {"support"}, "q.why_high": {"x"}, "q.fix": {"x"}},
			[]string{"nps"}, []string{"nps"}, nil},
		{"promoter", map[string][]string{"q.nps": {"10"}, "q.why_high": {"Speed"}},
			[]string{"nps", "why_high"}, []string{"nps", "why_high"}, nil},
		{"a bad score shows no follow-up", map[string][]string{"q.nps": {"eleven"}, "q.why_low": {"support"}, "q.fix": {"x"}},
			[]string{"nps"}, nil, []string{"nps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			answers, errs := s.ParseAnswers(tt.form)
			var keys []string
			for _, a := range answers {
				keys = append(keys, a.Key)
			}
			if !slices.Equal(keys, tt.wantKeys) {
				t.Errorf("answered %v, want %v", keys, tt.wantKeys)
			}
			var errKeys []string
			for k := range errs {
				errKeys = append(errKeys, k)
			}
			slices.Sort(errKeys)
			if !slices.Equal(errKeys, tt.wantErrs) {
				t.Errorf("errors on %v, want %v", errKeys, tt.wantErrs)
			}
			if got := s.ShownKeys(answers); !slices.Equal(got, tt.wantShown) {
				t.Errorf("shown %v, want %v", got, tt.wantShown)
			}
		})
	}
}

func TestConditionHolds(t *testing.T) {
	t.Parallel()
	score := func(n int) survey.Answer { return survey.Answer{Score: &n} }
	choices := func(k ...string) survey.Answer { return survey.Answer{Choices: k} }
	between := survey.Condition{Op: survey.OpBetween, Min: new(0), Max: new(6)}
	anyOf := survey.Condition{Op: survey.OpAnyOf, Options: []string{"a", "b"}}
	noneOf := survey.Condition{Op: survey.OpNoneOf, Options: []string{"a", "b"}}
	tests := []struct {
		name     string
		c        survey.Condition
		a        survey.Answer
		answered bool
		want     bool
	}{
		{"between low edge", between, score(0), true, true},
		{"between high edge", between, score(6), true, true},
		{"above the range", between, score(7), true, false},
		{"between, unanswered", between, survey.Answer{}, false, false},
		{"between, half a range", survey.Condition{Op: survey.OpBetween, Min: new(0)}, score(3), true, false},
		{"any of, one chosen", anyOf, choices("c", "b"), true, true},
		{"any of, none chosen", anyOf, choices("c"), true, false},
		{"any of, unanswered", anyOf, survey.Answer{}, false, false},
		{"none of, other chosen", noneOf, choices("c"), true, true},
		{"none of, one chosen", noneOf, choices("a"), true, false},
		{"none of, unanswered", noneOf, survey.Answer{}, false, false},
		{"answered", survey.Condition{Op: survey.OpAnswered}, survey.Answer{Text: "x"}, true, true},
		{"answered, not", survey.Condition{Op: survey.OpAnswered}, survey.Answer{}, false, false},
		{"not answered", survey.Condition{Op: survey.OpNotAnswered}, survey.Answer{}, false, true},
		{"not answered, answered", survey.Condition{Op: survey.OpNotAnswered}, score(1), true, false},
		{"unknown operator", survey.Condition{Op: "above"}, score(1), true, false},
	}
	for _, tt := range tests {
		if got := tt.c.Holds(tt.a, tt.answered); got != tt.want {
			t.Errorf("%s: Holds = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSteps(t *testing.T) {
	t.Parallel()
	plain := fixture()
	if got := len(plain.Steps()); got != 1 {
		t.Errorf("a survey without conditions has %d steps, want 1", got)
	}
	keys := func(steps [][]survey.Question) [][]string {
		var out [][]string
		for _, st := range steps {
			var ks []string
			for _, q := range st {
				ks = append(ks, q.Key)
			}
			out = append(out, ks)
		}
		return out
	}
	got := keys(adaptive().Steps())
	want := [][]string{{"nps"}, {"why_low", "why_high"}, {"fix"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("steps %v, want %v", got, want)
	}

	// A question piping an answer from an earlier step stays on its step.
	s := adaptive()
	s.Questions[2].Prompt["en"] = "You gave {{answer:nps}}: why?"
	if got := keys(s.Steps()); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("with piping from an earlier step: %v, want %v", got, want)
	}
}

func TestPromptFor(t *testing.T) {
	t.Parallel()
	s := adaptive()
	answers, _ := s.ParseAnswers(map[string][]string{"q.nps": {"4"}, "q.why_low": {"support"}})
	tests := []struct {
		q      int
		locale string
		pc     survey.PipeContext
		want   string
	}{
		{0, "en", survey.PipeContext{Account: "Acme Oy"}, "How likely are you to recommend Acme Oy?"},
		{0, "fi", survey.PipeContext{Account: "Acme Oy"}, "Suosittelisitko Acme Oy?"},
		{3, "en", survey.PipeContext{Answers: answers}, "You scored 4 and chose Support. What should we fix first?"},
		{3, "fi", survey.PipeContext{Answers: answers}, "Annoit 4, valitsit Tuki. Mitä korjaamme ensin?"},
		{3, "de", survey.PipeContext{Answers: answers}, "You scored 4 and chose Support. What should we fix first?"},
		{3, "en", survey.PipeContext{}, "You scored and chose . What should we fix first?"},
		{1, "en", survey.PipeContext{Answers: answers}, "What went wrong?"},
	}
	for _, tt := range tests {
		tt.pc.Locale = tt.locale
		if got := s.PromptFor(s.Questions[tt.q], tt.pc); got != tt.want {
			t.Errorf("question %d in %s: %q, want %q", tt.q, tt.locale, got, tt.want)
		}
	}
}

func TestParseCondition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, err string
	}{
		{"nps between 0 6", "nps between 0 6", ""},
		{" NPS  BETWEEN 9 10 ", "nps between 9 10", ""},
		{"reason any_of price,support,price", "reason any_of price,support", ""},
		{"reason none_of price", "reason none_of price", ""},
		{"comment answered", "comment answered", ""},
		{"comment not_answered", "comment not_answered", ""},
		{"nps", "", "a condition is"},
		{"nps above 6", "", "unknown condition"},
		{"nps between 0", "", "takes 2 values"},
		{"nps between a b", "", "whole numbers"},
		{"9nps answered", "", "not a question key"},
		{"reason any_of price,Sup port", "", "takes 1 values, not 2"},
		{"reason any_of ,", "", "not an option key"},
	}
	for _, tt := range tests {
		c, err := survey.ParseCondition(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseCondition(%q) err = %v, want %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("ParseCondition(%q): %v", tt.in, err)
		case c.String() != tt.want:
			t.Errorf("ParseCondition(%q) = %q, want %q", tt.in, c.String(), tt.want)
		}
	}
}

func TestOpenSurveyKeepsAnsweredQuestionsConditions(t *testing.T) {
	t.Parallel()
	cur := adaptive()
	if err := cur.Open(epoch); err != nil {
		t.Fatal(err)
	}
	edited := cur.Clone()
	edited.Questions[1].ShowIf.Max = new(5)
	_, err := survey.ApplyEdit(cur, edited, nil, epoch)
	wantField(t, err, "questions[1].showIf", "cannot change")

	// Until it has answers, a condition may still change.
	next, err := survey.ApplyEdit(cur, edited, func(string) bool { return false }, epoch)
	if err != nil || *next.Questions[1].ShowIf.Max != 5 {
		t.Fatalf("unanswered question's condition not changed: %v", err)
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"nps between 0 6", "reason any_of a,b", "c answered", "x not_answered", "q between -1 99999999999999999999", "é any_of ,,,", "a\x00 none_of b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := survey.ParseCondition(in)
		if err != nil {
			return
		}
		// What parses writes back to a form that parses to the same condition.
		again, err := survey.ParseCondition(c.String())
		if err != nil {
			t.Fatalf("ParseCondition(%q) = %q, which does not parse: %v", in, c.String(), err)
		}
		if !again.Equal(&c) {
			t.Fatalf("round trip of %q: %q then %q", in, c.String(), again.String())
		}
		if !c.Op.Valid() {
			t.Fatalf("ParseCondition(%q) gave unknown operator %q", in, c.Op)
		}
	})
}

// FuzzConditionalAnswers fuzzes both a survey's conditions and a form:
// whatever they are, a question that is not shown is never answered nor
// required, and a valid survey's answers only come from shown questions.
func FuzzConditionalAnswers(f *testing.F) {
	f.Add("nps between 0 6", "why_low any_of support", "nps answered", "3", "support", "x", "fix")
	f.Add("nps between 9 10", "nps not_answered", "why_low none_of price", "10", "price", "", "y")
	f.Add("why_low answered", "fix answered", "nps between 5 2", "", "support", "z", "")
	f.Fuzz(func(t *testing.T, c1, c2, c3, nps, choice, high, fix string) {
		s := adaptive()
		for i, in := range []string{c1, c2, c3} {
			c, err := survey.ParseCondition(in)
			if err != nil {
				s.Questions[i+1].ShowIf = nil
				continue
			}
			s.Questions[i+1].ShowIf = &c
		}
		valid := s.Validate() == nil
		form := map[string][]string{"q.nps": {nps}, "q.why_low": {choice}, "q.why_high": {high}, "q.fix": {fix}}
		answers, errs := s.ParseAnswers(form)
		shown := s.Shown(answers)
		for _, a := range answers {
			if !shown[a.Key] {
				t.Fatalf("hidden question %q answered (conditions %q %q %q)", a.Key, c1, c2, c3)
			}
		}
		for k := range errs {
			if !shown[k] && valid {
				t.Fatalf("hidden question %q refused (conditions %q %q %q)", k, c1, c2, c3)
			}
		}
		if valid {
			// Evaluating again on the accepted answers alone gives the same.
			again, _ := s.ParseAnswers(form)
			if len(again) != len(answers) || !slices.Equal(s.ShownKeys(again), s.ShownKeys(answers)) {
				t.Fatalf("parsing is not deterministic")
			}
		}
		for _, q := range s.Questions {
			_ = s.PromptFor(q, survey.PipeContext{Locale: "fi", Answers: answers, Account: high})
		}
	})
}

// FuzzPipes: any prompt text validates or not without panicking, and a
// valid one renders with every placeholder replaced.
func FuzzPipes(f *testing.F) {
	for _, s := range []string{"{{account}} {{answer:nps}}", "{{answer:}}", "{{", "}}{{answer: why_low }}", "{{{{account}}}}", "{{answer:fix}}"} {
		f.Add(s, "Acme")
	}
	f.Fuzz(func(t *testing.T, prompt, account string) {
		s := adaptive()
		s.Questions[3].Prompt["en"] = prompt
		s.Normalize()
		answers, _ := s.ParseAnswers(map[string][]string{"q.nps": {"2"}, "q.why_low": {"support"}})
		got := s.PromptFor(s.Questions[3], survey.PipeContext{Locale: "en", Account: account, Answers: answers})
		if s.Validate() == nil && !strings.Contains(account, "{{") && strings.Contains(got, survey.PipeAccount) {
			t.Fatalf("prompt %q rendered %q with a placeholder left", prompt, got)
		}
	})
}
