package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// profileForm is profile.html: the signed-in user's own settings.
type profileForm struct {
	User        store.User
	Errors      map[string]string
	Error       string
	Changed     bool
	MinPassword int
	// PasswordsOff: single sign-on manages passwords; no form to change one.
	PasswordsOff bool
	// APIToken is a token just issued, shown this once.
	APIToken        string
	APITokenExpires string
}

// profilePage shows the change-password form and "sign out everywhere".
func (s *Server) profilePage(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	return s.Render(c, fiber.StatusOK, "profile", "Your account",
		profileForm{User: u, Changed: c.Query("changed") == "1", MinPassword: auth.MinPasswordLength, PasswordsOff: s.auth.PasswordsOff()})
}

// changePassword sets the user's own password. Their other sessions end;
// this browser gets a new session so that its user stays signed in.
func (s *Server) changePassword(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	updated, err := s.auth.ChangePassword(c.UserContext(), u.ID,
		bodyValue(c, "current"), bodyValue(c, "password"), bodyValue(c, "confirm"))
	form := profileForm{User: u, MinPassword: auth.MinPasswordLength, PasswordsOff: s.auth.PasswordsOff()}
	switch p := problem.WithFields(err); {
	case p != nil:
		form.Errors = p.Fields
		return s.Render(c, p.Status, "profile", "Your account", form)
	case errors.Is(err, auth.ErrPasswordsOff):
		form.Error = auth.ErrPasswordsOff.Message()
		return s.Render(c, problem.Classify(err).Status, "profile", "Your account", form)
	case errors.Is(err, auth.ErrRateLimited):
		form.Error = "Too many wrong passwords. Please wait a minute before trying again."
		c.Set(fiber.HeaderRetryAfter, "60")
		return s.Render(c, problem.Classify(err).Status, "profile", "Your account", form)
	case err != nil:
		return err
	}
	if err := s.startSession(c, updated); err != nil {
		return err
	}
	return c.Redirect("/profile?changed=1", fiber.StatusSeeOther)
}

// createAPIToken issues an API token to the signed-in user and shows it
// once: the way to the API for those who sign in with single sign-on and
// have no password to exchange for one.
func (s *Server) createAPIToken(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	token, exp, err := s.auth.IssueToken(u, auth.AudienceAPI)
	if err != nil {
		return err
	}
	return s.Render(c, fiber.StatusOK, "profile", "Your account", profileForm{User: u, MinPassword: auth.MinPasswordLength,
		PasswordsOff: s.auth.PasswordsOff(), APIToken: token, APITokenExpires: exp.UTC().Format("2 January 2006, 15:04 UTC")})
}

// signOutEverywhere ends every session and API token of the user, this
// browser's included.
func (s *Server) signOutEverywhere(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	if _, err := s.auth.SignOutEverywhere(c.UserContext(), u.ID); err != nil {
		return err
	}
	s.clearSession(c)
	rotateCSRF(c)
	return c.Redirect("/login?done=everywhere", fiber.StatusSeeOther)
}

// forgotForm is password_forgot.html.
type forgotForm struct {
	Email   string
	Error   string
	Sent    bool
	Minutes int
	// SSOManaged: single sign-on manages passwords, so there is no reset.
	SSOManaged bool
}

// ssoManaged answers the password reset pages while single sign-on
// manages passwords: a page saying so, 403 for a form sent anyway.
func (s *Server) ssoManaged(c *fiber.Ctx, view, title string, page any) (bool, error) {
	if !s.auth.PasswordsOff() {
		return false, nil
	}
	status := fiber.StatusOK
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		status = fiber.StatusForbidden
	}
	return true, s.Render(c, status, view, title, page)
}

const resetMinutes = 30 // as auth.Options.ResetTTL's default, for the page's wording

func (s *Server) forgotPage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if done, err := s.ssoManaged(c, "password_forgot", "Forgot your password?", forgotForm{SSOManaged: true}); done {
		return err
	}
	return s.Render(c, fiber.StatusOK, "password_forgot", "Forgot your password?", forgotForm{})
}

// forgot asks for a reset link. The answer is the same, and as quick,
// whether or not the address belongs to an account.
func (s *Server) forgot(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if done, err := s.ssoManaged(c, "password_forgot", "Forgot your password?", forgotForm{SSOManaged: true}); done {
		return err
	}
	email := strings.TrimSpace(bodyValue(c, "email"))
	if email == "" {
		return s.Render(c, fiber.StatusBadRequest, "password_forgot", "Forgot your password?",
			forgotForm{Error: "Enter your email address."})
	}
	err := s.auth.RequestPasswordReset(c.UserContext(), email, c.IP())
	if errors.Is(err, auth.ErrRateLimited) {
		c.Set(fiber.HeaderRetryAfter, "60")
		return s.Render(c, problem.Classify(err).Status, "password_forgot", "Forgot your password?",
			forgotForm{Email: email, Error: "Too many requests. Please wait a few minutes before trying again."})
	}
	if err != nil {
		return err
	}
	return s.Render(c, fiber.StatusOK, "password_forgot", "Forgot your password?", forgotForm{Sent: true, Minutes: resetMinutes})
}

// resetForm is password_reset.html.
type resetForm struct {
	Token       string
	Invalid     bool
	Errors      map[string]string
	MinPassword int
	SSOManaged  bool // as forgotForm's
}

// resetPage shows the form an emailed link opens, or why the link no
// longer works.
func (s *Server) resetPage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if done, err := s.ssoManaged(c, "password_reset", "Choose a new password", resetForm{SSOManaged: true}); done {
		return err
	}
	form := resetForm{Token: c.Query("token"), MinPassword: auth.MinPasswordLength}
	err := s.auth.CheckResetLink(c.UserContext(), form.Token)
	if errors.Is(err, auth.ErrInvalidResetLink) {
		return s.Render(c, problem.Classify(err).Status, "password_reset", "Choose a new password", resetForm{Invalid: true})
	}
	if err != nil {
		return err
	}
	return s.Render(c, fiber.StatusOK, "password_reset", "Choose a new password", form)
}

// reset sets the new password. It does not sign the user in: they sign
// in with the new password, so a link alone never opens a session.
func (s *Server) reset(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if done, err := s.ssoManaged(c, "password_reset", "Choose a new password", resetForm{SSOManaged: true}); done {
		return err
	}
	form := resetForm{Token: bodyValue(c, "token"), MinPassword: auth.MinPasswordLength}
	err := s.auth.ResetPassword(c.UserContext(), form.Token, bodyValue(c, "password"), bodyValue(c, "confirm"))
	switch p := problem.WithFields(err); {
	case p != nil:
		form.Errors = p.Fields
		return s.Render(c, p.Status, "password_reset", "Choose a new password", form)
	case errors.Is(err, auth.ErrInvalidResetLink):
		return s.Render(c, problem.Classify(err).Status, "password_reset", "Choose a new password", resetForm{Invalid: true})
	case err != nil:
		return err
	}
	s.clearSession(c)
	return c.Redirect("/login?done=reset", fiber.StatusSeeOther)
}

// bodyValue is a field of the form body only, never of the query string:
// passwords and secrets do not belong in URLs.
func bodyValue(c *fiber.Ctx, key string) string {
	if vs := input.Values(c, key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}
