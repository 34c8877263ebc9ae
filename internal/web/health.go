package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/candorhq/candor/internal/web/problem"
	"github.com/gofiber/fiber/v2"
)

const healthTimeout = 2 * time.Second

type healthResponse struct {
	Status string `json:"status"`
}

// healthz reports whether the database answers within healthTimeout, for
// load balancers and orchestrators.
func (s *Server) healthz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), healthTimeout)
	defer cancel()
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.db.Ping(ctx); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "health check: database unavailable",
			slog.String("request_id", problem.RequestID(c)), slog.String("error", err.Error()))
		return c.Status(fiber.StatusServiceUnavailable).JSON(healthResponse{Status: "unavailable"})
	}
	return c.JSON(healthResponse{Status: "ok"})
}
