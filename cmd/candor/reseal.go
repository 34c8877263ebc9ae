package main

import (
	"context"
	"fmt"
	"io"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/seal"
)

// keysReseal runs `candor keys reseal`: after a new key was put first in
// CANDOR_SECRET_KEYS, it re-encrypts every sealed answer and consent
// reference under it, so that the old key can leave the ring. It is
// idempotent and safe while Candor serves.
func keysReseal(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("keys reseal", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	t, closeDB, err := openTool(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	ring, st := t.ring, t.st
	customers := customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
	_, priv := respondentServices(st, ring, cfg.BaseURL, customers)
	n, err := priv.Reseal(ctx)
	if err != nil {
		return err
	}
	q, err := quoteService(st, seal.New(ring), customers).Reseal(ctx)
	if err != nil {
		return err
	}
	notes, err := followupRecorder(st, seal.New(ring)).Reseal(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed under key %s: %d responses, %d consent references, %d comments, %d follow-up notes\n",
		ring.CurrentID(), n.Responses, n.ConsentRefs, q, notes)
	return nil
}
