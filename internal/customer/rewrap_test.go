package customer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// rotation is a fixture whose contacts were made under ring {t1}, with the
// services of a process restarted with {k2,t1} and of one with {k2} alone.
type rotation struct {
	fixture
	rotated, only2 *keys.Ring
	svc2           *customer.Service // over the rotated ring
	contacts       []customer.Contact
}

func newRotation(t *testing.T, n int) rotation {
	t.Helper()
	ctx := context.Background()
	old, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.svc = customer.New(f.st.Accounts, f.st.Contacts, f.st.Users, seal.New(old))
	a := f.account(t, f.alice, "Rotation Oy")
	r := rotation{fixture: f}
	for i := range n {
		c, err := f.svc.CreateContact(ctx, f.admin, customer.ContactInput{AccountID: a.ID, Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@rot.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		r.contacts = append(r.contacts, c)
	}
	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	if r.rotated, err = keys.Parse(fresh.Encode() + "," + old.Encode()); err != nil {
		t.Fatal(err)
	}
	r.only2 = fresh
	r.svc2 = customer.New(f.st.Accounts, f.st.Contacts, f.st.Users, seal.New(r.rotated))
	return r
}

func (r rotation) opts() customer.RewrapOptions {
	return customer.RewrapOptions{Suppressions: r.st.Suppressions, Imports: r.st.Imports}
}

// readableWithOnly2 checks every contact opens, and is found by its email,
// with the new key alone.
func (r rotation) readableWithOnly2(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	svc := customer.New(r.st.Accounts, r.st.Contacts, r.st.Users, seal.New(r.only2))
	for _, want := range r.contacts {
		got, err := svc.Subject(ctx, want.ID)
		if err != nil || got.Name != want.Name || got.Email != want.Email {
			t.Errorf("Subject(%s) with k2 alone = %+v, %v; want %s <%s>", want.ID, got, err, want.Name, want.Email)
		}
		if got, err := svc.SubjectByEmail(ctx, want.Email); err != nil || got.ID != want.ID {
			t.Errorf("SubjectByEmail(%s) with k2 alone = %s, %v; want %s", want.Email, got.ID, err, want.ID)
		}
	}
}

func TestRewrapMovesContactsUnderTheCurrentKey(t *testing.T) {
	t.Parallel()
	r := newRotation(t, 5)
	ctx := context.Background()
	// One address suppressed under the old key.
	oldIdx := seal.New(r.rotated).BlindIndexes(r.contacts[1].Email)[1]
	if err := r.st.Suppressions.Add(ctx, store.Suppression{ID: oldIdx, Reason: store.SuppressedUnsubscribed, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var progress []string
	opts := r.opts()
	opts.ProgressEvery = 2
	opts.Progress = func(done, total int64) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }
	n, err := r.svc2.Rewrap(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n.Contacts != 5 || n.DataKeys != 5 || n.Indexes != 5 || n.Suppressions != 1 || n.Remaining() != 0 {
		t.Errorf("first rewrap = %s; want 5 data keys and indexes, 1 suppression, nothing left", n)
	}
	if got := fmt.Sprint(progress); got != "[2/5 4/5 5/5]" {
		t.Errorf("progress = %s, want [2/5 4/5 5/5]", got)
	}
	again, err := r.svc2.Rewrap(ctx, r.opts())
	if err != nil || again != (customer.Rewrapped{Contacts: 5}) {
		t.Errorf("second rewrap = %s, %v; want nothing changed", again, err)
	}

	r.readableWithOnly2(t)
	k2 := seal.New(r.only2)
	if s, err := r.st.Suppressions.Find(ctx, k2.BlindIndexes(r.contacts[1].Email)...); err != nil || s.Reason != store.SuppressedUnsubscribed {
		t.Errorf("suppression with k2 alone = %+v, %v; want unsubscribed", s, err)
	}
	if _, err := r.st.Suppressions.Find(ctx, oldIdx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("suppression under the old index left behind: %v", err)
	}
	svc := customer.New(r.st.Accounts, r.st.Contacts, r.st.Users, k2)
	_, err = svc.CreateContact(ctx, r.admin, customer.ContactInput{AccountID: r.contacts[0].AccountID, Name: "Dup", Email: r.contacts[0].Email})
	fieldErr(t, err, "email")
	byKey, err := r.st.Contacts.CountByDataKey(ctx)
	if err != nil || byKey["k2"] != 5 || len(byKey) != 1 {
		t.Errorf("contacts by data key = %v, %v; want all 5 under k2", byKey, err)
	}
}

func TestRewrapInterruptedFinishesWhenRunAgain(t *testing.T) {
	t.Parallel()
	r := newRotation(t, 6)
	ctx := context.Background()
	errStop := errors.New("stop")
	tests := []struct {
		name string
		stop func(seen int) (context.Context, func(context.Context, string) error)
	}{
		{"by a hook after 2 contacts", func(int) (context.Context, func(context.Context, string) error) {
			seen := 0
			return ctx, func(context.Context, string) error {
				if seen++; seen > 2 {
					return errStop
				}
				return nil
			}
		}},
		{"by cancelling the context after 2 more", func(int) (context.Context, func(context.Context, string) error) {
			cctx, cancel := context.WithCancel(ctx)
			seen := 0
			return cctx, func(context.Context, string) error {
				if seen++; seen == 2 {
					cancel()
				}
				return nil
			}
		}},
	}
	for _, tt := range tests {
		rctx, hook := tt.stop(0)
		opts := r.opts()
		opts.BeforeWrite = hook
		if _, err := r.svc2.Rewrap(rctx, opts); err == nil {
			t.Fatalf("%s: rewrap was not interrupted", tt.name)
		}
	}
	byKey, _ := r.st.Contacts.CountByDataKey(ctx)
	if byKey["t1"] == 0 || byKey["k2"] == 0 {
		t.Fatalf("after interruptions: %v; want some contacts under each key", byKey)
	}
	n, err := r.svc2.Rewrap(ctx, r.opts())
	if err != nil || n.Remaining() != 0 || n.DataKeys != int(byKey["t1"]) {
		t.Fatalf("rewrap after interruptions = %s, %v; want the %d left done", n, err, byKey["t1"])
	}
	r.readableWithOnly2(t)
}

func TestRewrapCompletesAHalfDoneContact(t *testing.T) {
	t.Parallel()
	r := newRotation(t, 1)
	ctx := context.Background()
	c := r.contacts[0]
	// A crash after the new claim was made and before the contact switched.
	newIdx := seal.New(r.only2).BlindIndexes(c.Email)[0]
	if taken, err := r.st.Contacts.ClaimEmail(ctx, newIdx, c.ID); err != nil || !taken {
		t.Fatal(taken, err)
	}
	n, err := r.svc2.Rewrap(ctx, r.opts())
	if err != nil || n.DataKeys != 1 || n.Indexes != 1 || n.Remaining() != 0 {
		t.Fatalf("rewrap = %s, %v", n, err)
	}
	// A crash after the switch, before the old claim was dropped.
	oldIdx := seal.New(r.rotated).BlindIndexes(c.Email)[1]
	if taken, err := r.st.Contacts.ClaimEmail(ctx, oldIdx, c.ID); err != nil || !taken {
		t.Fatal(taken, err)
	}
	if n, err = r.svc2.Rewrap(ctx, r.opts()); err != nil || n.Claims != 1 {
		t.Fatalf("rewrap = %s, %v; want the old claim dropped", n, err)
	}
	if released, err := r.st.Contacts.ReleaseEmail(ctx, oldIdx, c.ID); err != nil || released {
		t.Errorf("old claim still there: %v, %v", released, err)
	}
	r.readableWithOnly2(t)
}

// TestRewrapNeverOverwritesACompetitor pauses the rewrap between reading a
// contact and writing it while someone else changes that contact.
func TestRewrapNeverOverwritesACompetitor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		act   func(t *testing.T, r rotation, id string)
		check func(t *testing.T, r rotation, svc *customer.Service, id string)
	}{
		{"rectification", func(t *testing.T, r rotation, id string) {
			if _, err := r.svc2.Rectify(ctx, id, "Renamed Person", "renamed@rot.example"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, r rotation, svc *customer.Service, id string) {
			got, err := svc.Subject(ctx, id)
			if err != nil || got.Name != "Renamed Person" || got.Email != "renamed@rot.example" {
				t.Errorf("after the race: %+v, %v; want the rectification", got, err)
			}
			if got, err := svc.SubjectByEmail(ctx, "renamed@rot.example"); err != nil || got.ID != id {
				t.Errorf("new email finds %s, %v; want %s", got.ID, err, id)
			}
			if _, err := svc.SubjectByEmail(ctx, "p0@rot.example"); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("old email still finds the contact: %v", err)
			}
			// The old address is free for someone else.
			if _, err := svc.CreateContact(ctx, r.admin, customer.ContactInput{AccountID: got.AccountID, Name: "New P0", Email: "p0@rot.example"}); err != nil {
				t.Errorf("old address not free: %v", err)
			}
		}},
		{"erasure", func(t *testing.T, r rotation, id string) {
			if err := r.st.Contacts.Erase(ctx, id, time.Now()); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, r rotation, svc *customer.Service, id string) {
			c, err := r.st.Contacts.ByID(ctx, id)
			if err != nil || c.Status != contacts.Erased || !c.DataKey.IsZero() || c.EmailIndex != "" || len(c.Email) != 0 {
				t.Errorf("after the race: %+v, %v; want it to stay erased", c, err)
			}
			if _, err := svc.SubjectByEmail(ctx, "p0@rot.example"); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("erased contact found by email: %v", err)
			}
			if _, err := svc.CreateContact(ctx, r.admin, customer.ContactInput{AccountID: c.AccountID, Name: "New P0", Email: "p0@rot.example"}); err != nil {
				t.Errorf("a claim outlived the erasure: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRotation(t, 2)
			target := r.contacts[0].ID
			opts := r.opts()
			raced := false
			opts.BeforeWrite = func(_ context.Context, id string) error {
				if id == target && !raced {
					raced = true
					tt.act(t, r, id)
				}
				return nil
			}
			n, err := r.svc2.Rewrap(ctx, opts)
			if err != nil || !raced {
				t.Fatalf("rewrap = %s, %v (raced %v)", n, err, raced)
			}
			if n.Remaining() != 0 {
				t.Errorf("rewrap = %s; want the changed contact done on the second pass", n)
			}
			svc := customer.New(r.st.Accounts, r.st.Contacts, r.st.Users, seal.New(r.only2))
			tt.check(t, r, svc, target)
			if got, err := svc.Subject(ctx, r.contacts[1].ID); err != nil || got.Email != r.contacts[1].Email {
				t.Errorf("the other contact with k2 alone: %+v, %v", got, err)
			}
		})
	}
}

// TestNoDuplicateDuringARotation: before rewrap has moved a contact, its
// email is claimed only under the old key's index; a new contact with that
// email is still refused.
func TestNoDuplicateDuringARotation(t *testing.T) {
	t.Parallel()
	r := newRotation(t, 1)
	_, err := r.svc2.CreateContact(context.Background(), r.admin, customer.ContactInput{
		AccountID: r.contacts[0].AccountID, Name: "Twin", Email: r.contacts[0].Email})
	fieldErr(t, err, "email")
}

// TestNoDuplicateByCorrectionDuringARotation: the same holds for a contact
// whose email is changed to one held under the old key.
func TestNoDuplicateByCorrectionDuringARotation(t *testing.T) {
	t.Parallel()
	r := newRotation(t, 2)
	taken := r.contacts[0].Email
	_, err := r.svc2.UpdateContact(context.Background(), r.admin, r.contacts[1].ID, customer.ContactPatch{Email: &taken})
	fieldErr(t, err, "email")
	// A contact keeps its own address under the old key.
	name := "Renamed"
	if _, err := r.svc2.UpdateContact(context.Background(), r.admin, r.contacts[0].ID, customer.ContactPatch{Name: &name}); err != nil {
		t.Fatalf("renaming a contact not yet moved: %v", err)
	}
}
