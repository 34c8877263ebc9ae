package invite

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/candorhq/candor/internal/store"
)

// Dispatcher delivers campaigns: it feeds backlog batches into the outbox,
// sends them with a pool of workers, schedules reminders and sweeps up
// after crashed processes. Any number of dispatchers, in any number of
// processes, may share one database.
type Dispatcher struct {
	base
	sender  Sender
	limiter *rate.Limiter
	group   int // messages per SMTP connection

	wake  chan struct{} // nudges idle workers after a feed
	pause pauser        // backs off while the mail server is unreachable
	// stuck remembers, by campaign, since when its counts have fallen
	// short of its fed invitations without moving.
	stuck sync.Map
	// schedulesAt is when Feed last ran the schedules (Unix nanoseconds).
	schedulesAt atomic.Int64

	hooks DispatcherHooks
}

// DispatcherHooks are called between the steps of multi-write operations,
// so that tests can run a competing operation in between.
type DispatcherHooks struct {
	AfterScheduleClaim func() // after a schedule's run is claimed, before its campaign is made
}

// SetHooks installs hooks for interleaving tests; production never sets any.
func (d *Dispatcher) SetHooks(h DispatcherHooks) { d.hooks = h }

// NewDispatcher returns a Dispatcher sending through sender.
func NewDispatcher(d Deps, sender Sender) (*Dispatcher, error) {
	b, err := newBase(d)
	if err != nil {
		return nil, err
	}
	// A group goes out over one connection once the limiter grants it, so
	// the limiter's burst is a group: at 50 messages a second, a connection
	// carries up to 50.
	group := b.cfg.BatchSize
	limit := rate.Inf
	if b.cfg.Rate > 0 {
		limit = rate.Limit(b.cfg.Rate)
		group = min(group, max(1, int(math.Ceil(b.cfg.Rate))))
	}
	return &Dispatcher{
		base:    b,
		sender:  sender,
		limiter: rate.NewLimiter(limit, group),
		group:   group,
		wake:    make(chan struct{}, b.cfg.Workers),
		pause:   pauser{min: b.cfg.UnreachablePause},
	}, nil
}

// Run delivers until ctx is cancelled. Stopping is graceful: workers stop
// claiming but finish the batch they hold (within its lease), so that no
// message is left leased to a process that has gone.
func (d *Dispatcher) Run(ctx context.Context) {
	d.logger.InfoContext(ctx, "dispatcher started", "workers", d.cfg.Workers, "rate", d.cfg.Rate, "batch", d.cfg.BatchSize)
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Go(func() { d.worker(ctx) })
	}
	wg.Go(func() { d.every(ctx, d.cfg.FeedInterval, "feed", d.Feed) })
	wg.Go(func() { d.every(ctx, d.cfg.RemindInterval, "remind", d.Remind) })
	wg.Go(func() { d.every(ctx, d.cfg.SweepInterval, "sweep", d.Sweep) })
	wg.Wait()
	d.logger.InfoContext(context.WithoutCancel(ctx), "dispatcher stopped")
}

// every runs fn now and then at each tick until ctx ends.
func (d *Dispatcher) every(ctx context.Context, interval time.Duration, name string, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			d.logger.WarnContext(ctx, "dispatcher: "+name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// worker claims and sends batches until ctx ends.
func (d *Dispatcher) worker(ctx context.Context) {
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-idle.C:
		case <-d.wake:
		}
		if wait := d.pause.remaining(d.now()); wait > 0 {
			idle.Reset(wait)
			continue
		}
		worked, err := d.Work(ctx)
		if err != nil && ctx.Err() == nil {
			d.logger.WarnContext(ctx, "dispatcher: work", "err", err)
		}
		if worked {
			idle.Reset(0)
		} else {
			idle.Reset(d.cfg.PollInterval)
		}
	}
}

// nudge wakes idle workers.
func (d *Dispatcher) nudge() {
	for range cap(d.wake) {
		select {
		case d.wake <- struct{}{}:
		default:
			return
		}
	}
}

// Work claims one batch and sends it; false when nothing was due. It is
// what each worker runs in a loop, exported for tools and tests that
// drive the dispatcher step by step.
func (d *Dispatcher) Work(ctx context.Context) (bool, error) {
	token := store.NewID()
	claimedAt := d.clock()
	msgs, err := d.stores.Outbox.Claim(ctx, token, claimedAt, d.cfg.Lease)
	if err != nil || len(msgs) == 0 {
		return false, err
	}
	// Once claimed, the batch is finished even if ctx ends: stopping means
	// no new claims, not abandoning leased messages until their lease runs out.
	return true, d.send(context.WithoutCancel(ctx), token, claimedAt, msgs)
}

// pauser holds off all workers while the mail server is unreachable, for
// a time that doubles from min up to pauseMax, so that a dead server is
// not hammered and messages do not burn their attempts on it.
type pauser struct {
	min   time.Duration
	mu    sync.Mutex
	until time.Time
	step  time.Duration
}

const pauseMax = 5 * time.Minute

func (p *pauser) remaining(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.until.Sub(now)
}

// down notes a failed connection and returns when to try again.
func (p *pauser) down(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.step = min(pauseMax, max(p.min, 2*p.step))
	p.until = now.Add(p.step)
	return p.until
}

func (p *pauser) up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.step, p.until = 0, time.Time{}
}
