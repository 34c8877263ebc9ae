package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/store"
)

// viewSet maps a page name to its template, parsed with the layout.
type viewSet map[string]*template.Template

// pageNames lists every page; each is views/<name>.html. Each area of
// handlers lists its own pages next to its routes.
func pageNames() []string {
	core := []string{"login", "home", "admin_users", "admin_user_new", "admin_user_edit", "error",
		"profile", "password_forgot", "password_reset"}
	return slices.Concat(core, customerPages(), surveyPages(), campaignPages(), respondentPages(), followupPages())
}

// partialNames lists templates that only define blocks ({{define "x"}})
// for pages to share; each is views/<name>.html and is parsed with every page.
func partialNames() []string { return slices.Concat(surveyPartials(), customerPartials()) }

// parseViews parses each page together with the layout. Parsing every page
// separately keeps their "content" blocks from overwriting one another.
func parseViews(fsys fs.FS, st *assets) (viewSet, error) {
	vs := make(viewSet)
	if err := parseWithLayout(fsys, st, "layout.html", pageNames(), vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// parseWithLayout adds each named page to vs, parsed with layout and the
// shared partials.
func parseWithLayout(fsys fs.FS, st *assets, layout string, names []string, vs viewSet) error {
	funcs := template.FuncMap{
		"asset":     st.url,
		"roleLabel": roleLabel,
		"date":      func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"isoDate":   func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	}
	var partials []string
	for _, name := range partialNames() {
		partials = append(partials, name+".html")
	}
	for _, name := range names {
		t, err := template.New(layout).Option("missingkey=zero").Funcs(funcs).
			ParseFS(fsys, slices.Concat([]string{layout, name + ".html"}, partials)...)
		if err != nil {
			return fmt.Errorf("web: view %s: %w", name, err)
		}
		vs[name] = t
	}
	return nil
}

func roleLabel(r store.Role) string {
	switch r {
	case store.RoleAdmin:
		return "Admin"
	case store.RoleManager:
		return "Manager"
	case store.RoleAnalyst:
		return "Analyst"
	}
	return string(r)
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

// navFor lists the sections u's role may open.
func navFor(u *store.User, path string) []navLink {
	links := []navLink{{Href: "/", Label: "Surveys", Current: path == "/" || strings.HasPrefix(path, "/surveys")}}
	if u.Role == store.RoleAdmin || u.Role == store.RoleManager {
		links = append(links,
			navLink{Href: "/accounts", Label: "Accounts", Current: strings.HasPrefix(path, "/accounts")},
			navLink{Href: "/contacts", Label: "Contacts", Current: strings.HasPrefix(path, "/contacts")})
		links = append(links, navLink{Href: "/followups", Label: "Follow-ups", Current: strings.HasPrefix(path, "/followups")})
	}
	if u.Role == store.RoleAdmin {
		links = append(links, navLink{Href: "/admin/users", Label: "Users", Current: strings.HasPrefix(path, "/admin/users")})
		links = append(links,
			navLink{Href: "/admin/privacy", Label: "Privacy requests", Current: strings.HasPrefix(path, "/admin/privacy")},
			navLink{Href: "/admin/audit", Label: "Audit log", Current: strings.HasPrefix(path, "/admin/audit")})
	}
	return links
}

// render executes a page into a buffer first, so a template error becomes
// an error page instead of half a page.
func (s *Server) render(c *fiber.Ctx, status int, name, title string, page any) error {
	t, ok := s.views[name]
	if !ok {
		return fmt.Errorf("web: no view %q", name)
	}
	data := layoutData{Title: title, CSRF: s.csrfToken(c), Version: s.version, Page: page}
	if u, ok := currentUser(c); ok {
		data.User = &u
		data.Nav = navFor(&u, c.Path())
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}
