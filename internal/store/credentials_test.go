package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestCredGenBump(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := store.User{ID: store.NewID(), Email: "g@example.com", Name: "G", Role: store.RoleManager, PasswordHash: "h", CreatedAt: now, UpdatedAt: now}
	if err := st.Users.Insert(ctx, u); err != nil {
		t.Fatal(err)
	}
	name := "Renamed"
	got, err := st.Users.Update(ctx, u.ID, store.UserChange{Name: &name}, now)
	if err != nil || got.CredGen != 0 {
		t.Fatalf("rename: gen %d, %v", got.CredGen, err)
	}
	for want := int64(1); want <= 2; want++ {
		got, err = st.Users.Update(ctx, u.ID, store.UserChange{BumpCredGen: true}, now)
		if err != nil || got.CredGen != want || got.Name != name {
			t.Fatalf("bump: %+v, %v; want gen %d", got, err, want)
		}
	}
}

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

func TestRevokedTokens(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := st.RevokedTokens.Revoke(ctx, "jti1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokedTokens.Revoke(ctx, "jti1", now.Add(time.Hour)); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	for id, want := range map[string]bool{"jti1": true, "jti2": false} {
		if got, err := st.RevokedTokens.IsRevoked(ctx, id); err != nil || got != want {
			t.Errorf("IsRevoked(%s) = %v, %v", id, got, err)
		}
	}
	if n, _ := st.RevokedTokens.Sweep(ctx, now); n != 0 {
		t.Fatalf("swept %d live entries", n)
	}
	if n, _ := st.RevokedTokens.Sweep(ctx, now.Add(2*time.Hour)); n != 1 {
		t.Fatalf("swept %d expired entries, want 1", n)
	}
}
