// Package docs holds Candor's documentation. The OpenAPI description of the
// JSON API is embedded, so that the server publishes the very document
// kept here.
package docs

import _ "embed"

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the JSON API, as JSON. The
// slice is the caller's.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }
