package survey_test

import (
	"math"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
)

func TestContrastWithWhite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		colour string
		want   float64
	}{
		{"#ffffff", 1},
		{"#000000", 21},
		{"#767676", 4.54}, // the lightest grey that passes AA
		{"#777777", 4.48},
		{"#0b5cad", 6.67},
		{"#FF0000", 4.00},
	} {
		c, ok := survey.ParseColour(tc.colour)
		if !ok {
			t.Fatalf("ParseColour(%q) failed", tc.colour)
		}
		if got := survey.ContrastWithWhite(c); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("contrast of %s = %.3f, want %.2f", tc.colour, got, tc.want)
		}
	}
	for _, bad := range []string{"", "#fff", "0b5cad", "#0b5cag", "#0b5cad0", "rgb(0,0,0)"} {
		if _, ok := survey.ParseColour(bad); ok {
			t.Errorf("ParseColour(%q) succeeded", bad)
		}
	}
	for _, light := range []string{"#ff0000", "#7fb2e5", "#ffffff", "#777777", "#f0b429"} {
		c, _ := survey.ParseColour(light)
		d := survey.Darkened(c)
		if r := survey.ContrastWithWhite(d); r < survey.MinAccentContrast || r > survey.MinAccentContrast+0.6 {
			t.Errorf("Darkened(%s) = %s with contrast %.2f: not just dark enough", light, d, r)
		}
	}
}

func TestBrandingValidation(t *testing.T) {
	t.Parallel()
	logo := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name     string
		branding survey.Branding
		want     map[string]string // field → part of the message
		accent   string            // the accent as normalized, when valid
	}{
		{name: "none", branding: survey.Branding{}},
		{name: "all", branding: survey.Branding{LogoID: strings.ToUpper(logo), Accent: " #0B5CAD ", SenderName: " Acme Lifts ", ReplyTo: "service@acme.example"}, accent: "#0b5cad"},
		{name: "accent without #", branding: survey.Branding{Accent: "0b5cad"}, accent: "#0b5cad"},
		{name: "light accent", branding: survey.Branding{Accent: "#7fb2e5"}, want: map[string]string{
			"branding.accent": "#7fb2e5 has a contrast of only 2.2:1 with white",
		}},
		{name: "light accent suggests a darker one", branding: survey.Branding{Accent: "#ff0000"}, want: map[string]string{
			"branding.accent": "choose a darker colour, such as #",
		}},
		{name: "not a colour", branding: survey.Branding{Accent: "blue"}, want: map[string]string{"branding.accent": "#rrggbb"}},
		{name: "short colour", branding: survey.Branding{Accent: "#00f"}, want: map[string]string{"branding.accent": "#rrggbb"}},
		{name: "sender name on two lines", branding: survey.Branding{SenderName: "Acme\nBcc: x@evil.example"}, want: map[string]string{"branding.senderName": "one line"}},
		{name: "sender name too long", branding: survey.Branding{SenderName: strings.Repeat("å", 101)}, want: map[string]string{"branding.senderName": "at most 100"}},
		{name: "logo needs a name", branding: survey.Branding{LogoID: logo}, want: map[string]string{"branding.senderName": "logo"}},
		{name: "not a logo id", branding: survey.Branding{LogoID: "../etc/passwd", SenderName: "Acme"}, want: map[string]string{"branding.logo": "upload it again"}},
		{name: "reply-to with a name", branding: survey.Branding{ReplyTo: "Acme <service@acme.example>"}, want: map[string]string{"branding.replyTo": "one email address"}},
		{name: "two reply-to addresses", branding: survey.Branding{ReplyTo: "a@acme.example, b@acme.example"}, want: map[string]string{"branding.replyTo": "one email address"}},
		{name: "reply-to with a header", branding: survey.Branding{ReplyTo: "a@acme.example\r\nBcc: b@evil.example"}, want: map[string]string{"branding.replyTo": "one email address"}},
		{name: "reply-to without a domain", branding: survey.Branding{ReplyTo: "service@localhost"}, want: map[string]string{"branding.replyTo": "one email address"}},
		{name: "reply-to not an address", branding: survey.Branding{ReplyTo: "service"}, want: map[string]string{"branding.replyTo": "one email address"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := survey.Survey{Title: survey.Text{"en": "T"}, ConsentText: survey.Text{"en": "C"}, Branding: tc.branding,
				Questions: []survey.Question{{Type: survey.TypeNPS, Prompt: survey.Text{"en": "How likely?"}}}}
			s.Normalize()
			got := fault.FieldsOf(s.Validate())
			if len(got) != len(tc.want) {
				t.Fatalf("errors = %v, want %v", got, tc.want)
			}
			for field, part := range tc.want {
				if !strings.Contains(got[field], part) {
					t.Errorf("%s: %q does not say %q", field, got[field], part)
				}
			}
			if tc.accent != "" && s.Branding.Accent != tc.accent {
				t.Errorf("accent = %q, want %q", s.Branding.Accent, tc.accent)
			}
		})
	}
}
