package contacts_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store/contacts"
)

func TestContactRoles(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for _, c := range []struct {
		id, account string
		role        contacts.Role
		status      contacts.Status
	}{
		{"dm1", "a1", contacts.DecisionMaker, contacts.Active},
		{"dm2", "a1", contacts.DecisionMaker, contacts.Active},
		{"in1", "a1", contacts.Influencer, contacts.Active},
		{"none1", "a1", contacts.NoRole, contacts.Active},
		{"us-gone", "a1", contacts.User, contacts.Unsubscribed}, // not active: not counted
		{"us-other", "a2", contacts.User, contacts.Active},      // another account
	} {
		err := st.Contacts.Insert(ctx, contacts.Contact{ID: c.id, AccountID: c.account, EmailIndex: "ix-" + c.id, Role: c.role, Status: c.status, CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
	}

	got, err := st.Contacts.CountByRole(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[contacts.Role]int{contacts.DecisionMaker: 2, contacts.Influencer: 1, contacts.NoRole: 1}
	if !maps.Equal(got, want) {
		t.Errorf("CountByRole(a1) = %v, want %v", got, want)
	}
	if got, err := st.Contacts.CountByRole(ctx, "nobody"); err != nil || len(got) != 0 {
		t.Errorf("CountByRole of an account without contacts = %v, %v", got, err)
	}

	filters := []struct {
		role contacts.Role
		want int64
	}{
		{contacts.DecisionMaker, 2}, {contacts.Influencer, 1}, {contacts.User, 2}, {contacts.NoRole, 1},
	}
	for _, f := range filters {
		role := f.role
		if n, err := st.Contacts.Count(ctx, contacts.Filter{Role: &role}); err != nil || n != f.want {
			t.Errorf("contacts with role %q: %d, %v; want %d", role, n, err, f.want)
		}
	}

	roles, err := st.Contacts.RolesOf(ctx, []string{"dm1", "in1", "none1", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"dm1": "decision_maker", "in1": "influencer"}; !maps.Equal(roles, want) {
		t.Errorf("RolesOf = %v, want %v", roles, want)
	}

	// Erasure takes the role with the rest of the person's data.
	if err := st.Contacts.Erase(ctx, "dm1", now); err != nil {
		t.Fatal(err)
	}
	if c, err := st.Contacts.ByID(ctx, "dm1"); err != nil || c.Role != contacts.NoRole {
		t.Errorf("erased contact = %+v, %v", c, err)
	}
}
