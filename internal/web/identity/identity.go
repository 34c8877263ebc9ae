// Package identity carries the signed-in staff member through a request:
// the session and bearer middleware put them in, staff pages and the API
// read them. Respondent pages never import it: their link is the only
// credential they know.
package identity

import (
	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
)

// Keys for c.Locals; private types so no other package can collide.
type (
	userKey   struct{}
	claimsKey struct{}
)

// Set records who the request was admitted as.
func Set(c *fiber.Ctx, u store.User, cl *auth.Claims) {
	c.Locals(userKey{}, u)
	c.Locals(claimsKey{}, cl)
}

// User is the user the session or bearer middleware authenticated.
func User(c *fiber.Ctx) (store.User, bool) {
	u, ok := c.Locals(userKey{}).(store.User)
	return u, ok
}

// Claims are the claims of the token the request was admitted with.
func Claims(c *fiber.Ctx) *auth.Claims {
	cl, _ := c.Locals(claimsKey{}).(*auth.Claims)
	return cl
}

// Actor is the signed-in user of a route behind the session or bearer
// middleware, which always put one there; the zero user elsewhere.
func Actor(c *fiber.Ctx) store.User {
	u, _ := User(c)
	return u
}
