// Package public holds Candor's static files (styles, icons, scripts that
// only enhance), embedded in the
// binary and served under /static/ with content-hashed names.
package public

import "embed"

// FS holds every static file, by path relative to this directory.
//
//go:embed css img js
var FS embed.FS
