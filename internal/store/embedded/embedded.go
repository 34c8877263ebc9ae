//go:build !noembed

package embedded

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Unix socket paths are limited to about 104 bytes (macOS) or 108 (Linux).
const maxSocketPath = 100

// startTimeout bounds start-up when ctx has no deadline.
const startTimeout = time.Minute

// Server is a running embedded database.
type Server struct {
	log    *slog.Logger
	uri    string
	front  *front
	ids    *idIndexer
	tmpDir string // socket directory to remove, when DataDir was too long for a socket path

	stopDB context.CancelFunc
	dbDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start starts FerretDB on a Unix socket in opts.DataDir and the front on opts.Addr.
// It returns once the front forwards a ping that FerretDB answers.
//
// Only one Server may run per process at a time on a given DataDir, and Start must
// not be called concurrently with another Start: FerretDB's constructor sets a
// process-wide value.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("embedded: no data directory")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("embedded: data directory: %w", err)
	}
	// The directory ends up in SQLite URIs, where these characters mean something.
	if strings.ContainsAny(dataDir, "?#%") {
		return nil, fmt.Errorf("embedded: data directory %q: must not contain '?', '#' or '%%'", dataDir)
	}
	dbDir := filepath.Join(dataDir, "db")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}

	log := opts.logger()
	s := &Server{log: log}
	ok := false
	defer func() {
		if !ok {
			_ = s.Close()
		}
	}()

	sock, err := s.socketPath(dataDir)
	if err != nil {
		return nil, err
	}
	if err := removeStaleSocket(sock); err != nil {
		return nil, err
	}

	// Index existing databases before FerretDB opens them.
	s.ids = newIDIndexer(dbDir, log)
	s.ids.fixAll()

	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{Unix: sock},
		Handler:  "sqlite",
		// FerretDB passes the query on to modernc.org/sqlite, which runs each
		// _pragma on every connection it opens; FerretDB adds its own
		// (busy_timeout, journal_mode(wal), auto_vacuum) after ours.
		SQLiteURL: "file:" + dbDir + "/?_pragma=" + secureDelete,
		Logger:    slog.New(minLevel{h: log.Handler(), min: slog.LevelWarn}).With("component", "ferretdb"),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: start FerretDB: %w", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	s.stopDB = stop
	s.dbDone = make(chan struct{})
	go func() {
		defer close(s.dbDone)
		if err := fdb.Run(runCtx); err != nil {
			log.Error("embedded: FerretDB stopped", "err", err)
		}
	}()

	ln, err := net.Listen("tcp", opts.addr())
	if err != nil {
		return nil, fmt.Errorf("embedded: listen: %w", err)
	}
	dial := func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}
	s.front = newFront(ln, dial, s.ids, log)
	s.uri = "mongodb://" + uriHost(ln.Addr()) + "/"

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}
	if err := ping(ctx, "tcp", ln.Addr().String()); err != nil {
		return nil, fmt.Errorf("embedded: FerretDB does not answer: %w", err)
	}
	ok = true
	log.Debug("embedded: database ready", "uri", s.uri, "dir", dbDir)
	return s, nil
}

// URI is the MongoDB connection string of the front.
func (s *Server) URI() string { return s.uri }

// Close stops the front, then FerretDB. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.front != nil {
			s.front.close()
		}
		if s.stopDB != nil {
			s.stopDB()
			<-s.dbDone
		}
		var errs []error
		if s.ids != nil {
			errs = append(errs, s.ids.close())
		}
		if s.tmpDir != "" {
			errs = append(errs, os.RemoveAll(s.tmpDir))
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("embedded: close: %w", err)
		}
	})
	return s.closeErr
}

// socketPath returns where FerretDB listens: in dataDir, or in a fresh temporary
// directory when that path would be too long for a socket.
func (s *Server) socketPath(dataDir string) (string, error) {
	const name = "ferretdb.sock"
	if p := filepath.Join(dataDir, name); len(p) < maxSocketPath {
		return p, nil
	}
	dir, err := os.MkdirTemp("", "candor-db-")
	if err != nil {
		return "", fmt.Errorf("embedded: socket directory: %w", err)
	}
	s.tmpDir = dir
	p := filepath.Join(dir, name)
	if len(p) >= maxSocketPath {
		return "", fmt.Errorf("embedded: socket path %q is too long", p)
	}
	return p, nil
}

// removeStaleSocket removes a socket left by a process that did not stop cleanly,
// and refuses to start when a live server answers on it.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("embedded: %s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close()
		return fmt.Errorf("embedded: another process serves the database at %s", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("embedded: remove stale socket: %w", err)
	}
	return nil
}

// uriHost names a listener address the way a client should dial it.
func uriHost(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
}

// minLevel drops records below min; FerretDB logs every connection at Info.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(as), min: m.min}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}
