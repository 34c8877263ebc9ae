package auth

import (
	"sync"
	"time"
)

// maxFailureKeys bounds the keys a backoff remembers: past it, idle ones
// are forgotten at once rather than once a minute.
const maxFailureKeys = 100_000

// backoff counts failures per key (an account from one address, one known
// device, or an account as a whole). Past `after` failures each attempt
// waits, from the last failure, base doubled per further failure and at
// most max. A key idle for a while is forgotten.
type backoff struct {
	mu          sync.Mutex
	after       int
	base, max   time.Duration
	failures    map[string]*strikes
	sweep       time.Time
	forgetAfter time.Duration
}

type strikes struct {
	n    int
	last time.Time
}

func newBackoff(after int, base, max time.Duration) *backoff {
	return &backoff{after: after, base: base, max: max, failures: map[string]*strikes{}, forgetAfter: 4 * max}
}

// delay is the wait after n failures.
func (b *backoff) delay(n int) time.Duration {
	if n < b.after {
		return 0
	}
	d := b.base
	for i := b.after; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// wait is how long key must still wait before its next attempt; 0: go ahead.
func (b *backoff) wait(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepIdle(now)
	s, ok := b.failures[key]
	if !ok {
		return 0
	}
	return max(s.last.Add(b.delay(s.n)).Sub(now), 0)
}

// fail records a failure for key.
func (b *backoff) fail(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepIdle(now)
	s, ok := b.failures[key]
	if !ok {
		s = &strikes{}
		b.failures[key] = s
	}
	s.n++
	s.last = now
}

// reset forgets key's failures, as after a successful sign-in.
func (b *backoff) reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.failures, key)
}

func (b *backoff) sweepIdle(now time.Time) {
	if now.Sub(b.sweep) < time.Minute && len(b.failures) <= maxFailureKeys {
		return
	}
	for k, s := range b.failures {
		if now.Sub(s.last) > b.forgetAfter {
			delete(b.failures, k)
		}
	}
	b.sweep = now
}
