package web

import "github.com/gofiber/fiber/v2"

// home is the start page after sign-in: the survey list.
func (s *Server) home(c *fiber.Ctx) error {
	return s.surveyList(c)
}
