package staff

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
)

// The dev outbox is where survey email goes when no SMTP server is
// configured: admins read it here, and API clients (tests, scripts) there.

const outboxPerPage = 50

// outboxPage is what outbox.html shows.
type outboxPage struct {
	Messages []outbox.DevMail
	Pager    pager.Pager
	SMTP     bool // an SMTP server is configured, so nothing new arrives here
}

// OutboxList lists the dev outbox, newest first.
func (s *Pages) OutboxList(c *fiber.Ctx) error {
	n := pager.Number(c)
	actor, _ := identity.User(c)
	msgs, total, err := s.campaigns.OutboxMessages(c.UserContext(), actor, store.Page{Offset: int64(n-1) * outboxPerPage, Limit: outboxPerPage})
	if err != nil {
		return err
	}
	p := outboxPage{Messages: msgs, Pager: pager.New("/admin/outbox", nil, n, outboxPerPage, len(msgs), total), SMTP: s.smtp}
	p.Pager.NewestFirst = true
	return s.views.Render(c, fiber.StatusOK, "outbox", "Dev outbox", p)
}

// outboxMessagePage is what outbox_message.html shows.
type outboxMessagePage struct {
	Message outbox.DevMail
	Frame   string // the HTML part, served for a sandboxed frame
	Raw     string
}

// OutboxMessage shows one message: headers, text, and the HTML in a frame.
func (s *Pages) OutboxMessage(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	m, err := s.campaigns.OutboxMessage(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	base := "/admin/outbox/" + url.PathEscape(m.ID)
	return s.views.Render(c, fiber.StatusOK, "outbox_message", m.Subject, outboxMessagePage{Message: m, Frame: base + "/html", Raw: base + "/raw"})
}

// OutboxHTML serves a message's HTML part for the frame on its page, under
// a policy that lets it run nothing and load nothing.
func (s *Pages) OutboxHTML(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	m, err := s.campaigns.OutboxMessage(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return sendFramedHTML(c, m.HTML)
}

// OutboxRaw serves the message as the SMTP server would have received it.
func (s *Pages) OutboxRaw(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	m, err := s.campaigns.OutboxMessage(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(m.Raw)
}
