package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/survey"
)

// ResponseStore reads stored responses, one by id or a survey's all
// (*store.Responses).
type ResponseStore interface {
	ResponseReader
	ByID(ctx context.Context, id string) (store.Response, error)
}

// Sweeper counts the responses whose counting was left undone — a reply
// lost after the response was stored, a crash, a rebuild that held the
// survey — exactly once, and rebuilds a survey when a count is in doubt.
// Several processes may sweep at once: each intent is claimed first.
//
// A claim is abandoned when a sweep finds it held by the same token as
// the sweep before: no count takes that long (flushTimeout). Time is not
// stored on the intent, which would tell when its response was given.
type Sweeper struct {
	s         *Service
	responses ResponseStore
	surveys   SurveyGetter
	open      Opener

	mu sync.Mutex
	// seen is what the previous sweep found: an intent's claim token, or
	// "" for an unclaimed one whose response did not exist.
	seen map[string]string
}

// Swept is what a sweep did.
type Swept struct {
	Counted  int // intents counted
	Finished int // intents deleted without counting: counted by a rebuild, or with no response
	Rebuilt  int // surveys rebuilt to settle counts in doubt
}

// SurveyGetter reads a survey's definition (*store.Surveys).
type SurveyGetter interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
}

// NewSweeper returns a sweeper of s's intents, reading responses from
// responses, their surveys from surveys, and opening their answers with
// open.
func (s *Service) NewSweeper(responses ResponseStore, surveys SurveyGetter, open Opener) *Sweeper {
	return &Sweeper{s: s, responses: responses, surveys: surveys, open: open}
}

// survey returns a survey's definition; one deleted counts as a survey
// without conditional questions, as its responses did.
func (w *Sweeper) survey(ctx context.Context, id string) (survey.Survey, error) {
	sv, err := w.surveys.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return survey.Survey{ID: id}, nil
	}
	if err != nil {
		return survey.Survey{}, fmt.Errorf("report: %w", err)
	}
	return sv, nil
}

// Run sweeps now and then every period until ctx ends, logging failures.
func (w *Sweeper) Run(ctx context.Context, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := w.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Warn("counting left-over responses failed; the next sweep tries again", "err", err)
		} else if res.Counted+res.Rebuilt > 0 {
			logger.Info("left-over responses counted", "counted", res.Counted, "surveys_rebuilt", res.Rebuilt)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep settles every intent it can: it counts the unclaimed ones whose
// responses exist, deletes those whose responses never appeared, marks
// abandoned claims in doubt, and rebuilds the surveys with counts in
// doubt.
func (w *Sweeper) Sweep(ctx context.Context) (Swept, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var res Swept
	intents, err := w.s.st.Intents(ctx, "")
	if err != nil {
		return res, fmt.Errorf("report: sweep: %w", err)
	}
	prev, next := w.seen, make(map[string]string)
	doubt := make(map[string]bool)
	var errs []error
	for _, in := range intents {
		id := in.ID
		switch {
		case in.Doubt:
			g, err := w.s.st.Generation(ctx, in.SurveyID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if g.Current != 0 && in.Counted == g.Current {
				if err := w.s.st.FinishIntents(ctx, id); err != nil {
					errs = append(errs, err)
				}
				res.Finished++
				continue
			}
			doubt[in.SurveyID] = true
		case in.Claim != "":
			held, ok := prev[id]
			if !ok || held != in.Claim {
				next[id] = in.Claim
				continue
			}
			// Abandoned: in doubt if its attempt stored the response, as
			// its counting may have begun; else nothing of it was counted.
			stored, err := w.storedBy(ctx, in)
			switch {
			case err != nil:
			case stored:
				if err = w.s.st.DoubtIntent(ctx, id, in.Claim); err == nil {
					doubt[in.SurveyID] = true
				}
			default:
				err = w.s.st.ReleaseIntent(ctx, id, in.Claim)
			}
			if err != nil {
				errs = append(errs, err)
			}
		default:
			counted, err := w.settle(ctx, in, prev, next)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			switch counted {
			case settledCounted:
				res.Counted++
			case settledFinished:
				res.Finished++
			case settledDoubt:
				doubt[in.SurveyID] = true
			}
		}
	}
	w.seen = next
	for id := range doubt {
		sv, err := w.survey(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_, err = w.s.Rebuild(ctx, id, ResponseSource(ctx, w.responses, sv, w.open))
		if errors.Is(err, rollups.ErrBuildUnderWay) {
			continue // that rebuild settles them
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res.Rebuilt++
	}
	if res.Rebuilt > 0 {
		// What the rebuilds counted, and the answers that waited for them.
		n, err := w.afterRebuild(ctx)
		res.Counted += n.Counted
		res.Finished += n.Finished
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("report: sweep: %w", err)
	}
	return res, nil
}

// storedBy reports whether the intent's attempt stored its response.
func (w *Sweeper) storedBy(ctx context.Context, in rollups.TallyIntent) (bool, error) {
	resp, err := w.responses.ByID(ctx, in.ResponseID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil && resp.TallyKey == in.ID, err
}

// afterRebuild deletes the intents a rebuild settled and counts the ones
// that waited for it.
func (w *Sweeper) afterRebuild(ctx context.Context) (Swept, error) {
	var res Swept
	intents, err := w.s.st.Intents(ctx, "")
	if err != nil {
		return res, err
	}
	var errs []error
	for _, in := range intents {
		switch {
		case in.Claim != "":
		case in.Doubt:
			g, err := w.s.st.Generation(ctx, in.SurveyID)
			if err == nil && g.Current != 0 && in.Counted == g.Current {
				err = w.s.st.FinishIntents(ctx, in.ID)
				res.Finished++
			}
			errs = append(errs, err)
		default:
			outcome, err := w.settle(ctx, in, nil, make(map[string]string))
			errs = append(errs, err)
			switch outcome {
			case settledCounted:
				res.Counted++
			case settledFinished:
				res.Finished++
			}
		}
	}
	return res, errors.Join(errs...)
}

type settled int

const (
	settledNot      settled = iota // left for a later sweep
	settledCounted                 // counted and deleted
	settledFinished                // deleted without counting
	settledDoubt                   // counting failed part-way
)

// settle counts one unclaimed intent. Its order is the live count's:
// the response is known to exist before the generation is read, and the
// intent is read again after, for a rebuild's mark.
func (w *Sweeper) settle(ctx context.Context, in rollups.TallyIntent, prev, next map[string]string) (settled, error) {
	id, token := in.ID, store.NewID()
	if _, ok, err := w.s.st.ClaimIntent(ctx, id, token); err != nil || !ok {
		return settledNot, err
	}
	w.s.step(StepSweepClaimed)
	release := func(err error) (settled, error) {
		if rerr := w.s.st.ReleaseIntent(ctx, id, token); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return settledNot, err
	}
	resp, err := w.responses.ByID(ctx, in.ResponseID)
	if errors.Is(err, store.ErrNotFound) {
		if held, ok := prev[id]; ok && held == "" {
			// Unclaimed and without a response for a whole sweep: its
			// submission failed before storing it.
			return settledFinished, w.s.st.FinishIntents(ctx, id)
		}
		next[id] = ""
		return release(nil)
	}
	if err != nil {
		return release(err)
	}
	if resp.TallyKey != id {
		// Another attempt stored the response, and its intent counts it.
		return settledFinished, w.s.st.FinishIntents(ctx, id)
	}
	g, err := w.s.st.Generation(ctx, in.SurveyID)
	if err != nil {
		return release(err)
	}
	if g.Building() {
		if g.Until.After(w.s.now()) {
			return release(nil) // counted once the rebuild swaps
		}
		// The rebuild stopped renewing: abort it, so that answers are
		// counted again; its swap now fails.
		if err := w.s.st.AbortBuild(ctx, in.SurveyID, g.Token); err != nil && !errors.Is(err, rollups.ErrBuildLost) {
			return release(err)
		}
		return release(nil)
	}
	w.s.step(StepSweepGenerations)
	cur, err := w.s.st.Intent(ctx, id)
	if err != nil {
		return release(err)
	}
	if g.Current != 0 && cur.Counted == g.Current {
		return settledFinished, w.s.st.FinishIntents(ctx, id)
	}
	o, err := w.open(resp)
	if err != nil {
		return release(fmt.Errorf("report: response %s: %w", id, err))
	}
	sv, err := w.survey(ctx, in.SurveyID)
	if err != nil {
		return release(err)
	}
	c, err := EntryOf(sv, resp, o).change(1)
	if err != nil {
		// Refused, as a rebuild refuses it.
		return settledFinished, w.s.st.FinishIntents(ctx, id)
	}
	if err := w.s.st.Apply(ctx, g.Current, c); err != nil {
		if errors.Is(err, rollups.ErrInvalidKey) {
			return settledFinished, w.s.st.FinishIntents(ctx, id)
		}
		if derr := w.s.st.DoubtIntent(ctx, id, token); derr != nil {
			err = errors.Join(err, derr)
		}
		return settledDoubt, err
	}
	w.s.step(StepSweepApplied)
	return settledCounted, w.s.st.FinishIntents(ctx, id)
}
