package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	netmail "net/mail"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
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
	ring, err := cfg.Keys()
	if err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	if ring, err = withKeptIndexKeys(ctx, st, ring, logger); err != nil {
		return err
	}
	if err := rebuildOutdatedRollups(ctx, st, seal.New(ring), logger); err != nil {
		return err
	}

	app, err := newServer(ctx, cfg, st, ring, logger, stderr)
	if err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(ctx, cfg.MetricsAddr, cfg.MetricsToken, app.metrics, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	} else if cfg.MetricsToken == "" {
		logger.Info("metrics are not served: set CANDOR_METRICS_TOKEN, or CANDOR_METRICS_ADDR for a listener of their own")
	}
	// Deferred after closeDB, so it runs first: the dispatcher finishes the
	// batches it holds while the database is still there.
	defer app.delivery.start(ctx, cfg.Dispatch, logger)()
	defer startAlerts(ctx, app.followups, cfg.Dispatch)()
	defer startReseal(ctx, st, ring, cfg.BaseURL, logger)()
	defer startRewrap(ctx, st, ring, logger)()
	defer inBackground(ctx, func(ctx context.Context) { app.auth.RunSweeper(ctx, sweepEvery) })()
	defer inBackground(ctx, func(ctx context.Context) { anchorConsents(ctx, app.privacy, anchorEvery, logger) })()
	defer startTallySweeper(ctx, st, seal.New(ring), logger)()
	defer app.auth.Wait() // reset mail still being sent
	logger.Info("candor listening", "addr", cfg.Addr, "base_url", cfg.BaseURL, "env", cfg.Env, "version", version)
	if err := app.web.Listen(ctx, cfg.Addr); err != nil {
		return err
	}
	logger.Info("candor stopped")
	return nil
}

// server is what `candor serve` runs: the web server, and the services
// whose background work serve starts beside it.
type server struct {
	web       *web.Server
	delivery  delivery
	followups *followup.Service
	metrics   *metrics.Metrics
	auth      *auth.Service
	privacy   *privacy.Service
}

// newServer builds every service over st and the web server on top; the
// first admin is created on an empty database.
func newServer(ctx context.Context, cfg config.Config, st *store.Store, ring *keys.Ring, logger *slog.Logger, stderr io.Writer) (*server, error) {
	customers := customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring),
		customer.WithImportJobs(st.Uploads, st.Imports, logger))
	mx := metrics.New(version)
	mx.WatchOutbox(st.Outbox.Count)
	delivery, err := newDelivery(cfg, st, ring, customers, logger, mx)
	if err != nil {
		return nil, err
	}
	authSvc, err := newAuth(cfg, st, ring, delivery.sender, logger)
	if err != nil {
		return nil, err
	}
	created, generated, err := authSvc.EnsureFirstAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return nil, err
	}
	if created {
		logger.Info("first admin created", "email", firstAdminEmail(cfg.AdminEmail))
	}
	if generated != "" {
		// Shown once, on the console only, never in the structured log.
		fmt.Fprintf(stderr, "\n  First admin: %s\n  Password:    %s\n  Change it after signing in: %s/profile\n\n",
			firstAdminEmail(cfg.AdminEmail), generated, cfg.BaseURL)
	}
	respondents, privacySvc := respondentServices(st, ring, cfg.BaseURL, customers,
		confirmations{sender: delivery.sender, from: delivery.from})
	followups, err := newFollowups(cfg, st, ring, customers, privacySvc, delivery.sender, logger)
	if err != nil {
		return nil, err
	}
	srv, err := web.New(web.Deps{
		Config: cfg, Auth: authSvc, DB: st, Keys: ring, Logger: logger, Version: version, Metrics: mx,
		Customers:   customers,
		Surveys:     authoring.New(st.Surveys, st.Responses),
		Respondents: respondents,
		Campaigns:   delivery.service,
		Privacy:     privacySvc,
		Quotes:      quoteService(st, seal.New(ring), customers),
		Followups:   followups,
		Reports:     report.New(st.Rollups),

		ReportCampaigns: st.Campaigns,
	})
	if err != nil {
		return nil, err
	}
	return &server{web: srv, delivery: delivery, followups: followups, metrics: mx, auth: authSvc, privacy: privacySvc}, nil
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

// newAuth wires staff authentication; reset links go out through the
// same sender as survey mail.
func newAuth(cfg config.Config, st *store.Store, ring *keys.Ring, sender auth.Sender, logger *slog.Logger) (*auth.Service, error) {
	from, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("CANDOR_MAIL_FROM: %w", err)
	}
	d := auth.StoresOf(st, ring)
	d.Sender, d.From, d.BaseURL, d.Logger = sender, *from, cfg.BaseURL, logger
	return auth.New(d, auth.Options{SessionTTL: cfg.SessionTTL, APITokenTTL: cfg.APITokenTTL}), nil
}

func firstAdminEmail(configured string) string {
	if configured == "" {
		return "admin@localhost.localdomain"
	}
	return auth.NormalizeEmail(configured)
}
