// Package view parses Candor's HTML templates and renders pages.
//
// The templates are found by their place in views/, with no list of names
// to keep: each folder is an audience with its own layout.html; every other
// file in it is a page named after the file, parsed with that layout, the
// folder's partials (files whose names start with "_") and the partials in
// shared/. Everything is parsed at start, so a broken template fails
// start-up rather than a request.
package view

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

const (
	layoutFile   = "layout.html"
	sharedFolder = "shared"
)

// Set is every page, by name.
type Set struct {
	pages map[string]*template.Template
}

// Parse reads every folder of fsys. Two pages of one name, or a folder of
// pages without a layout, are errors.
func Parse(fsys fs.FS, funcs template.FuncMap) (*Set, error) {
	shared, err := fs.Glob(fsys, sharedFolder+"/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	folders, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	s := &Set{pages: map[string]*template.Template{}}
	for _, d := range folders {
		if !d.IsDir() || d.Name() == sharedFolder {
			continue
		}
		if err := s.parseFolder(fsys, d.Name(), shared, funcs); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Set) parseFolder(fsys fs.FS, folder string, shared []string, funcs template.FuncMap) error {
	files, err := fs.Glob(fsys, folder+"/*.html")
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	layout := path.Join(folder, layoutFile)
	var pages, partials []string
	for _, f := range files {
		switch base := path.Base(f); {
		case base == layoutFile:
		case strings.HasPrefix(base, "_"):
			partials = append(partials, f)
		default:
			pages = append(pages, f)
		}
	}
	if len(pages) == 0 {
		return nil
	}
	if !slices.Contains(files, layout) {
		return fmt.Errorf("view: %s has pages but no %s", folder, layoutFile)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(path.Base(page), ".html")
		if _, dup := s.pages[name]; dup {
			return fmt.Errorf("view: two pages named %s", name)
		}
		// Each page is parsed on its own, so that the pages' "content"
		// blocks do not overwrite one another.
		t, err := template.New(layoutFile).Option("missingkey=zero").Funcs(funcs).
			ParseFS(fsys, slices.Concat([]string{layout, page}, partials, shared)...)
		if err != nil {
			return fmt.Errorf("view: %s: %w", page, err)
		}
		s.pages[name] = t
	}
	return nil
}

// Has reports whether there is a page called name.
func (s *Set) Has(name string) bool {
	_, ok := s.pages[name]
	return ok
}

// Render executes page name within its layout into a buffer first, so
// that a template error becomes an error page instead of half a page.
func (s *Set) Render(c *fiber.Ctx, status int, name string, data any) error {
	return s.RenderBlock(c, status, name, layoutFile, data)
}

// RenderBlock is Render for a page that is a document of its own,
// defined as block in the page's file rather than by the layout.
func (s *Set) RenderBlock(c *fiber.Ctx, status int, name, block string, data any) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("view: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return fmt.Errorf("view: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}
