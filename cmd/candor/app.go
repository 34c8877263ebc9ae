package main

import (
	"time"

	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	netmail "net/mail"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/clock"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/relationship"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/retention"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/webhook"
)

// app is what every command that works on the database boots: the
// configuration, a logger, the key ring with the blind-index keys kept
// from root keys that left it, the migrated store, and the services over
// it, each built once.
type app struct {
	cfg    config.Config
	logger *slog.Logger
	ring   *keys.Ring
	st     *store.Store
	now    clock.Clock // the services' time (see config.Config.Clock)

	sealer    *seal.Sealer
	links     *link.Signer
	customers *customer.Service
	reports   *report.Service // reports, and the counters answering keeps
	quotes    *quotes.Service
	privacy   *privacy.Service
	followups *followup.Service // also records named responses as they are answered
	// relationships is the accounts' relationship view.
	relationships *relationship.Service
	respondents   *respond.Service
	auth          *auth.Service
	retention     *retention.Service // the retention policy and its daily sweep
	webhooks      *webhook.Service   // endpoints, and the events campaigns and follow-ups publish

	// Survey mail, and the metrics of its delivery: only with sendMail.
	metrics  *metrics.Metrics
	delivery delivery
	// bounces acts on bounce and complaint reports; nil without
	// CANDOR_BOUNCE_DOMAIN or sendMail.
	bounces *bounce.Handler

	closeDB func()
}

// appMail says whether an app sends mail.
type appMail bool

const (
	noMail appMail = false // one-shot commands
	// sendMail wires survey mail and what goes out with it: password-reset
	// links, detractor alerts, confirmations of respondents' new addresses.
	sendMail appMail = true
)

// newApp loads the key ring, opens the store (starting the embedded
// database when none is configured), migrates it, keeps the blind-index
// keys of retired root keys, and builds the services. close closes it.
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger, m appMail) (*app, error) {
	ring, err := cfg.Keys()
	if err != nil {
		return nil, err
	}
	st, closeDB, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		closeDB()
		return nil, err
	}
	if ring, err = withKeptIndexKeys(ctx, st, ring, logger); err != nil {
		closeDB()
		return nil, err
	}
	a, err := wireApp(cfg, st, ring, logger, m)
	if err != nil {
		closeDB()
		return nil, err
	}
	a.closeDB = closeDB
	return a, nil
}

// wireApp builds the services over an open store.
func wireApp(cfg config.Config, st *store.Store, ring *keys.Ring, logger *slog.Logger, m appMail) (*app, error) {
	from, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("CANDOR_MAIL_FROM: %w", err)
	}
	sealer := seal.New(ring)
	a := &app{cfg: cfg, logger: logger, ring: ring, st: st, now: cfg.Clock(), sealer: sealer, closeDB: func() {},
		links: link.New(ring, cfg.BaseURL), reports: report.New(st.Rollups),
		customers: customer.New(st.Accounts, st.Contacts, st.Users, sealer,
			customer.WithImportJobs(st.Uploads, st.Imports, logger)),
	}
	a.webhooks = webhook.New(webhook.Deps{Store: st.Webhooks, Sealer: sealer, Production: cfg.Env == config.Production, Logger: logger}).WithClock(a.now)
	a.quotes = quotes.New(quotes.Deps{Store: st.Quotes, Sealer: sealer, People: a.customers, Accounts: st.Accounts, Users: st.Users,
		Themes: st.QuoteThemes}).WithClock(a.now)

	authDeps := auth.StoresOf(st, ring)
	authDeps.From, authDeps.BaseURL, authDeps.Logger = *from, cfg.BaseURL, logger
	authDeps.Audit = audit.New(st.Audit) // accounts and roles single sign-on creates and changes
	privacyDeps := privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: a.customers, Eraser: st.Contacts,
		Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: audit.New(st.Audit), Sealer: sealer, Followups: st.Followups, Webhooks: st.Webhooks,
		EmailChanges: st.EmailChanges, BaseURL: cfg.BaseURL,
		// Erasure leaves no copy: queued mail, dead letters, the dev outbox.
		Outbox: st.Outbox, DevMails: st.DevMails, Scrubber: st,
	}
	followupDeps := followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys,
		Subjects: a.customers, Audit: privacyDeps.Audit, Sealer: sealer,
		Users: st.Users, From: *from, BaseURL: cfg.BaseURL, Logger: logger,
		SLA: followup.SLA{DetractorDays: cfg.FollowupSLADetractorDays, OtherDays: cfg.FollowupSLADays,
			RemindBefore: time.Duration(cfg.FollowupRemindHours) * time.Hour},
		Events: a.webhooks,
	}
	if m == sendMail {
		a.metrics = metrics.New(version)
		a.metrics.WatchOutbox(st.Outbox.Count)
		var returns *bounce.ReturnPaths
		if cfg.Bounces.Domain != "" {
			returns = bounce.NewReturnPaths(ring, cfg.Bounces.Domain)
			if a.bounces, err = newBounces(cfg, st, returns, a.customers, a.metrics, logger, a.now); err != nil {
				return nil, err
			}
		}
		if a.delivery, err = newDelivery(cfg, st, a.links, a.customers, logger, a.metrics, a.now, returns, a.webhooks); err != nil {
			return nil, err
		}
		authDeps.Sender = a.delivery.sender
		privacyDeps.Mailer, privacyDeps.From = a.delivery.sender, a.delivery.from
		followupDeps.Sender = a.delivery.sender
	}
	a.auth = auth.New(authDeps, auth.Options{SessionTTL: cfg.SessionTTL, APITokenTTL: cfg.APITokenTTL,
		PasswordsOff: !cfg.PasswordLogin})
	a.privacy = privacy.New(privacyDeps)
	a.retention = newRetention(cfg, st, a.privacy, privacyDeps.Audit, logger, a.now)
	followupDeps.Named = a.privacy
	a.followups = followup.New(followupDeps).WithClock(a.now)
	a.relationships = relationship.New(relationship.Deps{Accounts: a.customers, Invitations: st.Invitations, Surveys: st.Surveys, Roles: st.Contacts,
		Reports: a.reports, Followups: a.followups}).WithClock(a.now)
	a.respondents = respond.New(a.answering(a.reports))
	return a, nil
}

// answering is what answering from a link works with; tally counts each
// answer into the report rollups as it is stored (nil: not counted).
func (a *app) answering(tally respond.Tally) respond.Deps {
	st := a.st
	return respond.Deps{
		Signer: a.links, Keys: a.ring, Sealer: a.sealer,
		Invitations: st.Invitations, Surveys: st.Surveys, Contacts: st.Contacts, Accounts: st.Accounts,
		Responses: st.Responses, Consents: a.privacy, Tally: tally, Quotes: a.quotes, Followups: a.followups,
		Campaigns: st.Campaigns,
	}
}

// close closes the store, and stops the embedded database.
func (a *app) close() { a.closeDB() }

// parseTool parses a one-shot command's flags, then loads the
// configuration and opens the app (see openTool).
func parseTool(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string) (*app, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	return openTool(ctx, cfg)
}

// openTool opens the app of a one-shot command: it sends no mail and logs
// nothing, since one-shot commands print their own results.
func openTool(ctx context.Context, cfg config.Config) (*app, error) {
	return newApp(ctx, cfg, newLogger(cfg, io.Discard), noMail)
}
