package i18n_test

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
)

// TestUnsubscribeMessagesComplete checks the unsubscribe catalog as
// TestRespondentMessagesComplete checks the respondent one: it adds to the
// respondent catalog without replacing any of its texts, and each text it
// adds is in every locale with the English text's format verbs.
func TestUnsubscribeMessagesComplete(t *testing.T) {
	t.Parallel()
	shared := i18n.RespondentMessages("en")
	english := i18n.UnsubscribeMessages("en")
	if len(english) <= len(shared) {
		t.Fatalf("the unsubscribe catalog adds nothing: %d messages, respondent %d", len(english), len(shared))
	}
	for key, en := range shared {
		if english[key] != en {
			t.Errorf("%q replaces the respondent text %q with %q", key, en, english[key])
		}
	}
	for _, locale := range i18n.Supported() {
		c := i18n.UnsubscribeMessages(locale)
		if len(c) != len(english) {
			t.Errorf("%s has %d messages, English %d", locale, len(c), len(english))
		}
		for key, en := range english {
			if _, isShared := shared[key]; isShared {
				continue
			}
			if !strings.HasPrefix(key, "unsubscribe.") {
				t.Errorf("%q is not an unsubscribe.* key", key)
			}
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
	}
}

func TestUnsubscribeMessages(t *testing.T) {
	t.Parallel()
	tests := []struct{ locale, key, want string }{
		{"en", "unsubscribe.question", "Stop survey emails to %s?"},
		{"sv", "unsubscribe.button", "Avregistrera"},
		{"fr", "unsubscribe.done.no_email", "Nous ne vous enverrons plus d'enquêtes."},
		{"it", "page.skip", "Vai al contenuto"}, // a respondent text, kept
		{"xx", "unsubscribe.title", "Unsubscribe from survey emails"},
	}
	for _, tt := range tests {
		if got := i18n.UnsubscribeMessages(tt.locale).T(tt.key); got != tt.want {
			t.Errorf("UnsubscribeMessages(%q).T(%q) = %q, want %q", tt.locale, tt.key, got, tt.want)
		}
	}
}
