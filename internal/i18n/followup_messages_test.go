package i18n_test

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
)

// TestFollowupMessagesComplete checks that every follow-up mail text
// exists in every locale, is translated, and keeps the English verbs.
func TestFollowupMessagesComplete(t *testing.T) {
	t.Parallel()
	english := i18n.FollowupMessages("en")
	if len(english) == 0 {
		t.Fatal("the follow-up catalog is empty")
	}
	for _, locale := range i18n.Supported() {
		c := i18n.FollowupMessages(locale)
		if len(c) != len(english) {
			t.Errorf("%s has %d follow-up texts, English %d", locale, len(c), len(english))
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
	}
}

func TestFollowupMessages(t *testing.T) {
	t.Parallel()
	tests := []struct{ locale, key, want string }{
		{"en", "followup.escalation.subject", "Overdue follow-up: %s"},
		{"de", "followup.owner.admins", "die Administratoren"},
		{"ru", "followup.greeting", "Hello %s,"}, // unsupported: English
		{"en", "no.such.key", "no.such.key"},
	}
	for _, tt := range tests {
		if got := i18n.FollowupMessages(tt.locale).T(tt.key); got != tt.want {
			t.Errorf("FollowupMessages(%q).T(%q) = %q, want %q", tt.locale, tt.key, got, tt.want)
		}
	}
}
