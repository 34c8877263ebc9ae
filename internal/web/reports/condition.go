package reports

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/survey"
)

// promptQuote is how much of a prompt a condition quotes.
const promptQuote = 40

// describeCondition says in plain English when a conditional question is
// asked, such as "Asked when ‘How likely are you to recommend…’ is 0–6";
// empty for a question without a condition.
func describeCondition(sv survey.Survey, q survey.Question) string {
	c := q.ShowIf
	if c == nil {
		return ""
	}
	tested, _ := sv.Question(c.Question)
	prompt := quote(tested.Prompt.Get(sv.DefaultLocale, c.Question))
	subject := "Asked when ‘" + prompt + "’"
	options := func() string {
		labels := make([]string, len(c.Options))
		for i, o := range c.Options {
			labels[i] = optionLabel(sv, tested, o)
		}
		return orList(labels)
	}
	switch c.Op {
	case survey.OpBetween:
		switch {
		case c.Min == nil || c.Max == nil:
		case *c.Min == *c.Max:
			return fmt.Sprintf("%s is %d", subject, *c.Min)
		default:
			return fmt.Sprintf("%s is %d–%d", subject, *c.Min, *c.Max)
		}
	case survey.OpAnyOf:
		if tested.Type == survey.TypeMulti {
			return subject + " includes " + options()
		}
		return subject + " is " + options()
	case survey.OpNoneOf:
		if tested.Type == survey.TypeMulti {
			return subject + " is answered without " + options()
		}
		return subject + " is answered, but not " + options()
	case survey.OpAnswered:
		return subject + " is answered"
	case survey.OpNotAnswered:
		return subject + " is not answered"
	}
	return subject + ": " + c.String()
}

// quote shortens a prompt to its first words, at most promptQuote
// characters and a "…" (a piped placeholder is a word, never cut).
func quote(prompt string) string {
	words := strings.Fields(prompt)
	out, n := "", 0
	for i, w := range words {
		if i > 0 && n+1+utf8.RuneCountInString(w) > promptQuote {
			return strings.TrimRight(out, ",.;:") + "…"
		}
		if i > 0 {
			out += " "
			n++
		}
		out += w
		n += utf8.RuneCountInString(w)
	}
	return out
}

// orList joins labels as "A", "A or B", "A, B or C".
func orList(labels []string) string {
	switch len(labels) {
	case 0:
		return ""
	case 1:
		return "“" + labels[0] + "”"
	}
	quoted := make([]string, len(labels))
	for i, l := range labels {
		quoted[i] = "“" + l + "”"
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
