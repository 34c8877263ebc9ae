package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/problem"
)

// UserJSON is a user as the API shows it; never the password hash.
type UserJSON struct {
	ID        string     `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      store.Role `json:"role"`
	Disabled  bool       `json:"disabled"`
	CreatedAt time.Time  `json:"createdAt"`
}

func toUserJSON(u store.User) UserJSON {
	return UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
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
