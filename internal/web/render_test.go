package web

import (
	"slices"
	"testing"

	"github.com/candorhq/candor/internal/store"
)

// Admins find the dev outbox in the navigation only while survey mail goes
// there; nobody else ever does.
func TestNavShowsTheDevOutboxToAdminsWhenMailGoesThere(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		role      store.Role
		devOutbox bool
		want      bool
	}{
		{store.RoleAdmin, true, true},
		{store.RoleAdmin, false, false},
		{store.RoleManager, true, false},
		{store.RoleAnalyst, true, false},
	} {
		u := &store.User{ID: "u1", Role: tc.role}
		links := navFor(u, "/admin/outbox", adminPages{DevOutbox: tc.devOutbox})
		i := slices.IndexFunc(links, func(l navLink) bool { return l.Href == "/admin/outbox" })
		if got := i >= 0; got != tc.want {
			t.Errorf("%s, dev outbox %v: outbox link %v, want %v", tc.role, tc.devOutbox, got, tc.want)
		}
		if i >= 0 && (links[i].Label != "Dev outbox" || !links[i].Current) {
			t.Errorf("outbox link = %+v", links[i])
		}
	}
}
