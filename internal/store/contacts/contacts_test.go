package contacts_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// claimWorld is a store whose contact operations can be paused between
// their writes and whose claim clock the test moves.
type claimWorld struct {
	t  *testing.T
	st *store.Store

	mu    sync.Mutex
	now   time.Time
	pause map[string]chan chan struct{} // step|contactID → where the operation waits
}

func newClaimWorld(t *testing.T) *claimWorld {
	w := &claimWorld{t: t, st: newStore(t), now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), pause: map[string]chan chan struct{}{}}
	w.st.Contacts.SetClock(func() time.Time {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.now
	})
	w.st.Contacts.PauseAt(w.step)
	return w
}

func (w *claimWorld) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// step blocks the operation on contactID at step when the test asked for
// it, once, until the test resumes it.
func (w *claimWorld) step(step, contactID string) {
	w.mu.Lock()
	at, ok := w.pause[step+"|"+contactID]
	delete(w.pause, step+"|"+contactID)
	w.mu.Unlock()
	if ok {
		resume := make(chan struct{})
		at <- resume
		<-resume
	}
}

// paused runs op in the background until it reaches step; resume lets it
// finish and returns its error. If op ends without reaching step, that is
// a failure of the test.
func (w *claimWorld) paused(step, contactID string, op func() error) (resume func() error) {
	at := make(chan chan struct{})
	w.mu.Lock()
	w.pause[step+"|"+contactID] = at
	w.mu.Unlock()
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case r := <-at:
		return func() error { close(r); return <-done }
	case err := <-done:
		w.t.Fatalf("%s never reached %s (returned %v)", contactID, step, err)
		return nil
	}
}

func (w *claimWorld) contact(id, index string) contacts.Contact {
	return contacts.Contact{ID: id, AccountID: "a1", EmailIndex: index, Status: contacts.Active, CreatedAt: w.now}
}

// emailOp is one way of giving contact id the email index "e": its setup
// runs first, unpaused.
type emailOp struct {
	name  string
	steps []string // where it can be paused
	setup func(w *claimWorld, id string)
	run   func(w *claimWorld, id string) error
}

// withOldEmail stores contact id with an email of its own to change.
func withOldEmail(w *claimWorld, id string) {
	if err := w.st.Contacts.Insert(context.Background(), w.contact(id, "old-"+id)); err != nil {
		w.t.Fatal(err)
	}
}

func emailOps() []emailOp {
	return []emailOp{
		{
			name:  "Insert",
			steps: []string{"insert:claimed", "insert:inserted"},
			run: func(w *claimWorld, id string) error {
				return w.st.Contacts.Insert(context.Background(), w.contact(id, "e"))
			},
		},
		{
			name:  "InsertMany",
			steps: []string{"insert:claimed", "insert:inserted"},
			run: func(w *claimWorld, id string) error {
				results, err := w.st.Contacts.InsertMany(context.Background(), []contacts.Contact{w.contact(id, "e"), w.contact(id+"-2", "own-"+id)})
				if err != nil {
					return err
				}
				if results[1] != nil {
					w.t.Errorf("%s: the row with its own email failed: %v", id, results[1])
				}
				return results[0]
			},
		},
		{
			name:  "Replace",
			steps: []string{"replace:claimed", "replace:replaced"},
			setup: withOldEmail,
			run: func(w *claimWorld, id string) error {
				c := w.contact(id, "e")
				c.Locale = "changed"
				return w.st.Contacts.Replace(context.Background(), c, "old-"+id)
			},
		},
		{
			// A key rotation's move of a contact to a new index, as
			// customer.Rewrap does it.
			name:  "Rekey",
			steps: []string{"rekey:claimed", "rekey:rekeyed"},
			setup: withOldEmail,
			run: func(w *claimWorld, id string) error {
				ctx := context.Background()
				if _, err := w.st.Contacts.ClaimEmail(ctx, "e", id); err != nil {
					return err
				}
				w.step("rekey:claimed", id)
				if err := w.st.Contacts.Rekey(ctx, id, contacts.Keys{EmailIndex: "old-" + id}, contacts.Keys{EmailIndex: "e"}); err != nil {
					return err
				}
				_, err := w.st.Contacts.ReleaseEmail(ctx, "old-"+id, id)
				return err
			},
		},
	}
}

// checkEmail asserts the invariant: the contacts whose operation
// succeeded, and only they, have the email "e" (so at most one), the
// email finds it, and a loser kept what it had.
func (w *claimWorld) checkEmail(results map[string]error) {
	t := w.t
	ctx := context.Background()
	var live []string
	err := w.st.Contacts.Each(ctx, contacts.Filter{}, func(c contacts.Contact) error {
		if c.EmailIndex == "e" && c.Status != contacts.Erased {
			live = append(live, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(live) > 1 {
		t.Fatalf("two contacts with one email: %v", live)
	}
	for id, err := range results {
		switch {
		case err == nil:
			if len(live) != 1 || live[0] != id {
				t.Errorf("%s succeeded but the contacts with the email are %v", id, live)
			}
			if c, err := w.st.Contacts.ByEmailIndex(ctx, "e"); err != nil || c.ID != id {
				t.Errorf("the email finds %q, %v; want %s", c.ID, err, id)
			}
		case errors.Is(err, store.ErrDuplicate):
			if c, err := w.st.Contacts.ByID(ctx, id); err == nil && c.EmailIndex == "e" {
				t.Errorf("%s lost but has the email", id)
			} else if err == nil {
				if found, err := w.st.Contacts.ByEmailIndex(ctx, c.EmailIndex); err != nil || found.ID != id {
					t.Errorf("%s lost its old email %s: %q, %v", id, c.EmailIndex, found.ID, err)
				}
			}
		default:
			t.Errorf("%s: %v", id, err)
		}
	}
	if len(live) == 1 && results[live[0]] != nil {
		t.Errorf("%s has the email but its operation failed: %v", live[0], results[live[0]])
	}
}

// Every operation that gives a contact an email is paused at each step
// between its writes while a competing one for the same email runs to
// completion; then it resumes. Stalled: the pause outlasts the claim
// lease, so the competitor may take the claim over. Either way one of the
// two has the email and the other knows it lost.
func TestEmailClaimInterleavings(t *testing.T) {
	t.Parallel()
	for _, paused := range emailOps() {
		for _, step := range paused.steps {
			for _, rival := range emailOps() {
				for _, stalled := range []bool{false, true} {
					name := fmt.Sprintf("%s@%s/%s/stalled=%v", paused.name, step, rival.name, stalled)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						w := newClaimWorld(t)
						for _, op := range []struct {
							op emailOp
							id string
						}{{paused, "first"}, {rival, "second"}} {
							if op.op.setup != nil {
								op.op.setup(w, op.id)
							}
						}
						resume := w.paused(step, "first", func() error { return paused.run(w, "first") })
						if stalled {
							w.advance(contacts.EmailClaimLease + time.Second)
						}
						second := rival.run(w, "second")
						first := resume()
						w.checkEmail(map[string]error{"first": first, "second": second})
						if !stalled && first != nil {
							t.Errorf("within its lease the first operation lost: %v", first)
						}
					})
				}
			}
		}
	}
}

// An erasure paused between erasing the contact and dropping its claim
// leaves a claim its contact no longer holds: once the lease is over a new
// contact takes it, and the erasure's release then leaves it alone.
func TestEmailClaimEraseInterleaving(t *testing.T) {
	t.Parallel()
	for _, rival := range emailOps() {
		t.Run(rival.name, func(t *testing.T) {
			t.Parallel()
			w := newClaimWorld(t)
			ctx := context.Background()
			if err := w.st.Contacts.Insert(ctx, w.contact("erased", "e")); err != nil {
				t.Fatal(err)
			}
			if rival.setup != nil {
				rival.setup(w, "second")
			}
			w.advance(contacts.EmailClaimLease + time.Second)
			resume := w.paused("erase:erased", "erased", func() error { return w.st.Contacts.Erase(ctx, "erased", w.now) })
			second := rival.run(w, "second")
			if err := resume(); err != nil {
				t.Fatal(err)
			}
			w.checkEmail(map[string]error{"second": second})
			if second != nil {
				t.Errorf("the erased contact's email stayed taken: %v", second)
			}
		})
	}
}

// Two contacts race to take over one stale claim (its contact never
// written), each paused between reading the claim and swapping it, or
// between swapping it and checking its old holder once more.
func TestEmailClaimTakeoverInterleavings(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"claim:checked", "claim:swapped"} {
		for _, rival := range emailOps() {
			for _, stalled := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/stalled=%v", step, rival.name, stalled), func(t *testing.T) {
					t.Parallel()
					w := newClaimWorld(t)
					ctx := context.Background()
					if _, err := w.st.DB().Collection("contact_emails").InsertOne(ctx, bson.D{{Key: "_id", Value: "e"}, {Key: "contactId", Value: "ghost"}}); err != nil {
						t.Fatal(err)
					}
					if rival.setup != nil {
						rival.setup(w, "second")
					}
					resume := w.paused(step, "first", func() error { return w.st.Contacts.Insert(ctx, w.contact("first", "e")) })
					if stalled {
						w.advance(contacts.EmailClaimLease + time.Second)
					}
					second := rival.run(w, "second")
					first := resume()
					w.checkEmail(map[string]error{"first": first, "second": second})
				})
			}
		}
	}
}

// The holder of a claim stalls past the lease between claiming and
// writing its contact; another takes the claim over, and the holder's
// contact lands between that one's check and its swap, or after the swap.
func TestEmailClaimStalledHolderLands(t *testing.T) {
	t.Parallel()
	for _, landsAt := range []string{"claim:checked", "claim:swapped"} {
		t.Run(landsAt, func(t *testing.T) {
			t.Parallel()
			w := newClaimWorld(t)
			ctx := context.Background()
			resumeHolder := w.paused("insert:claimed", "holder", func() error { return w.st.Contacts.Insert(ctx, w.contact("holder", "e")) })
			w.advance(contacts.EmailClaimLease + time.Second)
			resumeTaker := w.paused(landsAt, "taker", func() error { return w.st.Contacts.Insert(ctx, w.contact("taker", "e")) })
			holder := resumeHolder()
			taker := resumeTaker()
			w.checkEmail(map[string]error{"holder": holder, "taker": taker})
		})
	}
}

// A claim left by a crash between claiming and inserting blocks its email
// until the lease is over, then goes to the next contact; the contact that
// made it gets it back by repeating its insert at any time.
func TestEmailClaimOrphanLapses(t *testing.T) {
	t.Parallel()
	w := newClaimWorld(t)
	ctx := context.Background()
	if _, err := w.st.Contacts.ClaimEmail(ctx, "e", "crashed"); err != nil {
		t.Fatal(err)
	}
	w.advance(contacts.EmailClaimLease - time.Second)
	if err := w.st.Contacts.Insert(ctx, w.contact("early", "e")); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("taken over within the lease: %v", err)
	}
	if _, err := w.st.Contacts.ByEmailIndex(ctx, "e"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the orphaned claim finds a contact: %v", err)
	}
	// The crashed import repeated with the same contacts converges.
	results, err := w.st.Contacts.InsertMany(ctx, []contacts.Contact{w.contact("crashed", "e")})
	if err != nil || results[0] != nil {
		t.Fatalf("repeated insert = %v, %v", results, err)
	}
	if results, err := w.st.Contacts.InsertMany(ctx, []contacts.Contact{w.contact("crashed", "e")}); err != nil || results[0] != nil {
		t.Fatalf("insert repeated after it succeeded = %v, %v", results, err)
	}
	w.checkEmail(map[string]error{"crashed": nil})

	// Another crash, never repeated: the email is free after the lease.
	if _, err := w.st.Contacts.ClaimEmail(ctx, "f", "crashed-again"); err != nil {
		t.Fatal(err)
	}
	w.advance(contacts.EmailClaimLease - time.Second)
	if err := w.st.Contacts.Insert(ctx, w.contact("early", "f")); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("taken over within the lease: %v", err)
	}
	w.advance(2 * time.Second)
	if err := w.st.Contacts.Insert(ctx, w.contact("late", "f")); err != nil {
		t.Fatalf("not taken over after the lease: %v", err)
	}
	if c, err := w.st.Contacts.ByEmailIndex(ctx, "f"); err != nil || c.ID != "late" {
		t.Errorf("the email finds %q, %v", c.ID, err)
	}
	if err := w.st.Contacts.Insert(ctx, w.contact("crashed-again", "f")); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("the crashed contact took its email back from a live one: %v", err)
	}
}

func TestContactsInsertMany(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	contact := func(id, index string) contacts.Contact {
		return contacts.Contact{ID: id, AccountID: "a1", EmailIndex: index, Status: contacts.Active, CreatedAt: time.Now().UTC()}
	}
	if err := st.Contacts.Insert(ctx, contact("live", "taken")); err != nil {
		t.Fatal(err)
	}
	// A claim left behind by a crash between claiming and inserting.
	if _, err := st.DB().Collection("contact_emails").InsertOne(ctx, bson.D{{Key: "_id", Value: "stale"}, {Key: "contactId", Value: "gone"}}); err != nil {
		t.Fatal(err)
	}

	batch := []contacts.Contact{contact("c1", "new1"), contact("c2", "taken"), contact("c3", "stale"), contact("c4", "new1"), contact("c5", "new2")}
	results, err := st.Contacts.InsertMany(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, true, false, true} // inserted?
	for i, res := range results {
		if (res == nil) != want[i] || (res != nil && !errors.Is(res, store.ErrDuplicate)) {
			t.Errorf("%s: %v", batch[i].ID, res)
		}
	}
	for index, id := range map[string]string{"new1": "c1", "taken": "live", "stale": "c3", "new2": "c5"} {
		c, err := st.Contacts.ByEmailIndex(ctx, index)
		if err != nil || c.ID != id {
			t.Errorf("email %s finds %q, %v; want %s", index, c.ID, err, id)
		}
	}
	if n, _ := st.Contacts.Count(ctx, contacts.Filter{}); n != 4 {
		t.Errorf("%d contacts stored, want 4", n)
	}
	if results, err := st.Contacts.InsertMany(ctx, nil); err != nil || len(results) != 0 {
		t.Errorf("empty batch = %v, %v", results, err)
	}
}
