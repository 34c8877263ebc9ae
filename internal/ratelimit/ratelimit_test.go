package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		at    time.Duration // after start
		key   string
		allow bool
	}{
		{"first of the burst", 0, "a", true},
		{"second of the burst", 0, "a", true},
		{"third of the burst", 0, "a", true},
		{"over the burst", 0, "a", false},
		{"another key has its own bucket", 0, "b", true},
		{"still too soon", 30 * time.Second, "a", false},
		{"one more a minute later", time.Minute, "a", true},
		{"and then none again", time.Minute, "a", false},
	}
	l := New(time.Minute, 3)
	for _, tt := range tests {
		if got := l.Allow(tt.key, start.Add(tt.at)); got != tt.allow {
			t.Errorf("%s: Allow = %v, want %v", tt.name, got, tt.allow)
		}
	}
	if !l.Blocked("a", start.Add(time.Minute)) {
		t.Error("Blocked = false with no token left")
	}
	l.Reset("a")
	if l.Blocked("a", start.Add(time.Minute)) {
		t.Error("Blocked after Reset")
	}
}

func TestLimiterForgetsIdleKeys(t *testing.T) {
	t.Parallel()
	l := New(time.Second, 2)
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.Allow(fmt.Sprint(i), start)
	}
	l.Allow("late", start.Add(time.Hour))
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets after an hour, want only the one in use", n)
	}
}
