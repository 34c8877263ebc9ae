package survey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Answer is a respondent's answer to one question: Score for nps, csat and
// ces, Choices (option keys, in the question's order) for single and multi,
// Text for text.
type Answer struct {
	Key     string   `bson:"key" json:"key"`
	Score   *int     `bson:"score,omitempty" json:"score,omitempty"`
	Choices []string `bson:"choices,omitempty" json:"choices,omitempty"`
	Text    string   `bson:"text,omitempty" json:"text,omitempty"`
}

// Answers are a response's answers in question order; unanswered optional
// questions have none.
type Answers []Answer

// Get returns the answer to the question with key.
func (as Answers) Get(key string) (Answer, bool) {
	for _, a := range as {
		if a.Key == key {
			return a, true
		}
	}
	return Answer{}, false
}

// Codes of FieldError, stable for translation.
const (
	CodeRequired       = "required"        // no answer to a required question
	CodeNotANumber     = "not_a_number"    // a score that is not a whole number; Params min, max
	CodeOutOfRange     = "out_of_range"    // a score outside the scale; Params min, max
	CodeUnknownOption  = "unknown_option"  // a choice the question does not offer
	CodeMultipleValues = "multiple_values" // several values where one belongs
	CodeTooLong        = "too_long"        // text over the limit; Params max, length (in characters)
)

// FieldError is why an answer was not accepted, as a code and parameters
// that a respondent's page can put in their language.
type FieldError struct {
	Code   string         `json:"code"`
	Params map[string]any `json:"params,omitempty"`
}

// English returns the message in English.
func (e FieldError) English() string {
	switch e.Code {
	case CodeRequired:
		return "Please answer this question."
	case CodeNotANumber:
		return fmt.Sprintf("Please choose a whole number from %v to %v.", e.Params["min"], e.Params["max"])
	case CodeOutOfRange:
		return fmt.Sprintf("Please choose a number from %v to %v.", e.Params["min"], e.Params["max"])
	case CodeUnknownOption:
		return "Please choose from the options given."
	case CodeMultipleValues:
		return "Please give one answer only."
	case CodeTooLong:
		return fmt.Sprintf("Please shorten your answer to at most %v characters; it has %v.", e.Params["max"], e.Params["length"])
	}
	return "This answer cannot be accepted."
}

// FormField is the name of the form field that answers the question with
// key.
func FormField(key string) string { return "q." + key }

// ParseAnswers reads a posted answer form (see FormField for the field
// names): a scale question takes a whole number, a single question one
// option key, a multi question any number of option keys (repeated
// fields; duplicates count once), a text question its text, cleaned as
// Normalize cleans texts and limited to the question's MaxLength
// characters. Blank values count as no answer, and fields that name no
// question are ignored.
//
// A question whose condition (ShowIf) the answers before it do not meet
// is not shown: values for it are ignored and it is never required.
//
// It returns the valid answers and, keyed by question key, why the others
// were not accepted; the answers are complete only when there are no
// errors. The form is untrusted input: ParseAnswers never panics.
func (s Survey) ParseAnswers(values map[string][]string) (Answers, map[string]FieldError) {
	var (
		answers Answers
		errs    map[string]FieldError
		seen    = make(map[string]bool, len(s.Questions))
		shown   = make(map[string]bool, len(s.Questions))
	)
	for _, q := range s.Questions {
		if seen[q.Key] { // a malformed survey must not yield two answers to one key
			continue
		}
		seen[q.Key] = true
		if shown[q.Key] = s.showsTo(q, answers, shown); !shown[q.Key] {
			continue
		}
		a, answered, problem := q.parse(values[FormField(q.Key)])
		if !answered && problem == nil && q.Required {
			problem = &FieldError{Code: CodeRequired}
		}
		switch {
		case problem != nil:
			if errs == nil {
				errs = make(map[string]FieldError)
			}
			errs[q.Key] = *problem
		case answered:
			answers = append(answers, a)
		}
	}
	return answers, errs
}

// parse reads one question's form values. answered is false when they hold
// no answer; problem is non-nil when they hold a bad one.
func (q Question) parse(raw []string) (a Answer, answered bool, problem *FieldError) {
	a.Key = q.Key
	if q.Type == TypeText {
		vals := nonBlank(raw, cleanText)
		switch {
		case len(vals) == 0:
			return a, false, nil
		case len(vals) > 1:
			return a, false, &FieldError{Code: CodeMultipleValues}
		}
		if n, limit := utf8.RuneCountInString(vals[0]), q.textLimit(); n > limit {
			return a, false, &FieldError{Code: CodeTooLong, Params: map[string]any{"max": limit, "length": n}}
		}
		a.Text = vals[0]
		return a, true, nil
	}

	vals := nonBlank(raw, strings.TrimSpace)
	if len(vals) == 0 {
		return a, false, nil
	}
	if lo, hi, ok := q.Type.Scale(); ok {
		if len(vals) > 1 {
			return a, false, &FieldError{Code: CodeMultipleValues}
		}
		n, err := strconv.Atoi(vals[0])
		scale := map[string]any{"min": lo, "max": hi}
		switch {
		case errors.Is(err, strconv.ErrRange):
			return a, false, &FieldError{Code: CodeOutOfRange, Params: scale}
		case err != nil:
			return a, false, &FieldError{Code: CodeNotANumber, Params: scale}
		case n < lo || n > hi:
			return a, false, &FieldError{Code: CodeOutOfRange, Params: scale}
		}
		a.Score = &n
		return a, true, nil
	}
	if !q.Type.IsChoice() {
		return a, false, nil // an unknown type takes no answers
	}
	if q.Type == TypeSingle && len(vals) > 1 {
		return a, false, &FieldError{Code: CodeMultipleValues}
	}
	chosen := make(map[string]bool, len(vals))
	for _, v := range vals {
		if _, ok := q.Option(v); !ok {
			return a, false, &FieldError{Code: CodeUnknownOption}
		}
		chosen[v] = true
	}
	// In the question's order, so that equal choices are stored alike.
	for _, o := range q.Options {
		if chosen[o.Key] {
			a.Choices = append(a.Choices, o.Key)
			delete(chosen, o.Key)
		}
	}
	return a, true, nil
}

// nonBlank returns the distinct non-empty results of clean over raw, in
// order. A form may repeat a field at will, so this stays linear.
func nonBlank(raw []string, clean func(string) string) []string {
	var vals []string
	seen := make(map[string]bool, len(raw))
	for _, r := range raw {
		if v := clean(r); v != "" && !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	return vals
}
