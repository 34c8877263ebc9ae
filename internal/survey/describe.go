package survey

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// describedPromptLength is how much of a prompt a description quotes.
const describedPromptLength = 48

// DescribeCondition says in plain English what c tests, for staff pages:
// "‘How likely are you to recommend us?’ is 0–6". Prompts and option
// labels are in locale (the default locale's where there is none); a
// question or option the survey lacks is named by its key. Pages put
// "Shown when " or "Asked only if " in front.
func (s Survey) DescribeCondition(c Condition, locale string) string {
	q, known := s.Question(c.Question)
	subject := "question “" + c.Question + "”"
	if p := s.ShortPrompt(q, locale); known && p != "" {
		subject = "‘" + p + "’"
	}
	switch c.Op {
	case OpBetween:
		switch {
		case c.Min == nil || c.Max == nil:
			return subject + " has a score (range not chosen)"
		case *c.Min == *c.Max:
			return subject + " is " + strconv.Itoa(*c.Min)
		}
		return subject + " is " + strconv.Itoa(*c.Min) + "–" + strconv.Itoa(*c.Max)
	case OpAnyOf:
		return subject + " is answered with " + s.optionList(q, c.Options, locale)
	case OpNoneOf:
		return subject + " is answered, but not with " + s.optionList(q, c.Options, locale)
	case OpAnswered:
		return subject + " is answered"
	case OpNotAnswered:
		return subject + " is not answered (or was not asked)"
	}
	return subject + " meets the unknown condition “" + string(c.Op) + "”"
}

// ShortPrompt is q's prompt in locale (the default locale's where there
// is none), on one line and cut to a length that fits in a sentence or a
// menu.
func (s Survey) ShortPrompt(q Question, locale string) string {
	return shorten(q.Prompt.Get(locale, s.DefaultLocale), describedPromptLength)
}

// optionList names options for a description: "Price", "Price or
// Support", "Price, Support or Delivery".
func (s Survey) optionList(q Question, keys []string, locale string) string {
	if len(keys) == 0 {
		return "(no option chosen)"
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = "“" + k + "”"
		if o, ok := q.Option(k); ok {
			if l := o.Label.Get(locale, s.DefaultLocale); l != "" {
				names[i] = "“" + l + "”"
			}
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// shorten cuts text to at most n characters, at a word where it can,
// marking the cut with "…".
func shorten(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := string([]rune(text)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// DependsOn returns the keys of the questions q depends on: the one its
// condition tests, and those whose answers its prompt shows, in any
// locale; each once, in that order.
func (q Question) DependsOn() []string {
	var keys []string
	if q.ShowIf != nil && q.ShowIf.Question != "" {
		keys = append(keys, q.ShowIf.Question)
	}
	for _, k := range q.pipedKeys() {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}
