package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/docs"
)

// OpenAPI serves the OpenAPI document of this API, docs/openapi.json, to
// anyone: it describes the API, not any data, and tools fetch it before
// they have a token.
func (s *API) OpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(docs.OpenAPI())
}
