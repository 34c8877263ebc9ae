package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return storetest.Store(t)
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	cur, err := st.DB().Collection("users").Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var idx []bson.M
	if err := cur.All(ctx, &idx); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, i := range idx {
		names[i["name"].(string)] = true
	}
	if !names["email_unique"] {
		t.Fatalf("indexes = %v, want email_unique", names)
	}
}

func TestUsersRepository(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := store.User{ID: store.NewID(), Email: "a@example.com", Name: "A", Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: now, UpdatedAt: now}
	if err := st.Users.Insert(ctx, u); err != nil {
		t.Fatal(err)
	}
	dup := u
	dup.ID = store.NewID()
	if err := st.Users.Insert(ctx, dup); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate email err = %v, want ErrDuplicate", err)
	}
	got, err := st.Users.ByEmail(ctx, "a@example.com")
	if err != nil || got.ID != u.ID || !got.CreatedAt.Equal(now) {
		t.Fatalf("ByEmail = %+v, %v", got, err)
	}
	if _, err := st.Users.ByID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ByID(missing) err = %v, want ErrNotFound", err)
	}
	role, off := store.RoleAnalyst, true
	updated, err := st.Users.Update(ctx, u.ID, store.UserChange{Role: &role, Disabled: &off}, now.Add(time.Hour))
	if err != nil || updated.Role != store.RoleAnalyst || !updated.Disabled || updated.Name != "A" {
		t.Fatalf("Update = %+v, %v", updated, err)
	}
	if _, err := st.Users.Update(ctx, "nope", store.UserChange{Role: &role}, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Update(missing) err = %v", err)
	}
	if n, _ := st.Users.CountActiveAdmins(ctx); n != 0 {
		t.Fatalf("active admins = %d, want 0", n)
	}
}

func TestUsersListPaginates(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	for _, e := range []string{"c@x.io", "a@x.io", "b@x.io"} {
		if err := st.Users.Insert(ctx, store.User{ID: store.NewID(), Email: e, Role: store.RoleManager}); err != nil {
			t.Fatal(err)
		}
	}
	page, total, err := st.Users.List(ctx, store.Page{Offset: 1, Limit: 1})
	if err != nil || total != 3 || len(page) != 1 || page[0].Email != "b@x.io" {
		t.Fatalf("List = %v, %d, %v", page, total, err)
	}
}

func TestPageNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want store.Page }{
		{store.Page{}, store.Page{Limit: 50}},
		{store.Page{Offset: -3, Limit: 10}, store.Page{Limit: 10}},
		{store.Page{Offset: 5, Limit: 10_000}, store.Page{Offset: 5, Limit: 500}},
	}
	for _, tt := range tests {
		if got := tt.in.Normalize(); got != tt.want {
			t.Errorf("%+v.Normalize() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestNewIDIsRandom(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := store.NewID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestContactStatusAndErase(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := contacts.Contact{ID: "c1", AccountID: "a1", Name: []byte("sealed-name"), Email: []byte("sealed-email"),
		EmailIndex: "idx1", Status: contacts.Active, CreatedAt: now}
	if err := st.Contacts.Insert(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := st.Contacts.SetStatus(ctx, "c1", contacts.Unsubscribed, now); err != nil {
		t.Fatal(err)
	}
	if err := st.Contacts.MarkSurveyed(ctx, "c1", now); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Contacts.ByID(ctx, "c1")
	if got.Status != contacts.Unsubscribed || got.LastSurveyedAt == nil {
		t.Fatalf("contact = %+v", got)
	}
	if err := st.Contacts.Erase(ctx, "c1", now); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Contacts.ByID(ctx, "c1")
	if got.Status != contacts.Erased || !got.DataKey.IsZero() || got.Name != nil || got.Email != nil || got.EmailIndex != "" {
		t.Fatalf("erased contact still holds data: %+v", got)
	}
	if _, err := st.Contacts.ByEmailIndex(ctx, "idx1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("erased contact still found by email: %v", err)
	}
	if err := st.Contacts.SetStatus(ctx, "c1", contacts.Active, now); err != nil {
		t.Fatal(err)
	}
	if got, _ = st.Contacts.ByID(ctx, "c1"); got.Status != contacts.Erased {
		t.Fatal("an erased contact was reactivated")
	}
	if err := st.Contacts.SetStatus(ctx, "missing", contacts.Active, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing contact err = %v", err)
	}
}

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
