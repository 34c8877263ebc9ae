// Package embedded runs the database Candor uses when no MongoDB is configured:
// FerretDB with its SQLite backend, reachable only through a MongoDB wire-protocol
// front on 127.0.0.1 that runs write commands one at a time.
//
// FerretDB applies an update as read-then-write without isolation, so two concurrent
// updates of one document can lose one of them. MongoDB guarantees single-document
// atomicity and Candor relies on it; serialising writes in the front restores it.
//
// Build with the noembed tag to leave FerretDB out of the binary.
package embedded

import (
	"context"
	"log/slog"
)

// Options configure the embedded database.
type Options struct {
	// DataDir holds the SQLite files (in DataDir/db) and FerretDB's Unix socket.
	DataDir string
	// Addr is the TCP address of the front; "127.0.0.1:0" (a random port) when empty.
	Addr string
	// Logger receives the front's logs and FerretDB's warnings; nil discards them.
	Logger *slog.Logger
}

const defaultAddr = "127.0.0.1:0"

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o Options) addr() string {
	if o.Addr == "" {
		return defaultAddr
	}
	return o.Addr
}

// Run starts the embedded database, calls ready with its URI, serves until ctx is
// done and then closes it.
func Run(ctx context.Context, opts Options, ready func(uri string)) error {
	s, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(s.URI())
	}
	<-ctx.Done()
	return s.Close()
}
