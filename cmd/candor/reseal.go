package main

import (
	"context"
	"fmt"
	"io"
)

// keysReseal runs `candor keys reseal`: after a new key was put first in
// CANDOR_SECRET_KEYS, it re-encrypts every sealed answer, consent
// reference, comment, follow-up note and webhook secret, URL and queued
// event under it, so that the old key can
// leave the ring. It is idempotent and safe while Candor serves.
func keysReseal(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("keys reseal", stderr)
	a, err := parseTool(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer a.close()
	n, err := reseal(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed under key %s: %s\n", a.ring.CurrentID(), n)
	if len(a.ring.IDs()) > 1 {
		// Recorded as the background reseal does, for keys status.
		return a.st.Markers.SetMarker(ctx, resealMarker, a.ring.CurrentID())
	}
	return nil
}

// resealed counts what a reseal changed.
type resealed struct{ responses, consentRefs, comments, notes, webhooks int }

func (r resealed) String() string {
	return fmt.Sprintf("%d responses, %d consent references, %d comments, %d follow-up notes, %d webhook records",
		r.responses, r.consentRefs, r.comments, r.notes, r.webhooks)
}

// reseal re-encrypts everything sealed under an older key of a's ring.
func reseal(ctx context.Context, a *app) (resealed, error) {
	n, err := a.privacy.Reseal(ctx)
	if err != nil {
		return resealed{}, err
	}
	out := resealed{responses: n.Responses, consentRefs: n.ConsentRefs}
	if out.comments, err = a.quotes.Reseal(ctx); err != nil {
		return out, err
	}
	if out.notes, err = a.followups.Reseal(ctx); err != nil {
		return out, err
	}
	if out.webhooks, err = a.webhooks.Reseal(ctx); err != nil {
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
func startReseal(ctx context.Context, a *app) (stop func()) {
	st, ring, logger := a.st, a.ring, a.logger
	if len(ring.IDs()) < 2 {
		return func() {}
	}
	return inBackground(ctx, func(ctx context.Context) {
		if done, err := st.Markers.Marker(ctx, resealMarker); err == nil && done == ring.CurrentID() {
			return
		}
		n, err := reseal(ctx, a)
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
