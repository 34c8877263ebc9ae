package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/clock"
	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/store"
)

// worker runs only the dispatcher: it delivers campaigns from a database
// that `candor serve` processes share, and serves no web requests.
func worker(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("worker", stderr)
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics (default: CANDOR_METRICS_ADDR, else none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.Embedded() {
		// An embedded database belongs to the process that starts it; a
		// worker on its own one would deliver nobody's campaigns.
		return errors.New("candor worker shares the database of candor serve: set CANDOR_MONGODB_URI " +
			"(for the embedded database, run `candor db` and point both at it)")
	}
	logger := newLogger(cfg, stderr)
	a, err := newApp(ctx, cfg, logger, sendMail)
	if err != nil {
		return err
	}
	defer a.close()
	if *metricsAddr == "" {
		*metricsAddr = cfg.MetricsAddr
	}
	if *metricsAddr != "" {
		stopMetrics, err := serveMetrics(ctx, *metricsAddr, cfg.MetricsToken, a.metrics, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	// Detractor alerts go out wherever survey mail does.
	defer startAlerts(ctx, a.followups, true)()
	defer startBounceMailbox(ctx, a, true)()
	defer startRetention(ctx, a.retention, true)()
	defer startWebhooks(ctx, a, true)()
	logger.Info("candor worker started", "version", version)
	a.delivery.dispatcher.Run(ctx)
	return nil
}

// delivery is the campaign service and its dispatcher.
type delivery struct {
	service    *invite.Service
	dispatcher *invite.Dispatcher
	sender     invite.Sender // also carries detractor alerts and email confirmations
	from       netmail.Address
}

// newDelivery wires campaigns and delivery from the configuration: SMTP
// (DKIM-signed when a key is configured), or the dev outbox without SMTP.
func newDelivery(cfg config.Config, st *store.Store, links *link.Signer, customers *customer.Service, logger *slog.Logger, obs invite.Observer, now clock.Clock, returns *bounce.ReturnPaths, events invite.Events) (delivery, error) {
	from, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return delivery{}, fmt.Errorf("CANDOR_MAIL_FROM: %w", err)
	}
	sender, err := newSender(cfg, st, from, logger)
	if err != nil {
		return delivery{}, err
	}
	ic := invite.Config{From: *from, Workers: cfg.MailWorkers, Rate: cfg.MailRate,
		ContactFrequency: time.Duration(cfg.ContactFrequency) * 24 * time.Hour}
	if cfg.MailRate == 0 {
		ic.Rate = -1 // configured as 0: no limit
	}
	if cfg.ContactFrequency == 0 {
		ic.ContactFrequency = -1
	}
	// The retention sweep deletes dead letters by the retention policy;
	// the dispatcher's own trimming stays only as a backstop.
	ic.DeadLetterTTL = retentionBackstop
	deps := invite.Deps{Stores: invite.StoresOf(st), Customers: customers, Links: links, Config: ic, Logger: logger, Observer: obs, Now: now, Events: events}
	if returns != nil {
		deps.ReturnPaths = returns
	}
	svc, err := invite.NewService(deps)
	if err != nil {
		return delivery{}, err
	}
	disp, err := invite.NewDispatcher(deps, sender)
	if err != nil {
		return delivery{}, err
	}
	return delivery{service: svc, dispatcher: disp, sender: sender, from: *from}, nil
}

func newSender(cfg config.Config, st *store.Store, from *netmail.Address, logger *slog.Logger) (invite.Sender, error) {
	if cfg.SMTPURL == "" {
		logger.Info("no CANDOR_SMTP_URL: survey email goes to the dev outbox at /admin/outbox")
		return invite.NewDevOutbox(st.DevMails), nil
	}
	settings, err := mail.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("CANDOR_SMTP_URL: %w", err)
	}
	var opts []mail.Option
	if cfg.DKIMKeyFile != "" {
		pem, err := os.ReadFile(cfg.DKIMKeyFile)
		if err != nil {
			return nil, fmt.Errorf("CANDOR_DKIM_KEY_FILE: %w", err)
		}
		domain := cfg.DKIMDomain
		if domain == "" {
			_, domain, _ = strings.Cut(from.Address, "@")
		}
		signer, err := mail.LoadDKIM(pem, cfg.DKIMSelector, domain)
		if err != nil {
			return nil, err
		}
		opts = append(opts, mail.WithDKIM(signer))
		logger.Info("survey email is DKIM-signed", "selector", cfg.DKIMSelector, "domain", domain)
	}
	logger.Info("survey email goes out through SMTP", "smtp", settings)
	return mail.NewSMTPSender(settings, opts...)
}

// start runs the dispatcher beside the web server unless CANDOR_DISPATCH
// is off; stop asks it to finish the batches it holds and waits for that.
func (d delivery) start(ctx context.Context, enabled bool, logger *slog.Logger) (stop func()) {
	if !enabled {
		logger.Info("dispatcher off (CANDOR_DISPATCH=off): campaigns are delivered by other processes")
		return func() {}
	}
	return inBackground(ctx, d.dispatcher.Run)
}

// inBackground runs fn in its own goroutine until stop is called; stop
// cancels fn's context and waits for fn to return.
func inBackground(ctx context.Context, fn func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { fn(ctx) })
	return func() {
		cancel()
		wg.Wait()
	}
}

// serveMetrics serves /metrics on addr until stop is called: a worker has
// no web server of its own to carry them, and `candor serve` keeps them
// off its public address when CANDOR_METRICS_ADDR is set. With a token,
// only a scraper that sends it is answered.
func serveMetrics(ctx context.Context, addr, token string, mx *metrics.Metrics, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.RequireToken(token, mx.Handler()))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "err", err)
		}
	})
	logger.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		wg.Wait()
	}, nil
}
