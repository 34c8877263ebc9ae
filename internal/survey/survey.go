// Package survey defines surveys: their questions in several languages,
// their versioned consent text, the draft → open → closed life cycle with
// the edits each stage allows, the parsing of a respondent's answers and the
// scoring reports rest on (NPS, CSAT).
package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/i18n"
)

// Defaults and limits.
const (
	DefaultLocale = "en"

	// A report shows no group smaller than the anonymity threshold (k), and
	// quotes no comments from a group smaller than the comment threshold.
	DefaultAnonymityThreshold = 5
	MinAnonymityThreshold     = 3
	DefaultCommentThreshold   = 10

	DefaultTokenValidityDays = 30
	MaxTokenValidityDays     = 365
	// MaxRetentionMonths bounds every retention period in months (ten years).
	MaxRetentionMonths = 120

	MaxQuestions = 100
	MinOptions   = 2
	MaxOptions   = 50

	// Lengths are in characters (runes): of a text answer, and of each
	// translation of a survey's texts.
	DefaultTextLength = 2000
	MaxTextLength     = 10000
	MaxTitleLength    = 200
	MaxIntroLength    = 4000
	MaxPromptLength   = 1000
	MaxLabelLength    = 200
	MaxConsentLength  = 4000
)

// Status is where a survey is in its life: draft → open → closed.
type Status string

// Survey statuses.
const (
	StatusDraft  Status = "draft"  // being written; nobody can answer
	StatusOpen   Status = "open"   // accepting answers; only careful edits
	StatusClosed Status = "closed" // finished; read-only
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusDraft || s == StatusOpen || s == StatusClosed
}

// ConsentVersion is a consent text as it was published. A consent record
// names the version and the hash of the text the respondent saw, so every
// version stays in the survey's history.
type ConsentVersion struct {
	Version   int               `bson:"version" json:"version"`
	Text      Text              `bson:"text" json:"text"`
	Hashes    map[string]string `bson:"hashes" json:"hashes"` // locale → ConsentHash of Text[locale]
	CreatedAt time.Time         `bson:"createdAt" json:"createdAt"`
}

func newConsentVersion(version int, text Text, now time.Time) ConsentVersion {
	hashes := make(map[string]string, len(text))
	for locale, s := range text {
		hashes[locale] = ConsentHash(s)
	}
	return ConsentVersion{Version: version, Text: text.Clone(), Hashes: hashes, CreatedAt: now}
}

// ConsentHash returns the hex SHA-256 of a consent text, as recorded with
// each consent.
func ConsentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Survey is a questionnaire and the rules for answering and reporting it.
// ID, OwnerID, Status, the timestamps, Revision, ConsentVersion and
// ConsentHistory are managed here and by the store; the rest is the
// definition a manager edits.
type Survey struct {
	ID      string `bson:"_id" json:"id"`
	OwnerID string `bson:"ownerId" json:"ownerId"` // the manager who created it

	Title Text `bson:"title" json:"title"`
	Intro Text `bson:"intro,omitempty" json:"intro,omitempty"`
	// DefaultLocale is shown to respondents whose language the survey lacks.
	DefaultLocale string `bson:"defaultLocale" json:"defaultLocale"`
	// Locales are the declared languages, DefaultLocale first; every text
	// is required in each.
	Locales   []string   `bson:"locales" json:"locales"`
	Questions []Question `bson:"questions" json:"questions"`

	// Branding is how respondent pages and emails of this survey look and
	// who they come from.
	Branding Branding `bson:"branding,omitempty" json:"branding,omitzero"`

	ConsentText    Text             `bson:"consentText" json:"consentText"`
	ConsentVersion int              `bson:"consentVersion" json:"consentVersion"`
	ConsentHistory []ConsentVersion `bson:"consentHistory,omitempty" json:"consentHistory,omitempty"` // oldest first

	AnonymityThreshold int `bson:"anonymityThreshold" json:"anonymityThreshold"`
	CommentThreshold   int `bson:"commentThreshold" json:"commentThreshold"`
	TokenValidityDays  int `bson:"tokenValidityDays" json:"tokenValidityDays"`
	// NamedRetentionMonths, when set, keeps the names on this survey's
	// answers for at most so many months, fewer than the retention policy
	// may; 0 leaves it to the policy.
	NamedRetentionMonths int `bson:"namedRetentionMonths,omitempty" json:"namedRetentionMonths,omitempty"`

	Status    Status     `bson:"status" json:"status"`
	CreatedAt time.Time  `bson:"createdAt" json:"createdAt"`
	UpdatedAt time.Time  `bson:"updatedAt" json:"updatedAt"`
	OpenedAt  *time.Time `bson:"openedAt,omitempty" json:"openedAt,omitempty"`
	ClosedAt  *time.Time `bson:"closedAt,omitempty" json:"closedAt,omitempty"`
	// Revision grows with every change, for the store's compare-and-swap.
	Revision int `bson:"revision" json:"revision"`
}

// Normalize tidies a survey as entered. It cleans every text (trimmed, NFC,
// "\n" line breaks, no control characters but newline and tab), drops
// blank translations and files keyless ones under the default locale;
// canonicalises DefaultLocale ("en" when empty) and Locales ("en-GB" →
// "en"), putting DefaultLocale first and each locale once; lower-cases
// question and option keys and types, and makes the missing ones from the
// wording (see Slug); and fills in defaults for the
// thresholds, token validity, text answer length, consent version and
// status. What it cannot fix, such as a translation under a key that is
// not a declared locale, it leaves for Validate to report. Normalize is
// idempotent.
func (s *Survey) Normalize() {
	s.DefaultLocale = normalizeLocale(s.DefaultLocale)
	if s.DefaultLocale == "" {
		s.DefaultLocale = DefaultLocale
	}
	locales := make([]string, 1, len(s.Locales)+1)
	locales[0] = s.DefaultLocale
	for _, l := range s.Locales {
		if l = normalizeLocale(l); l != "" && !slices.Contains(locales, l) {
			locales = append(locales, l)
		}
	}
	s.Locales = locales

	s.Title = s.Title.normalized(s.DefaultLocale)
	s.Intro = s.Intro.normalized(s.DefaultLocale)
	s.ConsentText = s.ConsentText.normalized(s.DefaultLocale)
	for i := range s.Questions {
		s.Questions[i].normalize(s.DefaultLocale)
	}
	s.fillKeys()
	s.Branding.normalize()

	if s.AnonymityThreshold == 0 {
		s.AnonymityThreshold = DefaultAnonymityThreshold
	}
	if s.CommentThreshold == 0 {
		s.CommentThreshold = max(DefaultCommentThreshold, s.AnonymityThreshold)
	}
	if s.TokenValidityDays == 0 {
		s.TokenValidityDays = DefaultTokenValidityDays
	}
	if s.ConsentVersion == 0 {
		s.ConsentVersion = 1
	}
	if s.Status == "" {
		s.Status = StatusDraft
	}
}

// normalizeLocale canonicalises a supported code and leaves any other
// (trimmed) for Validate to name.
func normalizeLocale(code string) string {
	if c, ok := i18n.Normalize(code); ok {
		return c
	}
	return strings.TrimSpace(code)
}

// Clone returns a deep copy of s: changing one never changes the other.
func (s Survey) Clone() Survey {
	s.Title = s.Title.Clone()
	s.Intro = s.Intro.Clone()
	s.Locales = slices.Clone(s.Locales)
	if s.Questions != nil {
		qs := make([]Question, len(s.Questions))
		for i, q := range s.Questions {
			qs[i] = q.clone()
		}
		s.Questions = qs
	}
	s.ConsentText = s.ConsentText.Clone()
	if s.ConsentHistory != nil {
		hist := make([]ConsentVersion, len(s.ConsentHistory))
		for i, v := range s.ConsentHistory {
			hist[i] = ConsentVersion{Version: v.Version, Text: v.Text.Clone(), Hashes: maps.Clone(v.Hashes), CreatedAt: v.CreatedAt}
		}
		s.ConsentHistory = hist
	}
	s.OpenedAt = clonePtr(s.OpenedAt)
	s.ClosedAt = clonePtr(s.ClosedAt)
	return s
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Question returns the question with key.
func (s Survey) Question(key string) (Question, bool) {
	for _, q := range s.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// Locale returns the locale to show the survey in to someone who asked for
// code (any form i18n.Normalize accepts): that locale when the survey is
// translated into it, else the default locale.
func (s Survey) Locale(code string) string {
	if c, ok := i18n.Normalize(code); ok && slices.Contains(s.Locales, c) {
		return c
	}
	return s.DefaultLocale
}

// ConsentFor returns the current consent text in locale (the default
// locale's when it has none) with the version and hash a consent record
// keeps.
func (s Survey) ConsentFor(locale string) (text string, version int, hash string) {
	text = s.ConsentText.Get(locale, s.DefaultLocale)
	if text == "" {
		return "", s.ConsentVersion, ""
	}
	return text, s.ConsentVersion, ConsentHash(text)
}

// ConsentAt returns a published consent version.
func (s Survey) ConsentAt(version int) (ConsentVersion, bool) {
	for _, v := range s.ConsentHistory {
		if v.Version == version {
			return v, true
		}
	}
	return ConsentVersion{}, false
}
