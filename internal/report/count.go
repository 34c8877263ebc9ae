package report

import (
	"context"
	"fmt"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
)

// Intent is a response to be counted, claimed by the submission attempt
// that intends it (see Service.Intend).
type Intent struct {
	key     string // the intent's _id and the attempt's claim
	change  rollups.Change
	refused error // the entry cannot be counted
}

// Key is what the response must carry as store.Response.TallyKey: of
// several attempts at one response, the one whose key it carries is
// counted. Empty when nothing is to be counted.
func (in Intent) Key() string { return in.key }

// Intend records that the response e names is to be counted, before the
// response is stored under in.Key(): a response is then never stored
// without its intent, and the sweeper counts any whose attempt did not
// (a lost reply, a crash). The intent is claimed by the caller, who
// counts it with Count once the response is stored, or gives it back
// with Release when not.
//
// An entry that cannot be counted (as Rebuild skips it) records nothing;
// Count returns why.
func (s *Service) Intend(ctx context.Context, e Entry) (Intent, error) {
	return s.intend(ctx, e, 1)
}

func (s *Service) intend(ctx context.Context, e Entry, weight int64) (Intent, error) {
	c, err := e.change(weight)
	if err != nil {
		return Intent{refused: fmt.Errorf("report: count response: %w", err)}, nil
	}
	in := Intent{key: store.NewID(), change: c}
	if err := s.st.Intend(ctx, rollups.TallyIntent{ID: in.key, ResponseID: e.ResponseID, SurveyID: e.SurveyID, Claim: in.key}); err != nil {
		return Intent{}, fmt.Errorf("report: %w", err)
	}
	s.step(StepIntentWritten)
	return in, nil
}

// Count counts a stored response once, together with others stored at
// the same time. An error means it may not be counted yet; its intent
// stays, and the sweeper or a rebuild counts it.
func (s *Service) Count(ctx context.Context, in Intent) error {
	if in.refused != nil {
		return in.refused
	}
	if in.key == "" {
		return nil
	}
	return s.batch.apply(ctx, in)
}

// Release gives back the claim of an intent whose response the caller did
// not store (or does not know it stored): the sweeper counts it if the
// response exists, and deletes it if it never appears.
func (s *Service) Release(ctx context.Context, in Intent) error {
	if in.key == "" {
		return nil
	}
	if err := s.st.ReleaseIntent(ctx, in.key, in.key); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Add counts an entry whose response is stored already: Intend and Count
// in one.
func (s *Service) Add(ctx context.Context, e Entry) error {
	in, err := s.Intend(ctx, e)
	if err != nil {
		return err
	}
	return s.Count(ctx, in)
}

// Remove takes a deleted response away again; e must be what Add was
// given. Withdrawing consent changes no answer and so needs no Remove.
// No response carries its intent's key: if it is interrupted, only a
// rebuild puts the rollups right.
func (s *Service) Remove(ctx context.Context, e Entry) error {
	in, err := s.intend(ctx, e, -1)
	if err != nil {
		return err
	}
	return s.Count(ctx, in)
}
