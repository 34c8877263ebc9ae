package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/metrics"
	"github.com/candorhq/candor/internal/webhook"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(m *metrics.Metrics)
		want  []string
	}{
		{"fresh", func(*metrics.Metrics) {}, []string{
			`candor_mail_messages_total{outcome="sent"} 0`,
			`candor_mail_messages_total{outcome="bounced"} 0`,
			`candor_build_info{version="v9"} 1`,
		}},
		{"delivered", func(m *metrics.Metrics) {
			m.Delivered(invite.OutcomeSent, 3)
			m.Delivered(invite.OutcomeSent, 2)
			m.Delivered(invite.OutcomeRetry, 1)
			m.Delivered(invite.OutcomeFailed, 0)
		}, []string{
			`candor_mail_messages_total{outcome="sent"} 5`,
			`candor_mail_messages_total{outcome="retry"} 1`,
			`candor_mail_messages_total{outcome="failed"} 0`,
		}},
		{"webhooks", func(m *metrics.Metrics) {
			m.Posted(webhook.CampaignFinished, webhook.OutcomeDelivered)
			m.Posted(webhook.CampaignFinished, webhook.OutcomeRetry)
			m.Posted(webhook.CampaignFinished, webhook.OutcomeRetry)
		}, []string{
			`candor_webhook_posts_total{event="campaign.finished",outcome="delivered"} 1`,
			`candor_webhook_posts_total{event="campaign.finished",outcome="retry"} 2`,
			`candor_webhook_posts_total{event="followup.created",outcome="failed"} 0`,
		}},
		{"requests", func(m *metrics.Metrics) {
			m.Request("GET", "/s/:token", 200, 30*time.Millisecond)
		}, []string{
			`candor_http_requests_total{method="GET",route="/s/:token",status="200"} 1`,
			`candor_http_request_duration_seconds_count{method="GET",route="/s/:token"} 1`,
		}},
		{"bounces", func(m *metrics.Metrics) {
			m.Report(bounce.KindBounce, bounce.Handled)
			m.Report(bounce.KindBounce, bounce.Handled)
			m.Report(bounce.KindComplaint, bounce.Duplicate)
			m.Report(bounce.KindNone, bounce.Ignored)
		}, []string{
			`candor_bounce_reports_total{kind="bounce",outcome="handled"} 2`,
			`candor_bounce_reports_total{kind="complaint",outcome="duplicate"} 1`,
			`candor_bounce_reports_total{kind="none",outcome="ignored"} 1`,
			`candor_bounce_reports_total{kind="soft_bounce",outcome="ignored"} 0`,
		}},
		{"outbox", func(m *metrics.Metrics) {
			m.WatchOutbox(func(context.Context) (int64, error) { return 42, nil })
		}, []string{`candor_outbox_messages 42`}},
		{"outbox down", func(m *metrics.Metrics) {
			m.WatchOutbox(func(context.Context) (int64, error) { return 0, errors.New("no database") })
		}, []string{`candor_outbox_messages -1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New("v9")
			tt.setup(m)
			body := scrape(t, m)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("scrape lacks %q", w)
				}
			}
		})
	}
}
