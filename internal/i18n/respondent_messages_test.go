package i18n_test

import (
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/i18n"
)

// TestRespondentMessagesComplete checks the respondent catalog as
// TestMessagesComplete checks the shared one, and that it adds to the
// shared catalog without replacing any of its texts.
func TestRespondentMessagesComplete(t *testing.T) {
	t.Parallel()
	shared := i18n.Messages("en")
	english := i18n.RespondentMessages("en")
	if len(english) <= len(shared) {
		t.Fatalf("the respondent catalog adds nothing: %d messages, shared %d", len(english), len(shared))
	}
	for key, en := range shared {
		if english[key] != en {
			t.Errorf("%q replaces the shared text %q with %q", key, en, english[key])
		}
	}
	for _, locale := range i18n.Supported() {
		c := i18n.RespondentMessages(locale)
		if len(c) != len(english) {
			t.Errorf("%s has %d messages, English %d", locale, len(c), len(english))
		}
		for key, en := range english {
			if _, isShared := shared[key]; isShared {
				continue
			}
			s := c[key]
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %q is empty", locale, key)
			}
			for _, verb := range []string{"%d", "%s", "%v"} {
				if got, want := strings.Count(s, verb), strings.Count(en, verb); got != want {
					t.Errorf("%s: %q has %d %s verbs, English %d", locale, key, got, verb, want)
				}
			}
			if locale != "en" && s == en && len(en) > 12 {
				t.Errorf("%s: %q is not translated", locale, key)
			}
		}
	}
}

func TestFormatDate(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 5, 23, 30, 0, 0, time.FixedZone("x", -3*3600)) // 6 Nov in UTC
	tests := map[string]string{
		"en": "6 Nov 2026", "fi": "6.11.2026", "de": "6.11.2026", "sv": "2026-11-06",
		"fr": "06/11/2026", "es": "06/11/2026", "it": "06/11/2026", "zh": "2026年11月6日", "xx": "6 Nov 2026",
	}
	for locale, want := range tests {
		if got := i18n.FormatDate(locale, day); got != want {
			t.Errorf("FormatDate(%s) = %q, want %q", locale, got, want)
		}
	}
}
