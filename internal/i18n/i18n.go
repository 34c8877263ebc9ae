// Package i18n knows which languages Candor speaks and picks one for a
// visitor. Locale codes are bare ISO 639-1 language codes ("en", "fi"); "zh"
// means Simplified Chinese.
package i18n

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

type locale struct {
	code    string
	name    string // in the language itself, for language switchers
	english string // for messages to staff, such as validation errors
}

// locales is the supported set in display order. A function returning an
// array, rather than a variable, so that no caller can change the table.
func locales() [8]locale {
	return [8]locale{
		{"en", "English", "English"},
		{"fi", "Suomi", "Finnish"},
		{"sv", "Svenska", "Swedish"},
		{"de", "Deutsch", "German"},
		{"fr", "Français", "French"},
		{"es", "Español", "Spanish"},
		{"it", "Italiano", "Italian"},
		{"zh", "简体中文", "Chinese"},
	}
}

func lookup(code string) (locale, bool) {
	for _, l := range locales() {
		if l.code == code {
			return l, true
		}
	}
	return locale{}, false
}

// Supported returns the supported locale codes in display order. The slice
// is the caller's to keep or change.
func Supported() []string {
	ls := locales()
	codes := make([]string, len(ls))
	for i, l := range ls {
		codes[i] = l.code
	}
	return codes
}

// IsSupported reports whether code is exactly a supported locale code.
// Use Normalize first for codes from outside, such as "en-GB".
func IsSupported(code string) bool {
	_, ok := lookup(code)
	return ok
}

// Normalize maps a language tag to the supported locale code it names:
// "EN", "en-GB", "en_US" → "en"; "zh", "zh-CN", "zh-Hans" → "zh". A tag in
// a script other than its language's usual one is a different written
// language, so "zh-TW" and "zh-Hant" (Traditional Chinese) are not
// supported, nor is anything unparsable.
func Normalize(code string) (string, bool) {
	tag, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(code), "_", "-"))
	if err != nil {
		return "", false
	}
	base, conf := tag.Base()
	if conf != language.Exact { // "und-FI" guesses Finnish; that is no request for it
		return "", false
	}
	script, _ := tag.Script()
	usual, _ := language.Make(base.String()).Script()
	if script != usual {
		return "", false
	}
	if !IsSupported(base.String()) {
		return "", false
	}
	return base.String(), true
}

// Name returns the language's name in itself ("Suomi" for "fi"), or "" when
// code is not supported.
func Name(code string) string {
	l, _ := lookup(code)
	return l.name
}

// EnglishName returns the language's English name ("Finnish" for "fi"), or
// "" when code is not supported.
func EnglishName(code string) string {
	l, _ := lookup(code)
	return l.english
}

// Negotiate returns the entry of available that best serves a visitor with
// the given Accept-Language header, honouring its q-values, or fallback when
// nothing in available is close enough. Close enough includes regional and
// related variants: "de-CH" gets "de", and "zh-TW" gets "zh" (Simplified)
// when nothing else the visitor accepts is available.
func Negotiate(acceptLanguage string, available []string, fallback string) string {
	desired := parseAcceptLanguage(acceptLanguage)
	if len(desired) == 0 {
		return fallback
	}
	tags := make([]language.Tag, 0, len(available))
	index := make([]int, 0, len(available)) // tags[i] came from available[index[i]]
	for i, code := range available {
		if tag, err := language.Parse(code); err == nil {
			tags = append(tags, tag)
			index = append(index, i)
		}
	}
	if len(tags) == 0 {
		return fallback
	}
	_, i, conf := language.NewMatcher(tags).Match(desired...)
	if conf == language.No {
		return fallback
	}
	return available[index[i]]
}

// parseAcceptLanguage returns the header's languages, most wanted first.
// It parses entry by entry because language.ParseAcceptLanguage rejects the
// whole header for one entry it does not know, and browsers send odd ones.
func parseAcceptLanguage(header string) []language.Tag {
	type pref struct {
		tag language.Tag
		q   float32
	}
	var prefs []pref
	for entry := range strings.SplitSeq(header, ",") {
		tags, qs, err := language.ParseAcceptLanguage(entry)
		if err != nil {
			continue
		}
		for i, tag := range tags {
			prefs = append(prefs, pref{tag, qs[i]})
		}
	}
	slices.SortStableFunc(prefs, func(a, b pref) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(prefs))
	for i, p := range prefs {
		tags[i] = p.tag
	}
	return tags
}
