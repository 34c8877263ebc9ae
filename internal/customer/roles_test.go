package customer_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store/contacts"
)

func TestParseRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want contacts.Role
		ok   bool
	}{
		{"", contacts.NoRole, true},
		{"  ", contacts.NoRole, true},
		{"decision_maker", contacts.DecisionMaker, true},
		{"Decision Maker", contacts.DecisionMaker, true},
		{"decision-maker", contacts.DecisionMaker, true},
		{"DECISIONMAKER", contacts.DecisionMaker, true},
		{" decision   maker ", contacts.DecisionMaker, true},
		{"Influencer", contacts.Influencer, true},
		{"user", contacts.User, true},
		{"End-User", contacts.User, true},
		{"boss", "", false},
		{"decision", "", false},
	}
	for _, tt := range tests {
		got, ok := customer.ParseRole(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseRole(f *testing.F) {
	for _, s := range []string{"", "decision maker", "End_User", "Influencer", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		role, ok := customer.ParseRole(s)
		if ok && role != contacts.NoRole && customer.RoleLabel(role) == "" {
			t.Fatalf("ParseRole(%q) = %q, a role without a label", s, role)
		}
		if !ok && role != contacts.NoRole {
			t.Fatalf("ParseRole(%q) refused but returned %q", s, role)
		}
		if again, ok2 := customer.ParseRole(string(role)); ok && (!ok2 || again != role) {
			t.Fatalf("the stored form %q does not read back", role)
		}
	})
}

func TestContactRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	acme := f.account(t, f.alice, "Acme")
	other := f.account(t, f.bob, "Bob Corp")

	aino, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: acme.ID, Name: "Aino", Email: "aino@acme.example", Role: "Decision-Maker"})
	if err != nil || aino.Role != contacts.DecisionMaker {
		t.Fatalf("create = %+v, %v", aino, err)
	}
	_, err = f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: acme.ID, Name: "X", Email: "x@acme.example", Role: "boss"})
	fieldErr(t, err, "role")
	if _, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{}); total != 1 {
		t.Fatalf("a contact with a bad role was stored")
	}

	role := "influencer"
	if c, err := f.svc.UpdateContact(ctx, f.alice, aino.ID, customer.ContactPatch{Role: &role}); err != nil || c.Role != contacts.Influencer || c.Name != "Aino" {
		t.Fatalf("update = %+v, %v", c, err)
	}
	bad := "chief"
	_, err = f.svc.UpdateContact(ctx, f.alice, aino.ID, customer.ContactPatch{Role: &bad})
	fieldErr(t, err, "role")
	if c, _ := f.svc.Contact(ctx, f.alice, aino.ID); c.Role != contacts.Influencer {
		t.Fatalf("a refused update changed the role to %q", c.Role)
	}

	// The import reads the role column, keeps a role an empty cell leaves,
	// and rejects an unknown one by its line.
	file := "name,email,account,role\n" +
		"Aino,aino@acme.example,Acme,\n" + // 2: unchanged, keeps influencer
		"Ville,ville@acme.example,Acme,End User\n" + // 3
		"Pekka,pekka@acme.example,Acme,DECISION MAKER\n" + // 4
		"Lotta,lotta@acme.example,Acme,\n" + // 5: none
		"Hans,hans@acme.example,Acme,boss\n" // 6: unknown
	res, err := f.svc.Import(ctx, f.alice, strings.NewReader(file), customer.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Unchanged != 1 || len(res.Errors) != 1 || res.Errors[0].Line != 6 ||
		!strings.Contains(res.Errors[0].Error, `unknown role "boss": give decision maker`) {
		t.Fatalf("import = %+v", res)
	}
	again := strings.Replace(file, "Ville,ville@acme.example,Acme,End User", "Ville,ville@acme.example,Acme,influencer", 1)
	if res, err := f.svc.Import(ctx, f.alice, strings.NewReader(again), customer.ImportOptions{}); err != nil || res.Updated != 1 || res.Unchanged != 3 {
		t.Fatalf("re-import with a changed role = %+v, %v", res, err)
	}
	if _, err := f.svc.CreateContact(ctx, f.bob, customer.ContactInput{AccountID: other.ID, Name: "B", Email: "b@bob.example", Role: "user"}); err != nil {
		t.Fatal(err)
	}

	counts, err := f.svc.CountByRole(ctx, f.alice, acme.ID)
	want := map[contacts.Role]int{contacts.Influencer: 2, contacts.DecisionMaker: 1, contacts.NoRole: 1}
	if err != nil || !maps.Equal(counts, want) {
		t.Errorf("CountByRole = %v, %v; want %v", counts, err, want)
	}
	if _, err := f.svc.CountByRole(ctx, f.alice, other.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("counting another manager's account: %v", err)
	}

	for q, n := range map[string]int64{"influencer": 2, "Decision Maker": 1, customer.RoleNotSet: 1, "user": 0} {
		if _, total, err := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Role: q}); err != nil || total != n {
			t.Errorf("contacts with role %q: %d, %v; want %d", q, total, err, n)
		}
	}
	if items, _, err := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Role: "user", Search: "ville@acme.example"}); err != nil || len(items) != 0 {
		t.Errorf("an email search ignores the role filter: %v, %v", items, err)
	}
	_, _, err = f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Role: "boss"})
	fieldErr(t, err, "role")
}
