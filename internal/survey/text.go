package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Text is wording in the survey's languages: locale code → text.
//
// In JSON a Text is an object such as {"en": "Hello", "fi": "Hei"}. A plain
// JSON string is accepted too and means the survey's default locale: it is
// held under the key "" until Survey.Normalize files it under
// DefaultLocale, because the default locale is not known while decoding.
type Text map[string]string

// UnmarshalJSON accepts an object of locale codes to strings, a plain string
// (see Text) or null.
func (t *Text) UnmarshalJSON(data []byte) error {
	if data = bytes.TrimSpace(data); len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("survey: text: %w", err)
		}
		*t = Text{"": s}
		return nil
	}
	var m map[string]string // fresh, so that decoding replaces rather than merges
	if err := json.Unmarshal(data, &m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			// Unwrapped, so that the decoder adds the path of the field, and
			// a client learns which text has the wrong shape.
			return &json.UnmarshalTypeError{Value: typeErr.Value, Type: reflect.TypeFor[Text](), Offset: typeErr.Offset}
		}
		return fmt.Errorf("survey: text must be a string or an object of locale codes to strings: %w", err)
	}
	*t = m
	return nil
}

// Get returns the text in locale, or in fallback when there is none.
func (t Text) Get(locale, fallback string) string {
	if s := t[locale]; s != "" {
		return s
	}
	return t[fallback]
}

// normalized returns t with every text cleaned (see cleanText), empty texts
// dropped and the keyless text filed under defaultLocale unless that locale
// has its own. It returns nil when nothing is left.
func (t Text) normalized(defaultLocale string) Text {
	var out Text
	loose := ""
	for locale, s := range t {
		if s = cleanText(s); s == "" {
			continue
		}
		if locale == "" {
			loose = s
			continue
		}
		if out == nil {
			out = make(Text, len(t))
		}
		out[locale] = s
	}
	if loose != "" && out[defaultLocale] == "" {
		if out == nil {
			out = Text{}
		}
		out[defaultLocale] = loose
	}
	return out
}

// cleanText makes user-supplied text safe and comparable: valid UTF-8, line
// breaks as "\n" (browsers send textarea lines as "\r\n"), no control
// characters but newline and tab, NFC so that the same visible text is the
// same bytes (consent hashes depend on it), and no surrounding space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}

// Equal reports whether t and u hold the same texts.
func (t Text) Equal(u Text) bool { return maps.Equal(t, u) }

// Clone returns a copy of t that shares nothing with it.
func (t Text) Clone() Text { return maps.Clone(t) }
