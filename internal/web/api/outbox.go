package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// OutboxJSON is a dev outbox message as the API shows it.
type OutboxJSON struct {
	ID        string            `json:"id"`
	To        string            `json:"to"`
	Subject   string            `json:"subject"`
	Text      string            `json:"text"`
	HTML      string            `json:"html"`
	Headers   map[string]string `json:"headers"`
	CreatedAt time.Time         `json:"createdAt"`
}

func toOutboxJSON(m outbox.DevMail) OutboxJSON {
	h := make(map[string]string, len(m.Headers))
	for _, f := range m.Headers {
		h[f.Name] = f.Value
	}
	return OutboxJSON{ID: m.ID, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Headers: h, CreatedAt: m.CreatedAt}
}

// Outbox lists the dev outbox, newest first: ?offset=0&limit=50.
func (s *API) Outbox(c *fiber.Ctx) error {
	fields := map[string]string{}
	offset := queryInt(c, "offset", 0, fields)
	limit := queryInt(c, "limit", 50, fields)
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}
	actor, _ := identity.User(c)
	msgs, total, err := s.campaigns.OutboxMessages(c.UserContext(), actor, store.Page{Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	items := make([]OutboxJSON, len(msgs))
	for i, m := range msgs {
		items[i] = toOutboxJSON(m)
	}
	return c.JSON(fiber.Map{"items": items, "total": total})
}

// OutboxMessage returns one dev outbox message.
func (s *API) OutboxMessage(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	m, err := s.campaigns.OutboxMessage(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(toOutboxJSON(m))
}
