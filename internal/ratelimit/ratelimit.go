// Package ratelimit keeps token buckets by key — an IP address, an
// account, a person — for limits that hold within one process.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps one token bucket per key and forgets idle ones, so that an
// attacker cycling keys cannot grow it without bound. It is safe for
// concurrent use.
type Limiter struct {
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

// New returns a Limiter allowing burst at once per key, then one every
// every.
func New(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

func (l *Limiter) get(key string, now time.Time) *rate.Limiter {
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

// Allow takes a token for key, reporting whether one was left.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key, now).AllowN(now, 1)
}

// Blocked reports whether key has no token left, without taking one.
func (l *Limiter) Blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key, now).TokensAt(now) < 1
}

// Reset forgets key, as after a successful sign-in.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}
