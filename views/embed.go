// Package views holds Candor's HTML templates, embedded in the binary: a
// folder per audience (staff, respondent) with its layout.html, pages and
// partials ("_" names), and shared/ for partials every page may use.
package views

import "embed"

// FS holds every template.
//
//go:embed */*.html
var FS embed.FS
