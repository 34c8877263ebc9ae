//go:build noembed

package embedded

import (
	"context"
	"errors"
)

// Server is a running embedded database; this build has none.
type Server struct{}

// Start fails: this build leaves FerretDB out.
func Start(context.Context, Options) (*Server, error) {
	return nil, errors.New("embedded: this build has no embedded database; set CANDOR_MONGODB_URI")
}

// URI is empty: there is no server.
func (*Server) URI() string { return "" }

// Close does nothing.
func (*Server) Close() error { return nil }
