package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per key (an IP or an account) and forgets
// idle ones so an attacker cycling keys cannot grow it without bound.
type limiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const maxBuckets = 100_000

func newLimiter(every time.Duration, burst int) *limiter {
	return &limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

func (l *limiter) get(key string, now time.Time) *rate.Limiter {
	if now.Sub(l.sweep) > time.Minute || len(l.buckets) > maxBuckets {
		idle := l.every * time.Duration(l.burst)
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idle {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim
}

// allow takes a token for key, reporting whether one was left.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key, now).AllowN(now, 1)
}

// blocked reports whether key has no token left, without taking one.
func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key, now).TokensAt(now) < 1
}

// reset forgets key, as after a successful sign-in.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

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
	if now.Sub(b.sweep) < time.Minute && len(b.failures) <= maxBuckets {
		return
	}
	for k, s := range b.failures {
		if now.Sub(s.last) > b.forgetAfter {
			delete(b.failures, k)
		}
	}
	b.sweep = now
}
