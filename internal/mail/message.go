// Package mail renders Candor's email and hands it to an SMTP server.
//
// A Message becomes RFC 5322 bytes through go-mail (multipart/alternative
// text and HTML, UTF-8, quoted-printable), optionally DKIM-signed with
// go-msgauth, and an SMTPSender delivers a batch of them over one connection,
// reporting one error per message. IsPermanent tells a bounce from a failure
// worth retrying.
package mail

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// ErrInvalidMessage is wrapped by errors about a message that cannot be sent
// as it is; sending it again will not help.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Header is one extra header field.
type Header struct {
	Name  string
	Value string
}

// Message is one email to one recipient.
type Message struct {
	From    netmail.Address // display name and address, e.g. from net/mail.ParseAddress
	To      string          // bare address
	ToName  string          // display name, may be empty
	ReplyTo string          // bare address replies go to; empty: none
	Subject string
	Text    string // plain-text body
	HTML    string // HTML alternative; at least one of Text and HTML is required
	// Headers are extra fields such as List-Unsubscribe, written verbatim
	// and in this order after the standard ones. Values must be printable
	// ASCII on one line; each name may appear once and may not be one this
	// package writes itself (From, Subject, Content-Type, ...).
	Headers []Header
	// MessageID is a unique id such as "<random@candor.example>", angle
	// brackets optional. Empty: one is generated from the From domain.
	MessageID string
	// Date is the Date header. Zero: the time of rendering.
	Date time.Time
	// EnvelopeFrom is the bare address of SMTP MAIL FROM, where servers
	// send bounces; empty: the From address. It is not a header, so a DKIM
	// signature over the message holds whatever it is.
	EnvelopeFrom string
}

// envelope is a rendered message with its SMTP addresses.
type envelope struct {
	from, to string // as MAIL FROM / RCPT TO arguments, "<addr>"
	data     []byte
}

// Render returns the message as the RFC 5322 bytes an SMTP server receives,
// without a DKIM signature. A missing Message-ID or Date is generated.
func Render(msg Message) ([]byte, error) {
	env, err := render(&msg, time.Now())
	if err != nil {
		return nil, err
	}
	return env.data, nil
}

// NewMessageID returns a fresh "<random@domain>" Message-ID with 130 bits
// from crypto/rand.
func NewMessageID(domain string) string {
	return "<" + rand.Text() + "@" + domain + ">"
}

func render(m *Message, now time.Time) (envelope, error) {
	msg, env, err := build(m, now)
	if err != nil {
		return envelope{}, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return envelope{}, fmt.Errorf("mail: render: %w", err)
	}
	env.data, err = appendHeaders(buf.Bytes(), m.Headers)
	if err != nil {
		return envelope{}, err
	}
	return env, nil
}

// appendHeaders writes the extra header fields at the end of the rendered
// header block. go-mail would write them sorted by name (or in map order) and
// folds a long value onto the next line, which breaks the promise that
// List-Unsubscribe goes out exactly as given and in the caller's order.
func appendHeaders(rendered []byte, headers []Header) ([]byte, error) {
	if len(headers) == 0 {
		return rendered, nil
	}
	end := bytes.Index(rendered, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, errors.New("mail: render: no end of header in go-mail's output")
	}
	end += 2 // after the last header line's CRLF
	var extra []byte
	for _, h := range headers {
		extra = append(extra, h.Name...)
		extra = append(extra, ": "...)
		extra = append(extra, h.Value...)
		extra = append(extra, "\r\n"...)
	}
	return slices.Insert(rendered, end, extra...), nil
}

// build validates m and turns it into a go-mail message. m.Headers are only
// checked here; render appends them.
func build(m *Message, now time.Time) (*gomail.Msg, envelope, error) {
	from, err := parseBareAddress(m.From.Address)
	if err != nil {
		return nil, envelope{}, invalidf("From: %v", err)
	}
	from.Name = m.From.Name
	to, err := parseBareAddress(m.To)
	if err != nil {
		return nil, envelope{}, invalidf("To: %v", err)
	}
	to.Name = m.ToName
	envFrom := from
	if m.EnvelopeFrom != "" {
		if envFrom, err = parseBareAddress(m.EnvelopeFrom); err != nil {
			return nil, envelope{}, invalidf("EnvelopeFrom: %v", err)
		}
	}
	var replyTo *netmail.Address
	if m.ReplyTo != "" {
		if replyTo, err = parseBareAddress(m.ReplyTo); err != nil {
			return nil, envelope{}, invalidf("Reply-To: %v", err)
		}
	}
	for _, f := range [...]struct{ name, value string }{
		{"From name", from.Name}, {"To name", to.Name}, {"Subject", m.Subject},
	} {
		if strings.ContainsAny(f.value, "\r\n") {
			return nil, envelope{}, invalidf("%s contains a line break", f.name)
		}
	}
	if m.Text == "" && m.HTML == "" {
		return nil, envelope{}, invalidf("no body: Text and HTML are both empty")
	}
	seen := make(map[string]bool, len(m.Headers))
	for _, h := range m.Headers {
		if err := checkHeader(h); err != nil {
			return nil, envelope{}, invalidf("header %q: %v", h.Name, err)
		}
		key := strings.ToLower(h.Name)
		if seen[key] {
			return nil, envelope{}, invalidf("header %q appears twice", h.Name)
		}
		seen[key] = true
	}
	id := m.MessageID
	if id == "" {
		_, domain, _ := strings.Cut(from.Address, "@")
		id = NewMessageID(domain)
	}
	id, err = bareMessageID(id)
	if err != nil {
		return nil, envelope{}, invalidf("Message-ID: %v", err)
	}
	date := m.Date
	if date.IsZero() {
		date = now
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	if m.EnvelopeFrom != "" {
		msg.EnvelopeFromMailAddress(envFrom)
	}
	msg.ToMailAddress(to)
	if replyTo != nil {
		msg.ReplyToMailAddress(replyTo)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(date)
	msg.SetMessageIDWithValue(id)
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	}
	env := envelope{
		from: (&netmail.Address{Address: envFrom.Address}).String(),
		to:   (&netmail.Address{Address: to.Address}).String(),
	}
	return msg, env, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// parseBareAddress accepts "user@example.com" but not "Name <user@example.com>".
func parseBareAddress(s string) (*netmail.Address, error) {
	if s == "" {
		return nil, errors.New("empty address")
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not an address: %w", s, err)
	}
	if a.Name != "" || strings.ContainsAny(s, "<>") {
		return nil, fmt.Errorf("%q: want a bare address, the name goes in its own field", s)
	}
	return a, nil
}

// bareMessageID checks a Message-ID and strips its angle brackets, which
// go-mail adds back.
func bareMessageID(id string) (string, error) {
	bare := strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	left, right, ok := strings.Cut(bare, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return "", fmt.Errorf("%q: want <left@right>", id)
	}
	for _, r := range bare {
		if r <= ' ' || r > '~' || r == '<' || r == '>' || r == '"' || r == '\\' {
			return "", fmt.Errorf("%q: only printable ASCII without spaces, quotes or angle brackets", id)
		}
	}
	return bare, nil
}

func checkHeader(h Header) error {
	if h.Name == "" {
		return errors.New("empty name")
	}
	for i := 0; i < len(h.Name); i++ {
		if c := h.Name[i]; c <= ' ' || c > '~' || c == ':' {
			return errors.New("name must be printable ASCII without spaces or ':'")
		}
	}
	if reservedHeader(h.Name) {
		return errors.New("set by this package, not through Headers")
	}
	for i := 0; i < len(h.Value); i++ {
		if c := h.Value[i]; (c < ' ' || c > '~') && c != '\t' {
			return errors.New("value must be printable ASCII on one line")
		}
	}
	// Written on one line, which RFC 5322 caps at 998 characters.
	if len(h.Name)+2+len(h.Value) > 998 {
		return errors.New("longer than the 998 characters of a header line")
	}
	return nil
}

// reservedHeader reports header names whose value this package or go-mail
// writes; setting them through Headers would clash or break the MIME structure.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "to", "cc", "bcc", "sender", "reply-to", "subject", "date", "message-id",
		"mime-version", "content-type", "content-transfer-encoding", "dkim-signature", "return-path":
		return true
	}
	return false
}
