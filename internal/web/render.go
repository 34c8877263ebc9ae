package web

import (
	"html/template"
	"io/fs"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/view"
)

// parseViews parses every template under views/ with the functions pages use.
func parseViews(fsys fs.FS, st *assets) (*view.Set, error) {
	return view.Parse(fsys, template.FuncMap{
		"asset":     st.url,
		"roleLabel": labels.Role,
		"date":      func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"isoDate":   func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	})
}

// layoutData is what every page receives; Page is the page's own data.
type layoutData struct {
	Title   string
	User    *store.User // nil when signed out
	Nav     []navLink
	CSRF    string
	Version string
	Page    any
}

type navLink struct {
	Href, Label string
	Current     bool
}

// navFor lists the sections u may open, by the questions their routes ask,
// with the optional admin pages this server serves.
func navFor(u *store.User, path string, optional adminPages) []navLink {
	a := policy.Of(*u)
	link := func(href, label string) navLink {
		return navLink{Href: href, Label: label, Current: href == path || href != "/" && strings.HasPrefix(path, href)}
	}
	links := []navLink{link("/", "Home"), link("/surveys", "Surveys")}
	if policy.CanManageCustomers(a) {
		links = append(links, link("/accounts", "Accounts"), link("/contacts", "Contacts"))
	}
	if policy.CanSeeFollowups(a) {
		links = append(links, link("/followups", "Follow-ups"))
	}
	if policy.CanAdminister(a) {
		links = append(links, link("/admin/users", "Users"), link("/admin/privacy", "Privacy requests"), link("/admin/audit", "Audit log"))
		for _, p := range []struct {
			served      bool
			href, label string
		}{
			{optional.Webhooks, "/admin/webhooks", "Webhooks"},
			{optional.Retention, "/admin/retention", "Retention"},
			{optional.DevOutbox, "/admin/outbox", "Dev outbox"},
		} {
			if p.served {
				links = append(links, link(p.href, p.label))
			}
		}
	}
	return links
}

// adminPages are the admin pages a server may or may not serve.
type adminPages struct {
	DevOutbox bool // no SMTP server: mail goes to the dev outbox
	Webhooks  bool
	Retention bool
}

// RenderBlock renders one block of a staff page with data, without the
// layout: a fragment a page's script puts in place.
func (s *Server) RenderBlock(c *fiber.Ctx, status int, name, block string, data any) error {
	return s.views.RenderBlock(c, status, name, block, data)
}

// Render draws a staff page within the staff layout: the signed-in user's
// navigation and the CSRF token for its forms.
func (s *Server) Render(c *fiber.Ctx, status int, name, title string, page any) error {
	data := layoutData{Title: title, CSRF: s.csrfToken(c), Version: s.version, Page: page}
	if u, ok := identity.User(c); ok {
		data.User = &u
		data.Nav = navFor(&u, c.Path(), adminPages{
			DevOutbox: s.campaigns != nil && s.cfg.SMTPURL == "", Webhooks: s.webhooks != nil, Retention: s.retention != nil})
	}
	return s.views.Render(c, status, name, data)
}
