package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

// A unique index broken by an update must come back as ErrDuplicate, as
// from an insert: FerretDB reports it in a form of its own.
func TestAccountRenameToATakenNameIsADuplicate(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	kone := store.Account{ID: store.NewID(), Name: "Kone", NameKey: store.FoldName("Kone"), ManagerIDs: []string{"m"}, CreatedAt: now, UpdatedAt: now}
	otis := store.Account{ID: store.NewID(), Name: "Otis", NameKey: store.FoldName("Otis"), ManagerIDs: []string{"m"}, CreatedAt: now, UpdatedAt: now}
	for _, a := range []store.Account{kone, otis} {
		if err := st.Accounts.Insert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		rename  string
		wantErr error
	}{
		{"a free name", "Otis Elevator", nil},
		{"another account's name", "Kone", store.ErrDuplicate},
		{"another account's name in other capitals", "  KONE ", store.ErrDuplicate},
		{"its own name back", "Otis", nil},
	}
	for _, tt := range tests {
		a := otis
		a.Name, a.NameKey = tt.rename, store.FoldName(tt.rename)
		err := st.Accounts.Replace(ctx, a)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Replace = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if got, _ := st.Accounts.ByID(ctx, otis.ID); got.Name != "Otis" {
		t.Errorf("stored name = %q, want Otis", got.Name)
	}
	if err := st.Accounts.Insert(ctx, store.Account{ID: store.NewID(), Name: "kone", NameKey: "kone"}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Insert of a taken name = %v, want ErrDuplicate", err)
	}
}
