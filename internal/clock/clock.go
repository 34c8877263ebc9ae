// Package clock is the time Candor's services run on: the wall clock, or,
// outside production, the wall clock moved ahead by an offset kept in a
// file, so that a running server can be sent days into the future to see
// deadlines pass and schedules fire without waiting for them.
package clock

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Clock tells the time.
type Clock func() time.Time

// System is the wall clock.
func System() Clock { return time.Now }

// Shifted returns the wall clock moved by the offset written in the file
// at path, as a Go duration ("72h", "-30m"); a missing or empty file is no
// offset. The file is read again when it changes, so a test can move a
// running server's time; a file that cannot be parsed keeps the last
// good offset and is reported by Offset.
func Shifted(path string) Clock {
	s := &shift{path: path}
	return func() time.Time { return time.Now().Add(s.offset()) }
}

// Offset reads the offset file at path, for validating it at start-up.
func Offset(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("clock: %w", err)
	}
	text := strings.TrimSpace(string(b))
	if text == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		return 0, fmt.Errorf("clock: %s: %q is not a duration such as 72h", path, text)
	}
	return d, nil
}

type shift struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	last    time.Duration
}

func (s *shift) offset() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := os.Stat(s.path)
	if err != nil {
		s.modTime, s.size, s.last = time.Time{}, 0, 0
		return 0
	}
	if fi.ModTime().Equal(s.modTime) && fi.Size() == s.size {
		return s.last
	}
	if d, err := Offset(s.path); err == nil {
		s.modTime, s.size, s.last = fi.ModTime(), fi.Size(), d
	}
	return s.last
}
