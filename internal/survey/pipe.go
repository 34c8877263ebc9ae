package survey

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Placeholders a prompt may hold, replaced for each respondent: the name
// of their company, and their answer to an earlier question. They are the
// same in every locale, so translators keep them as they are.
const (
	PipeAccount      = "{{account}}"
	pipeAnswerPrefix = "{{answer:"
	pipeOpen         = "{{"
	pipeClose        = "}}"
)

// PipeAnswer is the placeholder for the answer to the question with key.
func PipeAnswer(key string) string { return pipeAnswerPrefix + key + pipeClose }

// pipe is one placeholder found in a text.
type pipe struct {
	raw string // as written, braces included
	key string // the question, for an answer placeholder
	ok  bool   // a placeholder this package knows
}

// pipes returns the placeholders in text, in order.
func pipes(text string) []pipe {
	var found []pipe
	for {
		i := strings.Index(text, pipeOpen)
		if i < 0 {
			return found
		}
		text = text[i:]
		j := strings.Index(text, pipeClose)
		if j < 0 {
			return append(found, pipe{raw: text})
		}
		raw := text[:j+len(pipeClose)]
		p := pipe{raw: raw}
		inner := strings.TrimSpace(raw[len(pipeOpen) : len(raw)-len(pipeClose)])
		switch name, arg, hasArg := strings.Cut(inner, ":"); {
		case inner == "account":
			p.ok = true
		case hasArg && strings.TrimSpace(name) == "answer":
			p.key = normalizeKey(arg)
			p.ok = validKey(p.key)
		}
		found = append(found, p)
		text = text[len(raw):]
	}
}

// pipedKeys returns the questions whose answers q's prompt shows, in any
// locale.
func (q Question) pipedKeys() []string {
	var keys []string
	for _, text := range q.Prompt {
		for _, p := range pipes(text) {
			if p.key != "" && !slices.Contains(keys, p.key) {
				keys = append(keys, p.key)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// PipeContext is what placeholders are replaced with for one respondent.
type PipeContext struct {
	Locale  string
	Account string  // the company's name; empty when unknown
	Answers Answers // the answers given so far
}

// PromptFor returns q's prompt in locale with its placeholders replaced:
// an answer by its score, its option labels or its text, and nothing when
// there is none. Unknown placeholders stay as written (Validate refuses
// them on save).
func (s Survey) PromptFor(q Question, pc PipeContext) string {
	text := q.Prompt.Get(pc.Locale, s.DefaultLocale)
	if !strings.Contains(text, pipeOpen) {
		return text
	}
	var b strings.Builder
	rest := text
	for _, p := range pipes(text) {
		i := strings.Index(rest, p.raw)
		b.WriteString(rest[:i])
		rest = rest[i+len(p.raw):]
		switch {
		case !p.ok:
			b.WriteString(p.raw)
		case p.key == "":
			b.WriteString(pc.Account)
		default:
			b.WriteString(s.answerText(p.key, pc))
		}
	}
	b.WriteString(rest)
	return strings.Join(strings.Fields(b.String()), " ")
}

// answerText is how a piped answer reads in a prompt.
func (s Survey) answerText(key string, pc PipeContext) string {
	a, ok := pc.Answers.Get(key)
	q, known := s.Question(key)
	if !ok || !known {
		return ""
	}
	switch {
	case a.Score != nil:
		return strconv.Itoa(*a.Score)
	case len(a.Choices) > 0:
		labels := make([]string, 0, len(a.Choices))
		for _, k := range a.Choices {
			if o, ok := q.Option(k); ok {
				labels = append(labels, o.Label.Get(pc.Locale, s.DefaultLocale))
			}
		}
		return strings.Join(labels, ", ")
	}
	return a.Text
}

// checkPipes reports placeholders in q's prompt that are unknown, or that
// show an answer to a missing, later or confidential question.
func (c checker) pipes(path string, q Question, before map[string]Question) {
	for _, locale := range slices.Sorted(maps.Keys(q.Prompt)) {
		for _, p := range pipes(q.Prompt[locale]) {
			at := path + ".prompt." + locale
			switch {
			case !p.ok:
				c.add(at, "unknown placeholder %q; use %s or %s", p.raw, PipeAccount, PipeAnswer("key"))
			case p.key == "":
			case p.key == q.Key:
				c.add(at, "a prompt cannot show its own question's answer")
			case before[p.key].Key == "":
				c.add(at, "%s: %q is not a question before this one", p.raw, p.key)
			case before[p.key].Confidential:
				c.add(at, "%s: %q is confidential, so its answer is never shown again", p.raw, p.key)
			}
		}
	}
}
