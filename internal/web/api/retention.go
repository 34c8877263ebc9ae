package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/retention"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
)

// RetentionService is what the API uses of the retention policy
// (*retention.Service).
type RetentionService interface {
	Policy(ctx context.Context, actor store.User) (retention.Policy, store.RetentionPolicy, error)
	SavePolicy(ctx context.Context, actor store.User, p retention.Policy) (retention.Policy, error)
	Defaults() retention.Policy
	Preview(ctx context.Context, actor store.User) (retention.Preview, error)
}

var _ RetentionService = (*retention.Service)(nil)

// RetentionJSON is the retention policy as the API shows it.
type RetentionJSON struct {
	retention.Policy
	Defaults  retention.Policy `json:"defaults"`            // the configured values, which a saved policy overrides
	UpdatedAt *time.Time       `json:"updatedAt,omitempty"` // when it was last saved; absent: never
}

// Retention returns the retention policy in effect.
func (s *API) Retention(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	p, stored, err := s.retention.Policy(c.UserContext(), actor)
	if err != nil {
		return err
	}
	out := RetentionJSON{Policy: p, Defaults: s.retention.Defaults()}
	if !stored.UpdatedAt.IsZero() {
		out.UpdatedAt = &stored.UpdatedAt
	}
	return c.JSON(out)
}

// SaveRetention replaces the retention policy with the body's:
// {"contactMonths","namedMonths","devOutboxDays","deadLetterDays"}, each
// required (an absent one is 0, off).
func (s *API) SaveRetention(c *fiber.Ctx) error {
	var in retention.Policy
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	actor, _ := identity.User(c)
	if _, err := s.retention.SavePolicy(c.UserContext(), actor, in); err != nil {
		return err
	}
	return s.Retention(c)
}

// RetentionPreview tells what the next retention run would remove.
func (s *API) RetentionPreview(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	p, err := s.retention.Preview(c.UserContext(), actor)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
