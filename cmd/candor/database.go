package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/embedded"
)

// loadConfig reads and validates the environment.
func loadConfig(getenv func(string) string) (config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated already
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Env == config.Production {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore connects to CANDOR_MONGODB_URI, or starts the embedded database
// in the data directory when none is configured. The returned func closes
// both, in order.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (*store.Store, func(), error) {
	uri := cfg.MongoURI
	var emb *embedded.Server
	if cfg.Embedded() {
		var err error
		emb, err = embedded.Start(ctx, embedded.Options{DataDir: cfg.DataDir, Addr: "127.0.0.1:0", Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		uri = emb.URI() + store.DefaultDatabase
		logger.Info("embedded database started", "uri", uri, "data_dir", cfg.DataDir)
	}
	st, err := store.Open(ctx, uri)
	if err != nil {
		if emb != nil {
			_ = emb.Close()
		}
		return nil, nil, err
	}
	closeAll := func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := st.Close(shutdownCtx); err != nil {
			logger.Warn("closing database client", "err", err)
		}
		if emb != nil {
			if err := emb.Close(); err != nil {
				logger.Warn("stopping embedded database", "err", err)
			}
		}
	}
	return st, closeAll, nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "indexes are up to date")
	return nil
}

// db runs only the embedded database, so that several Candor processes on
// one machine can share it through CANDOR_MONGODB_URI.
func db(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("db", stderr)
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	addr := fs.String("addr", "127.0.0.1:27017", "TCP address of the database front (loopback only)")
	dataDir := fs.String("data-dir", cfg.DataDir, "directory for the database files")
	printURI := fs.Bool("print-uri", false, "print only the URI on stdout once ready")
	exitOnEOF := fs.Bool("exit-on-stdin-eof", false, "stop when standard input closes (for test harnesses)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	if *exitOnEOF {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			cancel()
		}()
	}
	return embedded.Run(ctx, embedded.Options{DataDir: *dataDir, Addr: *addr, Logger: logger}, func(uri string) {
		if *printURI {
			fmt.Fprintln(stdout, uri)
			return
		}
		logger.Info("embedded database ready; point other processes at it with CANDOR_MONGODB_URI", "uri", uri+store.DefaultDatabase)
	})
}
