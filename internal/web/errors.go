package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
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
// where service errors become HTTP statuses.
func classify(err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	var ve *auth.ValidationError
	if errors.As(err, &ve) {
		return badRequest("invalid input", ve.Fields)
	}
	if p := classifySurvey(err); p != nil {
		return p
	}
	if p := classifyCustomer(err); p != nil {
		return p
	}
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		return &problem{status: fiber.StatusUnauthorized, msg: "invalid email or password"}
	case errors.Is(err, auth.ErrRateLimited):
		return &problem{status: fiber.StatusTooManyRequests, msg: "too many sign-in attempts, try again later"}
	case errors.Is(err, auth.ErrInvalidToken):
		return &problem{status: fiber.StatusUnauthorized, msg: "invalid or expired token"}
	case errors.Is(err, auth.ErrLastAdmin):
		return &problem{status: fiber.StatusConflict, msg: "the last active admin cannot be disabled or demoted"}
	case errors.Is(err, auth.ErrInvalidResetLink):
		return &problem{status: fiber.StatusBadRequest, msg: "the reset link is invalid, expired or already used"}
	case errors.Is(err, auth.ErrUserDisabled):
		return &problem{status: fiber.StatusConflict, msg: "the user is disabled"}
	case errors.Is(err, auth.ErrNoMail):
		return &problem{status: fiber.StatusServiceUnavailable, msg: "password reset by email is not available", detail: "Password reset by email is not available on this installation."}
	case errors.Is(err, auth.ErrSelf):
		return &problem{status: fiber.StatusConflict, msg: "you cannot disable or demote yourself"}
	case errors.Is(err, auth.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return &problem{status: fiber.StatusNotFound, msg: "not found"}
	case store.IsUnavailable(err), errors.Is(err, privacy.ErrChainBusy):
		return &problem{status: fiber.StatusServiceUnavailable, msg: unavailableMessage, detail: unavailableMessage}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) && fe.Code < 500 {
		// Fiber's own messages may echo the request ("Cannot GET /…").
		return &problem{status: fe.Code, msg: strings.ToLower(http.StatusText(fe.Code))}
	}
	return &problem{status: fiber.StatusInternalServerError, msg: "something went wrong"}
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
