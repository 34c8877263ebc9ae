package survey_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func score(n int) *int { return &n }

func TestParseAnswers(t *testing.T) {
	t.Parallel()
	type form = map[string][]string
	type errs = map[string]survey.FieldError
	scale := func(lo, hi int) map[string]any { return map[string]any{"min": lo, "max": hi} }
	tests := []struct {
		name     string
		form     form
		want     survey.Answers
		wantErrs errs
	}{
		{
			name: "every type",
			form: form{
				"q.private": {"secret"}, // out of order: answers follow the questions
				"q.nps":     {"9"}, "q.csat": {"4"}, "q.ces": {"2"}, "q.channel": {"phone"},
				"q.services": {"repair", "maintenance"}, "q.comment": {"Great service."},
			},
			want: survey.Answers{
				{Key: "nps", Score: score(9)}, {Key: "csat", Score: score(4)}, {Key: "ces", Score: score(2)},
				{Key: "channel", Choices: []string{"phone"}}, {Key: "services", Choices: []string{"repair", "maintenance"}},
				{Key: "comment", Text: "Great service."}, {Key: "private", Text: "secret"},
			},
		},
		{
			name: "only the required question",
			form: form{"q.nps": {"0"}},
			want: survey.Answers{{Key: "nps", Score: score(0)}},
		},
		{
			name:     "required missing",
			form:     form{"q.csat": {"5"}},
			want:     survey.Answers{{Key: "csat", Score: score(5)}},
			wantErrs: errs{"nps": {Code: survey.CodeRequired}},
		},
		{
			name:     "required blank",
			form:     form{"q.nps": {"  "}},
			wantErrs: errs{"nps": {Code: survey.CodeRequired}},
		},
		{
			name:     "nil form",
			form:     nil,
			wantErrs: errs{"nps": {Code: survey.CodeRequired}},
		},
		{"nps top", form{"q.nps": {"10"}}, survey.Answers{{Key: "nps", Score: score(10)}}, nil},
		{"nps padded", form{"q.nps": {" 8 "}}, survey.Answers{{Key: "nps", Score: score(8)}}, nil},
		{"nps signed", form{"q.nps": {"+7"}}, survey.Answers{{Key: "nps", Score: score(7)}}, nil},
		{"nps leading zero", form{"q.nps": {"07"}}, survey.Answers{{Key: "nps", Score: score(7)}}, nil},
		{"nps 11", form{"q.nps": {"11"}}, nil, errs{"nps": {Code: survey.CodeOutOfRange, Params: scale(0, 10)}}},
		{"nps negative", form{"q.nps": {"-1"}}, nil, errs{"nps": {Code: survey.CodeOutOfRange, Params: scale(0, 10)}}},
		{"nps huge", form{"q.nps": {"99999999999999999999999"}}, nil, errs{"nps": {Code: survey.CodeOutOfRange, Params: scale(0, 10)}}},
		{"nps fraction", form{"q.nps": {"7.5"}}, nil, errs{"nps": {Code: survey.CodeNotANumber, Params: scale(0, 10)}}},
		{"nps word", form{"q.nps": {"ten"}}, nil, errs{"nps": {Code: survey.CodeNotANumber, Params: scale(0, 10)}}},
		{"nps full-width digit", form{"q.nps": {"８"}}, nil, errs{"nps": {Code: survey.CodeNotANumber, Params: scale(0, 10)}}},
		{"nps hex", form{"q.nps": {"0x5"}}, nil, errs{"nps": {Code: survey.CodeNotANumber, Params: scale(0, 10)}}},
		{"nps twice", form{"q.nps": {"8", "9"}}, nil, errs{"nps": {Code: survey.CodeMultipleValues}}},
		{"nps repeated alike", form{"q.nps": {"8", " 8"}}, survey.Answers{{Key: "nps", Score: score(8)}}, nil},
		{"csat 0", form{"q.nps": {"5"}, "q.csat": {"0"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"csat": {Code: survey.CodeOutOfRange, Params: scale(1, 5)}}},
		{"csat 6", form{"q.nps": {"5"}, "q.csat": {"6"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"csat": {Code: survey.CodeOutOfRange, Params: scale(1, 5)}}},
		{"ces 7", form{"q.nps": {"5"}, "q.ces": {"7"}}, survey.Answers{{Key: "nps", Score: score(5)}, {Key: "ces", Score: score(7)}}, nil},
		{"ces 8", form{"q.nps": {"5"}, "q.ces": {"8"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"ces": {Code: survey.CodeOutOfRange, Params: scale(1, 7)}}},
		{"single unknown option", form{"q.nps": {"5"}, "q.channel": {"fax"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"channel": {Code: survey.CodeUnknownOption}}},
		{"single by label", form{"q.nps": {"5"}, "q.channel": {"Phone"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"channel": {Code: survey.CodeUnknownOption}}},
		{"single twice", form{"q.nps": {"5"}, "q.channel": {"phone", "web"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"channel": {Code: survey.CodeMultipleValues}}},
		{"single placeholder", form{"q.nps": {"5"}, "q.channel": {""}}, survey.Answers{{Key: "nps", Score: score(5)}}, nil},
		{
			name: "multi duplicates collapsed, in option order",
			form: form{"q.nps": {"5"}, "q.services": {"modernisation", "repair", "modernisation", " repair "}},
			want: survey.Answers{{Key: "nps", Score: score(5)}, {Key: "services", Choices: []string{"repair", "modernisation"}}},
		},
		{"multi unknown option", form{"q.nps": {"5"}, "q.services": {"repair", "painting"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"services": {Code: survey.CodeUnknownOption}}},
		{"multi blank", form{"q.nps": {"5"}, "q.services": {"", " "}}, survey.Answers{{Key: "nps", Score: score(5)}}, nil},
		{
			name: "text cleaned",
			form: form{"q.nps": {"5"}, "q.comment": {"  Line one\r\nline\ttwo\x00\x1b[31m\u0085 cafe\u0301\rend  "}},
			want: survey.Answers{{Key: "nps", Score: score(5)}, {Key: "comment", Text: "Line one\nline\ttwo[31m café\nend"}},
		},
		{
			name: "text with invalid UTF-8",
			form: form{"q.nps": {"5"}, "q.comment": {"ok\xff"}},
			want: survey.Answers{{Key: "nps", Score: score(5)}, {Key: "comment", Text: "ok\uFFFD"}},
		},
		{"text blank", form{"q.nps": {"5"}, "q.comment": {" \r\n\t\x00 "}}, survey.Answers{{Key: "nps", Score: score(5)}}, nil},
		{"text twice", form{"q.nps": {"5"}, "q.comment": {"a", "b"}}, survey.Answers{{Key: "nps", Score: score(5)}}, errs{"comment": {Code: survey.CodeMultipleValues}}},
		{
			name: "text at the limit in multibyte characters",
			form: form{"q.nps": {"5"}, "q.private": {"äöå日本語🙂éèê"}},
			want: survey.Answers{{Key: "nps", Score: score(5)}, {Key: "private", Text: "äöå日本語🙂éèê"}},
		},
		{
			name:     "text over the limit",
			form:     form{"q.nps": {"5"}, "q.private": {"äöå日本語🙂éèêë"}},
			want:     survey.Answers{{Key: "nps", Score: score(5)}},
			wantErrs: errs{"private": {Code: survey.CodeTooLong, Params: map[string]any{"max": 10, "length": 11}}},
		},
		{
			name: "text limit counts after cleaning",
			form: form{"q.nps": {"5"}, "q.private": {"   e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301\x00\x00\x00   "}},
			want: survey.Answers{{Key: "nps", Score: score(5)}, {Key: "private", Text: "éééééé"}},
		},
		{
			name: "unknown fields ignored",
			form: form{"q.nps": {"5"}, "q.bogus": {"x"}, "nps": {"1"}, "csrf": {"t"}, "q.": {"1"}, "consent": {"on"}},
			want: survey.Answers{{Key: "nps", Score: score(5)}},
		},
		{
			name: "every problem at once",
			form: form{"q.csat": {"x"}, "q.channel": {"fax"}, "q.comment": {strings.Repeat("x", 2001)}},
			wantErrs: errs{
				"nps":     {Code: survey.CodeRequired},
				"csat":    {Code: survey.CodeNotANumber, Params: scale(1, 5)},
				"channel": {Code: survey.CodeUnknownOption},
				"comment": {Code: survey.CodeTooLong, Params: map[string]any{"max": 2000, "length": 2001}},
			},
		},
	}
	s := fixture()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, gotErrs := s.ParseAnswers(tt.form)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answers = %s\nwant %s", show(got), show(tt.want))
			}
			if !reflect.DeepEqual(gotErrs, tt.wantErrs) {
				t.Errorf("errors = %v\nwant %v", gotErrs, tt.wantErrs)
			}
		})
	}
}

// show prints answers readably: scores rather than pointers.
func show(as survey.Answers) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "{%s", a.Key)
		if a.Score != nil {
			fmt.Fprintf(&b, " score=%d", *a.Score)
		}
		if a.Choices != nil {
			fmt.Fprintf(&b, " choices=%q", a.Choices)
		}
		if a.Text != "" {
			fmt.Fprintf(&b, " text=%q", a.Text)
		}
		b.WriteString("} ")
	}
	return b.String()
}

func TestParseAnswersMalformedSurvey(t *testing.T) {
	t.Parallel()
	s := survey.Survey{Questions: []survey.Question{
		{Key: "a", Type: "stars", Required: true},
		{Key: "b", Type: survey.TypeText},  // never normalized: no MaxLength
		{Key: "b", Type: survey.TypeNPS},   // repeated key
		{Key: "c", Type: survey.TypeMulti}, // no options
		{Key: "d", Type: survey.TypeMulti, Options: []survey.Option{{Key: "x"}, {Key: "y"}, {Key: "x"}}},
	}}
	got, errs := s.ParseAnswers(map[string][]string{"q.a": {"5"}, "q.b": {strings.Repeat("x", 2000)}, "q.c": {"x"}, "q.d": {"x", "y"}})
	want := survey.Answers{{Key: "b", Text: strings.Repeat("x", 2000)}, {Key: "d", Choices: []string{"x", "y"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers = %s, want %s", show(got), show(want))
	}
	wantErrs := map[string]survey.FieldError{"a": {Code: survey.CodeRequired}, "c": {Code: survey.CodeUnknownOption}}
	if !reflect.DeepEqual(errs, wantErrs) {
		t.Errorf("errors = %v, want %v", errs, wantErrs)
	}
}

func TestAnswersGet(t *testing.T) {
	t.Parallel()
	as := survey.Answers{{Key: "nps", Score: score(9)}, {Key: "comment", Text: "hi"}}
	if a, ok := as.Get("comment"); !ok || a.Text != "hi" {
		t.Errorf("Get(comment) = %+v, %v", a, ok)
	}
	if _, ok := as.Get("csat"); ok {
		t.Error("Get(csat) found")
	}
}

func TestFieldErrorEnglish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  survey.FieldError
		want string
	}{
		{survey.FieldError{Code: survey.CodeRequired}, "Please answer this question."},
		{survey.FieldError{Code: survey.CodeOutOfRange, Params: map[string]any{"min": 0, "max": 10}}, "Please choose a number from 0 to 10."},
		{survey.FieldError{Code: survey.CodeNotANumber, Params: map[string]any{"min": 1, "max": 5}}, "Please choose a whole number from 1 to 5."},
		{survey.FieldError{Code: survey.CodeUnknownOption}, "Please choose from the options given."},
		{survey.FieldError{Code: survey.CodeMultipleValues}, "Please give one answer only."},
		{survey.FieldError{Code: survey.CodeTooLong, Params: map[string]any{"max": 2000, "length": 2013}}, "Please shorten your answer to at most 2000 characters; it has 2013."},
		{survey.FieldError{Code: "novel"}, "This answer cannot be accepted."},
	}
	for _, tt := range tests {
		if got := tt.err.English(); got != tt.want {
			t.Errorf("%s: English() = %q, want %q", tt.err.Code, got, tt.want)
		}
	}
}

func TestFormField(t *testing.T) {
	t.Parallel()
	if got := survey.FormField("nps"); got != "q.nps" {
		t.Errorf("FormField(nps) = %q", got)
	}
}
