package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

func TestEmailChanges(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	change := func(id, contact string, expires time.Time) store.EmailChange {
		return store.EmailChange{ID: id, ContactID: contact, Email: seal.Box{KeyID: "k1", Data: []byte(id)}, Locale: "fi", CreatedAt: now, ExpiresAt: expires}
	}
	for _, ch := range []store.EmailChange{
		change("a", "c1", now.Add(time.Hour)), change("b", "c1", now.Add(time.Hour)),
		change("c", "c2", now.Add(time.Hour)), change("old", "c3", now.Add(-time.Second)),
	} {
		if err := st.EmailChanges.Insert(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.EmailChanges.Insert(ctx, change("a", "c9", now)); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a second insert of one id = %v, want ErrDuplicate", err)
	}

	// Taken once, however many ask at the same time.
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ch, err := st.EmailChanges.Take(ctx, "c")
			switch {
			case err == nil && ch.ContactID == "c2" && ch.Locale == "fi" && string(ch.Email.Data) == "c":
				won.Add(1)
			case err != nil && !errors.Is(err, store.ErrNotFound):
				t.Errorf("Take: %v", err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d callers took the change, want exactly 1", won.Load())
	}

	if err := st.EmailChanges.DeleteByContact(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := st.EmailChanges.DeleteExpired(ctx, now); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c", "old"} {
		if _, err := st.EmailChanges.ByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("change %s: %v, want it gone", id, err)
		}
	}
}
