package staff

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/pager"
)

const auditPerPage = 50

// auditPage is admin_audit.html.
type auditPage struct {
	Entries []auditRow
	Target  string // the person the list is limited to; empty: everyone
	pager.Pager
}

type auditRow struct {
	At, ISO, Actor, Action, Person, Detail, RequestID string
}

// AdminAudit lists staff actions on personal data, newest first, a page at
// a time; ?target= limits it to one person.
func (s *Pages) AdminAudit(c *fiber.Ctx) error {
	n := max(c.QueryInt("page", 1), 1)
	target := c.Query("target")
	offset := int64(n-1) * auditPerPage
	entries, total, err := s.privacy.AuditLog(c.UserContext(), store.AuditFilter{Target: target}, store.Page{Offset: offset, Limit: auditPerPage})
	if err != nil {
		return err
	}
	page := auditPage{Target: target, Pager: pager.New("/admin/audit", url.Values{"target": {target}}, n, auditPerPage, len(entries), total)}
	page.NewestFirst = true
	for _, e := range entries {
		page.Entries = append(page.Entries, auditRow{
			At: e.At.UTC().Format("2 Jan 2006 15:04:05") + " UTC", ISO: e.At.UTC().Format(time.RFC3339),
			Actor: e.ActorEmail, Action: audit.Action(e.Action).Label(), Person: e.Target, Detail: e.Detail, RequestID: e.RequestID,
		})
	}
	return s.views.Render(c, fiber.StatusOK, "admin_audit", "Audit log", page)
}
