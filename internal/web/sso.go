package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/sso"
	"github.com/candorhq/candor/internal/web/problem"
)

// SSOProvider is staff sign-in at an OpenID Connect provider (*sso.Provider).
type SSOProvider interface {
	Button() string
	AttemptTTL() time.Duration
	Begin(ctx context.Context, next string) (sealed, authURL string, err error)
	Finish(ctx context.Context, sealed string, cb sso.Callback) (sso.Identity, string, error)
	LogoutURL(ctx context.Context, returnTo string) (string, bool)
}

var _ SSOProvider = (*sso.Provider)(nil)

// ssoCookie carries the signed sign-in attempt (state, nonce, PKCE
// verifier, where to return) from the start of the flow to the callback,
// and to nothing else.
const (
	ssoCookie     = "candor_sso"
	ssoCookiePath = "/auth/oidc/"
	// ssoSessionCookie marks a browser whose session began at the provider,
	// so that signing out offers to end the provider's session too. It
	// grants nothing: forged, it only adds that offer.
	ssoSessionCookie = "candor_sso_session"
)

// ssoStart sends the browser to the provider, keeping the attempt in a
// short-lived cookie. Lax, so that the provider's redirect back, a
// top-level navigation, carries it.
func (s *Server) ssoStart(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	next := safeNext(c.Query("next"))
	sealed, authURL, err := s.sso.Begin(c.UserContext(), next)
	if err != nil {
		return s.ssoFailed(c, next, err)
	}
	c.Cookie(&fiber.Cookie{Name: ssoCookie, Value: sealed, Path: ssoCookiePath,
		Expires: time.Now().Add(s.sso.AttemptTTL()), MaxAge: int(s.sso.AttemptTTL().Seconds()),
		Secure: s.cfg.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(authURL, fiber.StatusSeeOther)
}

// ssoCallback finishes the sign-in the provider sends back: the attempt
// is used once, the provider's answer checked, the user found or created,
// and the same session started as a password sign-in does.
func (s *Server) ssoCallback(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	sealed := c.Cookies(ssoCookie)
	c.Cookie(&fiber.Cookie{Name: ssoCookie, Path: ssoCookiePath, Expires: time.Unix(0, 0), MaxAge: -1,
		Secure: s.cfg.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	id, next, err := s.sso.Finish(c.UserContext(), sealed, sso.Callback{
		State: c.Query("state"), Code: c.Query("code"),
		Error: c.Query("error"), ErrorDescription: c.Query("error_description"),
	})
	if err != nil {
		return s.ssoFailed(c, "/", err)
	}
	u, err := s.auth.SignInSSO(c.UserContext(), auth.ExternalIdentity{
		Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, Name: id.Name, Role: id.Role,
	})
	if err != nil {
		return s.ssoFailed(c, next, err)
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: ssoSessionCookie, Value: "1", Path: "/",
		Secure: s.cfg.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	rotateCSRF(c)
	return c.Redirect(safeNext(next), fiber.StatusSeeOther)
}

// ssoFailed shows the sign-in page saying what went wrong, with the
// error's 4xx (503 while the provider cannot be reached); anything else
// is an internal error.
func (s *Server) ssoFailed(c *fiber.Ctx, next string, err error) error {
	p := problem.Classify(err)
	if p.Status >= fiber.StatusInternalServerError && p.Status != fiber.StatusServiceUnavailable {
		return err
	}
	s.logger.Info("single sign-on refused", "err", err)
	page := s.newLoginForm(next)
	page.Error = p.Msg
	return s.renderLogin(c, p.Status, page)
}

// signedOutVia is where logout sends a browser: straight to the sign-in
// page, or, for a session that began at a provider offering to end its
// own, to a page that offers that. The offer is a link, since a redirect
// from the sign-out form to another origin would break form-action 'self'.
func (s *Server) signedOutVia(c *fiber.Ctx) string {
	if c.Cookies(ssoSessionCookie) == "" {
		return "/login"
	}
	c.Cookie(&fiber.Cookie{Name: ssoSessionCookie, Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		Secure: s.cfg.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	if s.sso == nil {
		return "/login"
	}
	return "/login?done=sso"
}

// providerLogout is the provider's sign-out link for the sign-in page,
// returning to it; "" when there is none.
func (s *Server) providerLogout(c *fiber.Ctx) string {
	if s.sso == nil {
		return ""
	}
	u, ok := s.sso.LogoutURL(c.UserContext(), s.cfg.BaseURL+"/login?done=provider")
	if !ok {
		return ""
	}
	return u
}
