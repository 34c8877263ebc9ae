package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/rotate"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

// keysRewrap runs `candor keys rewrap`: after a new key was put first in
// CANDOR_SECRET_KEYS, it moves contacts' data keys, email indexes and
// claims, and the suppressions of their addresses, under it, so that
// (with keys reseal) the old key can leave the ring. Idempotent, resumable
// and safe while Candor serves.
func keysRewrap(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("keys rewrap", stderr)
	every := fs.Int64("progress", 500, "print progress every N contacts")
	a, err := parseTool(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer a.close()
	n, err := rewrap(ctx, a.st, a.ring, customer.RewrapOptions{
		ProgressEvery: *every,
		Progress:      func(done, total int64) { fmt.Fprintf(stdout, "contacts %d/%d\n", done, total) },
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rewrapped under key %s: %s; %d blind-index keys kept\n", a.ring.CurrentID(), n.Rewrapped, n.kept)
	if left := n.Remaining(); left > 0 {
		return fmt.Errorf("%d contacts are still under an older key; run candor keys rewrap again (an email held by two contacts needs one of them corrected or erased first)", left)
	}
	return a.st.Markers.SetMarker(ctx, rewrapMarker, a.ring.CurrentID())
}

// rewrapped is what a rewrap did: the contacts, and the blind-index keys
// of older keys it kept.
type rewrapped struct {
	customer.Rewrapped
	kept int
}

// rewrap moves what contacts hold under an older key of ring to the current
// key. First of all it keeps the older keys' blind-index keys, which the
// suppressions of addresses no longer known go on needing.
func rewrap(ctx context.Context, st *store.Store, ring *keys.Ring, opts customer.RewrapOptions) (rewrapped, error) {
	var out rewrapped
	var err error
	if out.kept, err = rotate.Retain(ctx, st.IndexKeys, ring); err != nil {
		return out, err
	}
	// Indexes made under keys retired before are moved too.
	if ring, _, err = rotate.Ring(ctx, st.IndexKeys, ring); err != nil {
		return out, err
	}
	opts.Suppressions, opts.Imports = st.Suppressions, st.Imports
	customers := customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
	out.Rewrapped, err = customers.Rewrap(ctx, opts)
	return out, err
}

// rewrapMarker records the key contacts were last all moved under.
const rewrapMarker = "rewrap"

// startRewrap does in the background, once per current key, what
// candor keys rewrap does, when the ring has older keys. Replicas doing it
// at once do no harm: every write is filtered on the value it replaces.
// The marker is set only when nothing was left. stop cancels it and waits.
func startRewrap(ctx context.Context, st *store.Store, ring *keys.Ring, logger *slog.Logger) (stop func()) {
	if len(ring.IDs()) < 2 {
		return func() {}
	}
	return inBackground(ctx, func(ctx context.Context) {
		if done, err := st.Markers.Marker(ctx, rewrapMarker); err == nil && done == ring.CurrentID() {
			return
		}
		n, err := rewrap(ctx, st, ring, customer.RewrapOptions{})
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("moving contacts under the current key failed; run candor keys rewrap", "key", ring.CurrentID(), "err", err)
			}
			return
		}
		attrs := []any{"key", ring.CurrentID(), "contacts", n.Contacts, "data_keys", n.DataKeys, "email_indexes", n.Indexes,
			"email_claims", n.Claims, "suppressions", n.Suppressions, "imports", n.Imports, "index_keys_kept", n.kept}
		if left := n.Remaining(); left > 0 {
			logger.Warn("some contacts are still under an older key; run candor keys rewrap", append(attrs,
				"changed_meanwhile", n.Changed, "email_held_by_another", n.Taken, "unreadable", n.Unreadable)...)
			return
		}
		if err := st.Markers.SetMarker(ctx, rewrapMarker, ring.CurrentID()); err != nil {
			logger.Warn("rewrap not recorded; the next start does it again", "err", err)
		}
		logger.Info("contacts moved under the current key", attrs...)
	})
}

// withKeptIndexKeys returns ring with the blind-index keys kept from root
// keys that left it; ones it cannot open are logged, not fatal, since
// everything else still works.
func withKeptIndexKeys(ctx context.Context, st *store.Store, ring *keys.Ring, logger *slog.Logger) (*keys.Ring, error) {
	out, unreadable, err := rotate.Ring(ctx, st.IndexKeys, ring)
	if err != nil {
		return nil, err
	}
	if len(unreadable) > 0 {
		logger.Warn("kept blind-index keys sealed under a key no longer in CANDOR_SECRET_KEYS: suppressions made under them no longer match; put the key back and run candor keys rewrap",
			"index_keys", strings.Join(unreadable, ","))
	}
	return out, nil
}

// keysStatus runs `candor keys status`: what is still under which key, so
// that the operator knows when an old key may leave the ring.
func keysStatus(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("keys status", stderr)
	a, err := parseTool(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer a.close()
	byKey, err := a.st.Contacts.CountByDataKey(ctx)
	if err != nil {
		return err
	}
	imports, err := a.st.Imports.DataKeys(ctx)
	if err != nil {
		return err
	}
	for _, box := range imports {
		if !box.IsZero() && box.KeyID != a.ring.CurrentID() {
			byKey[box.KeyID] += 0 // so that a key only imports use is listed too
		}
	}
	fmt.Fprintf(stdout, "keys in the ring: %s (current %s)\n", strings.Join(a.ring.IDs(), ", "), a.ring.CurrentID())
	for _, id := range slices.Sorted(maps.Keys(byKey)) {
		if id == "" {
			fmt.Fprintf(stdout, "contacts erased (no data key): %d\n", byKey[id])
			continue
		}
		n := 0
		for _, box := range imports {
			if box.KeyID == id {
				n++
			}
		}
		fmt.Fprintf(stdout, "contacts with a data key under %s: %d; imports: %d%s\n", id, byKey[id], n, ringNote(a.ring, id))
	}
	for _, m := range []string{resealMarker, rewrapMarker} {
		done, err := a.st.Markers.Marker(ctx, m)
		if err != nil {
			return err
		}
		if done == "" {
			done = "never"
		}
		fmt.Fprintf(stdout, "last complete %s: under %s\n", m, done)
	}
	kept, err := a.st.IndexKeys.All(ctx)
	if err != nil {
		return err
	}
	for _, k := range kept {
		fmt.Fprintf(stdout, "blind-index key of %s kept, sealed under %s%s\n", k.ID, k.Key.KeyID, ringNote(a.ring, k.Key.KeyID))
	}
	if rewrapDone(ctx, a.st, a.ring) {
		fmt.Fprintf(stdout, "only %s is needed: the other keys may leave CANDOR_SECRET_KEYS once links signed with them have expired\n", a.ring.CurrentID())
	} else {
		fmt.Fprintln(stdout, "older keys are still needed: run candor keys reseal and candor keys rewrap")
	}
	return nil
}

func ringNote(ring *keys.Ring, id string) string {
	switch {
	case id == ring.CurrentID():
		return " (current)"
	case !slices.Contains(ring.IDs(), id):
		return " (NOT IN THE RING: unreadable)"
	}
	return ""
}

// rewrapDone reports whether both reseal and rewrap last completed under
// the current key and no contact data key is under another.
func rewrapDone(ctx context.Context, st *store.Store, ring *keys.Ring) bool {
	for _, m := range []string{resealMarker, rewrapMarker} {
		if done, err := st.Markers.Marker(ctx, m); err != nil || done != ring.CurrentID() {
			return false
		}
	}
	byKey, err := st.Contacts.CountByDataKey(ctx)
	if err != nil {
		return false
	}
	for id, n := range byKey {
		if id != "" && id != ring.CurrentID() && n > 0 {
			return false
		}
	}
	return true
}
