package survey

import "strings"

// QuestionType says what a question asks for and how its answers are scored.
type QuestionType string

// Question types.
const (
	TypeNPS    QuestionType = "nps"    // likelihood to recommend, 0–10
	TypeCSAT   QuestionType = "csat"   // satisfaction, 1–5
	TypeCES    QuestionType = "ces"    // customer effort, 1–7
	TypeSingle QuestionType = "single" // one of the options
	TypeMulti  QuestionType = "multi"  // any of the options
	TypeText   QuestionType = "text"   // free text
)

// Valid reports whether t is a known question type.
func (t QuestionType) Valid() bool {
	switch t {
	case TypeNPS, TypeCSAT, TypeCES, TypeSingle, TypeMulti, TypeText:
		return true
	}
	return false
}

// Scale returns the range of a scored question type; ok is false for the
// others.
func (t QuestionType) Scale() (lo, hi int, ok bool) {
	switch t {
	case TypeNPS:
		return 0, 10, true
	case TypeCSAT:
		return 1, 5, true
	case TypeCES:
		return 1, 7, true
	}
	return 0, 0, false
}

// IsChoice reports whether t is answered by picking options.
func (t QuestionType) IsChoice() bool { return t == TypeSingle || t == TypeMulti }

// Option is one choice of a single or multi question. Key is what answers
// and reports store, so relabelling an option keeps its answers.
type Option struct {
	Key   string `bson:"key" json:"key"`
	Label Text   `bson:"label" json:"label"`
}

// Question is one question of a survey. Key identifies it in answers,
// reports and form fields ("q.<key>") and is stable across edits.
type Question struct {
	Key      string       `bson:"key" json:"key"`
	Type     QuestionType `bson:"type" json:"type"`
	Prompt   Text         `bson:"prompt" json:"prompt"`
	Required bool         `bson:"required" json:"required"`
	// Options are the choices of a single or multi question.
	Options []Option `bson:"options,omitempty" json:"options,omitempty"`
	// MaxLength limits a text answer, in characters (runes).
	MaxLength int `bson:"maxLength,omitempty" json:"maxLength,omitempty"`
	// Confidential answers are encrypted at rest and never shown verbatim.
	Confidential bool `bson:"confidential" json:"confidential"`
	// Quotable text answers may appear verbatim in reports.
	Quotable bool `bson:"quotable" json:"quotable"`
	// ShowIf, when set, shows the question only to those whose earlier
	// answer meets it; the others are neither asked nor counted.
	ShowIf *Condition `bson:"showIf,omitempty" json:"showIf,omitempty"`
}

// Option returns the option with key.
func (q Question) Option(key string) (Option, bool) {
	for _, o := range q.Options {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}

// textLimit is the length limit of a text answer, defaulted for questions
// that were never normalized.
func (q Question) textLimit() int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	return DefaultTextLength
}

func (q *Question) normalize(defaultLocale string) {
	q.Key = normalizeKey(q.Key)
	q.Type = QuestionType(strings.ToLower(strings.TrimSpace(string(q.Type))))
	q.Prompt = q.Prompt.normalized(defaultLocale)
	for i := range q.Options {
		q.Options[i].Key = normalizeKey(q.Options[i].Key)
		q.Options[i].Label = q.Options[i].Label.normalized(defaultLocale)
	}
	if q.Type == TypeText && q.MaxLength == 0 {
		q.MaxLength = DefaultTextLength
	}
	if q.ShowIf != nil {
		q.ShowIf.normalize()
	}
}

func (q Question) clone() Question {
	q.Prompt = q.Prompt.Clone()
	if q.Options != nil {
		opts := make([]Option, len(q.Options))
		for i, o := range q.Options {
			opts[i] = Option{Key: o.Key, Label: o.Label.Clone()}
		}
		q.Options = opts
	}
	q.ShowIf = q.ShowIf.clone()
	return q
}

func normalizeKey(key string) string { return strings.ToLower(strings.TrimSpace(key)) }

// validKey reports whether key matches ^[a-z][a-z0-9_]{0,39}$, the shape of
// question and option keys: safe in form field names, paths and reports.
func validKey(key string) bool {
	if len(key) == 0 || len(key) > 40 || key[0] < 'a' || key[0] > 'z' {
		return false
	}
	for i := 1; i < len(key); i++ {
		if c := key[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
