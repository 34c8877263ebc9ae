package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/sso"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/web"
)

func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("serve", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	a, err := newApp(ctx, cfg, logger, sendMail)
	if err != nil {
		return err
	}
	defer a.close()
	if err := rebuildOutdatedRollups(ctx, a); err != nil {
		return err
	}

	srv, err := newServer(ctx, a, stderr)
	if err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(ctx, cfg.MetricsAddr, cfg.MetricsToken, a.metrics, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	} else if cfg.MetricsToken == "" {
		logger.Info("metrics are not served: set CANDOR_METRICS_TOKEN, or CANDOR_METRICS_ADDR for a listener of their own")
	}
	// Deferred after close, so it runs first: the dispatcher finishes the
	// batches it holds while the database is still there.
	defer a.delivery.start(ctx, cfg.Dispatch, logger)()
	defer startAlerts(ctx, a.followups, cfg.Dispatch)()
	defer startBounceMailbox(ctx, a, cfg.Dispatch)()
	defer startWebhooks(ctx, a, cfg.Dispatch)()
	defer startReseal(ctx, a)()
	defer startRewrap(ctx, a.st, a.ring, logger)()
	defer inBackground(ctx, func(ctx context.Context) { a.auth.RunSweeper(ctx, sweepEvery) })()
	defer inBackground(ctx, func(ctx context.Context) { anchorConsents(ctx, a.privacy, anchorEvery, logger) })()
	defer startTallySweeper(ctx, a)()
	defer startThemes(ctx, a)()
	defer startRetention(ctx, a.retention, cfg.Dispatch)()
	defer a.auth.Wait() // reset mail still being sent
	logger.Info("candor listening", "addr", cfg.Addr, "base_url", cfg.BaseURL, "env", cfg.Env, "version", version)
	if err := srv.Listen(ctx, cfg.Addr); err != nil {
		return err
	}
	logger.Info("candor stopped")
	return nil
}

// newServer builds the web server over a's services; the first admin is
// created on an empty database.
func newServer(ctx context.Context, a *app, stderr io.Writer) (*web.Server, error) {
	cfg := a.cfg
	created, generated, err := a.auth.EnsureFirstAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return nil, err
	}
	if created {
		a.logger.Info("first admin created", "email", firstAdminEmail(cfg.AdminEmail))
	}
	if generated != "" {
		// Shown once, on the console only, never in the structured log.
		fmt.Fprintf(stderr, "\n  First admin: %s\n  Password:    %s\n  Change it after signing in: %s/profile\n\n",
			firstAdminEmail(cfg.AdminEmail), generated, cfg.BaseURL)
	}
	d := web.Deps{
		Config: cfg, Auth: a.auth, DB: a.st, Keys: a.ring, Logger: a.logger, Version: version, Metrics: a.metrics,
		Customers:   a.customers,
		Surveys:     authoring.New(a.st.Surveys, a.st.Responses),
		Respondents: a.respondents,
		Campaigns:   a.delivery.service,
		Privacy:     a.privacy,
		Quotes:      a.quotes,
		Followups:   a.followups,
		Reports:     a.reports,

		Relationships: a.relationships,
		Retention:     a.retention,
		Webhooks:      a.webhooks,

		ReportCampaigns: a.st.Campaigns,
		ReportAccounts:  a.st.Accounts,

		RespondentAccounts: a.st.Accounts,
	}
	if cfg.OIDC.Enabled() {
		provider, err := sso.New(cfg.OIDC, cfg.BaseURL, a.ring, sso.Options{Logger: a.logger})
		if err != nil {
			return nil, err
		}
		d.SSO = provider
	}
	if a.bounces != nil {
		d.Bounces = a.bounces
	}
	return web.New(d)
}

// sweepEvery is how often expired revoked tokens and reset links are
// deleted.
const sweepEvery = 10 * time.Minute

// anchorEvery is how often the consent chain's shards are anchored: a cut
// or rewritten shard is caught from the first anchor after its records.
const anchorEvery = 5 * time.Minute

// anchorConsents anchors the consent chain every so often until ctx ends.
// Every serve process does; an anchor is written only when a shard moved,
// and concurrent ones take turns through the anchors' own head.
func anchorConsents(ctx context.Context, chain interface {
	AnchorChain(context.Context) (consents.Anchor, bool, error)
}, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a, wrote, err := chain.AnchorChain(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("consent chain not anchored; run candor consent verify", "err", err)
		case wrote:
			logger.Debug("consent chain anchored", "anchor", a.Seq, "shards", len(a.Heads))
		}
	}
}

func firstAdminEmail(configured string) string {
	if configured == "" {
		return "admin@localhost.localdomain"
	}
	return auth.NormalizeEmail(configured)
}
