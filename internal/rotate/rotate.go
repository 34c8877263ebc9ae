// Package rotate keeps what a root-key rotation cannot move: the
// blind-index keys of retired root keys. A suppression is keyed by the
// blind index of an address, and the address of an erased person (or one
// corrected since) is known no more, so its index cannot be recomputed
// under a new key. The blind-index key derived from the old root key is
// therefore kept in the database, sealed under the current root key; it
// computes blind indexes and nothing else, so the old root key itself can
// leave CANDOR_SECRET_KEYS.
package rotate

import (
	"context"
	"fmt"
	"slices"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

// IndexKeys is where the kept keys live.
type IndexKeys interface {
	All(ctx context.Context) ([]store.IndexKey, error)
	Put(ctx context.Context, k store.IndexKey) error
}

func sealContext(id string) string { return "indexkey:" + id }

// Retain keeps the blind-index key of every older key of ring, sealed under
// the current key, and seals again under it the kept keys of root keys
// that left the ring before. It returns how many it wrote; run again, it
// writes none. A kept key sealed under a root key no longer in the ring is
// an error: it has to be put back for one more rotation.
func Retain(ctx context.Context, ik IndexKeys, ring *keys.Ring) (int, error) {
	sealer := seal.New(ring)
	stored, err := ik.All(ctx)
	if err != nil {
		return 0, fmt.Errorf("rotate: %w", err)
	}
	current := ring.CurrentID()
	have := make(map[string]store.IndexKey, len(stored))
	for _, k := range stored {
		have[k.ID] = k
	}
	n := 0
	for _, id := range ring.IDs()[1:] {
		if k, ok := have[id]; ok && k.Key.KeyID == current {
			continue
		}
		key, err := ring.Derive(id, keys.PurposeBlindIndex)
		if err != nil {
			return n, fmt.Errorf("rotate: %w", err)
		}
		box, err := sealer.Seal(key, sealContext(id))
		if err != nil {
			return n, fmt.Errorf("rotate: %w", err)
		}
		if err := ik.Put(ctx, store.IndexKey{ID: id, Key: box}); err != nil {
			return n, fmt.Errorf("rotate: %w", err)
		}
		n++
	}
	for _, k := range stored {
		if slices.Contains(ring.IDs(), k.ID) || k.Key.KeyID == current {
			continue
		}
		box, _, err := sealer.Reseal(k.Key, sealContext(k.ID))
		if err != nil {
			return n, fmt.Errorf("rotate: blind-index key of %s is sealed under key %s, which is not in the ring: %w", k.ID, k.Key.KeyID, err)
		}
		if err := ik.Put(ctx, store.IndexKey{ID: k.ID, Key: box}); err != nil {
			return n, fmt.Errorf("rotate: %w", err)
		}
		n++
	}
	return n, nil
}

// Ring returns ring with the kept blind-index keys of root keys no longer
// in it, so that look-ups and suppressions still match indexes made under
// them. Kept keys that no key of the ring opens are named in unreadable
// (the ring lost a key before Retain sealed them again); the others still
// apply.
func Ring(ctx context.Context, ik IndexKeys, ring *keys.Ring) (out *keys.Ring, unreadable []string, err error) {
	stored, err := ik.All(ctx)
	if err != nil {
		return ring, nil, fmt.Errorf("rotate: %w", err)
	}
	sealer := seal.New(ring)
	out = ring
	for _, k := range stored {
		if slices.Contains(ring.IDs(), k.ID) {
			continue
		}
		key, err := sealer.Open(k.Key, sealContext(k.ID))
		if err != nil {
			unreadable = append(unreadable, k.ID)
			continue
		}
		out = out.Retain(k.ID, keys.PurposeBlindIndex, key)
	}
	return out, unreadable, nil
}
