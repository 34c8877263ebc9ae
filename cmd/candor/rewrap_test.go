package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/rotate"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// TestOldKeyLeavesAfterResealAndRewrap rotates {k1} → {k2,k1}, runs both
// commands, and then reads everything with {k2} alone.
func TestOldKeyLeavesAfterResealAndRewrap(t *testing.T) {
	t.Parallel()
	w, env := seededEnv(t) // two contacts with sealed, named answers, under k1
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	unsub := w.Invite(t, sv, "Una Unsub", "una@example.com", "en")
	if err := w.Store.Suppressions.Add(ctx, store.Suppression{ID: w.Sealer.BlindIndexes(unsub.Contact.Email)[0], Reason: store.SuppressedUnsubscribed, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	erased := w.Invite(t, sv, "Erik Erased", "erik@example.com", "en")
	if err := w.Privacy.Erase(ctx, erased.Contact.ID, privacy.Requester{Staff: &w.Admin, Via: "admin"}); err != nil {
		t.Fatal(err)
	}
	var live []customer.Contact
	if err := w.Store.Contacts.Each(ctx, contacts.Filter{}, func(c contacts.Contact) error {
		if c.Status != contacts.Erased {
			oc, err := w.Customers.Subject(ctx, c.ID)
			live = append(live, oc)
			return err
		}
		return nil
	}); err != nil || len(live) != 3 {
		t.Fatalf("%d contacts, %v; want 3", len(live), err)
	}

	k2, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	env["CANDOR_SECRET_KEYS"] = k2.Encode() + "," + w.Ring.Encode()
	if out, err := runCandor(env, "keys", "status"); err != nil || !strings.Contains(out, "contacts with a data key under k1: 3") ||
		!strings.Contains(out, "older keys are still needed") {
		t.Fatalf("status before = %q, %v", out, err)
	}
	if out, err := runCandor(env, "keys", "reseal"); err != nil || !strings.Contains(out, "2 responses") {
		t.Fatalf("reseal = %q, %v", out, err)
	}
	out, err := runCandor(env, "keys", "rewrap", "--progress", "2")
	if err != nil || !strings.Contains(out, "contacts 2/4\ncontacts 4/4\n") ||
		!strings.Contains(out, "4 contacts: 3 data keys rewrapped, 3 email indexes moved") ||
		!strings.Contains(out, "1 suppressions moved") || !strings.Contains(out, "1 blind-index keys kept") {
		t.Fatalf("rewrap = %q, %v", out, err)
	}
	if out, err := runCandor(env, "keys", "rewrap"); err != nil || !strings.Contains(out, "0 data keys rewrapped, 0 email indexes moved, 0 email claims fixed, 0 suppressions moved, 0 import keys rewrapped") {
		t.Errorf("second rewrap = %q, %v; want nothing changed", out, err)
	}
	if out, err := runCandor(env, "keys", "status"); err != nil || !strings.Contains(out, "only k2 is needed") {
		t.Errorf("status after = %q, %v", out, err)
	}

	// The old key leaves.
	env["CANDOR_SECRET_KEYS"] = k2.Encode()
	if out, err := runCandor(env, "keys", "reseal"); err != nil {
		t.Errorf("reseal with k2 alone = %q, %v; something is still sealed under k1", out, err)
	}
	ring, unreadable, err := rotate.Ring(ctx, w.Store.IndexKeys, k2)
	if err != nil || len(unreadable) != 0 {
		t.Fatal(unreadable, err)
	}
	after := respondtest.NewWithRing(t, w.Store, ring)
	for _, want := range live {
		got, err := after.Customers.Subject(ctx, want.ID)
		if err != nil || got.Name != want.Name || got.Email != want.Email {
			t.Errorf("contact %s with k2 alone = %+v, %v", want.ID, got, err)
		}
		if got, err := after.Customers.SubjectByEmail(ctx, want.Email); err != nil || got.ID != want.ID {
			t.Errorf("look-up of %s with k2 alone = %q, %v", want.Email, got.ID, err)
		}
		if want.ID == unsub.Contact.ID {
			continue
		}
		if exp, err := after.Privacy.Export(ctx, want.ID, "en", privacy.Requester{Staff: &w.Admin, Via: "admin"}); err != nil || len(exp.NamedResponses) != 1 {
			t.Errorf("export of %s with k2 alone = %+v, %v; want its sealed answers", want.Name, exp, err)
		}
	}
	sealer := seal.New(ring)
	for _, email := range []string{"una@example.com", "erik@example.com"} {
		if _, err := w.Store.Suppressions.Find(ctx, sealer.BlindIndexes(email)...); err != nil {
			t.Errorf("%s no longer suppressed with k2 alone: %v", email, err)
		}
	}
	if _, err := w.Store.Suppressions.Find(ctx, sealer.BlindIndexes("ville@example.com")...); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an address never suppressed is: %v", err)
	}
	_, err = after.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{AccountID: live[0].AccountID, Name: "Twin", Email: live[0].Email})
	var ve *fault.Error
	if !errors.As(err, &ve) || ve.Fields()["email"] == "" {
		t.Errorf("duplicate email with k2 alone: %v; want refused", err)
	}
}

func TestServeRewrapsInTheBackgroundAfterARotation(t *testing.T) {
	t.Parallel()
	w, _ := seededEnv(t)
	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + w.Ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	stop := startRewrap(context.Background(), w.Store, rotated, slog.New(slog.NewTextHandler(&logs, nil)))
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "contacts moved under the current key") {
		if time.Now().After(deadline) {
			t.Fatalf("no rewrap logged within 30 s: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if !strings.Contains(logs.String(), "data_keys=2") {
		t.Errorf("logged %q, want 2 data keys rewrapped", logs.String())
	}
	if k, err := w.Store.Markers.Marker(context.Background(), rewrapMarker); err != nil || k != "k2" {
		t.Errorf("rewrap recorded for key %q, %v; want k2", k, err)
	}
}
