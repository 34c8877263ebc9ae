package invite

import (
	"context"
	"errors"
	"fmt"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// Counts are a campaign's live numbers.
type Counts struct {
	Queued     int `json:"queued"`  // waiting: in the outbox or the backlog
	Sending    int `json:"sending"` // claimed by a worker right now
	Sent       int `json:"sent"`
	Failed     int `json:"failed"`
	Bounced    int `json:"bounced"`    // refused for good while sending, or reported so after delivery
	Complained int `json:"complained"` // reported as spam by the recipient after delivery
	Answered   int `json:"answered"`   // as of the last census
	Reminded   int `json:"reminded"`
	Skipped    int `json:"skipped"`
	Suppressed int `json:"suppressed"` // dropped before sending: unsubscribed, bounced or erased meanwhile
	Withdrawn  int `json:"withdrawn"`  // not sent because the campaign was cancelled or the survey closed
}

// Failure is a message that failed or bounced.
type Failure struct {
	outbox.Message
	Name string // the contact's, when the viewer may see it
}

// Report is a campaign as its page and the API show it.
type Report struct {
	Campaign store.Campaign
	Survey   survey.Survey
	Counts   Counts
	// Progress is the share of invitations dealt with, from 0 to 1.
	Progress float64
	Skipped  []Skipped // the first reportSkips
	Failures []Failure // the latest reportFailures
}

// How much of a campaign's detail a report lists.
const (
	reportSkips    = 500
	reportFailures = 100
	// namedRows bounds the contacts opened to put names on a report: the
	// campaign page reloads every few seconds while it sends.
	namedRows = 50
)

// Sending reports whether the campaign is still going out.
func (r Report) Sending() bool {
	return r.Campaign.State == store.CampaignSending || r.Campaign.State == store.CampaignScheduled
}

// Report returns a campaign's counts, skips and failures.
func (s *Service) Report(ctx context.Context, actor store.User, id string) (Report, error) {
	c, err := s.viewable(ctx, actor, id)
	if err != nil {
		return Report{}, err
	}
	sv, err := s.stores.Surveys.ByID(ctx, c.SurveyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Report{}, fmt.Errorf("invite: %w", err)
	}
	queued, sending, err := s.stores.Outbox.CampaignProgress(ctx, c.ID)
	if err != nil {
		return Report{}, fmt.Errorf("invite: %w", err)
	}
	r := Report{Campaign: c, Survey: sv}
	k := c.Counts
	r.Counts = Counts{
		Sending: sending, Sent: k.Sent, Failed: k.Failed, Bounced: k.Bounced, Complained: k.Complained, Reminded: k.Reminded,
		Skipped: c.Skipped, Suppressed: k.Suppressed, Withdrawn: k.Withdrawn,
	}
	if c.State != store.CampaignCancelled {
		r.Counts.Queued = queued + unfedInvitations(c)
	}
	r.Counts.Answered = c.Answered()
	if k.Invited > 0 {
		done := k.Invited - r.Counts.Queued - sending
		if c.State == store.CampaignSent || c.State == store.CampaignCancelled {
			done = k.Invited
		}
		r.Progress = min(1, max(0, float64(done)/float64(k.Invited)))
	}

	skips, err := s.stores.Campaigns.Skips(ctx, c.ID, reportSkips)
	if err != nil {
		return Report{}, fmt.Errorf("invite: %w", err)
	}
	dead, err := s.stores.Outbox.Dead(ctx, c.ID, reportFailures)
	if err != nil {
		return Report{}, fmt.Errorf("invite: %w", err)
	}
	names := s.names(ctx, actor, skips, dead)
	for _, sk := range skips {
		r.Skipped = append(r.Skipped, Skipped{ContactID: sk.ContactID, Reason: sk.Reason, Name: names[sk.ContactID]})
	}
	for _, m := range dead {
		r.Failures = append(r.Failures, Failure{Message: m, Name: names[m.ContactID]})
	}
	return r, nil
}

// names opens the names of the first contacts a report lists, those the
// actor may still see.
func (s *Service) names(ctx context.Context, actor store.User, skips []store.Skip, dead []outbox.Message) map[string]string {
	ids := make([]string, 0, len(skips)+len(dead))
	for _, m := range dead {
		ids = append(ids, m.ContactID)
	}
	for _, sk := range skips {
		ids = append(ids, sk.ContactID)
	}
	out := map[string]string{}
	for _, id := range ids {
		if len(out) >= namedRows {
			break
		}
		if _, done := out[id]; done {
			continue
		}
		r, err := s.customers.ChosenRecipient(ctx, actor, id)
		switch {
		case err == nil:
			out[id] = r.Name
		case errors.Is(err, customer.ErrNotFound):
			out[id] = ""
		default:
			// Names are a courtesy on this page; their absence is no error.
			s.logger.WarnContext(ctx, "campaign report: open contact", "contact", id, "err", err)
			return out
		}
	}
	return out
}
