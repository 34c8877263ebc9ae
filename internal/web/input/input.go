// Package input reads request values that outlive the handler.
//
// Fiber's strings alias request buffers it reuses once the handler returns
// (the app does not run Immutable, for speed). Values handed to services,
// which may keep them (a cache, a rate limiter's map), are copied first.
package input

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// Form is the form value key, copied.
func Form(c *fiber.Ctx, key string) string { return utils.CopyString(c.FormValue(key)) }

// Param is the route parameter key, copied.
func Param(c *fiber.Ctx, key string) string { return utils.CopyString(c.Params(key)) }

// Values is every value of a repeated form field, copied.
func Values(c *fiber.Ctx, key string) []string {
	var out []string
	if form, err := c.MultipartForm(); err == nil {
		return append(out, form.Value[key]...)
	}
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

// SafeMethod reports whether m changes nothing, so needs no CSRF or
// cross-site check.
func SafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions || m == fiber.MethodTrace
}
