package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/problem"
)

type TokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type TokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Token exchanges an email and password for an API token.
func (s *API) Token(c *fiber.Ctx) error {
	var in TokenRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	fields := map[string]string{}
	if in.Email == "" {
		fields["email"] = "is required"
	}
	if in.Password == "" {
		fields["password"] = "is required"
	}
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}

	u, err := s.auth.Login(c.UserContext(), in.Email, in.Password, c.IP(), "")
	if err != nil {
		return err
	}
	token, exp, err := s.auth.IssueToken(u, auth.AudienceAPI)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(TokenResponse{Token: token, ExpiresAt: exp.UTC()})
}

// Me returns the signed-in user.
func (s *API) Me(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	return c.JSON(toUserJSON(u))
}

// Revoke ends the bearer token the request was made with.
func (s *API) Revoke(c *fiber.Ctx) error {
	if err := s.auth.Revoke(c.UserContext(), identity.Claims(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// LogoutAll ends every session and API token of the caller, this one
// included.
func (s *API) LogoutAll(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	if _, err := s.auth.SignOutEverywhere(c.UserContext(), u.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type PasswordRequest struct {
	Current  string `json:"current"`
	Password string `json:"password"`
}

// ChangePassword sets the caller's password. Every session and token
// issued before ends, this one included; the answer carries a new token.
func (s *API) ChangePassword(c *fiber.Ctx) error {
	var in PasswordRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, _ := identity.User(c)
	u, err := s.auth.ChangePassword(c.UserContext(), u.ID, in.Current, in.Password, in.Password)
	if err != nil {
		return err
	}
	token, exp, err := s.auth.IssueToken(u, auth.AudienceAPI)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(TokenResponse{Token: token, ExpiresAt: exp.UTC()})
}
