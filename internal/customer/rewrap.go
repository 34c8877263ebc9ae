package customer

import (
	"context"
	"errors"
	"fmt"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// SuppressionMover re-keys a suppression from one blind index to another.
type SuppressionMover interface {
	Move(ctx context.Context, from, to string) (bool, error)
}

// ImportKeys are the wrapped data keys of contacts imports.
type ImportKeys interface {
	DataKeys(ctx context.Context) (map[string]seal.Box, error)
	Rekey(ctx context.Context, id string, from, to seal.Box) error
}

// RewrapOptions say where a rewrap reaches beyond contacts and how it
// reports.
type RewrapOptions struct {
	Suppressions SuppressionMover // required
	Imports      ImportKeys       // nil: leave imports alone

	// Progress, when set, is called after every ProgressEvery contacts
	// (default 500) and after the last, with the contacts done and the
	// total counted at the start.
	Progress      func(done, total int64)
	ProgressEvery int64

	// BeforeWrite, when set, is called for each contact that needs a
	// change, after it was read and before anything is written for it; an
	// error stops the rewrap. Tests interleave competitors here.
	BeforeWrite func(ctx context.Context, contactID string) error
}

// Rewrapped counts what a rewrap did and what it could not do.
type Rewrapped struct {
	Contacts     int64 // contacts looked at
	DataKeys     int   // contact data keys wrapped under the current key
	Indexes      int   // contacts whose email index moved to the current key
	Claims       int   // email claims dropped under older keys, or restored
	Suppressions int   // suppressions moved to the current key's index
	Imports      int   // import data keys wrapped under the current key
	Changed      int   // contacts changed by someone else meanwhile: left for the next run
	Taken        int   // contacts whose email another contact holds under the current key
	Unreadable   int   // contacts that no key in the ring opens
}

// Remaining reports whether anything was left under an older key.
func (r Rewrapped) Remaining() int { return r.Changed + r.Taken + r.Unreadable }

func (r Rewrapped) String() string {
	return fmt.Sprintf("%d contacts: %d data keys rewrapped, %d email indexes moved, %d email claims fixed, %d suppressions moved, %d import keys rewrapped; left: %d changed meanwhile, %d emails held by another contact, %d unreadable",
		r.Contacts, r.DataKeys, r.Indexes, r.Claims, r.Suppressions, r.Imports, r.Changed, r.Taken, r.Unreadable)
}

// rewrapPasses bounds the passes over contacts: one over all, then over
// those that changed under the one before.
const rewrapPasses = 3

// Rewrap moves everything of contacts that depends on an older root key to
// the current one, so that the older key can leave the ring: each
// contact's wrapped data key (name and email are sealed with the data key
// itself and need nothing), its email's blind index, its email claim and
// the suppressions of its address. Safe while Candor serves: every write is
// a single-document write over the value read, a look-up finds a contact
// and a suppression under either key throughout, and the email claim under
// the current key is taken for the contact before it switches, so an email
// stays unique. Idempotent, and a rewrap interrupted anywhere finishes when
// run again.
//
// Suppressions of addresses no contact has any more (erased people,
// corrected emails) cannot be recomputed; the blind-index keys of retired
// root keys are kept for them (see internal/rotate).
func (s *Service) Rewrap(ctx context.Context, opts RewrapOptions) (Rewrapped, error) {
	var out Rewrapped
	if opts.Suppressions == nil {
		return out, errors.New("customer: rewrap needs the suppressions")
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 500
	}
	if opts.Imports != nil {
		n, err := s.rewrapImports(ctx, opts.Imports)
		out.Imports = n
		if err != nil {
			return out, err
		}
	}
	total, err := s.contacts.Count(ctx, contacts.Filter{})
	if err != nil {
		return out, fmt.Errorf("customer: %w", err)
	}
	changed := map[string]bool{} // contacts changed by someone else under a pass
	var done int64
	err = s.contacts.Each(ctx, contacts.Filter{}, func(c contacts.Contact) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.rewrapOne(ctx, c, opts, &out, changed); err != nil {
			return err
		}
		out.Contacts++
		if done++; opts.Progress != nil && done%opts.ProgressEvery == 0 {
			opts.Progress(done, total)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("customer: rewrap: %w", err)
	}
	if opts.Progress != nil && done%opts.ProgressEvery != 0 {
		opts.Progress(done, total)
	}
	// Contacts that changed meanwhile are read again, a few times.
	for pass := 1; pass < rewrapPasses && len(changed) > 0; pass++ {
		again := changed
		changed = map[string]bool{}
		for id := range again {
			c, err := s.contacts.ByID(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return out, fmt.Errorf("customer: rewrap: %w", err)
			}
			if err := s.rewrapOne(ctx, c, opts, &out, changed); err != nil {
				return out, fmt.Errorf("customer: rewrap: %w", err)
			}
		}
	}
	out.Changed = len(changed)
	return out, nil
}

func (s *Service) rewrapOne(ctx context.Context, c contacts.Contact, opts RewrapOptions, out *Rewrapped, changed map[string]bool) error {
	r, err := s.rewrapContact(ctx, c, opts)
	if err != nil {
		return err
	}
	out.add(r)
	if r.Changed > 0 {
		changed[c.ID] = true
	}
	return nil
}

func (r *Rewrapped) add(o Rewrapped) {
	r.DataKeys += o.DataKeys
	r.Indexes += o.Indexes
	r.Claims += o.Claims
	r.Suppressions += o.Suppressions
	r.Taken += o.Taken
	r.Unreadable += o.Unreadable
}

// rewrapContact moves one contact to the current key: claim its email's
// current index, switch the contact over in one write filtered on what was
// read, then drop the claims and move the suppressions of its older indexes.
func (s *Service) rewrapContact(ctx context.Context, c contacts.Contact, opts RewrapOptions) (Rewrapped, error) {
	var out Rewrapped
	if c.Status == contacts.Erased || c.DataKey.IsZero() {
		return out, nil // nothing left to move: erasing dropped the key and the claim
	}
	dk, err := s.sealer.UnwrapDataKey(c.DataKey, "contact:"+c.ID)
	if err != nil {
		out.Unreadable++
		return out, nil
	}
	plain, err := dk.Open(c.Email, "contact:"+c.ID+":email")
	if err != nil {
		out.Unreadable++
		return out, nil
	}
	email := NormalizeEmail(string(plain))
	current := s.sealer.CurrentKeyID()
	index, err := s.sealer.BlindIndex(current, email)
	if err != nil {
		return out, fmt.Errorf("customer: %w", err)
	}
	wrapped := c.DataKey
	if wrapped.KeyID != current {
		if wrapped, _, err = s.sealer.Reseal(c.DataKey, "datakey:contact:"+c.ID); err != nil {
			return out, fmt.Errorf("customer: contact %s: %w", c.ID, err)
		}
	}
	var older []string
	for _, idx := range s.sealer.BlindIndexes(email) {
		if idx != index {
			older = append(older, idx)
		}
	}
	if opts.BeforeWrite != nil {
		if err := opts.BeforeWrite(ctx, c.ID); err != nil {
			return out, err
		}
	}

	taken, err := s.contacts.ClaimEmail(ctx, index, c.ID)
	if errors.Is(err, store.ErrDuplicate) {
		// Another contact has the address under the current key (made
		// before uniqueness spanned keys, or a create racing this): it is
		// for staff to merge them; this one stays as it is.
		out.Taken++
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("customer: %w", err)
	}
	if wrapped.KeyID != c.DataKey.KeyID || index != c.EmailIndex {
		err := s.contacts.Rekey(ctx, c.ID, contacts.Keys{DataKey: c.DataKey, EmailIndex: c.EmailIndex},
			contacts.Keys{DataKey: wrapped, EmailIndex: index})
		if errors.Is(err, store.ErrDuplicate) {
			// The claim lapsed before the write and another contact took
			// the address over; Rekey put this one back as it was.
			out.Taken++
			return out, nil
		}
		if errors.Is(err, store.ErrConflict) {
			// Rectified, erased or rekeyed meanwhile: leave the claim to
			// the contact only if it now has that index.
			if taken {
				if fresh, err := s.contacts.ByID(ctx, c.ID); err != nil || fresh.EmailIndex != index {
					if _, err := s.contacts.ReleaseEmail(ctx, index, c.ID); err != nil {
						return out, fmt.Errorf("customer: %w", err)
					}
				}
			}
			out.Changed++
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("customer: %w", err)
		}
		if wrapped.KeyID != c.DataKey.KeyID {
			out.DataKeys++
		}
		if index != c.EmailIndex {
			out.Indexes++
		}
	} else if taken {
		out.Claims++ // the contact's own claim was missing
	}
	for _, idx := range older {
		released, err := s.contacts.ReleaseEmail(ctx, idx, c.ID)
		if err != nil {
			return out, fmt.Errorf("customer: %w", err)
		}
		if released && idx != c.EmailIndex {
			out.Claims++ // left by an interrupted rewrap
		}
		moved, err := opts.Suppressions.Move(ctx, idx, index)
		if err != nil {
			return out, fmt.Errorf("customer: %w", err)
		}
		if moved {
			out.Suppressions++
		}
	}
	return out, nil
}

// rewrapImports wraps the data keys of contacts imports under the current
// key. An import deleted or rekeyed meanwhile needs nothing more.
func (s *Service) rewrapImports(ctx context.Context, imports ImportKeys) (int, error) {
	all, err := imports.DataKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("customer: %w", err)
	}
	n := 0
	for id, box := range all {
		if box.IsZero() || box.KeyID == s.sealer.CurrentKeyID() {
			continue
		}
		wrapped, _, err := s.sealer.Reseal(box, "datakey:"+importContext(id))
		if err != nil {
			continue // no key in the ring opens it; the import expires
		}
		if err := imports.Rekey(ctx, id, box, wrapped); errors.Is(err, store.ErrConflict) {
			continue
		} else if err != nil {
			return n, fmt.Errorf("customer: %w", err)
		}
		n++
	}
	return n, nil
}
