package survey_test

import (
	"strconv"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func TestEmailScore(t *testing.T) {
	t.Parallel()
	q := func(typ survey.QuestionType, confidential bool) survey.Question {
		return survey.Question{Key: "first", Type: typ, Prompt: survey.Text{"en": "First?"}, Confidential: confidential}
	}
	later := survey.Question{Key: "later", Type: survey.TypeNPS, Prompt: survey.Text{"en": "Later?"}}
	tests := []struct {
		name      string
		questions []survey.Question
		want      bool
	}{
		{"nps first", []survey.Question{q(survey.TypeNPS, false), later}, true},
		{"csat first", []survey.Question{q(survey.TypeCSAT, false)}, true},
		{"confidential nps first", []survey.Question{q(survey.TypeNPS, true), later}, false},
		{"ces first", []survey.Question{q(survey.TypeCES, false), later}, false},
		{"text first", []survey.Question{q(survey.TypeText, false), later}, false},
		{"single first", []survey.Question{q(survey.TypeSingle, false)}, false},
		{"no questions", nil, false},
	}
	for _, tt := range tests {
		got, ok := survey.Survey{Questions: tt.questions}.EmailScore()
		if ok != tt.want || (ok && got.Key != "first") {
			t.Errorf("%s: EmailScore = %q, %v; want %v", tt.name, got.Key, ok, tt.want)
		}
	}
}

func TestScorePrefill(t *testing.T) {
	t.Parallel()
	s := fixture()
	s.Questions = append(s.Questions, survey.Question{Key: "secret", Type: survey.TypeNPS, Confidential: true})
	tests := []struct {
		key, value string
		want       int // -1: ignored
	}{
		{"nps", "0", 0},
		{"nps", "7", 7},
		{"nps", "10", 10},
		{"csat", "1", 1},
		{"csat", "5", 5},
		{"ces", "7", 7},
		{"nps", "11", -1},
		{"nps", "-1", -1},
		{"nps", "-0", -1},
		{"nps", "+7", -1},
		{"nps", "07", -1},
		{"nps", "7.0", -1},
		{"nps", " 7", -1},
		{"nps", "", -1},
		{"nps", "99999999999999999999", -1},
		{"nps", "seven", -1},
		{"csat", "0", -1},
		{"csat", "6", -1},
		{"NPS", "7", -1},     // keys are exact
		{"comment", "7", -1}, // not a scale
		{"channel", "1", -1},
		{"secret", "7", -1}, // confidential
		{"nope", "7", -1},
		{"", "", -1},
	}
	for _, tt := range tests {
		q, n, ok := s.ScorePrefill(tt.key, tt.value)
		switch {
		case tt.want < 0 && ok:
			t.Errorf("ScorePrefill(%q, %q) = %d, want it ignored", tt.key, tt.value, n)
		case tt.want >= 0 && (!ok || n != tt.want || q.Key != tt.key):
			t.Errorf("ScorePrefill(%q, %q) = %q %d %v, want %d", tt.key, tt.value, q.Key, n, ok, tt.want)
		}
	}
}

func FuzzScorePrefill(f *testing.F) {
	for _, seed := range [][2]string{{"nps", "7"}, {"csat", "05"}, {"ces", "-1"}, {"private", "3"}, {"nps", "\xff"}, {"", "1e1"}} {
		f.Add(seed[0], seed[1])
	}
	s := fixture()
	f.Fuzz(func(t *testing.T, key, value string) {
		q, n, ok := s.ScorePrefill(key, value)
		if !ok {
			return
		}
		lo, hi, scaled := q.Type.Scale()
		if !scaled || q.Key != key || q.Confidential || n < lo || n > hi || strconv.Itoa(n) != value {
			t.Fatalf("ScorePrefill(%q, %q) = %q %d", key, value, q.Key, n)
		}
	})
}
