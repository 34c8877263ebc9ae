package report

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/candorhq/candor/internal/store/rollups"
)

// flushTimeout bounds one write of gathered changes. A flush writes for
// every caller waiting on it, so it does not stop when the one that
// happens to run it gives up.
const flushTimeout = 30 * time.Second

// Steps of counting a response, where PauseAt's function is called.
const (
	StepIntentWritten    = "intent written"   // Intend wrote the claimed intent
	StepGenerationRead   = "generation read"  // a flush read the generation it counts in
	StepCountersApplied  = "counters applied" // a flush's $inc are written, its intents not yet deleted
	StepIntentsFinished  = "intents finished" // a flush deleted its intents
	StepBuilding         = "building"         // a rebuild holds the lease and has not scanned yet
	StepBuilt            = "built"            // a rebuild wrote its generation and marked the intents it counted
	StepSwapped          = "swapped"          // a rebuild made its generation current
	StepSweepClaimed     = "sweep claimed"    // the sweeper claimed a pending intent
	StepSweepApplied     = "sweep applied"    // the sweeper applied an intent's counters
	StepSweepGenerations = "sweep generation" // the sweeper read the generation it counts in
)

// batcher gathers the changes of responses stored at the same time into
// one write per rollup document (group commit): with many respondents at
// once, a response then costs a fraction of a write instead of one per
// dimension. Every caller still returns only once its change is written,
// with the outcome of that write.
type batcher struct {
	s *Service

	mu       sync.Mutex
	pending  []pendingChange
	flushing bool
}

type pendingChange struct {
	in   Intent
	done chan error
}

// apply counts in together with whatever else is waiting, and returns
// when it is counted. The first caller to find no write under way does
// the writing, for as long as changes keep arriving.
func (b *batcher) apply(ctx context.Context, in Intent) error {
	done := make(chan error, 1)
	b.mu.Lock()
	b.pending = append(b.pending, pendingChange{in: in, done: done})
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
		// The flush goes on and settles the intent either way.
		return ctx.Err()
	}
}

// flush counts what is waiting, survey by survey, then hands any later
// arrivals to a new goroutine rather than keep its own caller waiting for
// other people's writes.
func (b *batcher) flush(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.mu.Unlock()

	var order []string
	bySurvey := make(map[string][]pendingChange)
	for _, p := range batch {
		sv := p.in.change.SurveyID
		if bySurvey[sv] == nil {
			order = append(order, sv)
		}
		bySurvey[sv] = append(bySurvey[sv], p)
	}
	wctx, cancel := context.WithTimeout(ctx, flushTimeout)
	for _, sv := range order {
		group := bySurvey[sv]
		errs := b.s.countIntents(wctx, sv, group)
		for i, p := range group {
			p.done <- errs[i]
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

// countIntents counts one survey's claimed intents in its current
// generation and deletes them, and returns each one's outcome.
//
// The generation is read after the responses were stored, and the intents
// after the generation: so a rebuild that began after the generation was
// read scans these responses, and one that swapped before it marked their
// intents counted, which is read here (see docs/architecture.md).
func (s *Service) countIntents(ctx context.Context, surveyID string, group []pendingChange) []error {
	errs := make([]error, len(group))
	fail := func(err error, release bool) []error {
		for i, p := range group {
			if release {
				// Nothing was written: the sweeper counts it later.
				_ = s.st.ReleaseIntent(ctx, p.in.key, p.in.key)
			}
			errs[i] = fmt.Errorf("report: count response: %w", err)
		}
		return errs
	}
	g, err := s.st.Generation(ctx, surveyID)
	if err != nil {
		return fail(err, true)
	}
	if g.Building() {
		// Counted by the sweeper in the generation the rebuild swaps in.
		for _, p := range group {
			_ = s.st.ReleaseIntent(ctx, p.in.key, p.in.key)
		}
		return errs
	}
	s.step(StepGenerationRead)
	stored, err := s.st.Intents(ctx, surveyID)
	if err != nil {
		return fail(err, true)
	}
	byID := make(map[string]rollups.TallyIntent, len(stored))
	for _, in := range stored {
		byID[in.ID] = in
	}
	var apply []int
	var finished []string
	for i, p := range group {
		in, ok := byID[p.in.key]
		switch {
		case !ok || in.Claim != p.in.key:
			// Taken over after its claim was thought abandoned.
		case g.Current != 0 && in.Counted == g.Current:
			finished = append(finished, p.in.key) // the rebuild counted it
		default:
			apply = append(apply, i)
		}
	}
	changes := make([]rollups.Change, len(apply))
	for k, i := range apply {
		changes[k] = group[i].in.change
	}
	if len(changes) > 0 {
		err = s.st.Apply(ctx, g.Current, changes...)
		if errors.Is(err, rollups.ErrInvalidKey) && len(changes) > 1 {
			// Nothing was written: one change is at fault, and only it fails.
			for k, i := range apply {
				errs[i] = s.countOne(ctx, g.Current, group[i].in, changes[k])
			}
			return errs
		}
		if err != nil {
			for _, i := range apply {
				// Some $inc may have been written: only a rebuild knows.
				_ = s.st.DoubtIntent(ctx, group[i].in.key, group[i].in.key)
				errs[i] = fmt.Errorf("report: count response: %w", err)
			}
			return errs
		}
	}
	s.step(StepCountersApplied)
	for _, i := range apply {
		finished = append(finished, group[i].in.key)
	}
	if err := s.st.FinishIntents(ctx, finished...); err != nil {
		// Counted; the intents stay claimed until the sweeper finds them
		// abandoned, in doubt, and a rebuild settles them.
		for _, i := range apply {
			errs[i] = fmt.Errorf("report: count response: %w", err)
		}
		return errs
	}
	s.step(StepIntentsFinished)
	return errs
}

// countOne counts one intent on its own, after a batch was refused.
func (s *Service) countOne(ctx context.Context, gen int64, in Intent, c rollups.Change) error {
	err := s.st.Apply(ctx, gen, c)
	if errors.Is(err, rollups.ErrInvalidKey) {
		// Never countable, as a rebuild skips it.
		_ = s.st.FinishIntents(ctx, in.key)
		return fmt.Errorf("report: count response: %w", err)
	}
	if err != nil {
		_ = s.st.DoubtIntent(ctx, in.key, in.key)
		return fmt.Errorf("report: count response: %w", err)
	}
	if err := s.st.FinishIntents(ctx, in.key); err != nil {
		return fmt.Errorf("report: count response: %w", err)
	}
	return nil
}
