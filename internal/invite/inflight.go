package invite

import (
	"context"
	"fmt"
	"slices"

	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
)

// InFlight returns the reports of the newest campaigns actor may see that
// are still going out or collecting answers (their links still valid), at
// most limit of them, newest first: what a home page shows as under way.
// Those going out come first, since they are the ones to watch.
func (s *Service) InFlight(ctx context.Context, actor store.User, limit int) ([]Report, error) {
	if err := mayCampaign(actor); err != nil {
		return nil, err
	}
	camps, err := s.stores.Campaigns.Active(ctx, s.now())
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	a := policy.Of(actor)
	camps = slices.DeleteFunc(camps, func(c store.Campaign) bool { return !policy.SeesCampaign(a, c.CreatedBy) })
	slices.SortStableFunc(camps, func(x, y store.Campaign) int {
		if gx, gy := goingOut(x), goingOut(y); gx != gy {
			if gx {
				return -1
			}
			return 1
		}
		return y.CreatedAt.Compare(x.CreatedAt)
	})
	out := make([]Report, 0, min(limit, len(camps)))
	for _, c := range camps[:min(limit, len(camps))] {
		r, err := s.Report(ctx, actor, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func goingOut(c store.Campaign) bool {
	return c.State == store.CampaignSending || c.State == store.CampaignScheduled
}
