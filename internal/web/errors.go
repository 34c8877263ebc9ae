package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/surveys"
)

// problem is an error a handler means the client to see: everything in it
// is safe to show.
type problem struct {
	status  int
	msg     string            // for API clients: short, lower case
	heading string            // for pages; empty takes the status default
	detail  string            // for pages: a sentence; empty takes the status default
	fields  map[string]string // per-field messages for invalid input
}

func (p *problem) Error() string { return "web: " + p.msg }

func badRequest(msg string, fields map[string]string) *problem {
	return &problem{status: fiber.StatusBadRequest, msg: msg, fields: fields}
}

const unavailableMessage = "Candor is temporarily unavailable — please try again in a minute."

// classify maps any error to what the client is told. It is the one place
// where errors become HTTP statuses: a *fault.Error by its kind, telling
// its message and fields; a database out of reach as unavailable; Fiber's
// own errors by their code; anything else as a 500 that tells nothing.
func classify(err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	if f, ok := fault.As(err); ok && f.Kind() != fault.Internal {
		p := &problem{status: kindStatus(f.Kind()), msg: f.Message(), fields: f.Fields()}
		if p.msg == "" {
			p.msg = statusMessage(p.status)
		}
		p.heading, p.detail = pageText(err, p.msg)
		if p.status == fiber.StatusServiceUnavailable && p.detail == "" {
			p.detail = unavailableMessage
		}
		return p
	}
	if store.IsUnavailable(err) {
		return &problem{status: fiber.StatusServiceUnavailable, msg: unavailableMessage, detail: unavailableMessage}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) && fe.Code < 500 {
		// Fiber's own messages may echo the request ("Cannot GET /…").
		return &problem{status: fe.Code, msg: statusMessage(fe.Code)}
	}
	return &problem{status: fiber.StatusInternalServerError, msg: "something went wrong"}
}

// fieldProblem is classify's answer for err when it carries per-field
// messages, which a form shows by its fields; nil for any other error.
func fieldProblem(err error) *problem {
	if err == nil {
		return nil
	}
	if p := classify(err); len(p.fields) > 0 {
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
		return unavailableMessage
	}
	return strings.ToLower(http.StatusText(status))
}

// pageText is the heading and sentence an error page shows for err where
// the status's own do not fit; msg is what the client is told.
func pageText(err error, msg string) (heading, detail string) {
	switch {
	case errors.Is(err, auth.ErrNoMail):
		return "", "Password reset by email is not available on this installation."
	case errors.Is(err, surveys.ErrForbidden):
		return "", "Only the manager who created this survey, or an admin, may change it. You can duplicate it to make your own copy."
	case errors.Is(err, surveys.ErrConflict):
		return "Someone else changed this survey", sentence(msg)
	case errors.Is(err, survey.ErrNotDraft):
		return "Only a draft can be opened", sentence(msg)
	case errors.Is(err, survey.ErrNotOpen):
		return "Only an open survey can be closed", sentence(msg)
	case errors.Is(err, survey.ErrClosed):
		return "This survey is closed", sentence(msg)
	case errors.Is(err, customer.ErrConflict):
		return "", sentence(msg)
	case errors.Is(err, customer.ErrBusy):
		return "Imports are busy", sentence(msg)
	case errors.Is(err, customer.ErrExpired):
		return "This upload has expired", "An uploaded file waits an hour to be imported. Please upload it again."
	case errors.Is(err, invite.ErrEmptyAudience):
		return "Nobody to invite", sentence(msg)
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

// handleError is Fiber's error handler: it logs what went wrong on the
// server side and answers with JSON under /api, a page elsewhere.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	p := classify(err)
	if p.status == fiber.StatusRequestEntityTooLarge {
		p = s.tooLarge(c) // the limit depends on the route
	}
	if p.status >= 500 {
		s.logger.LogAttrs(c.UserContext(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Method()),
			slog.String("path", redactPath(c.Path())),
			slog.Int("status", p.status),
			slog.String("error", err.Error()))
	}
	switch p.status {
	case fiber.StatusServiceUnavailable, fiber.StatusTooManyRequests:
		c.Set(fiber.HeaderRetryAfter, "60")
	case fiber.StatusUnauthorized:
		if isAPI(c) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="candor"`)
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if isAPI(c) {
		return s.apiError(c, p)
	}
	return s.errorPage(c, p)
}

// errorBody is every API error.
type errorBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

func (s *Server) apiError(c *fiber.Ctx, p *problem) error {
	msg := p.msg
	if p.status == fiber.StatusInternalServerError {
		msg += " (request id " + requestID(c) + ")"
	}
	return c.Status(p.status).JSON(errorBody{Error: msg, Fields: p.fields})
}

// errorPageData is what error.html shows: never internals.
type errorPageData struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
}

func (s *Server) errorPage(c *fiber.Ctx, p *problem) error {
	data := errorPageData{Status: p.status, Heading: http.StatusText(p.status), Message: p.detail}
	switch p.status {
	case fiber.StatusNotFound:
		data.Heading = "Page not found"
		if data.Message == "" {
			data.Message = "There is nothing at this address. It may have moved, or the link may be incomplete."
		}
	case fiber.StatusForbidden:
		data.Heading = "Not allowed"
		if data.Message == "" {
			data.Message = "Your role does not give access to this page. An administrator can change your role if you need it."
		}
	case fiber.StatusServiceUnavailable:
		data.Heading = "Temporarily unavailable"
	case fiber.StatusInternalServerError:
		data.Heading = "Something went wrong"
		data.Message = "We could not complete your request. Please try again; if it keeps happening, contact your administrator."
		data.RequestID = requestID(c)
	}
	if p.heading != "" {
		data.Heading = p.heading
	}
	if data.Message == "" {
		data.Message = "The request could not be completed."
	}
	if err := s.render(c, p.status, "error", data.Heading, data); err != nil {
		// The error page itself failed; answer in plain text rather than not at all.
		s.logger.LogAttrs(c.UserContext(), slog.LevelError, "render error page",
			slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(p.status).SendString(http.StatusText(p.status))
	}
	return nil
}

func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return p == "/api" || strings.HasPrefix(p, "/api/")
}
