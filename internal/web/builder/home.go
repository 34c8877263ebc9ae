package builder

import "github.com/gofiber/fiber/v2"

// Home is the start page after sign-in: the survey list.
func (s *Pages) Home(c *fiber.Ctx) error {
	return s.List(c)
}
