package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/webhooks"
)

// Delivery. A dispatcher reads the due entries of the queue (which holds
// only pending deliveries), leases each by one findOneAndUpdate on its _id
// and posts its delivery; of several dispatchers racing for one delivery,
// one wins the lease and posts, the others move on. The outcome is written
// only under the lease's token. A process that dies holding a lease leaves
// the delivery to be posted again once it runs out, which receivers
// recognise by its unchanged id.
const (
	// Timeout bounds one post, connecting included.
	Timeout     = 10 * time.Second
	lease       = time.Minute // well over Timeout
	batch       = 50
	backoffBase = 30 * time.Second
	backoffMax  = time.Hour
	// MaxAttempts is how many posts a delivery gets before it fails.
	MaxAttempts = 12
	maxError    = 300
	sweepEvery  = time.Hour
	// repairAfter is how long a pending delivery may be out of the queue
	// (a crash between its two writes) before the sweep queues it again.
	repairAfter = 10 * time.Minute
)

// Followups tells whether a follow-up still exists: one whose person
// withdrew consent or was erased is gone, and its events may not leave.
type Followups interface {
	ByID(ctx context.Context, id string) (store.Followup, error)
}

// Outcome is what became of one post, as metrics count it.
type Outcome string

// Outcomes of a post.
const (
	OutcomeDelivered Outcome = "delivered" // the receiver answered 2xx
	OutcomeRetry     Outcome = "retry"     // refused or unreachable for now; posted again later
	OutcomeFailed    Outcome = "failed"    // given up: out of attempts, 410 Gone, or unreadable
	OutcomeDropped   Outcome = "dropped"   // not posted: endpoint gone or disabled, subject withdrawn
)

// Outcomes are every outcome, for metrics that start at zero.
func Outcomes() []Outcome {
	return []Outcome{OutcomeDelivered, OutcomeRetry, OutcomeFailed, OutcomeDropped}
}

// Observer is told of every post's outcome (*metrics.Metrics).
type Observer interface {
	Posted(eventType string, o Outcome)
}

type noObserver struct{}

func (noObserver) Posted(string, Outcome) {}

// DispatcherDeps is what a dispatcher is built from.
type DispatcherDeps struct {
	Store     Store
	Sealer    *seal.Sealer
	Followups Followups
	// Client posts; nil: NewClient(Production).
	Client     *http.Client
	Production bool
	Observer   Observer // nil: none
	Logger     *slog.Logger
	Now        func() time.Time // nil: time.Now
	// AfterClaim, when set, runs between a claim and its post, for
	// interleaving tests; production never sets it.
	AfterClaim func(deliveryID string)
}

// Dispatcher posts due deliveries.
type Dispatcher struct {
	d DispatcherDeps
}

// NewDispatcher returns a Dispatcher.
func NewDispatcher(d DispatcherDeps) *Dispatcher {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Client == nil {
		d.Client = NewClient(d.Production)
	}
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	return &Dispatcher{d: d}
}

// ErrPrivateTarget is why a post to a private address was refused.
var ErrPrivateTarget = errors.New("webhook: the endpoint's address is private, loopback or link-local")

// NewClient returns the client deliveries are posted with: Timeout per
// post, redirects never followed (the 3xx is the answer), no proxy from
// the environment, and in production no connection to an address that is
// not public, whatever the name resolved to.
func NewClient(production bool) *http.Client {
	dialer := &net.Dialer{Timeout: Timeout}
	if production {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return ErrPrivateTarget
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   Timeout,
			ResponseHeaderTimeout: Timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run posts due deliveries every interval until ctx ends, and once an
// hour deletes the log entries older than Retention.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	lastSweep := time.Time{}
	for {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.d.Logger.Warn("webhook deliveries", "err", err)
		}
		if now := d.d.Now().UTC(); now.Sub(lastSweep) >= sweepEvery {
			if _, err := d.d.Store.Sweep(ctx, now); err != nil && ctx.Err() == nil {
				d.d.Logger.Warn("webhook log not swept", "err", err)
			}
			if _, err := d.d.Store.Repair(ctx, now.Add(-repairAfter), now); err != nil && ctx.Err() == nil {
				d.d.Logger.Warn("webhook queue not repaired", "err", err)
			}
			lastSweep = now
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce posts the deliveries due now and reports how many were
// delivered.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	now := d.d.Now().UTC()
	due, err := d.d.Store.Due(ctx, now, batch)
	if err != nil {
		return 0, fmt.Errorf("webhook: %w", err)
	}
	delivered := 0
	var errs []error
	for _, entry := range due {
		if ctx.Err() != nil {
			break
		}
		token := store.NewID()
		claimed, ok, err := d.d.Store.Claim(ctx, entry.ID, token, now, now.Add(lease))
		if err != nil {
			errs = append(errs, fmt.Errorf("webhook: %w", err))
			continue
		}
		if !ok {
			continue // another dispatcher has it
		}
		if d.d.AfterClaim != nil {
			d.d.AfterClaim(claimed.ID)
		}
		did, err := d.deliver(ctx, claimed, token)
		if err != nil {
			errs = append(errs, err)
		}
		if did {
			delivered++
		}
	}
	return delivered, errors.Join(errs...)
}

// deliver posts the delivery of a claimed queue entry and records the
// outcome; true when it was delivered.
func (d *Dispatcher) deliver(ctx context.Context, claimed webhooks.Due, token string) (bool, error) {
	// Recorded even when ctx ends during the post: stopping means finishing.
	record := context.WithoutCancel(ctx)
	dl, err := d.d.Store.Delivery(ctx, claimed.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && dl.State != webhooks.Pending) {
		// Its endpoint was deleted, or the entry outlived its delivery.
		_, err := d.d.Store.Unqueue(record, claimed.ID, token)
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	dl.Attempts = claimed.Attempts
	o, attemptErr := d.attempt(ctx, dl)
	o.Attempts = claimed.Attempts
	finished, err := d.d.Store.Finish(record, claimed.ID, token, o)
	if err != nil {
		return false, errors.Join(attemptErr, fmt.Errorf("webhook: %w", err))
	}
	if finished {
		d.d.Observer.Posted(dl.EventType, outcomeOf(o.State))
	}
	return finished && o.State == webhooks.Delivered, attemptErr
}

// attempt posts one claimed delivery and decides its outcome.
func (d *Dispatcher) attempt(ctx context.Context, dl webhooks.Delivery) (webhooks.Outcome, error) {
	at := func() time.Time { return d.d.Now().UTC().Truncate(time.Millisecond) }
	drop := func(why string) webhooks.Outcome {
		return webhooks.Outcome{State: webhooks.Dropped, Error: why, At: at()}
	}
	ep, err := d.d.Store.Endpoint(ctx, dl.EndpointID)
	if errors.Is(err, store.ErrNotFound) {
		return drop("the endpoint was deleted"), nil
	}
	if err != nil {
		return d.retry(dl, 0, "could not read the endpoint"), fmt.Errorf("webhook: %w", err)
	}
	if !ep.Enabled {
		return drop("the endpoint is disabled"), nil
	}
	if dl.Subject != "" && d.d.Followups != nil {
		_, err := d.d.Followups.ByID(ctx, dl.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return drop("the follow-up is gone: consent withdrawn or the person erased"), nil
		}
		if err != nil {
			return d.retry(dl, 0, "could not check the follow-up"), fmt.Errorf("webhook: %w", err)
		}
	}
	if dl.Body.IsZero() {
		return drop("the event was deleted"), nil
	}
	raw, err := d.d.Sealer.Open(dl.Body, bodyContext(dl.ID))
	if err != nil {
		return webhooks.Outcome{State: webhooks.Failed, Error: "the event cannot be opened", At: at()}, fmt.Errorf("webhook: delivery %s: %w", dl.ID, err)
	}
	target, err := d.d.Sealer.Open(ep.URL, urlContext(ep.ID))
	if err != nil {
		return webhooks.Outcome{State: webhooks.Failed, Error: "the endpoint's URL cannot be opened", At: at()}, fmt.Errorf("webhook: endpoint %s: %w", ep.ID, err)
	}
	req, err := d.request(ctx, ep, dl, raw, string(target))
	if err != nil {
		return webhooks.Outcome{State: webhooks.Failed, Error: err.Error(), At: at()}, nil
	}
	resp, err := d.d.Client.Do(req)
	if err != nil {
		return d.retry(dl, 0, postError(err)), nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return webhooks.Outcome{State: webhooks.Delivered, Status: code, At: at()}, nil
	case code == http.StatusGone:
		// The receiver says the endpoint is gone for good: stop posting to it.
		reason := "the receiver answered 410 Gone at " + at().Format(time.RFC3339)
		if err := d.d.Store.Disable(ctx, ep.ID, reason, at()); err != nil {
			return webhooks.Outcome{State: webhooks.Failed, Status: code, Error: "410 Gone", At: at()}, fmt.Errorf("webhook: %w", err)
		}
		d.d.Logger.Warn("webhook endpoint disabled: the receiver answered 410", "endpoint", ep.ID)
		return webhooks.Outcome{State: webhooks.Failed, Status: code, Error: "410 Gone: the endpoint was disabled", At: at()}, nil
	default:
		return d.retry(dl, code, "the receiver answered "+strconv.Itoa(code)+" "+http.StatusText(code)), nil
	}
}

// request builds the post: the event as JSON, signed, to a generic
// endpoint; the Slack or Teams message to those.
func (d *Dispatcher) request(ctx context.Context, ep webhooks.Endpoint, dl webhooks.Delivery, raw []byte, target string) (*http.Request, error) {
	body := raw
	if ep.Kind != Generic {
		var e Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, errors.New("the event cannot be read")
		}
		var err error
		if ep.Kind == Slack {
			body, err = slackBody(e)
		} else {
			body, err = teamsBody(e)
		}
		if err != nil {
			return nil, errors.New("the event has no message for " + ep.Kind)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("the endpoint's URL is not valid")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Candor-Webhook/1")
	req.Header.Set(HeaderID, dl.ID)
	req.Header.Set(HeaderEvent, dl.EventType)
	if ep.Kind == Generic {
		secrets, err := d.secrets(ep)
		if err != nil {
			return nil, err
		}
		ts := d.d.Now().Unix()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderSignature, SignatureHeader(secrets, ts, body))
	}
	return req, nil
}

// secrets returns the secrets a generic delivery is signed with: the
// current one, and the one rotated out while its window lasts.
func (d *Dispatcher) secrets(ep webhooks.Endpoint) ([]string, error) {
	cur, err := d.d.Sealer.Open(ep.Secret, secretContext(ep.ID))
	if err != nil {
		return nil, errors.New("the endpoint's secret cannot be opened")
	}
	out := []string{string(cur)}
	if ep.Previous != nil && ep.PreviousUntil != nil && d.d.Now().Before(*ep.PreviousUntil) {
		prev, err := d.d.Sealer.Open(*ep.Previous, secretContext(ep.ID))
		if err != nil {
			return nil, errors.New("the endpoint's previous secret cannot be opened")
		}
		out = append(out, string(prev))
	}
	return out, nil
}

// retry schedules the next attempt, or fails the delivery after
// MaxAttempts.
func (d *Dispatcher) retry(dl webhooks.Delivery, status int, why string) webhooks.Outcome {
	now := d.d.Now().UTC().Truncate(time.Millisecond)
	if dl.Attempts >= MaxAttempts {
		return webhooks.Outcome{State: webhooks.Failed, Status: status, Error: why + "; gave up after " + strconv.Itoa(dl.Attempts) + " attempts", At: now}
	}
	return webhooks.Outcome{State: webhooks.Pending, Next: now.Add(Backoff(dl.Attempts, rand.Float64())), Status: status, Error: why, At: now}
}

// Backoff is the wait after the nth failed attempt (from 1): 30 s doubling,
// at most an hour, spread by ±20 % with jitter (in [0, 1)) so that
// receivers coming back are not met by every retry at once.
func Backoff(n int, jitter float64) time.Duration {
	wait := backoffBase
	for i := 1; i < n && wait < backoffMax; i++ {
		wait *= 2
	}
	wait = min(wait, backoffMax)
	return time.Duration(float64(wait) * (0.8 + 0.4*jitter))
}

// postError says why a post failed without the URL, whose path may be a
// Slack or Teams credential.
func postError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, ErrPrivateTarget) {
		return ErrPrivateTarget.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer within " + Timeout.String()
	}
	msg := err.Error()
	if len(msg) > maxError {
		msg = msg[:maxError]
	}
	return msg
}

// outcomeOf names a delivery's state after a post for metrics.
func outcomeOf(s webhooks.State) Outcome {
	switch s {
	case webhooks.Delivered:
		return OutcomeDelivered
	case webhooks.Pending:
		return OutcomeRetry
	case webhooks.Dropped:
		return OutcomeDropped
	}
	return OutcomeFailed
}
