package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/web/problem"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/fiber/v2/utils"
)

// Keys for c.Locals; private types so no other package can collide.
type unmatchedKey struct{}

// requestID gives every request an id, returned in X-Request-ID and logged.
// An incoming id is kept only when well formed (a proxy may assign ids);
// anything else could smuggle arbitrary text into every log line.
func (s *Server) requestID() fiber.Handler {
	assign := requestid.New(requestid.Config{
		Header:     fiber.HeaderXRequestID,
		Generator:  utils.UUIDv4, // random, unlike the default counter, so ids reveal no traffic volume
		ContextKey: problem.RequestIDKey{},
	})
	return func(c *fiber.Ctx) error {
		if id := c.Get(fiber.HeaderXRequestID); id != "" && !validRequestID(id) {
			c.Request().Header.Del(fiber.HeaderXRequestID)
		}
		return assign(c)
	}
}

func validRequestID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// observe logs and measures every request. It runs the error handler
// itself, so that the status it records is the one the client gets.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if err := c.App().ErrorHandler(c, err); err != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	method := methodLabel(c.Method())
	s.metrics.Request(method, routeLabel(c), status, elapsed)

	level := slog.LevelInfo
	if p := c.Path(); p == "/healthz" || p == "/metrics" {
		level = slog.LevelDebug // probes every few seconds would drown everything else
	}
	// Only the path: a query string or body may carry personal data.
	s.logger.LogAttrs(c.UserContext(), level, "request",
		slog.String("method", method),
		slog.String("path", redactPath(c.Path())),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
		slog.Int("bytes", len(c.Response().Body())),
		slog.String("request_id", problem.RequestID(c)),
		slog.String("ip", c.IP()),
	)
	return nil
}

// methodLabel maps the method to a constant, which bounds the metric's
// label values and never keeps a reference to the request buffer.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	}
	return "OTHER"
}

// routeLabel is the matched route pattern ("/admin/users/:id"), never the
// raw path, so tokens and ids never become metric labels.
func routeLabel(c *fiber.Ctx) string {
	if c.Locals(unmatchedKey{}) != nil {
		return "unmatched"
	}
	return c.Route().Path
}

// redactPath hides the secret in respondent links, which would let anyone
// who reads the logs answer or unsubscribe in the respondent's name:
// "/s/<token>/thanks" becomes "/s/:token/thanks"; so do /u/ and /e/
// (confirming a new email address).
func redactPath(p string) string {
	if len(p) < 3 || p[0] != '/' || p[2] != '/' || !strings.ContainsRune("sSuUeE", rune(p[1])) {
		return p
	}
	rest := p[3:]
	suffix := ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		suffix = rest[i:]
	}
	return p[:3] + ":token" + suffix
}

// isRespondentPath reports whether p is a respondent link (/s/…, /u/… or
// /e/…).
func isRespondentPath(p string) bool {
	return strings.HasPrefix(p, "/s/") || strings.HasPrefix(p, "/u/") || strings.HasPrefix(p, "/e/")
}

// securityHeaders applies to every response, error pages included.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// Respondent links carry their token in the URL, so respondent pages
	// never pass their address on. Staff pages send it to this origin only,
	// which the CSRF check needs behind a TLS-terminating proxy.
	if isRespondentPath(c.Path()) {
		h.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	} else {
		h.Set(fiber.HeaderReferrerPolicy, "same-origin")
	}
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set(fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	if s.cfg.Secure() {
		h.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// recoverPanics turns a panic into a 500 page; the stack goes to the log,
// never to the client.
func (s *Server) recoverPanics() fiber.Handler {
	return recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, v any) {
			s.logger.LogAttrs(c.UserContext(), slog.LevelError, "panic",
				slog.String("request_id", problem.RequestID(c)),
				slog.String("path", redactPath(c.Path())),
				slog.String("panic", fmt.Sprint(v)),
				slog.String("stack", string(debug.Stack())))
		},
	})
}
