package invite

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// Feed starts scheduled campaigns whose time has come, moves backlog
// batches into the outbox while it holds fewer than FeedBelow messages, and
// marks campaigns whose every invitation has been dealt with as sent.
func (d *Dispatcher) Feed(ctx context.Context) error {
	now := d.clock()
	// A schedule's run makes a campaign that this same pass starts
	// feeding. Schedules are looked at less often than the feed runs.
	var schedErr error
	if last := d.schedulesAt.Load(); now.UnixNano()-last >= int64(d.cfg.ScheduleInterval) || now.UnixNano() < last {
		d.schedulesAt.Store(now.UnixNano())
		schedErr = d.RunSchedules(ctx)
	}
	camps, err := d.stores.Campaigns.Active(ctx, now)
	if err != nil {
		return fmt.Errorf("invite: feed: %w", err)
	}
	errs := []error{schedErr}
	var hungry []*store.Campaign
	for i := range camps {
		c := &camps[i]
		if c.State == store.CampaignScheduled && !c.SendAt.After(now) {
			started, err := d.stores.Campaigns.Start(ctx, c.ID, now)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if started {
				d.logger.InfoContext(ctx, "campaign started", "campaign", c.ID)
			}
			c.State = store.CampaignSending
		}
		if c.State == store.CampaignSending && c.NextBatch < c.Batches {
			hungry = append(hungry, c)
		}
	}
	if len(hungry) > 0 {
		errs = append(errs, d.feedOutbox(ctx, hungry, now))
	}
	for _, c := range camps {
		if c.State == store.CampaignSending && c.NextBatch >= c.Batches && len(c.Feeding) == 0 {
			errs = append(errs, d.finishIfDone(ctx, c, now))
		}
	}
	return errors.Join(errs...)
}

// feedOutbox feeds a batch of each campaign in turn, so that a large
// campaign does not hold up a small one, until the outbox is full enough.
func (d *Dispatcher) feedOutbox(ctx context.Context, hungry []*store.Campaign, now time.Time) error {
	n, err := d.stores.Outbox.Count(ctx)
	if err != nil {
		return fmt.Errorf("invite: feed: %w", err)
	}
	queued := int(n)
	fed := false
	var errs []error
	for queued < d.cfg.FeedBelow && len(hungry) > 0 {
		next := hungry[:0]
		for _, c := range hungry {
			if queued >= d.cfg.FeedBelow {
				break
			}
			key := store.FeedKey(0, c.NextBatch)
			claimed, err := d.stores.Campaigns.ClaimFeed(ctx, c.ID, "nextBatch", c.NextBatch, key, now.Add(d.cfg.Lease))
			if err != nil || !claimed {
				// Another dispatcher fed it first; this one looks again next tick.
				errs = append(errs, err)
				continue
			}
			added, err := d.fillInvitations(ctx, *c, c.NextBatch, key, now)
			if err != nil {
				// The sweeper takes the feed over once its deadline passes.
				errs = append(errs, err)
				continue
			}
			queued += added
			fed = fed || added > 0
			if c.NextBatch++; c.NextBatch < c.Batches {
				next = append(next, c)
			}
		}
		hungry = next
	}
	if fed {
		d.nudge()
	}
	return errors.Join(errs...)
}

// fillInvitations creates the invitations of a claimed backlog batch and
// queues their messages. Run again on the same batch (by the sweeper, after
// a crash), it creates nothing twice. It returns how many it queued.
func (d *Dispatcher) fillInvitations(ctx context.Context, c store.Campaign, seq int, key string, now time.Time) (int, error) {
	b, err := d.stores.Campaigns.Batch(ctx, c.ID, seq)
	if err != nil {
		return 0, fmt.Errorf("invite: feed: %w", err)
	}
	sv, err := d.stores.Surveys.ByID(ctx, c.SurveyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("invite: feed: %w", err)
	}
	done := store.CountsDelta{Fed: len(b.Entries), SentBatch: -1, FinishFeed: key}
	if sv.Status != survey.StatusOpen {
		// Closed before these went out: no invitation is made.
		done.Withdrawn = len(b.Entries)
		return 0, d.stores.Campaigns.AddCounts(ctx, c.ID, done)
	}
	// The link's validity counts from sending, not from when the campaign
	// was created or scheduled.
	expires := now.AddDate(0, 0, sv.TokenValidityDays)
	invs := make([]store.Invitation, len(b.Entries))
	for i, e := range b.Entries {
		invs[i] = store.Invitation{ID: e.InvitationID, SurveyID: c.SurveyID, CampaignID: c.ID, ContactID: e.ContactID,
			AccountID: e.AccountID, Locale: e.Locale, State: store.InvitationPending, ExpiresAt: expires, CreatedAt: now, Wave: c.Wave}
	}
	taken, err := d.stores.Invitations.InsertBatch(ctx, invs)
	if err != nil {
		return 0, fmt.Errorf("invite: feed: %w", err)
	}
	// Invited since the campaign was created, by another campaign.
	skip := make(map[string]bool, len(taken))
	skips := make([]store.Skip, len(taken))
	for i, id := range taken {
		skip[id] = true
		skips[i] = store.Skip{ContactID: id, Reason: store.SkipAlreadyInvited}
	}
	msgs := make([]outbox.Message, 0, len(invs))
	for _, inv := range invs {
		if skip[inv.ContactID] {
			continue
		}
		msgs = append(msgs, outbox.Message{
			ID: outbox.MessageID(inv.ID, 0), Batch: c.ID + "|" + key, CampaignID: c.ID, Seq: seq,
			InvitationID: inv.ID, ContactID: inv.ContactID, Kind: outbox.Invitation, ExpiresAt: inv.ExpiresAt,
			State: outbox.Queued, NextAttemptAt: now, CreatedAt: now,
		})
	}
	added, err := d.stores.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return 0, fmt.Errorf("invite: feed: %w", err)
	}
	if len(skips) > 0 {
		if err := d.stores.Campaigns.AddSkips(ctx, c.ID, "b"+strconv.Itoa(seq)+".", skips, now); err != nil {
			return 0, fmt.Errorf("invite: feed: %w", err)
		}
		done.Invited, done.Fed, done.Skipped = -len(skips), len(msgs), len(skips)
		done.SkipReasons = map[string]int{store.SkipAlreadyInvited: len(skips)}
	}
	if err := d.stores.Campaigns.AddCounts(ctx, c.ID, done); err != nil {
		return 0, fmt.Errorf("invite: feed: %w", err)
	}
	return added, nil
}

// finishIfDone marks a fully fed campaign sent once its counts account for
// every invitation fed and nothing of it is left in the outbox. It stays
// active, for reminders and the answered count, until its links expire.
func (d *Dispatcher) finishIfDone(ctx context.Context, c store.Campaign, now time.Time) error {
	// The counts are on the campaign, already read; the outbox has to be
	// scanned, so it is looked at only when the counts say it is time.
	k := c.Counts
	if accounted := k.Sent + k.Failed + k.Bounced + k.Suppressed + k.Withdrawn; accounted < k.Fed {
		// A worker counts its messages just after removing them from the
		// outbox; counts that stop short for a lease's time mean it died in
		// between, and the campaign finishes regardless once its outbox is empty.
		if !d.countsStuck(c.ID, accounted, now) {
			return nil
		}
	}
	queued, sending, err := d.stores.Outbox.CampaignProgress(ctx, c.ID)
	if err != nil || queued+sending > 0 {
		return err
	}
	sv, err := d.stores.Surveys.ByID(ctx, c.SurveyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("invite: finish: %w", err)
	}
	validity := max(sv.TokenValidityDays, 1)
	finished, err := d.stores.Campaigns.Finish(ctx, c.ID, now, now.AddDate(0, 0, validity+1))
	d.stuck.Delete(c.ID)
	if finished {
		d.logger.InfoContext(ctx, "campaign sent", "campaign", c.ID)
		d.publishFinished(ctx, c, sv, now)
	}
	return err
}

// countsStuck reports whether a campaign's accounted count has not moved
// for a lease's time, as this dispatcher has watched it.
func (d *Dispatcher) countsStuck(campaignID string, accounted int, now time.Time) bool {
	v, _ := d.stuck.LoadOrStore(campaignID, countsMark{accounted, now})
	m := v.(countsMark)
	if m.accounted != accounted {
		d.stuck.Store(campaignID, countsMark{accounted, now})
		return false
	}
	return now.Sub(m.since) >= d.cfg.Lease
}

// countsMark is a campaign's accounted count and since when it has stood.
type countsMark struct {
	accounted int
	since     time.Time
}

// Remind queues the reminders that are due, and refreshes the campaigns'
// answered counts.
//
// Reminders are timed per backlog batch (from when its invitations went
// out) and walked with a cursor over round × batch, advanced by
// compare-and-swap like the feeder's: finding due invitations one by one
// would need a query on a field other than _id, which the embedded
// database answers by scanning every invitation.
func (d *Dispatcher) Remind(ctx context.Context) error {
	now := d.clock()
	camps, err := d.stores.Campaigns.Active(ctx, now)
	if err != nil {
		return fmt.Errorf("invite: remind: %w", err)
	}
	var errs []error
	for _, c := range camps {
		if c.State == store.CampaignSending || c.State == store.CampaignSent {
			errs = append(errs, d.census(ctx, c, now))
		}
		if c.State != store.CampaignSent || c.Reminders.Count == 0 || c.Batches == 0 {
			continue
		}
		errs = append(errs, d.remindCampaign(ctx, c, now))
	}
	return errors.Join(errs...)
}

func (d *Dispatcher) remindCampaign(ctx context.Context, c store.Campaign, now time.Time) error {
	sv, err := d.stores.Surveys.ByID(ctx, c.SurveyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("invite: remind: %w", err)
	}
	if sv.Status != survey.StatusOpen {
		return nil
	}
	queued := false
	for pos := c.NextReminder; pos < c.Reminders.Count*c.Batches; pos++ {
		round, seq := pos/c.Batches+1, pos%c.Batches
		// Reminder n is due n×AfterDays after the batch's invitations went
		// out; a batch that sent nothing has nobody to remind.
		if at, ok := c.BatchSentAt[strconv.Itoa(seq)]; ok && now.Before(at.AddDate(0, 0, round*c.Reminders.AfterDays)) {
			break
		}
		key := store.FeedKey(round, seq)
		claimed, err := d.stores.Campaigns.ClaimFeed(ctx, c.ID, "nextReminder", pos, key, now.Add(d.cfg.Lease))
		if err != nil || !claimed {
			return err
		}
		added, err := d.fillReminders(ctx, c, round, seq, key, now)
		if err != nil {
			return err
		}
		queued = queued || added > 0
	}
	if queued {
		d.nudge()
	}
	return nil
}

// fillReminders queues reminder round for the batch's invitations that are
// still pending, were delivered, and whose links stay valid long enough.
func (d *Dispatcher) fillReminders(ctx context.Context, c store.Campaign, round, seq int, key string, now time.Time) (int, error) {
	b, err := d.stores.Campaigns.Batch(ctx, c.ID, seq)
	if err != nil {
		return 0, fmt.Errorf("invite: remind: %w", err)
	}
	var msgs []outbox.Message
	for _, e := range b.Entries {
		inv, err := d.stores.Invitations.ByID(ctx, e.InvitationID)
		if errors.Is(err, store.ErrNotFound) || inv.CampaignID != c.ID {
			continue // never made: skipped when fed
		}
		if err != nil {
			return 0, fmt.Errorf("invite: remind: %w", err)
		}
		if inv.State != store.InvitationPending || inv.RemindersSent >= round || inv.ExpiresAt.Before(now.Add(reminderMinValidity)) {
			continue
		}
		if dead, err := d.stores.Outbox.IsDead(ctx, outbox.MessageID(inv.ID, 0)); err != nil {
			return 0, fmt.Errorf("invite: remind: %w", err)
		} else if dead {
			continue // the invitation itself never arrived
		}
		msgs = append(msgs, outbox.Message{
			ID: outbox.MessageID(inv.ID, round), Batch: c.ID + "|" + key, CampaignID: c.ID, Seq: seq,
			InvitationID: inv.ID, ContactID: inv.ContactID, Kind: outbox.Reminder, Round: round, ExpiresAt: inv.ExpiresAt,
			State: outbox.Queued, NextAttemptAt: now, CreatedAt: now,
		})
	}
	added, err := d.stores.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return 0, fmt.Errorf("invite: remind: %w", err)
	}
	if err := d.stores.Campaigns.AddCounts(ctx, c.ID, store.CountsDelta{SentBatch: -1, FinishFeed: key}); err != nil {
		return 0, fmt.Errorf("invite: remind: %w", err)
	}
	return added, nil
}

// census refreshes a campaign's count of invitations by state when it is
// older than CensusInterval, or six times that once the campaign is sent:
// the count costs a pass over the invitations (on the embedded database,
// over every campaign's).
func (d *Dispatcher) census(ctx context.Context, c store.Campaign, now time.Time) error {
	every := d.cfg.CensusInterval
	if c.State == store.CampaignSent {
		every *= 6
	}
	if c.Census != nil && now.Sub(c.Census.At) < every {
		return nil
	}
	counts, err := d.stores.Invitations.CountByState(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("invite: census: %w", err)
	}
	return d.stores.Campaigns.SetCensus(ctx, c.ID, store.CampaignCensus{
		Pending: counts[store.InvitationPending], Answered: counts[store.InvitationAnswered],
		Revoked: counts[store.InvitationRevoked], At: now,
	})
}

// Sweep cleans up after processes that died: it returns messages whose
// lease ran out to the queue and finishes feeds left half-done. It also
// trims the dev outbox and old dead letters.
func (d *Dispatcher) Sweep(ctx context.Context) error {
	now := d.clock()
	var errs []error
	if n, err := d.stores.Outbox.ExpireLeases(ctx, now); err != nil {
		errs = append(errs, err)
	} else if n > 0 {
		d.logger.WarnContext(ctx, "dispatcher: leases expired; messages queued again", "messages", n)
	}
	camps, err := d.stores.Campaigns.Active(ctx, now)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, c := range camps {
		for key, deadline := range c.Feeding {
			if deadline.After(now) {
				continue
			}
			errs = append(errs, d.resumeFeed(ctx, c, key, deadline, now))
		}
	}
	if d.stores.DevMails != nil {
		if _, err := d.stores.DevMails.Trim(ctx, int64(d.cfg.DevOutboxKeep)); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := d.stores.Outbox.TrimDead(ctx, now.Add(-d.cfg.DeadLetterTTL)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// resumeFeed takes over a feed whose process died before finishing it.
func (d *Dispatcher) resumeFeed(ctx context.Context, c store.Campaign, key string, deadline, now time.Time) error {
	round, seq, ok := store.ParseFeedKey(key)
	if !ok {
		return fmt.Errorf("invite: sweep: campaign %s has a feed with a malformed key %q", c.ID, key)
	}
	taken, err := d.stores.Campaigns.RenewFeed(ctx, c.ID, key, deadline, now.Add(d.cfg.Lease))
	if err != nil || !taken {
		return err
	}
	d.logger.WarnContext(ctx, "dispatcher: resuming a feed a stopped process left", "campaign", c.ID, "feed", key)
	if round == 0 {
		_, err = d.fillInvitations(ctx, c, seq, key, now)
	} else {
		_, err = d.fillReminders(ctx, c, round, seq, key, now)
	}
	if err == nil {
		d.nudge()
	}
	return err
}
