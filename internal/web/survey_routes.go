package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/surveys"
)

// SurveyService is the part of *surveys.Service the web layer uses.
type SurveyService interface {
}

var _ SurveyService = (*surveys.Service)(nil)

// surveyPages lists the views of the survey area.
func surveyPages() []string { return nil }

// surveyRoutes registers the surveys API and the survey builder pages.
func (s *Server) surveyRoutes(api fiber.Router, app fiber.Router) {}
