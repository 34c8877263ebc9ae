package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/problem"
)

type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// apiToken exchanges an email and password for an API token.
func (s *Server) apiToken(c *fiber.Ctx) error {
	var in tokenRequest
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
	return c.JSON(tokenResponse{Token: token, ExpiresAt: exp.UTC()})
}

// apiMe returns the signed-in user.
func (s *Server) apiMe(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	return c.JSON(toUserJSON(u))
}

// apiRevoke ends the bearer token the request was made with.
func (s *Server) apiRevoke(c *fiber.Ctx) error {
	if err := s.auth.Revoke(c.UserContext(), identity.Claims(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiLogoutAll ends every session and API token of the caller, this one
// included.
func (s *Server) apiLogoutAll(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	if _, err := s.auth.SignOutEverywhere(c.UserContext(), u.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type passwordRequest struct {
	Current  string `json:"current"`
	Password string `json:"password"`
}

// apiChangePassword sets the caller's password. Every session and token
// issued before ends, this one included; the answer carries a new token.
func (s *Server) apiChangePassword(c *fiber.Ctx) error {
	var in passwordRequest
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
	return c.JSON(tokenResponse{Token: token, ExpiresAt: exp.UTC()})
}
