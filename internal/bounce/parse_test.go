package bounce

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sampleVERP stands in for a return path in the samples; Parse does not
// check MACs.
const sampleVERP = "b-ifreglk7pa4vc6ssgjwq-0-aaaaaaaaaaaaaaaa@bounces.acme.example"

// sample reads testdata/name with {{VERP}} replaced by verp.
func sample(t testing.TB, name, verp string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(raw, []byte("{{VERP}}"), []byte(verp))
}

func TestParse(t *testing.T) {
	tests := []struct {
		file         string
		kind         Kind
		recipient    string
		action       string
		status       string
		messageID    string
		feedbackType string
	}{
		{"postfix-hard.eml", KindBounce, "anna.virtanen@customer.example", "failed", "5.1.1", "<ABCDEF1234567890@acme.example>", ""},
		{"postfix-delayed.eml", KindSoftBounce, "ops@busy.example", "delayed", "4.4.1", "<DELAYED42@acme.example>", ""},
		{"exim-hard.eml", KindBounce, "jukka@gone.example", "failed", "5.0.0", "<EXIMORIG77@acme.example>", ""},
		{"gmail-hard.eml", KindBounce, "nobody.here@gmail.com", "failed", "5.1.1", "<GMAILORIG1@acme.example>", ""},
		{"microsoft-hard.eml", KindBounce, "mikko@contoso.example", "failed", "5.1.10", "<MSORIG99@acme.example>", ""},
		{"arf-abuse.eml", KindComplaint, "", "", "", "<ARFORIG5@acme.example>", "abuse"},
		{"delivered.eml", KindNone, "happy@customer.example", "delivered", "2.0.0", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := Parse(bytes.NewReader(sample(t, tt.file, sampleVERP)))
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Kind(); got != tt.kind {
				t.Errorf("kind %q, want %q", got, tt.kind)
			}
			if !slices.Contains(rep.ReturnPaths, sampleVERP) {
				t.Errorf("return paths %q miss the VERP address", rep.ReturnPaths)
			}
			if rep.MessageID != tt.messageID {
				t.Errorf("message id %q, want %q", rep.MessageID, tt.messageID)
			}
			if rep.FeedbackType != tt.feedbackType {
				t.Errorf("feedback type %q, want %q", rep.FeedbackType, tt.feedbackType)
			}
			if tt.recipient == "" {
				if len(rep.Recipients) != 0 {
					t.Errorf("recipients %+v, want none", rep.Recipients)
				}
				return
			}
			if len(rep.Recipients) != 1 {
				t.Fatalf("recipients %+v, want one", rep.Recipients)
			}
			rc := rep.Recipients[0]
			if rc.FinalRecipient != tt.recipient || rc.Action != tt.action || rc.Status != tt.status {
				t.Errorf("recipient %+v, want %s %s %s", rc, tt.recipient, tt.action, tt.status)
			}
			if tt.action == "failed" && rc.Diagnostic == "" {
				t.Error("no diagnostic code")
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := map[string]struct {
		raw  string
		want error
	}{
		"an auto-reply":          {string(sample(t, "autoreply.eml", sampleVERP)), ErrNotReport},
		"not a message":          {"\x00\x01 garbage", ErrNotReport},
		"another report type":    {"Content-Type: multipart/report; report-type=disposition-notification; boundary=x\r\n\r\n--x\r\nContent-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; a@b\r\n--x--\r\n", ErrNotReport},
		"a report without parts": {"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\nnothing here\r\n", ErrNotReport},
		"no boundary":            {"Content-Type: multipart/report; report-type=delivery-status\r\n\r\n", ErrNotReport},
		"too large": {"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n" +
			strings.Repeat("a", MaxReportBytes), ErrTooLarge},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(tt.raw)); !errors.Is(err, tt.want) {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRecipientKind(t *testing.T) {
	tests := []struct {
		rc   Recipient
		want Kind
	}{
		{Recipient{Action: "failed", Status: "5.2.2"}, KindBounce},
		{Recipient{Action: "failed", Status: "4.2.2"}, KindSoftBounce}, // mailbox full, for now
		{Recipient{Action: "failed", Diagnostic: "452 try later"}, KindSoftBounce},
		{Recipient{Action: "failed", Diagnostic: "550 no such user"}, KindBounce},
		{Recipient{Action: "failed"}, KindBounce},
		{Recipient{Action: "delayed", Status: "4.4.7"}, KindSoftBounce},
		{Recipient{Action: "delivered", Status: "2.0.0"}, KindNone},
		{Recipient{Action: "relayed", Status: "2.0.0"}, KindNone},
		{Recipient{Action: "expanded", Status: "2.0.0"}, KindNone},
	}
	for _, tt := range tests {
		if got := tt.rc.Kind(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.rc, got, tt.want)
		}
	}
	// The worst recipient decides.
	rep := Report{Type: "delivery-status", Recipients: []Recipient{{Action: "delayed"}, {Action: "failed", Status: "5.1.1"}}}
	if rep.Kind() != KindBounce {
		t.Errorf("mixed report: %q", rep.Kind())
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"postfix-hard.eml", "postfix-delayed.eml", "exim-hard.eml", "gmail-hard.eml",
		"microsoft-hard.eml", "arf-abuse.eml", "delivered.eml", "autoreply.eml"} {
		f.Add(sample(f, name, sampleVERP))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		rep, err := Parse(bytes.NewReader(raw))
		if err != nil {
			return
		}
		if len(rep.Recipients) > maxRecipients+1 {
			t.Fatalf("%d recipients read, more than the limit", len(rep.Recipients))
		}
		_ = rep.Kind()
		_ = rep.Status()
	})
}
