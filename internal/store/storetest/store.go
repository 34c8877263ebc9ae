package storetest

import (
	"context"
	"testing"

	"github.com/candorhq/candor/internal/store"
)

// Store returns a Store on a fresh database of this test (see DB), its
// indexes created.
func Store(t testing.TB) *store.Store {
	t.Helper()
	st := store.New(DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}
