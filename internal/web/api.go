package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/problem"
)

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

// userJSON is a user as the API shows it; never the password hash.
type userJSON struct {
	ID        string     `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      store.Role `json:"role"`
	Disabled  bool       `json:"disabled"`
	CreatedAt time.Time  `json:"createdAt"`
}

func toUserJSON(u store.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// decodeJSON reads the body into dst: exactly one JSON value with only
// known fields. A mistyped field name is an error, not a silent no-op.
func decodeJSON(c *fiber.Ctx, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return problem.BadRequest("invalid input", map[string]string{typeErr.Field: "has the wrong type"})
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return problem.BadRequest("invalid input", map[string]string{strings.Trim(field, `"`): "is not a known field"})
	}
	return problem.BadRequest("request body is not valid JSON", nil)
}
