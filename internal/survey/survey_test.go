package survey_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
)

var epoch = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

// bi is a text in the fixture's two locales.
func bi(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }

func opt(key, en, fi string) survey.Option { return survey.Option{Key: key, Label: bi(en, fi)} }

// fixture is a valid, normalized draft in English and Finnish with a
// question of every type. Question indexes, which tests rely on:
// 0 nps, 1 csat, 2 ces, 3 channel (single), 4 services (multi),
// 5 comment (text, quotable), 6 private (text, confidential, max 10).
func fixture() survey.Survey {
	s := survey.Survey{
		ID:            "s-1",
		OwnerID:       "u-alice",
		Title:         bi("Customer survey", "Asiakaskysely"),
		DefaultLocale: "en",
		Locales:       []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: bi("How likely are you to recommend us?", "Kuinka todennäköisesti suosittelisit meitä?"), Required: true},
			{Key: "csat", Type: survey.TypeCSAT, Prompt: bi("How satisfied are you?", "Kuinka tyytyväinen olet?")},
			{Key: "ces", Type: survey.TypeCES, Prompt: bi("How easy was it?", "Kuinka helppoa se oli?")},
			{Key: "channel", Type: survey.TypeSingle, Prompt: bi("How do you reach us?", "Miten otat yhteyttä?"), Options: []survey.Option{
				opt("email", "Email", "Sähköposti"), opt("phone", "Phone", "Puhelin"), opt("web", "Web", "Verkko"),
			}},
			{Key: "services", Type: survey.TypeMulti, Prompt: bi("Which services do you use?", "Mitä palveluita käytät?"), Options: []survey.Option{
				opt("repair", "Repair", "Korjaus"), opt("maintenance", "Maintenance", "Huolto"), opt("modernisation", "Modernisation", "Modernisointi"),
			}},
			{Key: "comment", Type: survey.TypeText, Prompt: bi("Anything else?", "Muuta?"), Quotable: true},
			{Key: "private", Type: survey.TypeText, Prompt: bi("Tell us in confidence", "Kerro luottamuksellisesti"), Confidential: true, MaxLength: 10},
		},
		ConsentText: bi("Attach my name to my answers.", "Liitä nimeni vastauksiini."),
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		panic("fixture: " + err.Error())
	}
	return s
}

// openFixture is the fixture, opened.
func openFixture(t *testing.T) survey.Survey {
	t.Helper()
	s := fixture()
	if err := s.Open(epoch); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *fault.Error
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want survey field errors", err)
	}
	return ve.Fields()
}

// wantField fails unless err carries field errors whose only field is path,
// with a message containing msg.
func wantField(t *testing.T, err error, path, msg string) {
	t.Helper()
	f := fields(t, err)
	if got, ok := f[path]; !ok || !strings.Contains(got, msg) || len(f) != 1 {
		t.Fatalf("fields = %q, want only %s: …%s…", f, path, msg)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    survey.Survey
		check func(t *testing.T, s survey.Survey)
	}{
		{"defaults", survey.Survey{}, func(t *testing.T, s survey.Survey) {
			want := survey.Survey{
				DefaultLocale: "en", Locales: []string{"en"}, AnonymityThreshold: 5, CommentThreshold: 10,
				TokenValidityDays: 30, ConsentVersion: 1, Status: survey.StatusDraft,
			}
			if !reflect.DeepEqual(s, want) {
				t.Errorf("got %+v\nwant %+v", s, want)
			}
		}},
		{"locales canonicalised, deduplicated, default first", survey.Survey{
			DefaultLocale: " fi-FI ", Locales: []string{"EN", "sv_SE", "fi", "en-GB", " ", "zh-Hans"},
		}, func(t *testing.T, s survey.Survey) {
			if s.DefaultLocale != "fi" || !slices.Equal(s.Locales, []string{"fi", "en", "sv", "zh"}) {
				t.Errorf("default %q, locales %q", s.DefaultLocale, s.Locales)
			}
		}},
		{"unsupported locales kept for Validate", survey.Survey{Locales: []string{"zh-TW", " ru "}}, func(t *testing.T, s survey.Survey) {
			if !slices.Equal(s.Locales, []string{"en", "zh-TW", "ru"}) {
				t.Errorf("locales %q", s.Locales)
			}
		}},
		{"keyless text filed under the default locale", survey.Survey{
			DefaultLocale: "sv", Title: survey.Text{"": "  Enkät "}, ConsentText: survey.Text{"": "plain", "sv": "explicit"},
		}, func(t *testing.T, s survey.Survey) {
			if !reflect.DeepEqual(s.Title, survey.Text{"sv": "Enkät"}) {
				t.Errorf("title %q", s.Title)
			}
			if !reflect.DeepEqual(s.ConsentText, survey.Text{"sv": "explicit"}) {
				t.Errorf("consent %q: an explicit translation should beat the keyless one", s.ConsentText)
			}
		}},
		{"texts cleaned", survey.Survey{
			Title:       survey.Text{"en": "Cafe\u0301 \x00survey\x1b", "fi": "   "},
			Intro:       survey.Text{"en": " \t\n"},
			ConsentText: survey.Text{"en": "line one\r\nline two\rline three\u0085"},
		}, func(t *testing.T, s survey.Survey) {
			if !reflect.DeepEqual(s.Title, survey.Text{"en": "Café survey"}) {
				t.Errorf("title %q: want NFC, no control characters, blank translations dropped", s.Title)
			}
			if s.Intro != nil {
				t.Errorf("intro %q, want nil", s.Intro)
			}
			if got := s.ConsentText["en"]; got != "line one\nline two\nline three" {
				t.Errorf("consent %q: want \\n line breaks", got)
			}
		}},
		{"questions", survey.Survey{Questions: []survey.Question{
			{Key: " NPS ", Type: " NPS ", Prompt: survey.Text{"": "Recommend?"}},
			{Key: "c", Type: "Text"},
			{Key: "d", Type: "text", MaxLength: 500},
			{Key: "e", Type: "single", Options: []survey.Option{{Key: " Yes ", Label: survey.Text{"": " Yes "}}}},
		}}, func(t *testing.T, s survey.Survey) {
			q := s.Questions
			if q[0].Key != "nps" || q[0].Type != survey.TypeNPS || q[0].Prompt["en"] != "Recommend?" || q[0].MaxLength != 0 {
				t.Errorf("q0 = %+v", q[0])
			}
			if q[1].Type != survey.TypeText || q[1].MaxLength != 2000 {
				t.Errorf("q1 = %+v, want a text question with the default length", q[1])
			}
			if q[2].MaxLength != 500 {
				t.Errorf("q2 max length %d, want 500 kept", q[2].MaxLength)
			}
			if o := q[3].Options[0]; o.Key != "yes" || !reflect.DeepEqual(o.Label, survey.Text{"en": "Yes"}) {
				t.Errorf("option = %+v", o)
			}
		}},
		{"comment threshold default respects a high anonymity threshold", survey.Survey{AnonymityThreshold: 12}, func(t *testing.T, s survey.Survey) {
			if s.CommentThreshold != 12 {
				t.Errorf("comment threshold %d, want 12", s.CommentThreshold)
			}
		}},
		{"explicit values kept", survey.Survey{
			AnonymityThreshold: -1, CommentThreshold: 7, TokenValidityDays: 400, ConsentVersion: 3, Status: survey.StatusOpen,
		}, func(t *testing.T, s survey.Survey) {
			if s.AnonymityThreshold != -1 || s.CommentThreshold != 7 || s.TokenValidityDays != 400 || s.ConsentVersion != 3 || s.Status != survey.StatusOpen {
				t.Errorf("got %+v", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.in
			s.Normalize()
			tt.check(t, s)
			again := s.Clone()
			again.Normalize()
			if !reflect.DeepEqual(again, s) {
				t.Errorf("Normalize is not idempotent:\n%+v\n%+v", s, again)
			}
		})
	}
}

func TestTextUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    survey.Text
		wantErr bool
	}{
		{`"Hello"`, survey.Text{"": "Hello"}, false},
		{` "Hi" `, survey.Text{"": "Hi"}, false},
		{`{"en":"Hello","fi":"Hei"}`, survey.Text{"en": "Hello", "fi": "Hei"}, false},
		{`{}`, survey.Text{}, false},
		{`null`, nil, false},
		{`5`, nil, true},
		{`["en"]`, nil, true},
		{`{"en":5}`, nil, true},
		{`"unterminated`, nil, true},
	}
	for _, tt := range tests {
		got := survey.Text{"stale": "x"} // decoding replaces, never merges
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.wantErr {
			if err == nil {
				t.Errorf("Unmarshal(%s) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestTextGet(t *testing.T) {
	t.Parallel()
	text := survey.Text{"en": "Hello", "fi": "Hei", "sv": ""}
	tests := []struct{ locale, fallback, want string }{
		{"fi", "en", "Hei"},
		{"de", "en", "Hello"},
		{"sv", "en", "Hello"},
		{"de", "it", ""},
	}
	for _, tt := range tests {
		if got := text.Get(tt.locale, tt.fallback); got != tt.want {
			t.Errorf("Get(%q, %q) = %q, want %q", tt.locale, tt.fallback, got, tt.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	doc := `{
		"id": "s-9", "ownerId": "u-1",
		"title": "Kundenumfrage",
		"intro": {"de": "Zwei Minuten."},
		"defaultLocale": "de-DE", "locales": ["de"],
		"questions": [
			{"key": "nps", "type": "nps", "prompt": "Empfehlen?", "required": true},
			{"key": "why", "type": "text", "prompt": {"de": "Warum?"}, "maxLength": 500, "quotable": true},
			{"key": "area", "type": "single", "prompt": "Bereich?",
			 "options": [{"key": "north", "label": "Nord"}, {"key": "south", "label": {"de": "Süd"}}]}
		],
		"consentText": "Meinen Namen verwenden.",
		"anonymityThreshold": 6, "commentThreshold": 12, "tokenValidityDays": 14
	}`
	var s survey.Survey
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		t.Fatal(err)
	}
	if s.Title[""] != "Kundenumfrage" {
		t.Fatalf("title = %q, want the plain string under \"\"", s.Title)
	}
	s.Normalize()
	if s.Title["de"] != "Kundenumfrage" || s.ConsentText["de"] != "Meinen Namen verwenden." ||
		s.Questions[2].Options[0].Label["de"] != "Nord" || !slices.Equal(s.Locales, []string{"de"}) {
		t.Fatalf("normalized: %+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if err := s.Open(epoch); err != nil {
		t.Fatal(err)
	}

	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ownerId":"u-1"`, `"maxLength":500`, `"consentHistory":[{"version":1`, `"openedAt":"2025-03-01T09:30:00Z"`, `"title":{"de":"Kundenumfrage"}`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "closedAt") || strings.Contains(string(data), `"options":null`) {
		t.Errorf("JSON has empty optional fields:\n%s", data)
	}
	var back survey.Survey
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("round trip changed the survey:\n got %+v\nwant %+v", back, s)
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	s := openFixture(t)
	c := s.Clone()
	if !reflect.DeepEqual(c, s) {
		t.Fatal("clone differs")
	}
	c.Title["en"] = "changed"
	c.Locales[0] = "xx"
	c.Questions[3].Options[0].Label["en"] = "changed"
	c.Questions[0].Prompt["fi"] = "changed"
	c.ConsentText["en"] = "changed"
	c.ConsentHistory[0].Hashes["en"] = "changed"
	c.ConsentHistory[0].Text["en"] = "changed"
	*c.OpenedAt = time.Time{}
	if !reflect.DeepEqual(s, openFixture(t)) {
		t.Error("changing the clone changed the original")
	}
}

func TestLocale(t *testing.T) {
	t.Parallel()
	s := fixture()
	tests := []struct{ in, want string }{
		{"fi", "fi"},
		{"fi-FI", "fi"},
		{"EN", "en"},
		{"sv", "en"},
		{"zh-TW", "en"},
		{"", "en"},
	}
	for _, tt := range tests {
		if got := s.Locale(tt.in); got != tt.want {
			t.Errorf("Locale(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConsentFor(t *testing.T) {
	t.Parallel()
	s := fixture()
	tests := []struct {
		locale, want string
	}{
		{"fi", "Liitä nimeni vastauksiini."},
		{"en", "Attach my name to my answers."},
		{"de", "Attach my name to my answers."},
	}
	for _, tt := range tests {
		text, version, hash := s.ConsentFor(tt.locale)
		if text != tt.want || version != 1 || hash != survey.ConsentHash(tt.want) {
			t.Errorf("ConsentFor(%q) = %q, %d, %s", tt.locale, text, version, hash)
		}
	}
	if got := survey.ConsentHash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("ConsentHash(abc) = %s, want its SHA-256", got)
	}
	s.ConsentText = nil
	if text, _, hash := s.ConsentFor("en"); text != "" || hash != "" {
		t.Errorf("no consent text: ConsentFor = %q, %q", text, hash)
	}
}

func TestQuestionLookups(t *testing.T) {
	t.Parallel()
	s := fixture()
	q, ok := s.Question("channel")
	if !ok || q.Type != survey.TypeSingle {
		t.Fatalf("Question(channel) = %+v, %v", q, ok)
	}
	if o, ok := q.Option("phone"); !ok || o.Label["fi"] != "Puhelin" {
		t.Errorf("Option(phone) = %+v, %v", o, ok)
	}
	if _, ok := q.Option("fax"); ok {
		t.Error("Option(fax) found")
	}
	if _, ok := s.Question("nope"); ok {
		t.Error("Question(nope) found")
	}
}

func TestQuestionType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ           survey.QuestionType
		valid, choice bool
		lo, hi        int
		scaled        bool
	}{
		{survey.TypeNPS, true, false, 0, 10, true},
		{survey.TypeCSAT, true, false, 1, 5, true},
		{survey.TypeCES, true, false, 1, 7, true},
		{survey.TypeSingle, true, true, 0, 0, false},
		{survey.TypeMulti, true, true, 0, 0, false},
		{survey.TypeText, true, false, 0, 0, false},
		{"NPS", false, false, 0, 0, false},
		{"", false, false, 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, ok := tt.typ.Scale()
		if tt.typ.Valid() != tt.valid || tt.typ.IsChoice() != tt.choice || lo != tt.lo || hi != tt.hi || ok != tt.scaled {
			t.Errorf("%q: Valid %v, IsChoice %v, Scale %d..%d %v", tt.typ, tt.typ.Valid(), tt.typ.IsChoice(), lo, hi, ok)
		}
	}
}
