package web

import "github.com/gofiber/fiber/v2"

// RespondentService is what the web layer uses of answering and of
// respondents' rights.
type RespondentService interface {
}

// respondentPages lists the views of the respondent area.
func respondentPages() []string { return nil }

// respondentRoutes registers the respondent pages under /s and the admin
// pages for data-subject requests.
func (s *Server) respondentRoutes(api fiber.Router, app fiber.Router) {}
