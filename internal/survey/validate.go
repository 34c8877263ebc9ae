package survey

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
)

// problems collects field messages, keyed by paths such as "title.fi",
// "questions[2].key" or "questions[0].options[1].label.sv"; the first
// message for a path wins.
type problems map[string]string

func (p problems) add(path, format string, args ...any) {
	if _, ok := p[path]; !ok {
		p[path] = fmt.Sprintf(format, args...)
	}
}

func (p problems) err() error {
	return fault.Fields(fault.Invalid, "survey", p)
}

// Validate reports everything wrong with a normalized survey as field
// errors (fault.Invalid).
func (s Survey) Validate() error { return s.problems().err() }

func (s Survey) problems() problems {
	p := problems{}
	locales := s.checkLocales(p)
	c := checker{problems: p, locales: locales}

	c.text("title", s.Title, true, MaxTitleLength)
	c.text("intro", s.Intro, false, MaxIntroLength)
	c.text("consentText", s.ConsentText, true, MaxConsentLength)

	switch n := len(s.Questions); {
	case n == 0:
		p.add("questions", "add at least one question")
	case n > MaxQuestions:
		p.add("questions", "a survey has at most %d questions (this one has %d)", MaxQuestions, n)
	}
	keys := make(map[string]bool, len(s.Questions))
	before := make(map[string]Question, len(s.Questions))
	for i, q := range s.Questions {
		path := fmt.Sprintf("questions[%d]", i)
		c.question(path, q, keys)
		c.condition(path, q, before)
		c.pipes(path, q, before)
		if _, dup := before[q.Key]; !dup {
			before[q.Key] = q
		}
	}

	s.Branding.check(p)

	if s.AnonymityThreshold < MinAnonymityThreshold {
		p.add("anonymityThreshold", "must be at least %d", MinAnonymityThreshold)
	}
	if s.CommentThreshold < s.AnonymityThreshold {
		p.add("commentThreshold", "must be at least the anonymity threshold (%d)", s.AnonymityThreshold)
	}
	if s.TokenValidityDays < 1 || s.TokenValidityDays > MaxTokenValidityDays {
		p.add("tokenValidityDays", "must be between 1 and %d days", MaxTokenValidityDays)
	}
	if s.NamedRetentionMonths < 0 || s.NamedRetentionMonths > MaxRetentionMonths {
		p.add("namedRetentionMonths", "must be between 0 and %d months", MaxRetentionMonths)
	}
	if s.ConsentVersion < 1 {
		p.add("consentVersion", "must be at least 1")
	}
	if !s.Status.Valid() {
		p.add("status", "unknown status %q", s.Status)
	}
	return p
}

// checkLocales reports bad locales and returns those that texts must be
// translated into: the default and declared locales that are supported,
// once each.
func (s Survey) checkLocales(p problems) []string {
	var ok []string
	declare := func(path, l string) {
		switch {
		case !i18n.IsSupported(l):
			p.add(path, "%s", unsupported(l))
		case slices.Contains(ok, l):
			p.add(path, "%s is listed twice", describe(l))
		default:
			ok = append(ok, l)
		}
	}
	declare("defaultLocale", s.DefaultLocale)
	listed := false
	for i, l := range s.Locales {
		if l == s.DefaultLocale && !listed {
			listed = true // declared above
			continue
		}
		declare(fmt.Sprintf("locales[%d]", i), l)
	}
	if !listed {
		p.add("locales", "must include the default locale %q", s.DefaultLocale)
	}
	return ok
}

func unsupported(code string) string {
	return fmt.Sprintf("%q is not a supported language; use %s", code, strings.Join(i18n.Supported(), ", "))
}

// describe names a locale for staff: "Finnish (fi)".
func describe(locale string) string {
	if name := i18n.EnglishName(locale); name != "" {
		return name + " (" + locale + ")"
	}
	return fmt.Sprintf("%q", locale)
}

type checker struct {
	problems
	locales []string // declared and supported
}

// text reports a text missing in a declared locale, present in an
// undeclared one, or too long. An optional text is either absent or
// complete.
func (c checker) text(path string, t Text, required bool, limit int) {
	if len(t) == 0 {
		if required {
			c.add(path, "is required")
		}
		return
	}
	for _, l := range c.locales {
		if t[l] == "" {
			c.add(path+"."+l, "missing the %s translation", describe(l))
		}
	}
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if !slices.Contains(c.locales, l) {
			c.add(path+"."+l, "%s is not one of the survey's languages (%s)", describe(l), strings.Join(c.locales, ", "))
		} else if n := utf8.RuneCountInString(t[l]); n > limit {
			c.add(path+"."+l, "must be at most %d characters (has %d)", limit, n)
		}
	}
}

func (c checker) question(path string, q Question, keys map[string]bool) {
	c.key(path+".key", q.Key, keys, "question")
	switch {
	case q.Type == "":
		c.add(path+".type", "is required; use nps, csat, ces, single, multi or text")
	case !q.Type.Valid():
		c.add(path+".type", "unknown question type %q; use nps, csat, ces, single, multi or text", q.Type)
	}
	c.text(path+".prompt", q.Prompt, true, MaxPromptLength)

	if q.Type.IsChoice() {
		if n := len(q.Options); n < MinOptions || n > MaxOptions {
			c.add(path+".options", "a choice question needs %d to %d options (this one has %d)", MinOptions, MaxOptions, n)
		}
		optionKeys := make(map[string]bool, len(q.Options))
		for j, o := range q.Options {
			op := fmt.Sprintf("%s.options[%d]", path, j)
			c.key(op+".key", o.Key, optionKeys, "option")
			c.text(op+".label", o.Label, true, MaxLabelLength)
		}
	} else if len(q.Options) > 0 {
		c.add(path+".options", "only single and multi questions have options")
	}

	if q.Type == TypeText {
		if q.MaxLength < 1 || q.MaxLength > MaxTextLength {
			c.add(path+".maxLength", "must be between 1 and %d characters", MaxTextLength)
		}
	} else if q.MaxLength != 0 {
		c.add(path+".maxLength", "only text questions have a maximum length")
	}

	switch {
	case q.Quotable && q.Type != TypeText:
		c.add(path+".quotable", "only text questions can be quotable")
	case q.Quotable && q.Confidential:
		c.add(path+".quotable", "a confidential question cannot be quotable")
	}
}

// key reports a missing, malformed or repeated key and records a good one.
func (c checker) key(path, key string, seen map[string]bool, what string) {
	switch {
	case key == "":
		c.add(path, "is required")
	case !validKey(key):
		c.add(path, "must start with a letter a–z and use only a–z, 0–9 and _, at most 40 characters")
	case seen[key]:
		c.add(path, "another %s already has the key %q", what, key)
	default:
		seen[key] = true
	}
}
