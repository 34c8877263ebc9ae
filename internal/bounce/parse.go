package bounce

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
)

// Limits on a report, so that a hostile message costs bounded memory.
const (
	MaxReportBytes = 1 << 20 // the whole message
	maxParts       = 16      // parts of the multipart/report read
	maxRecipients  = 50      // per-recipient groups of a delivery status
)

// Errors of Parse.
var (
	ErrTooLarge  = errors.New("bounce: report larger than 1 MB")
	ErrNotReport = errors.New("bounce: not a delivery status notification or feedback report")
)

// Kind is what a report means for the message it is about.
type Kind string

// Kinds.
const (
	KindNone       Kind = ""            // delivered, relayed, or nothing to act on
	KindBounce     Kind = "bounce"      // failed for good (5.x.x): suppress
	KindSoftBounce Kind = "soft_bounce" // delayed, or failed for now (4.x.x)
	KindComplaint  Kind = "complaint"   // the recipient reported it as spam: suppress
)

// Kinds lists the kinds a report can have, for metrics.
func Kinds() []Kind { return []Kind{KindBounce, KindSoftBounce, KindComplaint} }

// Report is what a delivery status notification (RFC 3464) or an abuse
// feedback report (RFC 5965) says.
type Report struct {
	// Type is the report-type: delivery-status or feedback-report.
	Type string
	// Recipients are a DSN's per-recipient fields.
	Recipients []Recipient
	// EnvelopeID is the DSN's Original-Envelope-Id.
	EnvelopeID string
	// FeedbackType is an ARF report's Feedback-Type (abuse, fraud, ...).
	FeedbackType string
	// ReturnPaths are the addresses that may be the original message's
	// return path: the report's To, Delivered-To and X-Original-To, an
	// ARF report's Original-Mail-From, the returned headers' Return-Path.
	ReturnPaths []string
	// MessageID is the original message's Message-ID, from the returned
	// headers.
	MessageID string
}

// Recipient is one per-recipient group of a DSN.
type Recipient struct {
	FinalRecipient    string // the address, without its "rfc822;" type
	OriginalRecipient string
	Action            string // failed, delayed, delivered, relayed, expanded (lower case)
	Status            string // e.g. 5.1.1
	Diagnostic        string // Diagnostic-Code, without its type
}

// Kind is the report's meaning: a complaint for a feedback report; for a
// DSN the worst of its recipients': a failure with a permanent status is
// a bounce, a delay or a temporary failure a soft bounce.
func (r Report) Kind() Kind {
	if r.Type == "feedback-report" {
		return KindComplaint
	}
	kind := KindNone
	for _, rc := range r.Recipients {
		switch k := rc.Kind(); {
		case k == KindBounce:
			return KindBounce
		case k == KindSoftBounce:
			kind = KindSoftBounce
		}
	}
	return kind
}

// Kind is what one recipient's status means.
func (rc Recipient) Kind() Kind {
	class := statusClass(rc.Status)
	if class == 0 {
		class = statusClass(smtpCodeStatus(rc.Diagnostic))
	}
	switch rc.Action {
	case "failed":
		if class == '4' {
			return KindSoftBounce
		}
		// A failure without a usable status is still a failure.
		return KindBounce
	case "delayed":
		return KindSoftBounce
	}
	return KindNone
}

// Status returns the first recipient's status, for the record.
func (r Report) Status() string {
	for _, rc := range r.Recipients {
		if rc.Status != "" {
			return rc.Status
		}
	}
	return ""
}

func statusClass(s string) byte {
	if len(s) >= 5 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && s[1] == '.' {
		return s[0]
	}
	return 0
}

// smtpCodeStatus turns a diagnostic such as "550 5.1.1 unknown" or "550
// no such user" into a status class string ("5.0.0").
func smtpCodeStatus(diag string) string {
	diag = strings.TrimSpace(diag)
	if len(diag) >= 3 && (diag[0] == '4' || diag[0] == '5') && diag[1] >= '0' && diag[1] <= '9' && diag[2] >= '0' && diag[2] <= '9' {
		return diag[:1] + ".0.0"
	}
	return ""
}

// Parse reads a report from r: a multipart/report message of report-type
// delivery-status or feedback-report. ErrNotReport for any other message
// (auto-replies, old-style bounces in plain text), ErrTooLarge past
// MaxReportBytes.
func Parse(r io.Reader) (Report, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxReportBytes+1))
	if err != nil {
		return Report{}, fmt.Errorf("bounce: read: %w", err)
	}
	if len(raw) > MaxReportBytes {
		return Report{}, ErrTooLarge
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/report" || params["boundary"] == "" {
		return Report{}, ErrNotReport
	}
	rep := Report{Type: strings.ToLower(params["report-type"])}
	if rep.Type != "delivery-status" && rep.Type != "feedback-report" {
		return Report{}, ErrNotReport
	}
	for _, name := range []string{"Delivered-To", "X-Original-To", "To"} {
		for _, v := range msg.Header[textproto.CanonicalMIMEHeaderKey(name)] {
			rep.ReturnPaths = append(rep.ReturnPaths, addresses(v)...)
		}
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	found := false
	for range maxParts {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if found {
				break // keep what a truncated report said
			}
			return Report{}, fmt.Errorf("%w: %v", ErrNotReport, err)
		}
		partType, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body := decoded(p, p.Header.Get("Content-Transfer-Encoding"))
		switch partType {
		case "message/delivery-status", "message/global-delivery-status":
			if rep.Type == "delivery-status" {
				readDeliveryStatus(body, &rep)
				found = true
			}
		case "message/feedback-report":
			if rep.Type == "feedback-report" {
				readFeedbackReport(body, &rep)
				found = true
			}
		case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global", "message/global-headers":
			readOriginal(body, &rep)
		}
	}
	if !found {
		return Report{}, ErrNotReport
	}
	return rep, nil
}

// decoded undoes a part's transfer encoding.
func decoded(r io.Reader, encoding string) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// newlineStripper drops line breaks, which a base64 decoder refuses.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		out := p[:0]
		for _, b := range p[:k] {
			if b != '\r' && b != '\n' && b != ' ' && b != '\t' {
				out = append(out, b)
			}
		}
		if len(out) > 0 || err != nil {
			return len(out), err
		}
	}
}

// fieldGroups reads blocks of header fields separated by blank lines, as
// a delivery-status body holds them.
func fieldGroups(r io.Reader, max int) []textproto.MIMEHeader {
	tr := textproto.NewReader(bufio.NewReader(r))
	var groups []textproto.MIMEHeader
	for len(groups) < max {
		h, err := tr.ReadMIMEHeader()
		if len(h) > 0 {
			groups = append(groups, h)
		}
		if err != nil {
			break
		}
	}
	return groups
}

func readDeliveryStatus(r io.Reader, rep *Report) {
	groups := fieldGroups(r, maxRecipients+1)
	for i, g := range groups {
		if id := g.Get("Original-Envelope-Id"); id != "" {
			rep.EnvelopeID = strings.TrimSpace(id)
		}
		if i == 0 && g.Get("Final-Recipient") == "" && g.Get("Action") == "" {
			continue // the per-message fields
		}
		rep.Recipients = append(rep.Recipients, Recipient{
			FinalRecipient:    typed(g.Get("Final-Recipient")),
			OriginalRecipient: typed(g.Get("Original-Recipient")),
			Action:            strings.ToLower(firstWord(g.Get("Action"))),
			Status:            firstWord(g.Get("Status")),
			Diagnostic:        typed(g.Get("Diagnostic-Code")),
		})
	}
}

func readFeedbackReport(r io.Reader, rep *Report) {
	groups := fieldGroups(r, 1)
	if len(groups) == 0 {
		return
	}
	g := groups[0]
	rep.FeedbackType = strings.ToLower(firstWord(g.Get("Feedback-Type")))
	if rep.FeedbackType == "" {
		rep.FeedbackType = "abuse"
	}
	for _, v := range g.Values("Original-Mail-From") {
		rep.ReturnPaths = append(rep.ReturnPaths, addresses(v)...)
	}
}

// readOriginal reads the returned message's header.
func readOriginal(r io.Reader, rep *Report) {
	tr := textproto.NewReader(bufio.NewReader(r))
	h, _ := tr.ReadMIMEHeader()
	for _, v := range h.Values("Return-Path") {
		rep.ReturnPaths = append(rep.ReturnPaths, addresses(v)...)
	}
	if id := strings.TrimSpace(h.Get("Message-Id")); id != "" && rep.MessageID == "" {
		rep.MessageID = id
	}
}

// addresses reads an address list, or failing that the one address in
// angle brackets or the whole value.
func addresses(v string) []string {
	if list, err := netmail.ParseAddressList(v); err == nil {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = a.Address
		}
		return out
	}
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	if v == "" {
		return nil
	}
	return []string{v}
}

// typed drops the address or diagnostic type of "rfc822; x@y" or
// "smtp; 550 ...".
func typed(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(rest)
	}
	return strings.TrimSpace(v)
}

func firstWord(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
