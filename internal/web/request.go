package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// Fiber's strings alias request buffers it reuses once the handler returns
// (the app does not run Immutable, for speed). Values handed to services,
// which may keep them (a cache, a rate limiter's map), are copied first.

func formValue(c *fiber.Ctx, key string) string { return utils.CopyString(c.FormValue(key)) }

func param(c *fiber.Ctx, key string) string { return utils.CopyString(c.Params(key)) }
