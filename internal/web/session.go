package web

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/problem"
)

const sessionCookie = "candor_session"

// requireSession admits a request with a valid session cookie of an
// enabled user and sends everyone else to the sign-in page. The user is
// reloaded on every request, so disabling someone takes effect at once.
func (s *Server) requireSession(c *fiber.Ctx) error {
	raw := c.Cookies(sessionCookie)
	if raw == "" {
		return redirectToLogin(c)
	}
	u, claims, err := s.auth.Authenticate(c.UserContext(), raw, auth.AudienceSession)
	if errors.Is(err, auth.ErrInvalidToken) {
		s.clearSession(c)
		return redirectToLogin(c)
	}
	if err != nil {
		return err
	}
	if s.auth.NeedsRenewal(claims) {
		// Sessions end after a spell of inactivity, not in the middle of work.
		if err := s.startSession(c, u); err != nil {
			return err
		}
	}
	identity.Set(c, u, claims)
	c.Set(fiber.HeaderCacheControl, "no-store") // pages behind sign-in are never kept by caches
	return c.Next()
}

// startSession sets the session cookie for u.
func (s *Server) startSession(c *fiber.Ctx, u store.User) error {
	token, exp, err := s.auth.IssueToken(u, auth.AudienceSession)
	if err != nil {
		return err
	}
	c.Cookie(s.sessionCookie(token, exp))
	return nil
}

// deviceCookie marks a browser its user signed in from, so that failed
// sign-ins elsewhere do not slow down the next sign-in from it. Only the
// sign-in form needs it.
const deviceCookie = "candor_device"

func (s *Server) setDevice(c *fiber.Ctx, u store.User) error {
	token, exp, err := s.auth.DeviceToken(u.ID)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: deviceCookie, Value: token, Path: "/login", Expires: exp,
		Secure: s.cfg.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return nil
}

func (s *Server) clearSession(c *fiber.Ctx) {
	c.Cookie(s.sessionCookie("", time.Unix(0, 0)))
}

func (s *Server) sessionCookie(value string, expires time.Time) *fiber.Cookie {
	return &fiber.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		Expires:  expires,
		Secure:   s.cfg.Secure(),
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	}
}

// redirectToLogin sends the browser to sign in, and back here afterwards.
func redirectToLogin(c *fiber.Ctx) error {
	target := "/login"
	if c.Method() == fiber.MethodGet && c.Path() != "/" {
		target += "?next=" + url.QueryEscape(c.OriginalURL())
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// safeNext returns next when it is a path on this site, else "/". Anything
// that a browser could read as another origin ("//evil.example",
// "/\evil.example", "https://…") would make sign-in an open redirect.
func safeNext(next string) string {
	if len(next) == 0 || next[0] != '/' || len(next) > 2048 {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// requirePolicy admits only users the policy question allowed answers yes
// for (policy.CanManageCustomers, …), the question the service asks too: a
// 403 page for staff pages, 403 JSON under /api. It runs after
// requireSession or requireBearer.
func requirePolicy(allowed func(policy.Actor) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, ok := identity.User(c)
		if !ok || !allowed(policy.Of(u)) {
			return fiber.ErrForbidden
		}
		return c.Next()
	}
}

// requireBearer admits API requests with a valid API token of an enabled
// user. Cookies are never read here: a browser attaches those on its own,
// a bearer token it does not, which is why the API needs no CSRF check.
func (s *Server) requireBearer(c *fiber.Ctx) error {
	scheme, token, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return &problem.Problem{Status: fiber.StatusUnauthorized, Msg: "missing bearer token"}
	}
	u, claims, err := s.auth.Authenticate(c.UserContext(), token, auth.AudienceAPI)
	if err != nil {
		return err
	}
	identity.Set(c, u, claims)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}
