package main

import (
	"context"
	"time"

	"github.com/candorhq/candor/internal/followup"
)

// alertInterval is how often due detractor alerts are looked for.
const alertInterval = 10 * time.Second

// startAlerts sends detractor alerts beside the web server wherever the
// dispatcher runs; stop waits for the round in flight.
func startAlerts(ctx context.Context, svc *followup.Service, enabled bool) (stop func()) {
	if !enabled {
		return func() {}
	}
	return inBackground(ctx, func(ctx context.Context) { svc.Run(ctx, alertInterval) })
}
