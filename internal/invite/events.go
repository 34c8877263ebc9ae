package invite

import (
	"context"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/webhook"
)

// Events publishes what happens to campaigns to the webhooks
// (*webhook.Service). Publishing is durable and idempotent on its side;
// a failure is logged and never holds up delivery.
type Events interface {
	Publish(ctx context.Context, e webhook.Event) error
}

// publishFinished tells the webhooks a campaign was sent: its delivery
// counts, aggregates only. The event's id is the campaign's, so a second
// dispatcher finishing it publishes nothing more.
func (d *Dispatcher) publishFinished(ctx context.Context, c store.Campaign, sv survey.Survey, now time.Time) {
	if d.events == nil {
		return
	}
	k := c.Counts
	e := webhook.Event{
		ID: webhook.EventID(webhook.CampaignFinished, c.ID), Type: webhook.CampaignFinished, CreatedAt: now,
		Campaign: &webhook.CampaignSummary{
			ID: c.ID, SurveyID: c.SurveyID, SurveyTitle: sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale),
			Invited: k.Invited, Sent: k.Sent, Failed: k.Failed, Bounced: k.Bounced, Suppressed: k.Suppressed,
		},
	}
	if err := d.events.Publish(ctx, e); err != nil {
		d.logger.WarnContext(ctx, "campaign event not published", "campaign", c.ID, "err", err)
	}
}
