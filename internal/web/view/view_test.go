package view

import (
	"html/template"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParse(t *testing.T) {
	t.Parallel()
	layout := &fstest.MapFile{Data: []byte(`<main>{{template "content" .}}</main>`)}
	page := func(body string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{{define "content"}}` + body + `{{end}}`)}
	}
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		pages []string // want parsed
		err   string   // want an error naming this
	}{
		{"a folder per audience, with partials of its own and shared ones", fstest.MapFS{
			"staff/layout.html":    layout,
			"staff/home.html":      page(`{{template "row"}} {{template "form"}}`),
			"staff/_row.html":      {Data: []byte(`{{define "row"}}row{{end}}`)},
			"shared/form.html":     {Data: []byte(`{{define "form"}}form{{end}}`)},
			"people/layout.html":   layout,
			"people/thanks.html":   page(`{{template "form"}}`),
			"people/notes.txt":     {Data: []byte(`not a template`)},
			"empty/_unused.html":   {Data: []byte(`{{define "x"}}{{end}}`)},
			"staff/sub/skip.html":  page(`nested folders are not pages`),
			"people/_partial.html": {Data: []byte(`{{define "p"}}{{end}}`)},
		}, []string{"home", "thanks"}, ""},
		{"pages without a layout", fstest.MapFS{"staff/home.html": page("x")}, nil, "staff has pages but no layout.html"},
		{"two pages of one name", fstest.MapFS{
			"staff/layout.html": layout, "staff/home.html": page("a"),
			"people/layout.html": layout, "people/home.html": page("b"),
		}, nil, "two pages named home"},
		{"a page that does not parse", fstest.MapFS{"staff/layout.html": layout, "staff/home.html": page("{{if}}")}, nil, "staff/home.html"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.fsys, template.FuncMap{})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want one naming %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(s.pages) != len(tt.pages) {
			t.Errorf("%s: %d pages, want %v", tt.name, len(s.pages), tt.pages)
		}
		for _, p := range tt.pages {
			if !s.Has(p) {
				t.Errorf("%s: no page %s", tt.name, p)
			}
		}
	}
}
