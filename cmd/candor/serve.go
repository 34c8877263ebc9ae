package main

import (
	"context"
	"fmt"
	"io"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/surveys"
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
	if err := rebuildOutdatedRollups(ctx, st, seal.New(ring), logger); err != nil {
		return err
	}

	authSvc := auth.New(st.Users, ring, auth.Options{SessionTTL: cfg.SessionTTL, APITokenTTL: cfg.APITokenTTL})
	created, generated, err := authSvc.EnsureFirstAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return err
	}
	if created {
		logger.Info("first admin created", "email", firstAdminEmail(cfg.AdminEmail))
	}
	if generated != "" {
		// Shown once, on the console only, never in the structured log.
		fmt.Fprintf(stderr, "\n  First admin: %s\n  Password:    %s\n  Change it after signing in.\n\n", firstAdminEmail(cfg.AdminEmail), generated)
	}

	customers := customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring),
		customer.WithImportJobs(st.Uploads, st.Imports, logger))
	mx := metrics.New(version)
	mx.WatchOutbox(st.Outbox.Count)
	delivery, err := newDelivery(cfg, st, ring, customers, logger, mx)
	if err != nil {
		return err
	}
	respondents, privacySvc := respondentServices(st, ring, cfg.BaseURL, customers,
		confirmations{sender: delivery.sender, from: delivery.from})
	followups, err := newFollowups(cfg, st, ring, customers, privacySvc, delivery.sender, logger)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Deps{
		Config: cfg, Auth: authSvc, DB: st, Keys: ring, Logger: logger, Version: version, Metrics: mx,
		Customers:   customers,
		Surveys:     surveys.New(st.Surveys, st.Responses),
		Respondents: respondents,
		Campaigns:   delivery.service,
		Privacy:     privacySvc,
		Quotes:      quoteService(st, seal.New(ring), customers),
		Followups:   followups,
		Reports:     report.New(st.Rollups),

		ReportCampaigns: st.Campaigns,
	})
	if err != nil {
		return err
	}
	// Deferred after closeDB, so it runs first: the dispatcher finishes the
	// batches it holds while the database is still there.
	defer delivery.start(ctx, cfg.Dispatch, logger)()
	defer startAlerts(ctx, followups, cfg.Dispatch)()
	defer startReseal(ctx, st, ring, cfg.BaseURL, logger)()
	logger.Info("candor listening", "addr", cfg.Addr, "base_url", cfg.BaseURL, "env", cfg.Env, "version", version)
	if err := srv.Listen(ctx, cfg.Addr); err != nil {
		return err
	}
	logger.Info("candor stopped")
	return nil
}

func firstAdminEmail(configured string) string {
	if configured == "" {
		return "admin@localhost.localdomain"
	}
	return auth.NormalizeEmail(configured)
}
