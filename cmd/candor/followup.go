package main

import (
	"context"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

// alertInterval is how often due detractor alerts are looked for.
const alertInterval = 10 * time.Second

// followupRecorder is the part of the closed loop that answering needs:
// recording named responses and queueing their alerts.
func followupRecorder(st *store.Store, sealer *seal.Sealer) *followup.Service {
	return followup.New(followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys, Sealer: sealer,
	})
}

// newFollowups wires the closed loop for the web server and its alerts,
// which go out through the same sender as survey email. named may be nil
// where no one opens responses (candor worker).
func newFollowups(cfg config.Config, st *store.Store, ring *keys.Ring, subjects followup.Subjects, named followup.NamedResponses,
	sender followup.Sender, logger *slog.Logger) (*followup.Service, error) {
	from, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("CANDOR_MAIL_FROM: %w", err)
	}
	return followup.New(followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys,
		Subjects: subjects, Named: named, Audit: audit.New(st.Audit), Sealer: seal.New(ring),
		Users: st.Users, Sender: sender, From: *from, BaseURL: cfg.BaseURL, Logger: logger,
	}), nil
}

// startAlerts sends detractor alerts beside the web server wherever the
// dispatcher runs; stop waits for the round in flight.
func startAlerts(ctx context.Context, svc *followup.Service, enabled bool) (stop func()) {
	if !enabled {
		return func() {}
	}
	return inBackground(ctx, func(ctx context.Context) { svc.Run(ctx, alertInterval) })
}
