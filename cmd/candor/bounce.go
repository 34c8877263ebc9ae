package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/clock"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/store"
)

// newBounces wires the handling of bounce and complaint reports.
func newBounces(cfg config.Config, st *store.Store, returns *bounce.ReturnPaths, customers *customer.Service,
	mx *metrics.Metrics, logger *slog.Logger, now clock.Clock) (*bounce.Handler, error) {
	if cfg.Bounces.IMAPURL != "" {
		// Refused at start-up rather than on the first poll.
		if _, err := bounce.ParseMailboxURL(cfg.Bounces.IMAPURL); err != nil {
			return nil, fmt.Errorf("CANDOR_BOUNCE_IMAP_URL: %w", err)
		}
	}
	return bounce.NewHandler(bounce.Deps{
		ReturnPaths: returns, Invitations: st.Invitations, Recipients: customers, Suppressions: st.Suppressions,
		Contacts: st.Contacts, Campaigns: st.Campaigns, Events: st.Bounces, SoftLimit: cfg.Bounces.SoftLimit,
		Observer: mx, Logger: logger, Now: now,
	})
}

// startBounceMailbox reads the bounce mailbox wherever the dispatcher
// runs, when one is configured; a lease keeps it to one process at a
// time. stop waits for the poll in flight.
func startBounceMailbox(ctx context.Context, a *app, enabled bool) (stop func()) {
	if !enabled || a.bounces == nil || a.cfg.Bounces.IMAPURL == "" {
		return func() {}
	}
	box, err := bounce.ParseMailboxURL(a.cfg.Bounces.IMAPURL)
	if err != nil {
		// newBounces refused a bad URL already.
		a.logger.Error("bounce mailbox not read", "err", fmt.Errorf("CANDOR_BOUNCE_IMAP_URL: %w", err))
		return func() {}
	}
	p := bounce.NewPoller(box, a.bounces, a.st.Bounces, bounce.PollerOptions{Logger: a.logger, Now: a.now})
	return inBackground(ctx, func(ctx context.Context) { p.Run(ctx, a.cfg.Bounces.IMAPInterval) })
}
