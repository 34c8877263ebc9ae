// Package metrics keeps Candor's Prometheus collectors: HTTP requests,
// mail delivery and the outbox, with Go and process metrics, in one
// registry per process that /metrics serves.
package metrics

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/webhook"
)

// Metrics is one process's collectors. A registry of its own, rather than
// the default one, lets several servers run side by side (as tests do).
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	delivered *prometheus.CounterVec
	bounces   *prometheus.CounterVec
	webhooks  *prometheus.CounterVec
}

var (
	_ invite.Observer  = (*Metrics)(nil)
	_ bounce.Observer  = (*Metrics)(nil)
	_ webhook.Observer = (*Metrics)(nil)
)

// New returns the collectors of a process running version.
func New(version string) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "candor_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "candor_http_request_duration_seconds",
			Help:    "HTTP request duration by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "candor_mail_messages_total",
			Help: "Survey and reminder messages handed to the mail server, by outcome.",
		}, []string{"outcome"}),
		bounces: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "candor_bounce_reports_total",
			Help: "Bounce and complaint reports received after delivery, by kind (bounce, soft_bounce, complaint, none) and outcome (handled, duplicate, ignored).",
		}, []string{"kind", "outcome"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "candor_webhook_posts_total",
			Help: "Webhook and chat posts by event type and outcome (delivered, retry, failed, dropped).",
		}, []string{"event", "outcome"}),
	}
	// Every outcome from the start, so that a rate of failures is 0, not absent.
	for _, o := range invite.Outcomes() {
		m.delivered.WithLabelValues(string(o))
	}
	for _, k := range bounce.Kinds() {
		for _, o := range bounce.Outcomes() {
			m.bounces.WithLabelValues(string(k), string(o))
		}
	}
	for _, e := range webhook.EventTypes {
		for _, o := range webhook.Outcomes() {
			m.webhooks.WithLabelValues(e, string(o))
		}
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "candor_build_info",
		Help:        "Always 1; the label carries the running version.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.registry.MustRegister(
		m.requests, m.duration, m.delivered, m.bounces, m.webhooks, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Request counts one HTTP request.
func (m *Metrics) Request(method, route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
}

// Delivered counts messages by what became of them.
func (m *Metrics) Delivered(o invite.Outcome, n int) {
	if n > 0 {
		m.delivered.WithLabelValues(string(o)).Add(float64(n))
	}
}

// Report counts one bounce or complaint report by what became of it.
func (m *Metrics) Report(k bounce.Kind, o bounce.Outcome) {
	kind := string(k)
	if k == bounce.KindNone {
		kind = "none" // not a bounce: a delivery report, an auto-reply, garbage
	}
	m.bounces.WithLabelValues(kind, string(o)).Inc()
}

// Posted counts one webhook or chat post by what became of it.
func (m *Metrics) Posted(eventType string, o webhook.Outcome) {
	m.webhooks.WithLabelValues(eventType, string(o)).Inc()
}

// outboxTimeout bounds the database count behind one scrape.
const outboxTimeout = 2 * time.Second

// WatchOutbox reports the number of messages waiting in the outbox at each
// scrape, as count gives it; a count that fails reports -1 rather than
// failing the scrape.
func (m *Metrics) WatchOutbox(count func(ctx context.Context) (int64, error)) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "candor_outbox_messages",
		Help: "Messages waiting in the outbox (queued or being sent); -1 when the database did not answer.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), outboxTimeout)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// RequireToken lets through to h only a request carrying
// "Authorization: Bearer <token>"; with no token, every request. The
// comparison takes the same time whatever the first wrong byte.
func RequireToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="candor metrics"`)
			http.Error(w, "metrics need the bearer token of CANDOR_METRICS_TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
