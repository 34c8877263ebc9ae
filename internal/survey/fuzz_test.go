package survey_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
)

func FuzzParseAnswers(f *testing.F) {
	f.Add("q.nps", "9", "q.services", "repair", "maintenance", "Great.")
	f.Add("q.comment", " 8 ", "q.channel", "fax", "", "a\r\nb\x00")
	f.Add("q.private", "-1", "q.csat", "7.5", "repair", "äöå日本語🙂éèêë")
	f.Add("", "\xff", "q.", "99999999999999999999", "e\u0301", "\u0085")
	s := fixture()
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, v3, v4 string) {
		// The named fields give every question a fuzzed value; k1 and k2
		// may add or replace any field at all.
		form := map[string][]string{
			"q.nps": {v1}, "q.csat": {v2}, "q.ces": {v3, v1}, "q.channel": {v2},
			"q.services": {v2, v3, v4}, "q.comment": {v4}, "q.private": {v3},
		}
		form[k1] = []string{v1, v4}
		form[k2] = append(form[k2], v2)

		answers, errs := s.ParseAnswers(form)

		keys := make([]string, len(s.Questions))
		for i, q := range s.Questions {
			keys[i] = q.Key
		}
		last := -1
		for _, a := range answers {
			i := slices.Index(keys, a.Key)
			if i <= last {
				t.Fatalf("answer %q out of question order or repeated", a.Key)
			}
			last = i
			if _, bad := errs[a.Key]; bad {
				t.Fatalf("question %q both answered and refused", a.Key)
			}
			checkAnswer(t, s.Questions[i], a)
		}
		for key, e := range errs {
			if !slices.Contains(keys, key) {
				t.Fatalf("error for unknown question %q", key)
			}
			if e.Code == "" || e.English() == "This answer cannot be accepted." {
				t.Fatalf("error %+v for %q has no known code", e, key)
			}
		}
		if _, bad := errs["nps"]; !bad {
			if _, ok := answers.Get("nps"); !ok {
				t.Fatal("the required question is neither answered nor refused")
			}
		}
	})
}

// checkAnswer fails unless a is a well-formed answer to q.
func checkAnswer(t *testing.T, q survey.Question, a survey.Answer) {
	t.Helper()
	if lo, hi, ok := q.Type.Scale(); ok {
		if a.Score == nil || *a.Score < lo || *a.Score > hi || a.Choices != nil || a.Text != "" {
			t.Fatalf("bad scale answer %+v to %q", a, q.Key)
		}
		return
	}
	switch q.Type {
	case survey.TypeSingle, survey.TypeMulti:
		if len(a.Choices) == 0 || (q.Type == survey.TypeSingle && len(a.Choices) != 1) || a.Score != nil || a.Text != "" {
			t.Fatalf("bad choice answer %+v to %q", a, q.Key)
		}
		last := -1
		for _, c := range a.Choices {
			i := slices.IndexFunc(q.Options, func(o survey.Option) bool { return o.Key == c })
			if i <= last {
				t.Fatalf("choices %q unknown, repeated or out of order", a.Choices)
			}
			last = i
		}
	case survey.TypeText:
		if a.Score != nil || a.Choices != nil || a.Text == "" {
			t.Fatalf("bad text answer %+v to %q", a, q.Key)
		}
		txt := a.Text
		if !utf8.ValidString(txt) || !norm.NFC.IsNormalString(txt) || strings.TrimSpace(txt) != txt ||
			utf8.RuneCountInString(txt) > q.MaxLength {
			t.Fatalf("text %q: want valid, NFC, trimmed, at most %d characters", txt, q.MaxLength)
		}
		if strings.ContainsFunc(txt, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			t.Fatalf("text %q has control characters", txt)
		}
	default:
		t.Fatalf("answer to a question of type %q", q.Type)
	}
}

func FuzzUnmarshalSurveyJSON(f *testing.F) {
	valid, err := json.Marshal(fixture())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"title":"Survey","locales":["EN-gb","fi","zh-TW"],"questions":[{"key":"NPS","type":"NPS","prompt":"x"}],"consentText":{"":"a","en":"b"}}`))
	f.Add([]byte(`{"title":{"":" \u0000 "},"defaultLocale":"zz","questions":[{"key":"a","type":"single","options":[{"key":"x","label":5}]}]}`))
	f.Add([]byte(`{"anonymityThreshold":-3,"commentThreshold":1e3,"status":"open","consentHistory":[{"version":1,"text":"t"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s survey.Survey
		if json.Unmarshal(data, &s) != nil {
			return
		}
		s.Normalize()
		once := s.Clone()
		s.Normalize()
		if !reflect.DeepEqual(s, once) {
			t.Fatalf("Normalize is not idempotent:\n%+v\n%+v", once, s)
		}

		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back survey.Survey
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Unmarshal of our own JSON: %v\n%s", err, out)
		}
		if again, _ := json.Marshal(back); !bytes.Equal(again, out) {
			t.Fatalf("JSON round trip changed the survey:\n%s\n%s", out, again)
		}

		err = s.Validate()
		var ve *fault.Error
		if err != nil {
			if !errors.As(err, &ve) || len(ve.Fields()) == 0 {
				t.Fatalf("Validate = %v, want field errors", err)
			}
			return
		}
		_, errs := s.ParseAnswers(nil)
		for key, e := range errs {
			if q, _ := s.Question(key); !q.Required || e.Code != survey.CodeRequired {
				t.Fatalf("empty form: %q refused with %+v", key, e)
			}
		}
		if s.Status == survey.StatusDraft {
			if err := s.Open(epoch); err != nil {
				t.Fatalf("a valid draft does not open: %v", err)
			}
		}
	})
}
