package web

import "github.com/gofiber/fiber/v2"

// home is the start page after sign-in.
func (s *Server) home(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "home", "Surveys", nil)
}
