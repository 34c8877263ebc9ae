package main

import (
	"context"
	"time"

	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/webhook"
)

// How often due webhook deliveries and threshold crossings are looked for.
const (
	webhookInterval = 5 * time.Second
	watchInterval   = 5 * time.Minute
)

// startWebhooks runs the webhook dispatcher and the threshold watch
// wherever the mail dispatcher runs; stop waits for the round in flight.
func startWebhooks(ctx context.Context, a *app, enabled bool) (stop func()) {
	if !enabled {
		return func() {}
	}
	d := webhook.NewDispatcher(webhook.DispatcherDeps{Store: a.st.Webhooks, Sealer: a.sealer, Followups: a.st.Followups,
		Production: a.cfg.Env == config.Production, Observer: webhookObserver(a), Logger: a.logger, Now: a.now})
	w := webhook.NewWatch(a.st.Webhooks, a.reports, a.st.Surveys, a.webhooks)
	stopDispatch := inBackground(ctx, func(ctx context.Context) { d.Run(ctx, webhookInterval) })
	stopWatch := inBackground(ctx, func(ctx context.Context) { w.Run(ctx, watchInterval) })
	return func() { stopWatch(); stopDispatch() }
}

// webhookObserver counts posts in the process's metrics, when it keeps any.
func webhookObserver(a *app) webhook.Observer {
	if a.metrics == nil {
		return nil
	}
	return a.metrics
}
