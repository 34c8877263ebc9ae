// Package problem decides what a client is told about an error: the one
// place where errors become HTTP statuses, with a message and per-field
// messages that are safe to show.
package problem

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Problem is an error a handler means the client to see: everything in it
// is safe to show.
type Problem struct {
	Status  int
	Msg     string            // for API clients: short, lower case
	Heading string            // for pages; empty takes the status default
	Detail  string            // for pages: a sentence; empty takes the status default
	Fields  map[string]string // per-field messages for invalid input
}

func (p *Problem) Error() string { return "web: " + p.Msg }

// BadRequest is a 400 with per-field messages.
func BadRequest(msg string, fields map[string]string) *Problem {
	return &Problem{Status: fiber.StatusBadRequest, Msg: msg, Fields: fields}
}

// UnavailableMessage is what every page and answer says while the database is out of reach.
const UnavailableMessage = "Candor is temporarily unavailable — please try again in a minute."

// Classify maps any error to what the client is told. It is the one place
// where errors become HTTP statuses: a *fault.Error by its kind, telling
// its message and fields; a database out of reach as unavailable; Fiber's
// own errors by their code; anything else as a 500 that tells nothing.
func Classify(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	if f, ok := fault.As(err); ok && f.Kind() != fault.Internal {
		p := &Problem{Status: kindStatus(f.Kind()), Msg: f.Message(), Fields: f.Fields()}
		if p.Msg == "" {
			p.Msg = statusMessage(p.Status)
		}
		p.Heading, p.Detail = pageText(err, p.Msg)
		if p.Status == fiber.StatusServiceUnavailable && p.Detail == "" {
			p.Detail = UnavailableMessage
		}
		return p
	}
	if store.IsUnavailable(err) {
		return &Problem{Status: fiber.StatusServiceUnavailable, Msg: UnavailableMessage, Detail: UnavailableMessage}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) && fe.Code < 500 {
		// Fiber's own messages may echo the request ("Cannot GET /…").
		return &Problem{Status: fe.Code, Msg: statusMessage(fe.Code)}
	}
	return &Problem{Status: fiber.StatusInternalServerError, Msg: "something went wrong"}
}

// WithFields is Classify's answer for err when it carries per-field
// messages, which a form shows by its fields; nil for any other error.
func WithFields(err error) *Problem {
	if err == nil {
		return nil
	}
	if p := Classify(err); len(p.Fields) > 0 {
		return p
	}
	return nil
}

// kindStatus is the status that answers an error of kind k.
func kindStatus(k fault.Kind) int {
	switch k {
	case fault.Invalid:
		return fiber.StatusBadRequest
	case fault.Unauthenticated:
		return fiber.StatusUnauthorized
	case fault.Forbidden:
		return fiber.StatusForbidden
	case fault.NotFound:
		return fiber.StatusNotFound
	case fault.Conflict:
		return fiber.StatusConflict
	case fault.Gone:
		return fiber.StatusGone
	case fault.Unprocessable:
		return fiber.StatusUnprocessableEntity
	case fault.TooMany:
		return fiber.StatusTooManyRequests
	case fault.Unavailable:
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

// statusMessage is what an error says that has no words of its own.
func statusMessage(status int) string {
	if status == fiber.StatusServiceUnavailable {
		return UnavailableMessage
	}
	return strings.ToLower(http.StatusText(status))
}

// pageText is the heading and sentence an error page shows for err where
// the status's own do not fit; msg is what the client is told.
func pageText(err error, msg string) (heading, detail string) {
	switch {
	case errors.Is(err, auth.ErrNoMail):
		return "", "Password reset by email is not available on this installation."
	case errors.Is(err, authoring.ErrForbidden):
		return "", "Only the manager who created this survey, or an admin, may change it. You can duplicate it to make your own copy."
	case errors.Is(err, authoring.ErrConflict):
		return "Someone else changed this survey", Sentence(msg)
	case errors.Is(err, survey.ErrNotDraft):
		return "Only a draft can be opened", Sentence(msg)
	case errors.Is(err, survey.ErrNotOpen):
		return "Only an open survey can be closed", Sentence(msg)
	case errors.Is(err, survey.ErrClosed):
		return "This survey is closed", Sentence(msg)
	case errors.Is(err, customer.ErrConflict):
		return "", Sentence(msg)
	case errors.Is(err, customer.ErrBusy):
		return "Imports are busy", Sentence(msg)
	case errors.Is(err, customer.ErrExpired):
		return "This upload has expired", "An uploaded file waits an hour to be imported. Please upload it again."
	case errors.Is(err, invite.ErrEmptyAudience):
		return "Nobody to invite", Sentence(msg)
	case errors.Is(err, invite.ErrSurveyNotOpen):
		return "The survey is not open", "Campaigns can be sent only for an open survey. Open the survey first."
	case errors.Is(err, followup.ErrNotFound):
		return "No such follow-up", "This response is not among your follow-ups. The person may have withdrawn their consent to be named."
	case errors.Is(err, privacy.ErrNotFound):
		return "No such person", "There is no contact with this id. Search by their email address instead."
	case errors.Is(err, privacy.ErrErased):
		return "Already erased", "This person's data was erased; there is nothing left to change."
	}
	return "", ""
}

// Sentence makes a message a sentence to show on a page: capitalised, with
// a full stop.
func Sentence(msg string) string {
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// FieldErrors turns a service's messages into sentences to show under
// their fields: "is required" becomes "Name is required.", and a message
// that stands alone ("name at least one …") is capitalised.
func FieldErrors(fields map[string]string, label func(field string) string) map[string]string {
	out := make(map[string]string, len(fields))
	for field, msg := range fields {
		if label := label(field); label != "" && (strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ")) {
			out[field] = label + " " + msg + "."
			continue
		}
		out[field] = Sentence(msg)
	}
	return out
}

// RequestIDKey is where the request-id middleware keeps a request's id.
type RequestIDKey struct{}

// RequestID is the request's id, which a failure shows as its reference.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(RequestIDKey{}).(string)
	return id
}

// FieldMessage phrases a validation message for a page: "is required" on
// Title (Finnish) reads "Title (Finnish) is required."; others follow a colon.
func FieldMessage(label, msg string) string {
	// "Title (Finnish): missing the Finnish (fi) translation" needs Finnish once.
	if base, locale, ok := strings.Cut(label, " ("); ok && strings.HasSuffix(locale, ")") &&
		strings.Contains(msg, strings.TrimSuffix(locale, ")")) {
		label = base
	}
	first, _, _ := strings.Cut(msg, " ")
	switch first {
	case "is", "must", "has", "cannot":
		return label + " " + strings.TrimSuffix(msg, ".") + "."
	}
	return label + ": " + strings.TrimSuffix(msg, ".") + "."
}

// Summary is every field's message as a sentence, sorted by field, for the
// list of errors above a form.
func Summary(fields map[string]string) []string {
	out := make([]string, 0, len(fields))
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, FieldMessage(f, fields[f]))
	}
	return out
}
