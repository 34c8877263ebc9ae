package i18n_test

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
)

// TestEmailMessagesComplete checks that every email text exists in every
// locale, is translated, and keeps the format verbs of the English text.
func TestEmailMessagesComplete(t *testing.T) {
	t.Parallel()
	english := i18n.EmailMessages("en")
	if len(english) == 0 {
		t.Fatal("the email catalog is empty")
	}
	seen := map[string]string{} // subject → locale, to catch a copied translation
	for _, locale := range i18n.Supported() {
		c := i18n.EmailMessages(locale)
		if len(c) != len(english) {
			t.Errorf("%s has %d email texts, English %d", locale, len(c), len(english))
		}
		for key, en := range english {
			s := c[key]
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %q is empty", locale, key)
			}
			if got, want := strings.Count(s, "%s"), strings.Count(en, "%s"); got != want {
				t.Errorf("%s: %q has %d %%s verbs, English %d", locale, key, got, want)
			}
			if locale != "en" && s == en && len(en) > 12 {
				t.Errorf("%s: %q is not translated", locale, key)
			}
		}
		if other, ok := seen[c["email.subject"]]; ok {
			t.Errorf("%s: the subject repeats %s's", locale, other)
		}
		seen[c["email.subject"]] = locale
	}
}

func TestEmailMessages(t *testing.T) {
	t.Parallel()
	tests := []struct{ locale, key, want string }{
		{"en", "email.subject", "Survey: %s"},
		{"fi", "email.greeting", "Hyvä %s,"},
		{"de", "email.reminder.subject", "Erinnerung: %s"},
		{"zh", "email.button", "参与调查"},
		{"ru", "email.subject", "Survey: %s"}, // unsupported: English
		{"", "email.thanks", "Thank you,"},
		{"fi", "no.such.key", "no.such.key"}, // missing: the key, visibly
	}
	for _, tt := range tests {
		if got := i18n.EmailMessages(tt.locale).T(tt.key); got != tt.want {
			t.Errorf("EmailMessages(%q).T(%q) = %q, want %q", tt.locale, tt.key, got, tt.want)
		}
	}
}
