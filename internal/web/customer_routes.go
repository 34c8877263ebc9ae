package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/customer"
)

// CustomerService is the part of *customer.Service the web layer uses.
type CustomerService interface {
}

var _ CustomerService = (*customer.Service)(nil)

// customerPages lists the views of the accounts and contacts area.
func customerPages() []string { return nil }

// customerRoutes registers the accounts and contacts API and pages.
func (s *Server) customerRoutes(api fiber.Router, app fiber.Router) {}
