package report

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/candorhq/candor/internal/store"
)

// flushTimeout bounds one write of gathered changes. A flush writes for
// every caller waiting on it, so it does not stop when the one that
// happens to run it gives up.
const flushTimeout = 30 * time.Second

// batcher gathers the changes of responses stored at the same time into
// one write per rollup document (group commit): with many respondents at
// once, a response then costs a fraction of a write instead of one per
// dimension. Every caller still returns only once its change is written,
// with the outcome of that write.
type batcher struct {
	st Store

	mu       sync.Mutex
	pending  []pendingChange
	flushing bool
}

type pendingChange struct {
	c    store.RollupChange
	done chan error
}

func newBatcher(st Store) *batcher { return &batcher{st: st} }

// apply writes c together with whatever else is waiting, and returns when
// it is written. The first caller to find no write under way does the
// writing, for as long as changes keep arriving.
func (b *batcher) apply(ctx context.Context, c store.RollupChange) error {
	done := make(chan error, 1)
	b.mu.Lock()
	b.pending = append(b.pending, pendingChange{c: c, done: done})
	lead := !b.flushing
	b.flushing = true
	b.mu.Unlock()
	if lead {
		b.flush(ctx)
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// The change may still be written; the caller treats it as not
		// counted, which a rebuild puts right.
		return ctx.Err()
	}
}

// flush writes what is waiting, then hands any later arrivals to a new
// goroutine rather than keep its own caller waiting for other people's
// writes.
func (b *batcher) flush(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.mu.Unlock()

	cs := make([]store.RollupChange, len(batch))
	for i, p := range batch {
		cs[i] = p.c
	}
	wctx, cancel := context.WithTimeout(ctx, flushTimeout)
	err := b.st.Apply(wctx, cs...)
	if errors.Is(err, store.ErrInvalidRollup) && len(batch) > 1 {
		// Nothing was written: one change is at fault, and only it fails.
		for _, p := range batch {
			p.done <- b.st.Apply(wctx, p.c)
		}
	} else {
		for _, p := range batch {
			p.done <- err
		}
	}
	cancel()

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.flushing = false
		return
	}
	go b.flush(ctx)
}
