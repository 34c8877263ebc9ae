package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/web/problem"
)

// BounceReports is what the inbound endpoint uses of bounce handling
// (*bounce.Handler).
type BounceReports interface {
	HandleMessage(ctx context.Context, raw []byte) (bounce.Result, error)
	HandleReturnPath(ctx context.Context, returnPath string, kind bounce.Kind, status string) (bounce.Result, error)
}

var _ BounceReports = (*bounce.Handler)(nil)

// Inbound bounce events.
const (
	// MaxInboundBytes bounds an inbound event's body: a JSON event, or a
	// DSN without the returned message's body.
	MaxInboundBytes = 64 << 10
	// InboundMaxAge is how far a signed timestamp may be from the time
	// the request arrives, either way: older is a replay.
	InboundMaxAge = 5 * time.Minute
)

// InboundEvent is a relay's JSON report about one message.
type InboundEvent struct {
	Type       string `json:"type"`       // bounce, soft_bounce or complaint
	ReturnPath string `json:"returnPath"` // the message's envelope sender: names the message
	Recipient  string `json:"recipient"`  // informational; the return path decides
	MessageID  string `json:"messageId"`
	Status     string `json:"status"` // e.g. 5.1.1
	Diagnostic string `json:"diagnostic"`
}

// InboundResult says what became of an inbound report.
type InboundResult struct {
	Outcome string `json:"outcome"` // handled, duplicate or ignored
	Kind    string `json:"kind,omitempty"`
	Reason  string `json:"reason,omitempty"` // why it was ignored
}

// ReceivesBounces reports whether the inbound endpoint is served: with
// bounce handling and at least one signing secret.
func (s *API) ReceivesBounces() bool { return s.bounces != nil && len(s.bounceSecrets) > 0 }

// InboundBounces takes a bounce or complaint event from a relay, signed
// with a shared secret: a JSON InboundEvent, or a raw DSN or ARF report
// as message/rfc822.
func (s *API) InboundBounces(c *fiber.Ctx) error {
	body := c.Body()
	if err := s.verifyInbound(c.Get("X-Candor-Timestamp"), c.Get("X-Candor-Signature"), body); err != nil {
		return err
	}
	res, err := s.inboundReport(c, body)
	if err != nil {
		return err
	}
	return c.JSON(InboundResult{Outcome: string(res.Outcome), Kind: string(res.Kind), Reason: res.Why})
}

// inboundReport reads and acts on the body by its type.
func (s *API) inboundReport(c *fiber.Ctx, body []byte) (bounce.Result, error) {
	ctx := c.UserContext()
	switch ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); ct {
	case "message/rfc822":
		return s.bounces.HandleMessage(ctx, body)
	case fiber.MIMEApplicationJSON:
		var ev InboundEvent
		if err := decodeJSON(c, &ev); err != nil {
			return bounce.Result{}, err
		}
		kind, status, err := ev.validate()
		if err != nil {
			return bounce.Result{}, err
		}
		return s.bounces.HandleReturnPath(ctx, strings.TrimSpace(ev.ReturnPath), kind, status)
	}
	return bounce.Result{}, &problem.Problem{Status: fiber.StatusUnsupportedMediaType,
		Msg: "send application/json (an event) or message/rfc822 (a DSN or ARF report)"}
}

func (ev InboundEvent) validate() (bounce.Kind, string, error) {
	fields := map[string]string{}
	kind := bounce.Kind(ev.Type)
	switch kind {
	case bounce.KindBounce, bounce.KindSoftBounce, bounce.KindComplaint:
	case "":
		fields["type"] = "is required"
	default:
		fields["type"] = "must be bounce, soft_bounce or complaint"
	}
	if strings.TrimSpace(ev.ReturnPath) == "" {
		fields["returnPath"] = "is required: the envelope sender of the message the event is about"
	} else if len(ev.ReturnPath) > 320 {
		fields["returnPath"] = "is longer than an address can be"
	}
	status := strings.TrimSpace(ev.Status)
	if len(status) > 16 {
		fields["status"] = "must be a status code such as 5.1.1"
	}
	for name, v := range map[string]string{"recipient": ev.Recipient, "messageId": ev.MessageID, "diagnostic": ev.Diagnostic} {
		if len(v) > 1000 {
			fields[name] = "is longer than 1000 characters"
		}
	}
	if len(fields) > 0 {
		return "", "", problem.BadRequest("invalid input", fields)
	}
	return kind, status, nil
}

// verifyInbound checks "X-Candor-Signature: v1=<hex>" (several v1 values,
// comma-separated, are allowed while a sender rotates) against the
// HMAC-SHA256 of "<timestamp>.<body>" under each configured secret.
func (s *API) verifyInbound(timestamp, signature string, body []byte) error {
	unauthorized := func(msg string) error {
		return &problem.Problem{Status: fiber.StatusUnauthorized, Msg: msg}
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return unauthorized("X-Candor-Timestamp must be the signing time in Unix seconds")
	}
	if age := s.now().Sub(time.Unix(ts, 0)); age > InboundMaxAge || age < -InboundMaxAge {
		return unauthorized("X-Candor-Timestamp is more than 5 minutes away from now: sign each request when it is sent")
	}
	var given [][]byte
	for part := range strings.SplitSeq(signature, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "v1="); ok {
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				given = append(given, b)
			}
		}
	}
	if len(given) == 0 {
		return unauthorized("X-Candor-Signature must be v1=<hex HMAC-SHA256 of timestamp.body>")
	}
	for _, secret := range s.bounceSecrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(strconv.FormatInt(ts, 10) + "."))
		mac.Write(body)
		want := mac.Sum(nil)
		for _, g := range given {
			if hmac.Equal(g, want) {
				return nil
			}
		}
	}
	return unauthorized("the signature does not match")
}
