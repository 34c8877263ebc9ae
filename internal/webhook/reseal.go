package webhook

import (
	"context"
	"fmt"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/webhooks"
)

// ResealStore is what re-sealing needs of the webhook collections.
type ResealStore interface {
	EachEndpoint(ctx context.Context, fn func(webhooks.Endpoint) error) error
	ResealEndpoint(ctx context.Context, old, fresh webhooks.Endpoint) (bool, error)
	EachBody(ctx context.Context, fn func(id string, body seal.Box) error) error
	SetBody(ctx context.Context, id string, old, fresh seal.Box) (bool, error)
}

var _ ResealStore = (*webhooks.Repo)(nil)

// Reseal re-encrypts, under the ring's current key, the endpoints' URLs
// and secrets and the queued events sealed under older ones, and reports
// how many records it changed.
func (s *Service) Reseal(ctx context.Context) (int, error) {
	st, n := s.d.Store, 0
	err := st.EachEndpoint(ctx, func(e webhooks.Endpoint) error {
		fresh, changed := e, false
		for _, f := range []struct {
			box     *seal.Box
			context string
		}{{&fresh.URL, urlContext(e.ID)}, {&fresh.Secret, secretContext(e.ID)}} {
			out, ch, err := s.d.Sealer.Reseal(*f.box, f.context)
			if err != nil {
				return fmt.Errorf("webhook: reseal endpoint %s: %w", e.ID, err)
			}
			*f.box, changed = out, changed || ch
		}
		if e.Previous != nil {
			out, ch, err := s.d.Sealer.Reseal(*e.Previous, secretContext(e.ID))
			if err != nil {
				return fmt.Errorf("webhook: reseal endpoint %s: %w", e.ID, err)
			}
			fresh.Previous, changed = &out, changed || ch
		}
		if !changed {
			return nil
		}
		ok, err := st.ResealEndpoint(ctx, e, fresh)
		if ok {
			n++
		}
		return err
	})
	if err != nil {
		return n, err
	}
	err = st.EachBody(ctx, func(id string, body seal.Box) error {
		if body.IsZero() {
			return nil
		}
		fresh, changed, err := s.d.Sealer.Reseal(body, bodyContext(id))
		if err != nil {
			return fmt.Errorf("webhook: reseal delivery %s: %w", id, err)
		}
		if !changed {
			return nil
		}
		ok, err := st.SetBody(ctx, id, body, fresh)
		if ok {
			n++
		}
		return err
	})
	return n, err
}
