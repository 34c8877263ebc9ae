package store_test

import (
	"context"
	"testing"
	"time"
)

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
