package invite

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 15 * time.Second, 30 * time.Second},
		{2, 30 * time.Second, time.Minute},
		{4, 2 * time.Minute, 4 * time.Minute},
		{8, 30 * time.Minute, time.Hour},
		{40, 30 * time.Minute, time.Hour},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := backoff(tt.attempt, 30*time.Second, time.Hour)
			if d < tt.min || d > tt.max {
				t.Fatalf("backoff(%d) = %v, want %v to %v", tt.attempt, d, tt.min, tt.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("backoff(%d) took only %d values in 50 draws: no jitter", tt.attempt, len(seen))
		}
	}
}

func TestScrubRemovesAddresses(t *testing.T) {
	t.Parallel()
	got := scrub(errorString("mail: RCPT TO: 550 5.1.1 <ada.lovelace@customer.example>: Recipient address rejected; bob@x.org too"))
	if got != "mail: RCPT TO: 550 5.1.1 <<address>>: Recipient address rejected; <address> too" {
		t.Errorf("scrub = %q", got)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"ada@example.com": "a•••@example.com", "ä@x.fi": "ä•••@x.fi", "": "", "broken": ""} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
