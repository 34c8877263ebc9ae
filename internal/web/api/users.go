package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

type UserList struct {
	Items []UserJSON `json:"items"`
	Total int64      `json:"total"`
}

// ListUsers returns a page of users: ?offset=0&limit=50.
func (s *API) ListUsers(c *fiber.Ctx) error {
	fields := map[string]string{}
	offset := queryInt(c, "offset", 0, fields)
	limit := queryInt(c, "limit", 50, fields)
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}

	users, total, err := s.auth.ListUsers(c.UserContext(), store.Page{Offset: offset, Limit: limit})
	if err != nil {
		return err
	}

	out := UserList{Items: make([]UserJSON, len(users)), Total: total}
	for i, u := range users {
		out.Items[i] = toUserJSON(u)
	}
	return c.JSON(out)
}

// queryInt reads a non-negative integer parameter, noting a bad one in fields.
func queryInt(c *fiber.Ctx, name string, def int64, fields map[string]string) int64 {
	raw := c.Query(name)
	if raw == "" {
		return def
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		fields[name] = "must be a whole number, 0 or more"
	}
	return n
}

type CreateUserRequest struct {
	Email    string     `json:"email"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Password string     `json:"password"`
}

// CreateUser adds a user; a taken email is reported as a field error.
func (s *API) CreateUser(c *fiber.Ctx) error {
	var in CreateUserRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}

	u, err := s.auth.CreateUser(c.UserContext(), auth.NewUser{Email: in.Email, Name: in.Name, Role: in.Role, Password: in.Password})
	if err != nil {
		return err
	}

	c.Location("/api/v1/users/" + u.ID)
	return c.Status(fiber.StatusCreated).JSON(toUserJSON(u))
}

// User returns one user.
func (s *API) User(c *fiber.Ctx) error {
	u, err := s.auth.User(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(toUserJSON(u))
}

// UpdateUserRequest changes only the fields present in the body.
type UpdateUserRequest struct {
	Name     *string     `json:"name"`
	Role     *store.Role `json:"role"`
	Disabled *bool       `json:"disabled"`
	Password *string     `json:"password"`
}

// UpdateUser changes a user's name, role, status or password.
func (s *API) UpdateUser(c *fiber.Ctx) error {
	var in UpdateUserRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in == (UpdateUserRequest{}) {
		return problem.BadRequest("nothing to change: give name, role, disabled or password", nil)
	}

	actor, _ := identity.User(c)
	u, err := s.auth.UpdateUser(c.UserContext(), actor.ID, input.Param(c, "id"),
		auth.UserChange{Name: in.Name, Role: in.Role, Disabled: in.Disabled, Password: in.Password})
	if err != nil {
		return err
	}
	return c.JSON(toUserJSON(u))
}
