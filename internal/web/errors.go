package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/candorhq/candor/internal/web/problem"
	"github.com/gofiber/fiber/v2"
)

// handleError is Fiber's error handler: it logs what went wrong on the
// server side and answers with JSON under /api, a page elsewhere.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	p := problem.Classify(err)
	if p.Status == fiber.StatusRequestEntityTooLarge {
		p = s.tooLarge(c) // the limit depends on the route
	}
	if p.Status >= 500 {
		s.logFailure(c, p.Status, err)
	}
	switch p.Status {
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

// logFailure logs a request that failed on the server's side, with the
// path redacted of any respondent token.
func (s *Server) logFailure(c *fiber.Ctx, status int, err error) {
	s.logger.LogAttrs(c.UserContext(), slog.LevelError, "request failed",
		slog.String("request_id", problem.RequestID(c)),
		slog.String("method", c.Method()),
		slog.String("path", redactPath(c.Path())),
		slog.Int("status", status),
		slog.String("error", err.Error()))
}

// errorBody is every API error.
type errorBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

func (s *Server) apiError(c *fiber.Ctx, p *problem.Problem) error {
	msg := p.Msg
	if p.Status == fiber.StatusInternalServerError {
		msg += " (request id " + problem.RequestID(c) + ")"
	}
	return c.Status(p.Status).JSON(errorBody{Error: msg, Fields: p.Fields})
}

// errorPageData is what error.html shows: never internals.
type errorPageData struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
}

func (s *Server) errorPage(c *fiber.Ctx, p *problem.Problem) error {
	data := errorPageData{Status: p.Status, Heading: http.StatusText(p.Status), Message: p.Detail}
	switch p.Status {
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
		data.RequestID = problem.RequestID(c)
	}
	if p.Heading != "" {
		data.Heading = p.Heading
	}
	if data.Message == "" {
		data.Message = "The request could not be completed."
	}
	if err := s.Render(c, p.Status, "error", data.Heading, data); err != nil {
		// The error page itself failed; answer in plain text rather than not at all.
		s.logger.LogAttrs(c.UserContext(), slog.LevelError, "render error page",
			slog.String("request_id", problem.RequestID(c)), slog.String("error", err.Error()))
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(p.Status).SendString(http.StatusText(p.Status))
	}
	return nil
}

func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return p == "/api" || strings.HasPrefix(p, "/api/")
}
