package web

import "github.com/gofiber/fiber/v2"

// CampaignService is what the web layer uses of campaigns and delivery.
type CampaignService interface {
}

// campaignPages lists the views of the campaigns area.
func campaignPages() []string { return nil }

// campaignRoutes registers campaigns, the dev outbox and unsubscribe links.
func (s *Server) campaignRoutes(api fiber.Router, app fiber.Router) {}
