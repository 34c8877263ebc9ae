package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestUsersBySubject(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	plain := store.User{ID: store.NewID(), Email: "plain@example.com", Name: "P", Role: store.RoleAnalyst, CreatedAt: now, UpdatedAt: now}
	linked := store.User{ID: store.NewID(), Email: "sso@example.com", Name: "S", Role: store.RoleManager, CreatedAt: now, UpdatedAt: now,
		OIDCIssuer: "https://idp.example.com", OIDCSubject: "sub-1"}
	for _, u := range []store.User{plain, linked} {
		if err := st.Users.Insert(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Users.BySubject(ctx, "https://idp.example.com", "sub-1")
	if err != nil || got.ID != linked.ID {
		t.Fatalf("BySubject = %+v, %v", got, err)
	}
	for _, tt := range []struct{ issuer, sub string }{{"https://other.example.com", "sub-1"}, {"https://idp.example.com", "sub-2"}, {"", ""}} {
		if _, err := st.Users.BySubject(ctx, tt.issuer, tt.sub); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("BySubject(%q, %q) err = %v, want ErrNotFound", tt.issuer, tt.sub, err)
		}
	}
	email, iss, sub := "new@example.com", "https://idp.example.com", "sub-3"
	updated, err := st.Users.Update(ctx, plain.ID, store.UserChange{Email: &email, OIDCIssuer: &iss, OIDCSubject: &sub}, now)
	if err != nil || updated.Email != email || updated.OIDCSubject != sub || updated.OIDCIssuer != iss {
		t.Fatalf("Update = %+v, %v", updated, err)
	}
	if got, err := st.Users.BySubject(ctx, iss, sub); err != nil || got.ID != plain.ID {
		t.Fatalf("BySubject after linking = %+v, %v", got, err)
	}
}
