package survey

import (
	"fmt"
	"math"
	netmail "net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a survey's branding.
const (
	MaxSenderNameLength = 100
	MaxReplyToLength    = 254
	// MinAccentContrast is the WCAG AA contrast of normal text: buttons in
	// the accent colour carry white text.
	MinAccentContrast = 4.5
)

// Branding is how a survey's respondent pages and emails look and who they
// come from. Every field is optional; empty means Candor's own.
type Branding struct {
	// LogoID names an uploaded logo (the hex SHA-256 of its bytes).
	LogoID string `bson:"logoId,omitempty" json:"logoId,omitempty"`
	// Accent colours buttons and links, as "#rrggbb".
	Accent string `bson:"accent,omitempty" json:"accent,omitempty"`
	// SenderName is the display name of the From address of the survey's
	// emails (the address stays CANDOR_MAIL_FROM) and the logo's text.
	SenderName string `bson:"senderName,omitempty" json:"senderName,omitempty"`
	// ReplyTo is where replies to the survey's emails go.
	ReplyTo string `bson:"replyTo,omitempty" json:"replyTo,omitempty"`
}

func (b *Branding) normalize() {
	b.LogoID = strings.ToLower(strings.TrimSpace(b.LogoID))
	b.Accent = strings.ToLower(strings.TrimSpace(b.Accent))
	if b.Accent != "" && !strings.HasPrefix(b.Accent, "#") {
		b.Accent = "#" + b.Accent
	}
	b.SenderName = strings.TrimSpace(b.SenderName)
	b.ReplyTo = strings.TrimSpace(b.ReplyTo)
}

func (b Branding) check(p problems) {
	if b.LogoID != "" && !isHex(b.LogoID, 64) {
		p.add("branding.logo", "is not an uploaded logo; upload it again")
	}
	if b.Accent != "" {
		if rgb, ok := ParseColour(b.Accent); !ok {
			p.add("branding.accent", "must be a colour written #rrggbb, such as #0b5cad")
		} else if ratio := ContrastWithWhite(rgb); ratio < MinAccentContrast {
			p.add("branding.accent", "%s has a contrast of only %.1f:1 with white, and buttons show white text on it, "+
				"which needs at least %.1f:1; choose a darker colour, such as %s", b.Accent, math.Floor(ratio*10)/10, MinAccentContrast, Darkened(rgb))
		}
	}
	switch {
	case strings.ContainsFunc(b.SenderName, unicode.IsControl):
		p.add("branding.senderName", "must be one line, without line breaks or control characters")
	case utf8.RuneCountInString(b.SenderName) > MaxSenderNameLength:
		p.add("branding.senderName", "must be at most %d characters (has %d)", MaxSenderNameLength, utf8.RuneCountInString(b.SenderName))
	case b.SenderName == "" && b.LogoID != "":
		p.add("branding.senderName", "is needed with a logo: it is the logo's text for people who cannot see it")
	}
	if b.ReplyTo != "" && !validAddress(b.ReplyTo) {
		p.add("branding.replyTo", "must be one email address, such as service@example.com")
	}
}

// validAddress reports whether s is one bare email address.
func validAddress(s string) bool {
	if len(s) > MaxReplyToLength || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) ||
		strings.ContainsAny(s, "<>,\"") {
		return false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// RGB is a colour's red, green and blue, 0–255 each.
type RGB [3]uint8

// ParseColour reads "#rrggbb" (lower or upper case).
func ParseColour(s string) (RGB, bool) {
	s = strings.ToLower(s)
	if len(s) != 7 || s[0] != '#' || !isHex(s[1:], 6) {
		return RGB{}, false
	}
	var c RGB
	for i := range c {
		_, _ = fmt.Sscanf(s[1+2*i:3+2*i], "%02x", &c[i])
	}
	return c, true
}

// String writes c as "#rrggbb".
func (c RGB) String() string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

// Luminance is the relative luminance of c as WCAG 2 defines it: 0 for
// black, 1 for white.
func (c RGB) Luminance() float64 {
	linear := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*linear(c[0]) + 0.7152*linear(c[1]) + 0.0722*linear(c[2])
}

// ContrastWithWhite is the WCAG contrast ratio of white on c, from 1 (white)
// to 21 (black).
func ContrastWithWhite(c RGB) float64 { return 1.05 / (c.Luminance() + 0.05) }

// Darkened returns c, darkened just enough (same hue) for white text on it
// to meet MinAccentContrast.
func Darkened(c RGB) RGB {
	for f := 1.0; f > 0; f -= 0.01 {
		d := RGB{uint8(float64(c[0]) * f), uint8(float64(c[1]) * f), uint8(float64(c[2]) * f)}
		if ContrastWithWhite(d) >= MinAccentContrast {
			return d
		}
	}
	return RGB{}
}

// Hover is c a little darker, for buttons under the pointer.
func (c RGB) Hover() RGB {
	return RGB{uint8(float64(c[0]) * 0.8), uint8(float64(c[1]) * 0.8), uint8(float64(c[2]) * 0.8)}
}
