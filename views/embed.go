// Package views holds Candor's HTML templates, embedded in the binary.
// Each page template is parsed together with layout.html.
package views

import "embed"

// FS holds the layout and every page template.
//
//go:embed *.html
var FS embed.FS
