package report

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	names := []string{"Anna-Lena Müller", "O'Brien", "Li", "x"}
	tests := []struct {
		in, want string
	}{
		{"Great service, thanks!", "Great service, thanks!"},
		{"Mail anna.mueller+lifts@example.co.uk today", "Mail [email] today"},
		{"Write to jörg@bücher.de.", "Write to [email]."},
		{"Call +44 (20) 7946-0958 or 0049 30 1234567", "Call [phone] or [phone]"},
		{"Ticket 12345 on 3 lifts", "Ticket 12345 on 3 lifts"},
		{"ANNA-LENA and müller helped; Li too", "[name]-[name] and [name] helped; [name] too"},
		{"Brien and O'Brien", "[name] and O'[name]"},
		{"Lima and Lisbon stay; x marks the spot", "Lima and Lisbon stay; x marks the spot"},
		{"Ann\u0308a? Mu\u0308ller!", "Ann\u0308a? [name]!"}, // decomposed ü is still Müller
		{"[email] [phone] [name]", "[email] [phone] [name]"},
		{"bad \xff bytes", "bad \uFFFD bytes"},
	}
	r := NewRedactor(names)
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Redact("Email Name phone", []string{"Email Name", "Phone"}); got != "[name] [name] [name]" {
		t.Errorf("names that read like placeholders: %q", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("Call Anna at +1 (555) 123-4567 or anna@example.com", "Anna Smith")
	f.Add("[email]@x.de [name] 1234567[phone]", "email")
	f.Add("a.b@c.de@f.gh 12 34 56 78", "Gh")
	f.Add("\xff\xfe İstanbul ǅemal", "i̇stanbul ǆemal")
	email, phone := regexp.MustCompile(emailPattern), regexp.MustCompile(phonePattern)
	f.Fuzz(func(t *testing.T, text, name string) {
		names := []string{name}
		r := &Redactor{email: email, phone: phone, names: nameWords(names)} // as NewRedactor, compiled once
		out := r.Redact(text)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", text)
		}
		if again := r.Redact(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", text, out, again)
		}
		if m := email.FindString(out); m != "" {
			t.Fatalf("address %q left in %q", m, out)
		}
		if m := phone.FindString(out); m != "" {
			t.Fatalf("phone number %q left in %q", m, out)
		}
		words := r.names
		for _, w := range strings.FieldsFunc(out, notWordRune) {
			if words[strings.ToLower(w)] && !strings.Contains(out, "["+w+"]") {
				t.Fatalf("name %q left in %q", w, out)
			}
		}
		if norm.NFC.String(out) != out {
			t.Fatalf("output not NFC: %q", out)
		}
	})
}
