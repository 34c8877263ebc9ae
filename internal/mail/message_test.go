package mail

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testFrom = netmail.Address{Name: "Candor Surveys", Address: "surveys@candor.example"}

func testMessage() Message {
	return Message{
		From:    testFrom,
		To:      "ada@customer.example",
		ToName:  "Ada Lovelace",
		Subject: "How likely are you to recommend us?",
		Text:    "Hello Ada,\nplease answer: https://candor.example/s/TOKEN\n",
		HTML:    "<p>Hello Ada,</p><p><a href=\"https://candor.example/s/TOKEN\">Answer</a></p>",
		Headers: []Header{
			{"List-Unsubscribe", "<https://candor.example/u/TOKEN>"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		},
	}
}

func TestRenderStructure(t *testing.T) {
	date := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	tests := []struct {
		name        string
		edit        func(*Message)
		contentType string   // media type of the top level
		parts       []string // media types of the parts, for multipart
	}{
		{"text and HTML", func(*Message) {}, "multipart/alternative", []string{"text/plain", "text/html"}},
		{"text only", func(m *Message) { m.HTML = "" }, "text/plain", nil},
		{"HTML only", func(m *Message) { m.Text = "" }, "text/html", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage()
			m.Date = date
			m.MessageID = "abc123@candor.example" // brackets are optional
			tt.edit(&m)
			raw, err := Render(m)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("rendered message does not parse: %v\n%s", err, raw)
			}
			h := parsed.Header
			if got := h.Get("Message-Id"); got != "<abc123@candor.example>" {
				t.Errorf("Message-ID = %q", got)
			}
			if got, err := h.Date(); err != nil || !got.Equal(date) {
				t.Errorf("Date = %v, %v; want %v", got, err, date)
			}
			if got := h.Get("Mime-Version"); got != "1.0" {
				t.Errorf("MIME-Version = %q", got)
			}
			for _, leak := range []string{"User-Agent", "X-Mailer"} {
				if h.Get(leak) != "" {
					t.Errorf("%s header present: %q", leak, h.Get(leak))
				}
			}
			mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
			if err != nil || mediaType != tt.contentType {
				t.Fatalf("Content-Type = %q (%v), want %s", h.Get("Content-Type"), err, tt.contentType)
			}
			if tt.parts == nil {
				if params["charset"] != "UTF-8" || h.Get("Content-Transfer-Encoding") != "quoted-printable" {
					t.Errorf("single part: charset %q, encoding %q", params["charset"], h.Get("Content-Transfer-Encoding"))
				}
				return
			}
			mr := multipart.NewReader(parsed.Body, params["boundary"])
			var got []string
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("part %d: %v", len(got), err)
				}
				mt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
				if pp["charset"] != "UTF-8" || p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
					t.Errorf("part %s: charset %q, encoding %q", mt, pp["charset"], p.Header.Get("Content-Transfer-Encoding"))
				}
				got = append(got, mt)
			}
			if strings.Join(got, ",") != strings.Join(tt.parts, ",") {
				t.Errorf("parts = %v, want %v", got, tt.parts)
			}
		})
	}
}

func TestRenderGeneratesMessageID(t *testing.T) {
	pattern := regexp.MustCompile(`^<[A-Z2-7]{26}@candor\.example>$`)
	seen := map[string]bool{}
	for range 100 {
		raw, err := Render(testMessage())
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		id := parsed.Header.Get("Message-Id")
		if !pattern.MatchString(id) {
			t.Fatalf("generated Message-ID %q does not look like <random@from-domain>", id)
		}
		if seen[id] {
			t.Fatalf("Message-ID %q generated twice", id)
		}
		seen[id] = true
	}
}

func TestRenderRejectsInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{"no From", func(m *Message) { m.From = netmail.Address{} }},
		{"From with name in the address", func(m *Message) { m.From.Address = "X <x@candor.example>" }},
		{"From without domain", func(m *Message) { m.From.Address = "surveys" }},
		{"From name with line break", func(m *Message) { m.From.Name = "Candor\r\nBcc: victim@example.com" }},
		{"no To", func(m *Message) { m.To = "" }},
		{"To not an address", func(m *Message) { m.To = "ada at customer" }},
		{"To list", func(m *Message) { m.To = "a@x.example, b@x.example" }},
		{"To name with line break", func(m *Message) { m.ToName = "Ada\nLovelace" }},
		{"Reply-To with a name", func(m *Message) { m.ReplyTo = "Service <service@acme.example>" }},
		{"Reply-To list", func(m *Message) { m.ReplyTo = "a@acme.example, b@acme.example" }},
		{"Reply-To with line break", func(m *Message) { m.ReplyTo = "a@acme.example\r\nBcc: victim@example.com" }},
		{"Subject with line break", func(m *Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }},
		{"no body", func(m *Message) { m.Text, m.HTML = "", "" }},
		{"Message-ID without @", func(m *Message) { m.MessageID = "<abc>" }},
		{"Message-ID with space", func(m *Message) { m.MessageID = "<a b@c>" }},
		{"Message-ID with two @", func(m *Message) { m.MessageID = "<a@b@c>" }},
		{"header injection", func(m *Message) { m.Headers = []Header{{"X-Tag", "a\r\nBcc: victim@example.com"}} }},
		{"header non-ASCII value", func(m *Message) { m.Headers = []Header{{"X-Tag", "Kyselyä"}} }},
		{"header empty name", func(m *Message) { m.Headers = []Header{{"", "v"}} }},
		{"header name with colon", func(m *Message) { m.Headers = []Header{{"X-A:B", "v"}} }},
		{"header name with space", func(m *Message) { m.Headers = []Header{{"X Tag", "v"}} }},
		{"reserved header", func(m *Message) { m.Headers = []Header{{"content-type", "text/plain"}} }},
		{"reserved Bcc", func(m *Message) { m.Headers = []Header{{"Bcc", "victim@example.com"}} }},
		{"duplicate header", func(m *Message) {
			m.Headers = []Header{{"List-Unsubscribe", "<a>"}, {"list-unsubscribe", "<b>"}}
		}},
		{"header line too long", func(m *Message) { m.Headers = []Header{{"X-Long", strings.Repeat("x", 1000)}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage()
			tt.edit(&m)
			raw, err := Render(m)
			if err == nil {
				t.Fatalf("Render accepted it:\n%s", raw)
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("error %v does not wrap ErrInvalidMessage", err)
			}
			if !IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = false; an invalid message never gets better", err)
			}
		})
	}
}

func TestRenderReplyTo(t *testing.T) {
	for _, tt := range []struct{ replyTo, want string }{
		{"", ""},
		{"service@acme.example", "<service@acme.example>"},
	} {
		m := testMessage()
		m.ReplyTo = tt.replyTo
		raw, err := Render(m)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := parsed.Header.Get("Reply-To"); got != tt.want {
			t.Errorf("Reply-To %q renders as %q, want %q", tt.replyTo, got, tt.want)
		}
	}
}

func TestRenderExtraHeadersVerbatimInOrder(t *testing.T) {
	long := "<https://candor.example/u/" + strings.Repeat("eyJhbGciOiJFZERTQSJ9", 12) + ">"
	m := testMessage()
	m.Headers = []Header{
		{"X-Campaign", "spring 2026"},
		{"List-Unsubscribe", long},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	}
	raw, err := Render(m)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	want := "\r\nX-Campaign: spring 2026\r\nList-Unsubscribe: " + long + "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click"
	if !bytes.HasSuffix(header, []byte(want)) {
		t.Errorf("header block does not end with the extra fields, unfolded and in order:\n%s", header)
	}
}
