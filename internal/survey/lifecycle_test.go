package survey_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/survey"
)

func TestNew(t *testing.T) {
	t.Parallel()
	def := fixture()
	def.Title = survey.Text{"": " Kysely ", "fi": "Kysely"}
	def.DefaultLocale = "fi-FI"
	def.Locales = []string{"en"}
	def.ID, def.OwnerID, def.Status, def.Revision = "forged", "forged", survey.StatusOpen, 42
	def.ConsentVersion = 7
	def.ConsentHistory = []survey.ConsentVersion{{Version: 7}}
	opened := epoch
	def.OpenedAt = &opened
	def.Title["en"] = "Survey"

	now := time.Date(2025, 3, 2, 10, 0, 0, 123456789, time.FixedZone("EET", 2*3600))
	s, err := survey.New(def, "s-2", "u-bob", now)
	if err != nil {
		t.Fatal(err)
	}
	wantTime := time.Date(2025, 3, 2, 8, 0, 0, 123000000, time.UTC)
	if s.ID != "s-2" || s.OwnerID != "u-bob" || s.Status != survey.StatusDraft || s.Revision != 1 ||
		s.ConsentVersion != 1 || s.ConsentHistory != nil || s.OpenedAt != nil ||
		!s.CreatedAt.Equal(wantTime) || s.CreatedAt.Location() != time.UTC || s.UpdatedAt != s.CreatedAt {
		t.Errorf("managed fields not set afresh: %+v", s)
	}
	if s.DefaultLocale != "fi" || !slices.Equal(s.Locales, []string{"fi", "en"}) || s.Title["fi"] != "Kysely" {
		t.Errorf("not normalized: %q %q %q", s.DefaultLocale, s.Locales, s.Title)
	}
	if def.Title[""] != " Kysely " {
		t.Error("New changed its argument")
	}

	def.Questions = nil
	_, err = survey.New(def, "s-3", "u-bob", now)
	wantField(t, err, "questions", "add at least one question")
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		from       survey.Status
		op         func(s *survey.Survey, now time.Time) error
		wantErr    error
		wantStatus survey.Status
	}{
		{"open a draft", survey.StatusDraft, (*survey.Survey).Open, nil, survey.StatusOpen},
		{"open an open survey", survey.StatusOpen, (*survey.Survey).Open, survey.ErrNotDraft, survey.StatusOpen},
		{"reopen a closed survey", survey.StatusClosed, (*survey.Survey).Open, survey.ErrNotDraft, survey.StatusClosed},
		{"close an open survey", survey.StatusOpen, (*survey.Survey).Close, nil, survey.StatusClosed},
		{"close a draft", survey.StatusDraft, (*survey.Survey).Close, survey.ErrNotOpen, survey.StatusDraft},
		{"close a closed survey", survey.StatusClosed, (*survey.Survey).Close, survey.ErrNotOpen, survey.StatusClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fixture()
			s.Status = tt.from
			before := s.Clone()
			later := epoch.Add(time.Hour)
			err := tt.op(&s, later)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if s.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", s.Status, tt.wantStatus)
			}
			if err != nil {
				if !reflect.DeepEqual(s, before) {
					t.Error("a refused transition changed the survey")
				}
				return
			}
			if s.Revision != before.Revision+1 || !s.UpdatedAt.Equal(later) {
				t.Errorf("revision %d, updated %v: want a bump", s.Revision, s.UpdatedAt)
			}
			switch s.Status {
			case survey.StatusOpen:
				if s.OpenedAt == nil || !s.OpenedAt.Equal(later) {
					t.Errorf("OpenedAt = %v", s.OpenedAt)
				}
			case survey.StatusClosed:
				if s.ClosedAt == nil || !s.ClosedAt.Equal(later) {
					t.Errorf("ClosedAt = %v", s.ClosedAt)
				}
			}
		})
	}
}

func TestOpenPublishesConsent(t *testing.T) {
	t.Parallel()
	s := openFixture(t)
	want := []survey.ConsentVersion{{
		Version: 1,
		Text:    bi("Attach my name to my answers.", "Liitä nimeni vastauksiini."),
		Hashes: map[string]string{
			"en": survey.ConsentHash("Attach my name to my answers."),
			"fi": survey.ConsentHash("Liitä nimeni vastauksiini."),
		},
		CreatedAt: epoch,
	}}
	if !reflect.DeepEqual(s.ConsentHistory, want) {
		t.Fatalf("history = %+v, want %+v", s.ConsentHistory, want)
	}
	s.ConsentText["en"] = "changed in place"
	if s.ConsentHistory[0].Text["en"] == "changed in place" {
		t.Error("the published version shares its text with the survey")
	}
	if v, ok := s.ConsentAt(1); !ok || v.Version != 1 {
		t.Errorf("ConsentAt(1) = %+v, %v", v, ok)
	}
	if _, ok := s.ConsentAt(2); ok {
		t.Error("ConsentAt(2) found")
	}
}

func TestOpenValidates(t *testing.T) {
	t.Parallel()
	s := fixture()
	delete(s.ConsentText, "fi")
	err := s.Open(epoch)
	wantField(t, err, "consentText.fi", "missing the Finnish (fi) translation")
	if s.Status != survey.StatusDraft || s.ConsentHistory != nil || s.Revision != 0 {
		t.Errorf("a refused Open changed the survey: %+v", s)
	}
}

// answered returns a hasAnswers reporting the given keys as answered.
func answered(keys ...string) func(string) bool {
	return func(key string) bool { return slices.Contains(keys, key) }
}

func TestApplyEditOpen(t *testing.T) {
	t.Parallel()
	allAnswered := answered("nps", "csat", "ces", "channel", "services", "comment", "private")
	tests := []struct {
		name       string
		before     func(s *survey.Survey) // changes current, if set
		edit       func(s *survey.Survey)
		hasAnswers func(string) bool
		path, msg  string // the one field refused; "" when the edit is fine
		check      func(t *testing.T, got survey.Survey)
	}{
		{
			name: "wording fixes",
			edit: func(s *survey.Survey) {
				s.Title["en"] = "Customer survey 2025"
				s.Intro = bi("Two minutes.", "Kaksi minuuttia.")
				s.Questions[0].Prompt["fi"] = "Kuinka todennäköisesti suosittelisit meitä ystävällesi?"
				s.Questions[3].Options[1].Label["en"] = "Telephone"
			},
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if got.Title["en"] != "Customer survey 2025" || got.Questions[3].Options[1].Label["en"] != "Telephone" || got.Intro["fi"] != "Kaksi minuuttia." {
					t.Errorf("edit not applied: %+v", got)
				}
				if got.ConsentVersion != 1 || len(got.ConsentHistory) != 1 {
					t.Errorf("consent version %d, history %d: wording fixes elsewhere publish no consent", got.ConsentVersion, len(got.ConsentHistory))
				}
			},
		},
		{
			name:       "remove an answered question",
			edit:       func(s *survey.Survey) { s.Questions = slices.Delete(s.Questions, 2, 3) },
			hasAnswers: answered("ces"),
			path:       "questions", msg: `cannot remove "ces": already answered`,
		},
		{
			name:       "remove unanswered questions",
			edit:       func(s *survey.Survey) { s.Questions = s.Questions[:2] },
			hasAnswers: answered("nps", "csat"),
			check: func(t *testing.T, got survey.Survey) {
				if len(got.Questions) != 2 {
					t.Errorf("%d questions, want 2", len(got.Questions))
				}
			},
		},
		{
			name:       "nil hasAnswers counts every question as answered",
			edit:       func(s *survey.Survey) { s.Questions = s.Questions[:6] },
			hasAnswers: nil,
			path:       "questions", msg: `cannot remove "private"`,
		},
		{
			name:       "re-type an answered question",
			edit:       func(s *survey.Survey) { s.Questions[2].Type = survey.TypeCSAT },
			hasAnswers: answered("ces"),
			path:       "questions[2].type", msg: "cannot change from ces to csat: the question already has answers",
		},
		{
			name:       "re-type an unanswered question",
			edit:       func(s *survey.Survey) { s.Questions[2].Type = survey.TypeCSAT },
			hasAnswers: answered("nps"),
			check: func(t *testing.T, got survey.Survey) {
				if got.Questions[2].Type != survey.TypeCSAT {
					t.Errorf("type %s", got.Questions[2].Type)
				}
			},
		},
		{
			name:       "reorder questions",
			edit:       func(s *survey.Survey) { slices.Reverse(s.Questions) },
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if got.Questions[0].Key != "private" {
					t.Errorf("first question %s", got.Questions[0].Key)
				}
			},
		},
		{
			name:       "remove an option of an answered question",
			edit:       func(s *survey.Survey) { s.Questions[4].Options = s.Questions[4].Options[1:] },
			hasAnswers: answered("services"),
			path:       "questions[4].options", msg: `cannot remove "repair": the question already has answers`,
		},
		{
			name:       "remove an option of an unanswered question",
			edit:       func(s *survey.Survey) { s.Questions[4].Options = s.Questions[4].Options[1:] },
			hasAnswers: answered("channel"),
		},
		{
			name: "add an option to an answered question",
			edit: func(s *survey.Survey) {
				s.Questions[3].Options = append(s.Questions[3].Options, opt("chat", "Chat", "Chatti"))
			},
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if len(got.Questions[3].Options) != 4 {
					t.Errorf("options %+v", got.Questions[3].Options)
				}
			},
		},
		{
			name: "add an optional question",
			edit: func(s *survey.Survey) {
				s.Questions = append(s.Questions, survey.Question{Key: "extra", Type: survey.TypeCES, Prompt: bi("Easy?", "Helppoa?")})
			},
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if len(got.Questions) != 8 {
					t.Errorf("%d questions", len(got.Questions))
				}
			},
		},
		{
			name: "add a required question",
			edit: func(s *survey.Survey) {
				s.Questions = append(s.Questions, survey.Question{Key: "extra", Type: survey.TypeCES, Prompt: bi("Easy?", "Helppoa?"), Required: true})
			},
			hasAnswers: allAnswered,
			path:       "questions[7].required", msg: "must be optional",
		},
		{
			name:       "make an existing question required",
			edit:       func(s *survey.Survey) { s.Questions[1].Required = true },
			hasAnswers: allAnswered,
		},
		{
			name:       "lift confidentiality of an answered question",
			edit:       func(s *survey.Survey) { s.Questions[6].Confidential = false },
			hasAnswers: answered("private"),
			path:       "questions[6].confidential", msg: "cannot be turned off",
		},
		{
			name:       "lift confidentiality of an unanswered question",
			edit:       func(s *survey.Survey) { s.Questions[6].Confidential = false },
			hasAnswers: answered("comment"),
		},
		{
			name:       "make an answered question confidential",
			edit:       func(s *survey.Survey) { s.Questions[1].Confidential = true },
			hasAnswers: allAnswered,
		},
		{
			name:       "make an answered confidential question quotable",
			edit:       func(s *survey.Survey) { s.Questions[6].Quotable = true },
			hasAnswers: answered("private"),
			path:       "questions[6].quotable", msg: "a confidential question cannot be quotable",
		},
		{
			name:       "make an answered question quotable",
			before:     func(s *survey.Survey) { s.Questions[5].Quotable = false },
			edit:       func(s *survey.Survey) { s.Questions[5].Quotable = true },
			hasAnswers: answered("comment"),
			path:       "questions[5].quotable", msg: "cannot be turned on: the question already has answers",
		},
		{
			name:       "make an unanswered question quotable",
			before:     func(s *survey.Survey) { s.Questions[5].Quotable = false },
			edit:       func(s *survey.Survey) { s.Questions[5].Quotable = true },
			hasAnswers: answered("nps"),
		},
		{
			name:       "stop quoting an answered question",
			edit:       func(s *survey.Survey) { s.Questions[5].Quotable = false },
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if got.Questions[5].Quotable {
					t.Error("still quotable")
				}
			},
		},
		{
			name: "add a quotable question",
			edit: func(s *survey.Survey) {
				s.Questions = append(s.Questions, survey.Question{Key: "later", Type: survey.TypeText, Prompt: bi("More?", "Lisää?"), Quotable: true})
			},
			hasAnswers: allAnswered,
		},
		{
			name:       "change the anonymity threshold",
			edit:       func(s *survey.Survey) { s.AnonymityThreshold = 3 },
			hasAnswers: allAnswered,
			path:       "anonymityThreshold", msg: "is fixed at 5 once the survey is open",
		},
		{
			name:       "change the comment threshold",
			edit:       func(s *survey.Survey) { s.CommentThreshold = 20 },
			hasAnswers: allAnswered,
			path:       "commentThreshold", msg: "is fixed at 10",
		},
		{
			name:       "change token validity",
			edit:       func(s *survey.Survey) { s.TokenValidityDays = 60 },
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if got.TokenValidityDays != 60 {
					t.Errorf("token validity %d", got.TokenValidityDays)
				}
			},
		},
		{
			name: "add a translated locale",
			edit: func(s *survey.Survey) {
				s.Locales = append(s.Locales, "sv-SE")
				addSwedish(s)
			},
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if !slices.Equal(got.Locales, []string{"en", "fi", "sv"}) {
					t.Errorf("locales %q", got.Locales)
				}
				if got.ConsentVersion != 2 || got.ConsentHistory[1].Hashes["sv"] != survey.ConsentHash("Consent sv") {
					t.Errorf("consent in a new language is a new version: %+v", got.ConsentHistory)
				}
			},
		},
		{
			name:       "add an untranslated locale",
			edit:       func(s *survey.Survey) { s.Locales = append(s.Locales, "sv"); addSwedish(s); delete(s.Title, "sv") },
			hasAnswers: allAnswered,
			path:       "title.sv", msg: "missing the Swedish (sv) translation",
		},
		{
			name: "remove a locale",
			edit: func(s *survey.Survey) {
				s.Locales = s.Locales[:1]
				removeLocale(s, "fi")
			},
			hasAnswers: answered(),
			path:       "locales", msg: "cannot remove Finnish (fi) once the survey is open",
		},
		{
			name:       "change the default locale",
			edit:       func(s *survey.Survey) { s.DefaultLocale = "fi" },
			hasAnswers: allAnswered,
			path:       "defaultLocale", msg: "cannot change once the survey is open (it is English (en))",
		},
		{
			name:       "invalid edit",
			edit:       func(s *survey.Survey) { s.Questions[0].Prompt = nil },
			hasAnswers: allAnswered,
			path:       "questions[0].prompt", msg: "is required",
		},
		{
			name:       "validation wins the message for a field",
			edit:       func(s *survey.Survey) { s.Questions[0].Type = "stars" },
			hasAnswers: allAnswered,
			path:       "questions[0].type", msg: `unknown question type "stars"`,
		},
		{
			name: "managed fields of the edit ignored",
			edit: func(s *survey.Survey) {
				s.ID, s.OwnerID, s.Status = "other", "mallory", survey.StatusDraft
				s.ConsentVersion, s.ConsentHistory = 9, nil
				s.CreatedAt, s.OpenedAt, s.ClosedAt = time.Time{}, nil, &epoch
			},
			hasAnswers: allAnswered,
			check: func(t *testing.T, got survey.Survey) {
				if got.ID != "s-1" || got.OwnerID != "u-alice" || got.Status != survey.StatusOpen ||
					got.ConsentVersion != 1 || len(got.ConsentHistory) != 1 || got.OpenedAt == nil || got.ClosedAt != nil {
					t.Errorf("managed fields taken from the edit: %+v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			current := openFixture(t)
			if tt.before != nil {
				tt.before(&current)
			}
			edited := current.Clone()
			tt.edit(&edited)
			got, err := survey.ApplyEdit(current, edited, tt.hasAnswers, epoch.Add(time.Hour))
			if tt.path != "" {
				wantField(t, err, tt.path, tt.msg)
				return
			}
			if err != nil {
				t.Fatalf("ApplyEdit: %v", err)
			}
			if got.Revision != current.Revision+1 || !got.UpdatedAt.Equal(epoch.Add(time.Hour)) {
				t.Errorf("revision %d, updated %v: want a bump", got.Revision, got.UpdatedAt)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// removeLocale deletes every text of s in locale.
func removeLocale(s *survey.Survey, locale string) {
	delete(s.Title, locale)
	delete(s.ConsentText, locale)
	for i := range s.Questions {
		delete(s.Questions[i].Prompt, locale)
		for j := range s.Questions[i].Options {
			delete(s.Questions[i].Options[j].Label, locale)
		}
	}
}

func TestApplyEditConsentVersions(t *testing.T) {
	t.Parallel()
	v1 := openFixture(t)
	oldHash := survey.ConsentHash("Attach my name to my answers.")

	edited := v1.Clone()
	edited.ConsentText["en"] = "Attach my name to my answers, so that my account manager can follow up."
	later := epoch.Add(24 * time.Hour)
	v2, err := survey.ApplyEdit(v1, edited, answered("nps"), later)
	if err != nil {
		t.Fatal(err)
	}
	text, version, hash := v2.ConsentFor("en")
	if version != 2 || text != edited.ConsentText["en"] || hash != survey.ConsentHash(text) {
		t.Errorf("ConsentFor(en) = %q, %d, %s", text, version, hash)
	}
	if len(v2.ConsentHistory) != 2 {
		t.Fatalf("history = %+v, want versions 1 and 2", v2.ConsentHistory)
	}
	old, ok := v2.ConsentAt(1)
	if !ok || old.Text["en"] != "Attach my name to my answers." || old.Hashes["en"] != oldHash || !old.CreatedAt.Equal(epoch) {
		t.Errorf("version 1 = %+v, %v; want it kept as published", old, ok)
	}
	cur, ok := v2.ConsentAt(2)
	if !ok || cur.Hashes["en"] != hash || cur.Hashes["fi"] != survey.ConsentHash("Liitä nimeni vastauksiini.") || !cur.CreatedAt.Equal(later) {
		t.Errorf("version 2 = %+v, %v", cur, ok)
	}
	if len(v1.ConsentHistory) != 1 {
		t.Error("ApplyEdit changed current's history")
	}

	// Whitespace is no new wording.
	edited = v2.Clone()
	edited.ConsentText["fi"] = "  Liitä nimeni vastauksiini.\r\n"
	v3, err := survey.ApplyEdit(v2, edited, nil, later.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if v3.ConsentVersion != 2 || len(v3.ConsentHistory) != 2 {
		t.Errorf("consent version %d, history %d: want no new version", v3.ConsentVersion, len(v3.ConsentHistory))
	}
}

func TestApplyEditDraft(t *testing.T) {
	t.Parallel()
	current := fixture()
	edited := current.Clone()
	edited.Questions = []survey.Question{{Key: "only", Type: survey.TypeText, Prompt: bi("Say", "Sano"), Required: true}}
	edited.AnonymityThreshold, edited.CommentThreshold = 8, 8
	edited.Locales = []string{"en"}
	removeLocale(&edited, "fi")
	edited.ConsentText["en"] = "New consent"
	got, err := survey.ApplyEdit(current, edited, nil, epoch)
	if err != nil {
		t.Fatalf("a draft takes any valid edit: %v", err)
	}
	if len(got.Questions) != 1 || got.Questions[0].MaxLength != 2000 || got.AnonymityThreshold != 8 || got.ConsentVersion != 1 || got.ConsentHistory != nil {
		t.Errorf("got %+v", got)
	}

	edited.Questions = nil
	_, err = survey.ApplyEdit(current, edited, nil, epoch)
	wantField(t, err, "questions", "add at least one question")
}

func TestApplyEditRefusals(t *testing.T) {
	t.Parallel()
	closed := openFixture(t)
	if err := closed.Close(epoch); err != nil {
		t.Fatal(err)
	}
	moved := openFixture(t)
	moved.Revision = 5 // edited by someone else since
	stale := moved.Clone()
	stale.Revision = 4
	unknown := fixture()
	unknown.Status = "archived"
	tests := []struct {
		name    string
		current survey.Survey
		edited  survey.Survey
		want    error
	}{
		{"closed", closed, closed.Clone(), survey.ErrClosed},
		{"stale revision", moved, stale, survey.ErrStale},
		{"unknown status", unknown, unknown.Clone(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := survey.ApplyEdit(tt.current, tt.edited, nil, epoch)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestApplyEditLeavesArgumentsAlone(t *testing.T) {
	t.Parallel()
	current := openFixture(t)
	edited := current.Clone()
	edited.Title = survey.Text{"": " New title ", "fi": "Uusi"}
	edited.Questions[0].Key = " NPS "
	edited.ConsentText["en"] = "Changed consent"
	edited.Revision = 0 // a client that does not track revisions
	wantCurrent, wantEdited := current.Clone(), edited.Clone()

	got, err := survey.ApplyEdit(current, edited, nil, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(current, wantCurrent) || !reflect.DeepEqual(edited, wantEdited) {
		t.Error("ApplyEdit changed an argument")
	}
	if got.Revision != current.Revision+1 || got.Title["en"] != "New title" || got.Questions[0].Key != "nps" {
		t.Errorf("revision %d, title %q, key %q", got.Revision, got.Title, got.Questions[0].Key)
	}
	got.ConsentHistory[0].Text["en"] = "tampered"
	got.Questions[1].Prompt["en"] = "tampered"
	if current.ConsentHistory[0].Text["en"] == "tampered" || current.Questions[1].Prompt["en"] == "tampered" {
		t.Error("the result shares memory with current")
	}
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	src := openFixture(t)
	edited := src.Clone()
	edited.ConsentText["en"] = "Second consent"
	src, err := survey.ApplyEdit(src, edited, nil, epoch)
	if err != nil {
		t.Fatal(err)
	}
	src.Title["fi"] = strings.Repeat("ä", 200)
	if err := src.Close(epoch); err != nil {
		t.Fatal(err)
	}
	wantSrc := src.Clone()

	now := epoch.Add(48 * time.Hour)
	d := survey.Duplicate(src, "s-copy", "u-bob", now)
	if d.ID != "s-copy" || d.OwnerID != "u-bob" || d.Status != survey.StatusDraft || d.Revision != 1 ||
		!d.CreatedAt.Equal(now) || !d.UpdatedAt.Equal(now) || d.OpenedAt != nil || d.ClosedAt != nil {
		t.Errorf("managed fields: %+v", d)
	}
	if d.ConsentVersion != 1 || d.ConsentHistory != nil || d.ConsentText["en"] != "Second consent" {
		t.Errorf("consent: version %d, history %+v, text %q; want the current text as a fresh version 1", d.ConsentVersion, d.ConsentHistory, d.ConsentText)
	}
	if d.Title["en"] != "Copy of Customer survey" {
		t.Errorf("title en = %q", d.Title["en"])
	}
	if got := d.Title["fi"]; got != "Copy of "+strings.Repeat("ä", 192) {
		t.Errorf("title fi = %q, want cut to 200 characters", got)
	}
	if !reflect.DeepEqual(d.Questions, src.Questions) || d.AnonymityThreshold != src.AnonymityThreshold || !slices.Equal(d.Locales, src.Locales) {
		t.Error("definition not copied")
	}
	if opened := d.Clone(); opened.Open(now) != nil || len(opened.ConsentHistory) != 1 {
		t.Errorf("the copy of a valid survey does not open: %v", opened.Validate())
	}
	d.Questions[3].Options[0].Label["en"] = "changed"
	d.Locales[1] = "sv"
	if !reflect.DeepEqual(src, wantSrc) {
		t.Error("changing the copy changed the source")
	}
}
