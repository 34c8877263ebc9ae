package storetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/embedded"
)

// ownStart keeps in-process servers from starting at the same time, which
// FerretDB does not allow.
var ownStart sync.Mutex

// Embedded returns a Store on an embedded database server of this test's
// own, migrated, and the data directory its SQLite files are in
// (DataDir/db), for tests that read those files. It runs in a child
// process when CANDOR_TEST_DB_BIN is set, else in this process; with
// CANDOR_TEST_MONGODB_URI set the test is skipped, as there are no files
// to read. Server and files go when the test ends.
func Embedded(t testing.TB) (*store.Store, string) {
	t.Helper()
	if os.Getenv(EnvMongoURI) != "" {
		t.Skip("storetest: the files of an embedded database are needed; CANDOR_TEST_MONGODB_URI is set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "candor-own-")
	if err != nil {
		t.Fatal(err)
	}
	var uri string
	var stop func() error
	if bin := os.Getenv(EnvDBBin); bin != "" {
		srv, err := startBinaryIn(ctx, bin, dir)
		if err != nil {
			t.Fatal(err)
		}
		uri, stop = srv.uri, srv.stop
	} else {
		get(t) // the shared server first: two in-process starts must not overlap
		ownStart.Lock()
		s, err := embedded.Start(ctx, embedded.Options{DataDir: dir})
		ownStart.Unlock()
		if err != nil {
			_ = os.RemoveAll(dir)
			t.Fatal(err)
		}
		uri, stop = s.URI(), func() error { return errors.Join(s.Close(), os.RemoveAll(dir)) }
	}
	st, err := store.Open(ctx, uri+store.DefaultDatabase)
	if err != nil {
		_ = stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := errors.Join(st.Close(closeCtx), stop()); err != nil {
			t.Errorf("storetest: stop own server: %v", err)
		}
	})
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st, filepath.Join(dir, "db")
}
