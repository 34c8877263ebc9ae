package customer_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

func TestRecipients(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	mine := f.account(t, f.alice, "Alice Co")
	theirs := f.account(t, f.bob, "Bob Co")
	add := func(a store.Account, name, email string) customer.Contact {
		c, err := f.svc.CreateContact(ctx, f.admin, customer.ContactInput{AccountID: a.ID, Name: name, Email: email, Locale: "sv"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ada := add(mine, "Ada", "Ada@Example.com")
	gone := add(mine, "Gone", "gone@example.com")
	bea := add(theirs, "Bea", "bea@example.com")
	if err := f.st.Contacts.Erase(ctx, gone.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	r, err := f.svc.Recipient(ctx, ada.ID)
	if err != nil || r.Name != "Ada" || r.Email != "ada@example.com" || r.Locale != "sv" || r.Status != contacts.Active || len(r.EmailIndexes) != 1 {
		t.Fatalf("Recipient = %+v, %v", r, err)
	}
	// The index is the one the contact is found by.
	if c, err := f.st.Contacts.ByEmailIndex(ctx, r.EmailIndexes...); err != nil || c.ID != ada.ID {
		t.Errorf("the recipient's email index finds %v, %v", c.ID, err)
	}
	if r, err := f.svc.Recipient(ctx, gone.ID); err != nil || r.Status != contacts.Erased || r.Email != "" || r.EmailIndexes != nil {
		t.Errorf("erased recipient = %+v, %v", r, err)
	}
	if _, err := f.svc.Recipient(ctx, "nope"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("missing recipient err = %v", err)
	}

	if _, err := f.svc.ChosenRecipient(ctx, f.alice, bea.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("Alice chose Bob's contact: %v", err)
	}
	if r, err := f.svc.ChosenRecipient(ctx, f.alice, ada.ID); err != nil || r.ContactID != ada.ID {
		t.Errorf("Alice's own contact: %+v, %v", r, err)
	}
	if _, err := f.svc.ChosenRecipient(ctx, f.anna, ada.ID); !errors.Is(err, customer.ErrForbidden) {
		t.Errorf("analyst: %v", err)
	}

	var seen []string
	collect := func(r customer.Recipient) error { seen = append(seen, r.ContactID); return nil }
	if err := f.svc.EachRecipient(ctx, f.alice, []string{mine.ID}, collect); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []string{ada.ID, gone.ID}) {
		t.Errorf("Alice's recipients = %v", seen)
	}
	if err := f.svc.EachRecipient(ctx, f.alice, []string{mine.ID, theirs.ID}, collect); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("Alice streamed Bob's account: %v", err)
	}
	stop := errors.New("stop")
	if err := f.svc.EachRecipient(ctx, f.admin, []string{mine.ID, theirs.ID}, func(customer.Recipient) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error = %v, want it back", err)
	}
}
