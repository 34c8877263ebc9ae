package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/clock"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/retention"
	"github.com/candorhq/candor/internal/store"
)

// retentionBackstop is how long the dispatcher keeps dead letters when
// the retention policy keeps them for ever: its longest period.
const retentionBackstop = config.MaxRetentionDays * 24 * time.Hour

// newRetention wires the retention policy, with the configured defaults,
// and its sweep.
func newRetention(cfg config.Config, st *store.Store, people *privacy.Service, log retention.AuditLog, logger *slog.Logger, now clock.Clock) *retention.Service {
	r := cfg.Retention
	return retention.New(retention.Deps{
		Store: st.Retention, Contacts: st.Contacts, Responses: st.Responses, Surveys: st.Surveys, Accounts: st.Accounts,
		DevMails: st.DevMails, DeadLetters: st.Outbox, Bounces: st.Bounces, SoftBounceWindow: bounce.SoftWindow, People: people, Audit: log, Logger: logger,
		Defaults: retention.Policy{ContactMonths: r.ContactMonths, NamedMonths: r.NamedMonths, DevOutboxDays: r.DevOutboxDays, DeadLetterDays: r.DeadLetterDays},
	}).WithClock(now)
}

// startRetention runs the daily retention sweep in the background wherever
// the dispatcher runs; the sweep's lease lets one process at a time do it.
func startRetention(ctx context.Context, svc *retention.Service, enabled bool) (stop func()) {
	if !enabled {
		return func() {}
	}
	return inBackground(ctx, func(ctx context.Context) { svc.Loop(ctx, retention.CheckEvery) })
}

// retentionCmd is `candor retention preview|run`.
func retentionCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	const help = "usage: candor retention preview | candor retention run"
	if len(args) == 0 || (args[0] != "preview" && args[0] != "run") {
		fmt.Fprintln(stderr, help)
		return fmt.Errorf("retention: expected preview or run")
	}
	fs := newFlagSet("retention "+args[0], stderr)
	a, err := parseTool(ctx, fs, args[1:], getenv)
	if err != nil {
		return err
	}
	defer a.close()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if args[0] == "preview" {
		p, err := a.retention.Forecast(ctx)
		if err != nil {
			return err
		}
		return enc.Encode(p)
	}
	r, ran, err := a.retention.RunNow(ctx)
	if err != nil {
		return err
	}
	if !ran {
		return fmt.Errorf("retention: another process is running the sweep; try again later")
	}
	fmt.Fprintf(stdout, "retention sweep done: %d contacts erased, %d named answers de-identified, %d dev-outbox messages, %d dead letters and %d bounce records deleted\n",
		r.Counts.Contacts, r.Counts.Named, r.Counts.DevMails, r.Counts.DeadLetters, r.Counts.BounceRecords)
	return nil
}
