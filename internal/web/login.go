package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

type loginForm struct {
	Email  string
	Next   string
	Error  string
	Notice string // after a password reset or signing out everywhere
	// ProviderLogout links to ending the session at the single sign-on
	// provider too, after signing out of a session that began there.
	ProviderLogout string

	Password  bool   // the email and password form is offered
	SSOButton string // the single sign-on button's label; "": no single sign-on
}

// newLoginForm is the sign-in page returning to next, with the ways of
// signing in that are configured.
func (s *Server) newLoginForm(next string) loginForm {
	page := loginForm{Next: next, Password: !s.auth.PasswordsOff()}
	if s.sso != nil {
		page.SSOButton = s.sso.Button()
	}
	return page
}

// loginPage shows the sign-in form, or skips it for a valid session.
func (s *Server) loginPage(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if raw := c.Cookies(sessionCookie); raw != "" {
		if _, _, err := s.auth.Authenticate(c.UserContext(), raw, auth.AudienceSession); err == nil {
			return c.Redirect(next, fiber.StatusSeeOther)
		}
	}
	page := s.newLoginForm(next)
	switch c.Query("done") {
	case "reset":
		page.Notice = "Your password has been changed. Sign in with the new one."
	case "everywhere":
		page.Notice = "You have been signed out everywhere."
	case "sso":
		page.Notice = "You have been signed out of Candor."
		page.ProviderLogout = s.providerLogout(c)
	case "provider":
		page.Notice = "You have been signed out of Candor and of your organisation's sign-in."
	}
	return s.renderLogin(c, fiber.StatusOK, page)
}

// login checks the credentials and starts a session. Every failure reads
// the same, so the page never tells which accounts exist.
func (s *Server) login(c *fiber.Ctx) error {
	email := strings.TrimSpace(input.Form(c, "email"))
	password := input.Form(c, "password")
	page := s.newLoginForm(safeNext(c.FormValue("next")))
	page.Email = email
	if s.auth.PasswordsOff() {
		page.Error = auth.ErrPasswordsOff.Message()
		return s.renderLogin(c, fiber.StatusForbidden, page)
	}
	if email == "" || password == "" {
		page.Error = "Enter your email address and password."
		return s.renderLogin(c, fiber.StatusBadRequest, page)
	}

	u, err := s.auth.Login(c.UserContext(), email, password, c.IP(), c.Cookies(deviceCookie))
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		page.Error = "Email or password is incorrect."
		return s.renderLogin(c, problem.Classify(err).Status, page)
	case errors.Is(err, auth.ErrRateLimited):
		page.Error = "Too many sign-in attempts. Please wait a minute before trying again."
		c.Set(fiber.HeaderRetryAfter, "60")
		return s.renderLogin(c, problem.Classify(err).Status, page)
	case err != nil:
		return err
	}

	if err := s.startSession(c, u); err != nil {
		return err
	}
	if err := s.setDevice(c, u); err != nil {
		return err
	}
	rotateCSRF(c)
	return c.Redirect(page.Next, fiber.StatusSeeOther)
}

func (s *Server) renderLogin(c *fiber.Ctx, status int, page loginForm) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.Render(c, status, "login", "Sign in", page)
}

// logout ends the session: the cookie is cleared and the token revoked,
// so a saved copy of it no longer works either. It is a POST behind the
// CSRF check, so another site cannot sign a user out.
func (s *Server) logout(c *fiber.Ctx) error {
	s.clearSession(c)
	rotateCSRF(c)
	if raw := c.Cookies(sessionCookie); raw != "" {
		if claims, err := s.auth.ParseToken(raw, auth.AudienceSession); err == nil {
			if err := s.auth.Revoke(c.UserContext(), claims); err != nil {
				return err
			}
		}
	}
	return c.Redirect(s.signedOutVia(c), fiber.StatusSeeOther)
}
