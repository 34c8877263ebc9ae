package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

// keysReseal runs `candor keys reseal`: after a new key was put first in
// CANDOR_SECRET_KEYS, it re-encrypts every sealed answer, consent
// reference, comment and follow-up note under it, so that the old key can
// leave the ring. It is idempotent and safe while Candor serves.
func keysReseal(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("keys reseal", stderr)
	t, closeDB, err := parseTool(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	n, err := reseal(ctx, t.st, t.ring, t.cfg.BaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed under key %s: %s\n", t.ring.CurrentID(), n)
	if len(t.ring.IDs()) > 1 {
		// Recorded as the background reseal does, for keys status.
		return t.st.Markers.SetMarker(ctx, resealMarker, t.ring.CurrentID())
	}
	return nil
}

// resealed counts what a reseal changed.
type resealed struct{ responses, consentRefs, comments, notes int }

func (r resealed) String() string {
	return fmt.Sprintf("%d responses, %d consent references, %d comments, %d follow-up notes", r.responses, r.consentRefs, r.comments, r.notes)
}

// reseal re-encrypts everything sealed under an older key of ring.
func reseal(ctx context.Context, st *store.Store, ring *keys.Ring, baseURL string) (resealed, error) {
	sealer := seal.New(ring)
	customers := customer.New(st.Accounts, st.Contacts, st.Users, sealer)
	_, priv := respondentServices(st, ring, baseURL, customers, confirmations{})
	n, err := priv.Reseal(ctx)
	if err != nil {
		return resealed{}, err
	}
	out := resealed{responses: n.Responses, consentRefs: n.ConsentRefs}
	if out.comments, err = quoteService(st, sealer, customers).Reseal(ctx); err != nil {
		return out, err
	}
	if out.notes, err = followupRecorder(st, sealer).Reseal(ctx); err != nil {
		return out, err
	}
	return out, nil
}

// resealMarker records the key everything was last re-encrypted under.
const resealMarker = "reseal"

// startReseal re-encrypts, once per current key and in the background,
// what older keys of the ring sealed, when the ring has any: rotating a
// key then needs only a restart. Old keys stay in the ring, so a marker
// keeps later starts from reading everything again. Replicas doing it at
// once do no harm, since each write is whole and any of them is right.
// stop cancels it and waits.
func startReseal(ctx context.Context, st *store.Store, ring *keys.Ring, baseURL string, logger *slog.Logger) (stop func()) {
	if len(ring.IDs()) < 2 {
		return func() {}
	}
	return inBackground(ctx, func(ctx context.Context) {
		if done, err := st.Markers.Marker(ctx, resealMarker); err == nil && done == ring.CurrentID() {
			return
		}
		n, err := reseal(ctx, st, ring, baseURL)
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("re-encrypting under the current key failed; run candor keys reseal", "key", ring.CurrentID(), "err", err)
			}
			return
		}
		if err := st.Markers.SetMarker(ctx, resealMarker, ring.CurrentID()); err != nil {
			logger.Warn("re-encryption not recorded; the next start does it again", "err", err)
		}
		logger.Info("re-encrypted under the current key", "key", ring.CurrentID(), "responses", n.responses,
			"consent_refs", n.consentRefs, "comments", n.comments, "followup_notes", n.notes)
	})
}
