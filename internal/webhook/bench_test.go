package webhook_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/webhook"
)

// BenchmarkPublishAndDeliver publishes events to two endpoints and posts
// them to a receiver on loopback, reporting deliveries per second of the
// whole path: queue, claim, post, record.
func BenchmarkPublishAndDeliver(b *testing.B) {
	e := newEnv(b)
	rcv := newReceiver(b)
	for i := range 2 {
		if _, _, err := e.svc.Create(context.Background(), e.admin, webhook.Input{Name: "r" + strconv.Itoa(i), URL: rcv.URL,
			Kind: webhook.Generic, Events: []string{webhook.CampaignFinished}, Enabled: true}); err != nil {
			b.Fatal(err)
		}
	}
	d := e.dispatcher(nil)
	ctx := context.Background()
	const events = 100
	b.ResetTimer()
	start := time.Now()
	var publish time.Duration
	for n := range b.N {
		p := time.Now()
		for i := range events {
			if err := e.svc.Publish(ctx, campaignEvent("b"+strconv.Itoa(n)+"-"+strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
		publish += time.Since(p)
		for {
			got, err := d.RunOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if got == 0 {
				break
			}
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(2*events*b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(publish.Microseconds())/float64(events*b.N), "µs/publish")
	if n := len(rcv.requests()); n != 2*events*b.N {
		b.Fatalf("receiver got %d, want %d", n, 2*events*b.N)
	}
}
