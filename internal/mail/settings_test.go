package mail

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw  string
		want Settings
	}{
		{"smtp://mail.example.com", Settings{Host: "mail.example.com", Port: 587, TLS: TLSStartTLS, Timeout: DefaultTimeout}},
		{"smtp://u:p@mail.example.com:2525?tls=starttls", Settings{Host: "mail.example.com", Port: 2525, Username: "u", Password: "p", TLS: TLSStartTLS, Timeout: DefaultTimeout}},
		{"smtp://mail.example.com?tls=tls", Settings{Host: "mail.example.com", Port: 465, TLS: TLSImplicit, Timeout: DefaultTimeout}},
		{"smtp://mail.example.com?tls=none", Settings{Host: "mail.example.com", Port: 25, TLS: TLSNone, Timeout: DefaultTimeout}},
		{"smtp://mailpit:1025/?tls=none", Settings{Host: "mailpit", Port: 1025, TLS: TLSNone, Timeout: DefaultTimeout}},
		{"smtps://mail.example.com", Settings{Host: "mail.example.com", Port: 465, TLS: TLSImplicit, Timeout: DefaultTimeout}},
		{"SMTPS://mail.example.com?tls=TLS", Settings{Host: "mail.example.com", Port: 465, TLS: TLSImplicit, Timeout: DefaultTimeout}},
		{"smtp://mail.example.com?timeout=10s&insecure_skip_verify=true", Settings{Host: "mail.example.com", Port: 587, TLS: TLSStartTLS, Timeout: 10 * time.Second, InsecureSkipVerify: true}},
		{
			// Percent-decoding; '+' stays '+' in userinfo; an unescaped '@' in the password is tolerated.
			"smtp://s%C3%BCrvey%40example.com:p%3Aa%2Fs+s@w@smtp.example.com",
			Settings{Host: "smtp.example.com", Port: 587, Username: "sürvey@example.com", Password: "p:a/s+s@w", TLS: TLSStartTLS, Timeout: DefaultTimeout},
		},
		{"smtp://u:p@localhost:25?tls=none", Settings{Host: "localhost", Port: 25, Username: "u", Password: "p", TLS: TLSNone, Timeout: DefaultTimeout}},
		{"smtp://u:p@127.0.0.1:2525?tls=none", Settings{Host: "127.0.0.1", Port: 2525, Username: "u", Password: "p", TLS: TLSNone, Timeout: DefaultTimeout}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseSMTPURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseSMTPURL: %v", err)
			}
			if got != tt.want {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseSMTPURLErrors(t *testing.T) {
	const secret = "Sup3rS3cret"
	tests := []struct {
		raw     string
		wantErr string // a fragment of the message
	}{
		{"", "must look like"},
		{"mail.example.com:587", "must look like"},
		{"http://" + secret + "@mail.example.com", "scheme"},
		{"smtp://", "host"},
		{"smtp://u:" + secret + "@", "host"},
		{"smtp://u:" + secret + "@mail.example.com:0", "port"},
		{"smtp://u:" + secret + "@mail.example.com:65536", "port"},
		{"smtp://u:" + secret + "@mail.example.com:+25", "port"},
		{"smtp://u:" + secret + "@mail.example.com:abc", "port"},
		{"smtp://u:" + secret + "@[::1]:25", "IPv6"},
		{"smtp://u:" + secret + "@mail example.com", "host"},
		{"smtp://u:" + secret + "%zz@mail.example.com", "percent-encoding"},
		{"smtp://u:" + secret + "@mail.example.com?tls=ssl", "tls="},
		{"smtps://u:" + secret + "@mail.example.com?tls=starttls", "conflicts"},
		{"smtp://u:" + secret + "@mail.example.com?timeout=soon", "timeout"},
		{"smtp://u:" + secret + "@mail.example.com?timeout=-1s", "timeout"},
		{"smtp://u:" + secret + "@mail.example.com?insecure_skip_verify=maybe", "insecure_skip_verify"},
		{"smtp://u:" + secret + "@mail.example.com?tsl=none", "unknown parameter"},
		{"smtp://u:" + secret + "@mail.example.com?tls=none&tls=none", "2 times"},
		{"smtp://u:" + secret + "@mail.example.com/path", "path"},
		{"smtp://:" + secret + "@mail.example.com", "without a user"},
		{"smtp://u@mail.example.com", "without a password"},
		{"smtp://u:" + secret + "@mail.example.com?tls=none", "without TLS"},
		{"smtp://mail.example.com?tls=none&insecure_skip_verify=true", "insecure_skip_verify"},
		// Unescaped '#', '/' or '?' in a password end the authority early;
		// what is left must not be echoed either.
		{"smtp://u:" + secret + "#x@mail.example.com", "port"},
		{"smtp://u:" + secret + "/x@mail.example.com", "port"},
		{"smtp://u:" + secret + "?x@mail.example.com", "port"},
		{"smtp://" + secret + ":" + secret, "port"},
		{"smtp://u:25?" + secret + "@mail.example.com", "after the host"},
		{"smtp://u:25?tls=" + secret + "@mail.example.com", "after the host"},
		{"smtp://u:25/" + secret + "@mail.example.com", "after the host"},
		{"u:" + secret + "@smtp://mail.example.com", "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := ParseSMTPURL(tt.raw)
			if err == nil {
				t.Fatal("ParseSMTPURL succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not mention %q", msg, tt.wantErr)
			}
			if !strings.HasPrefix(msg, "mail: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			for _, leak := range []string{secret, secret[:6], "S3cret"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q leaks the password", msg)
				}
			}
		})
	}
}

func TestSettingsRedacted(t *testing.T) {
	s, err := ParseSMTPURL("smtp://alice:hunter2@mail.example.com?insecure_skip_verify=true")
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("smtp", "settings", s)
	for name, out := range map[string]string{"String": s.String(), "slog JSON": logged.String()} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("%s leaks the password: %s", name, out)
		}
		if !strings.Contains(out, "alice:"+redacted+"@mail.example.com:587") {
			t.Errorf("%s = %s, want user, redacted password, host and port", name, out)
		}
	}
	back, err := ParseSMTPURL(s.String())
	if err != nil {
		t.Fatalf("String does not parse back: %v", err)
	}
	s.Password = redacted
	if back != s {
		t.Errorf("round trip: got %#v, want %#v", back, s)
	}
}

func FuzzParseSMTPURL(f *testing.F) {
	for _, seed := range []string{
		"smtp://u:p@mail.example.com:587?tls=starttls",
		"smtps://mail.example.com",
		"smtp://a%40b:c%3Ad@127.0.0.1:25?tls=none&timeout=3s",
		"smtp://u:p#x@h",
		"smtp://[::1]:25",
		"smtp://h?insecure_skip_verify=1&timeout=1ns",
		"smtp://@:/?#",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := ParseSMTPURL(raw)
		if err != nil {
			// net/url, an independent parser, says what the password was.
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if p, ok := u.User.Password(); ok && len(p) >= 4 && strings.Contains(err.Error(), p) {
					t.Fatalf("error %q contains the password %q", err, p)
				}
			}
			return
		}
		if s.validate() != nil || s.Port == 0 || s.Timeout <= 0 {
			t.Fatalf("accepted settings are not complete and valid: %#v", s)
		}
		back, err := ParseSMTPURL(s.String())
		if err != nil {
			t.Fatalf("String() %q of accepted settings does not parse: %v", s.String(), err)
		}
		if s.Username != "" {
			s.Password = redacted
		}
		if back != s {
			t.Fatalf("round trip through %q: got %#v, want %#v", s.String(), back, s)
		}
	})
}
