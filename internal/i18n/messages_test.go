package i18n_test

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
)

// TestMessagesComplete checks that every message exists in every locale,
// is translated, and keeps the format verbs of the English text.
func TestMessagesComplete(t *testing.T) {
	t.Parallel()
	english := i18n.Messages("en")
	if len(english) == 0 {
		t.Fatal("the catalog is empty")
	}
	for _, locale := range i18n.Supported() {
		c := i18n.Messages(locale)
		if len(c) != len(english) {
			t.Errorf("%s has %d messages, English %d", locale, len(c), len(english))
		}
		translated := 0
		for key, en := range english {
			s := c[key]
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %q is empty", locale, key)
			}
			if got, want := strings.Count(s, "%d"), strings.Count(en, "%d"); got != want {
				t.Errorf("%s: %q has %d %%d verbs, English %d", locale, key, got, want)
			}
			if s != en {
				translated++
			}
		}
		// A locale that falls through to English would translate nothing.
		if locale != "en" && translated < len(english)/2 {
			t.Errorf("%s: only %d of %d messages differ from English", locale, translated, len(english))
		}
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	tests := []struct{ locale, key, want string }{
		{"en", "form.submit", "Send answers"},
		{"fi", "form.submit", "Lähetä vastaukset"},
		{"de", "form.consent.label", "Meinen Namen mit meinen Antworten verknüpfen"},
		{"zh", "scale.nps.high", "极有可能"},
		{"ru", "form.submit", "Send answers"}, // unsupported: English
		{"", "form.submit", "Send answers"},
		{"fi", "no.such.key", "no.such.key"}, // missing: the key, visibly
	}
	for _, tt := range tests {
		if got := i18n.T(tt.locale, tt.key); got != tt.want {
			t.Errorf("T(%q, %q) = %q, want %q", tt.locale, tt.key, got, tt.want)
		}
		if got := i18n.Messages(tt.locale).T(tt.key); got != tt.want {
			t.Errorf("Messages(%q).T(%q) = %q, want %q", tt.locale, tt.key, got, tt.want)
		}
	}
}
