package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestPasswordResetsConsumeOnce(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, r := range []store.PasswordReset{
		{ID: "live", UserID: "u1", ExpiresAt: now.Add(30 * time.Minute)},
		{ID: "old", UserID: "u1", ExpiresAt: now.Add(-time.Second)},
	} {
		if err := st.PasswordResets.Insert(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.PasswordResets.Consume(ctx, "live", now)
	if err != nil || got.UserID != "u1" || !got.Used {
		t.Fatalf("first use: %+v, %v", got, err)
	}
	for _, id := range []string{"live", "old", "missing"} {
		if _, err := st.PasswordResets.Consume(ctx, id, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Consume(%s) = %v, want ErrNotFound", id, err)
		}
	}
	if n, err := st.PasswordResets.Sweep(ctx, now); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want the expired one", n, err)
	}
}
