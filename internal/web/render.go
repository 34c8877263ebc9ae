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

// navFor lists the sections u may open, by the questions their routes ask.
// devOutbox says that survey mail goes to the dev outbox (no SMTP), the
// only time admins have messages to read there; webhooks, that webhooks
// are configured here.
func navFor(u *store.User, path string, devOutbox, webhooks bool) []navLink {
	a := policy.Of(*u)
	links := []navLink{
		{Href: "/", Label: "Home", Current: path == "/"},
		{Href: "/surveys", Label: "Surveys", Current: strings.HasPrefix(path, "/surveys")},
	}
	if policy.CanManageCustomers(a) {
		links = append(links,
			navLink{Href: "/accounts", Label: "Accounts", Current: strings.HasPrefix(path, "/accounts")},
			navLink{Href: "/contacts", Label: "Contacts", Current: strings.HasPrefix(path, "/contacts")})
	}
	if policy.CanSeeFollowups(a) {
		links = append(links, navLink{Href: "/followups", Label: "Follow-ups", Current: strings.HasPrefix(path, "/followups")})
	}
	if policy.CanAdminister(a) {
		links = append(links, navLink{Href: "/admin/users", Label: "Users", Current: strings.HasPrefix(path, "/admin/users")})
		links = append(links,
			navLink{Href: "/admin/privacy", Label: "Privacy requests", Current: strings.HasPrefix(path, "/admin/privacy")},
			navLink{Href: "/admin/audit", Label: "Audit log", Current: strings.HasPrefix(path, "/admin/audit")})
		if webhooks {
			links = append(links, navLink{Href: "/admin/webhooks", Label: "Webhooks", Current: strings.HasPrefix(path, "/admin/webhooks")})
		}
		if devOutbox {
			links = append(links, navLink{Href: "/admin/outbox", Label: "Dev outbox", Current: strings.HasPrefix(path, "/admin/outbox")})
		}
	}
	return links
}

// withRetention adds the retention page to an admin's links when it is
// served.
func withRetention(links []navLink, u *store.User, path string, served bool) []navLink {
	if !served || !policy.CanAdminister(policy.Of(*u)) {
		return links
	}
	return append(links, navLink{Href: "/admin/retention", Label: "Retention", Current: strings.HasPrefix(path, "/admin/retention")})
}

// Render draws a staff page within the staff layout: the signed-in user's
// navigation and the CSRF token for its forms.
// RenderBlock renders one block of a staff page with data, without the
// layout: a fragment a page's script puts in place.
func (s *Server) RenderBlock(c *fiber.Ctx, status int, name, block string, data any) error {
	return s.views.RenderBlock(c, status, name, block, data)
}

func (s *Server) Render(c *fiber.Ctx, status int, name, title string, page any) error {
	data := layoutData{Title: title, CSRF: s.csrfToken(c), Version: s.version, Page: page}
	if u, ok := identity.User(c); ok {
		data.User = &u
		data.Nav = navFor(&u, c.Path(), s.campaigns != nil && s.cfg.SMTPURL == "", s.webhooks != nil)
		data.Nav = withRetention(data.Nav, &u, c.Path(), s.retention != nil)
	}
	return s.views.Render(c, status, name, data)
}
