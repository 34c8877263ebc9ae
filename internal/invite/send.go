package invite

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// send delivers a claimed batch a group at a time, one SMTP connection per
// group, and settles each message as soon as its group is done, so that a
// crash re-sends at most the group in flight.
func (d *Dispatcher) send(ctx context.Context, token string, claimedAt time.Time, msgs []outbox.Message) error {
	// Stop starting groups well before the lease ends: past it, another
	// worker may claim these messages too.
	deadline := claimedAt.Add(d.cfg.Lease - d.cfg.Lease/4)
	var sv survey.Survey
	for start := 0; start < len(msgs); start += d.group {
		rest := msgs[start:]
		if d.clock().After(deadline) {
			return d.release(ctx, token, rest, d.clock(), nil)
		}
		// The campaign is read before every group, so that cancelling takes
		// effect at the next group.
		camp, err := d.stores.Campaigns.ByID(ctx, rest[0].CampaignID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return d.stores.Outbox.Delete(ctx, token, messageIDs(rest))
		case err != nil:
			return errors.Join(err, d.release(ctx, token, rest, d.clock(), err))
		case camp.State == store.CampaignCancelled:
			return d.drop(ctx, token, camp, rest, dropWithdrawn)
		}
		if start == 0 {
			sv, err = d.stores.Surveys.ByID(ctx, camp.SurveyID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return errors.Join(err, d.release(ctx, token, rest, d.clock(), err))
			}
		}
		if err := d.sendGroup(ctx, token, camp, sv, rest[:min(d.group, len(rest))]); err != nil {
			return errors.Join(err, d.release(ctx, token, rest[min(d.group, len(rest)):], d.clock(), err))
		}
	}
	return nil
}

// prepareConcurrency bounds the messages of a group checked at once.
const prepareConcurrency = 8

// dropKind says why a message is not sent after all.
type dropKind int

const (
	dropNone       dropKind = iota
	dropSuppressed          // the contact unsubscribed, bounced or was erased meanwhile
	dropWithdrawn           // the campaign was cancelled, the survey closed or the link expired
	dropQuiet               // a reminder no longer needed: answered, or the link about to expire
)

// outgoing is a message ready for the mail server.
type outgoing struct {
	msg       outbox.Message
	recipient customer.Recipient
	mail      mail.Message
}

func (d *Dispatcher) sendGroup(ctx context.Context, token string, camp store.Campaign, sv survey.Survey, group []outbox.Message) error {
	now := d.clock()
	// The checks read the database; reads run side by side, unlike writes.
	type prepared struct {
		o    outgoing
		kind dropKind
		err  error
	}
	results := make([]prepared, len(group))
	sem := make(chan struct{}, prepareConcurrency)
	var wg sync.WaitGroup
	for i, m := range group {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			o, kind, err := d.prepare(ctx, sv, m, now)
			results[i] = prepared{o, kind, err}
		})
	}
	wg.Wait()
	var out []outgoing
	drops := map[dropKind][]outbox.Message{}
	for i, r := range results {
		switch {
		case r.err != nil:
			// The database is having trouble; try this one again shortly.
			if err := d.release(ctx, token, group[i:i+1], now.Add(d.cfg.UnreachablePause), r.err); err != nil {
				return err
			}
		case r.kind != dropNone:
			drops[r.kind] = append(drops[r.kind], group[i])
		default:
			out = append(out, r.o)
		}
	}
	for kind, msgs := range drops {
		if err := d.drop(ctx, token, camp, msgs, kind); err != nil {
			return err
		}
	}
	if len(out) == 0 {
		return nil
	}
	if err := d.limiter.WaitN(ctx, len(out)); err != nil {
		return errors.Join(err, d.release(ctx, token, outgoingMessages(out), now, nil))
	}
	mails := make([]mail.Message, len(out))
	for i, o := range out {
		mails[i] = o.mail
	}
	return d.settle(ctx, token, camp, out, d.sender.Send(ctx, mails))
}

// prepare decides whether m is still wanted and renders it: the
// invitation, the survey and the contact may all have changed since it was
// queued. An error means the answer could not be read.
func (d *Dispatcher) prepare(ctx context.Context, sv survey.Survey, m outbox.Message, now time.Time) (outgoing, dropKind, error) {
	open := sv.Status == survey.StatusOpen
	if m.Kind == outbox.Invitation {
		// An invitation not yet sent can only be stopped by its campaign
		// (read before each group), its survey or its contact (below):
		// nobody has its link to answer it, so it is not read.
		if !open || !m.ExpiresAt.After(now) {
			return outgoing{}, dropWithdrawn, nil
		}
	} else {
		inv, err := d.stores.Invitations.ByID(ctx, m.InvitationID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return outgoing{}, dropWithdrawn, nil
		case err != nil:
			return outgoing{}, dropNone, err
		case inv.State != store.InvitationPending || !open || inv.ExpiresAt.Before(now.Add(reminderMinValidity)):
			return outgoing{}, dropQuiet, nil
		}
	}

	r, err := d.customers.Recipient(ctx, m.ContactID)
	switch {
	case errors.Is(err, customer.ErrNotFound):
		return outgoing{}, dropSuppressed, nil
	case err != nil:
		return outgoing{}, dropNone, err
	case r.Status != contacts.Active || len(r.EmailIndexes) == 0:
		return outgoing{}, dropSuppressed, nil
	}
	switch _, err := d.stores.Suppressions.Find(ctx, r.EmailIndexes...); {
	case err == nil:
		return outgoing{}, dropSuppressed, nil
	case !errors.Is(err, store.ErrNotFound):
		return outgoing{}, dropNone, err
	}

	surveyURL, err := d.links.SurveyURL(m.InvitationID, m.ExpiresAt)
	if err != nil {
		return outgoing{}, dropNone, err
	}
	unsubscribeURL, err := d.links.UnsubscribeURL(r.ContactID, now.Add(unsubscribeValidity))
	if err != nil {
		return outgoing{}, dropNone, err
	}
	e, err := d.email.render(emailInput{
		Locale: sv.Locale(r.Locale), Kind: m.Kind, Name: r.Name, Survey: sv, SenderName: d.senderName(sv.Branding),
		SurveyURL: surveyURL, PrivacyURL: surveyURL + "/privacy", UnsubscribeURL: unsubscribeURL, ExpiresAt: m.ExpiresAt,
		LogoURL: d.logoURL(sv.Branding),
	})
	if err != nil {
		return outgoing{}, dropNone, err
	}
	msg := d.message(e, sv.Branding, r.Email, r.Name, unsubscribeURL)
	if d.returns != nil {
		if msg.EnvelopeFrom, err = d.returns.ReturnPath(m.InvitationID, m.Round); err != nil {
			return outgoing{}, dropNone, err
		}
	}
	return outgoing{msg: m, recipient: r, mail: msg}, dropNone, nil
}

// drop removes messages no longer wanted and counts them.
func (d *Dispatcher) drop(ctx context.Context, token string, camp store.Campaign, msgs []outbox.Message, kind dropKind) error {
	if err := d.stores.Outbox.Delete(ctx, token, messageIDs(msgs)); err != nil {
		return err
	}
	delta := store.CountsDelta{SentBatch: -1}
	switch kind {
	case dropSuppressed:
		delta.Suppressed = len(msgs)
	case dropWithdrawn:
		delta.Withdrawn = len(msgs)
	default:
		return nil
	}
	return d.stores.Campaigns.AddCounts(ctx, camp.ID, delta)
}

// permanentFloor is the group size from which a refusal of every single
// recipient is blamed on the relay (misconfigured, or blocking us) rather
// than on the recipients, who would otherwise all be marked bounced.
const permanentFloor = 5

// settle records what the mail server said about each message.
func (d *Dispatcher) settle(ctx context.Context, token string, camp store.Campaign, out []outgoing, errs []error) error {
	now := d.clock()
	var sent, unattempted, transient, invalidMsgs, bounced []int
	relayRefused := false
	for i, err := range errs {
		switch {
		case err == nil:
			sent = append(sent, i)
		case mail.Unattempted(err):
			unattempted = append(unattempted, i)
		case errors.Is(err, mail.ErrInvalidMessage):
			invalidMsgs = append(invalidMsgs, i)
		case mail.IsPermanent(err) && out[i].msg.RelayRefused:
			transient = append(transient, i)
		case mail.IsPermanent(err):
			bounced = append(bounced, i)
		default:
			transient = append(transient, i)
		}
	}
	if len(bounced) == len(out) && len(out) >= permanentFloor {
		d.logger.WarnContext(ctx, "dispatcher: the mail server refused every recipient of a group; treating it as a server problem, not bounces",
			"campaign", camp.ID, "recipients", len(out), "err", scrub(errs[bounced[0]]))
		transient, bounced = append(transient, bounced...), nil
		relayRefused = true
	}

	var errsOut []error
	keep := func(err error) {
		if err != nil {
			errsOut = append(errsOut, err)
		}
	}
	// Sent messages leave the outbox before anything else happens: from
	// then on, nothing can send them again.
	if len(sent) > 0 {
		d.pause.up()
		ids := make([]string, len(sent))
		for k, i := range sent {
			ids[k] = out[i].msg.ID
		}
		if err := d.stores.Outbox.Delete(ctx, token, ids); err != nil {
			return err
		}
		keep(d.recordSent(ctx, camp, out, sent, now))
	}

	if len(unattempted) > 0 {
		next := now
		if len(sent) == 0 && len(transient)+len(invalidMsgs)+len(bounced) == 0 {
			// Nothing got through: the server is unreachable. Everybody waits.
			next = d.pause.down(now)
			d.logger.WarnContext(ctx, "dispatcher: mail server unreachable; waiting", "until", next, "err", scrub(errs[unattempted[0]]))
		}
		msgs := make([]outbox.Message, len(unattempted))
		for k, i := range unattempted {
			msgs[k] = out[i].msg
		}
		keep(d.release(ctx, token, msgs, next, errs[unattempted[0]]))
	}

	delta := store.CountsDelta{SentBatch: -1}
	for _, i := range transient {
		m := out[i].msg
		if m.Attempts < d.cfg.MaxAttempts {
			next := now.Add(backoff(m.Attempts, d.cfg.BackoffBase, d.cfg.BackoffMax))
			var flags outbox.ReleaseFlags
			if relayRefused {
				flags = outbox.RelayRefused
			}
			keep(d.stores.Outbox.Release(ctx, token, []string{m.ID}, next, scrub(errs[i]), flags))
			continue
		}
		keep(d.stores.Outbox.Bury(ctx, token, m, outbox.Failed, scrub(errs[i]), now))
		delta.Failed++
	}
	for _, i := range invalidMsgs {
		keep(d.stores.Outbox.Bury(ctx, token, out[i].msg, outbox.Failed, scrub(errs[i]), now))
		delta.Failed++
	}
	for _, i := range bounced {
		o := out[i]
		keep(d.stores.Outbox.Bury(ctx, token, o.msg, outbox.Bounced, scrub(errs[i]), now))
		keep(d.suppress(ctx, o.recipient, store.SuppressedBounced, contacts.Bounced))
		delta.Bounced++
	}
	if delta.Failed+delta.Bounced > 0 {
		keep(d.stores.Campaigns.AddCounts(ctx, camp.ID, delta))
	}
	d.observer.Delivered(OutcomeSent, len(sent))
	d.observer.Delivered(OutcomeDeferred, len(unattempted))
	d.observer.Delivered(OutcomeRetry, len(transient)-int(delta.Failed)+len(invalidMsgs))
	d.observer.Delivered(OutcomeFailed, int(delta.Failed))
	d.observer.Delivered(OutcomeBounced, len(bounced))
	return errors.Join(errsOut...)
}

// recordSent notes the sent messages on their contacts, invitations and
// campaign.
func (d *Dispatcher) recordSent(ctx context.Context, camp store.Campaign, out []outgoing, sent []int, now time.Time) error {
	delta := store.CountsDelta{SentBatch: -1, Now: now}
	var errs []error
	surveyed := make([]string, 0, len(sent))
	for _, i := range sent {
		m := out[i].msg
		if m.Kind == outbox.Reminder {
			errs = append(errs, d.stores.Invitations.RecordReminder(ctx, m.InvitationID, m.Round))
			delta.Reminded++
			continue
		}
		surveyed = append(surveyed, m.ContactID)
		delta.Sent++
		// Reminders are timed from their batch's invitations.
		delta.SentBatch = m.Seq
	}
	// The contact-frequency rule reads this; a few bulk writes for the
	// group rather than one write per message.
	errs = append(errs, d.stores.Contacts.MarkSurveyedMany(ctx, surveyed, now))
	errs = append(errs, d.stores.Campaigns.AddCounts(ctx, camp.ID, delta))
	return errors.Join(errs...)
}

// release gives messages back to the queue, due at next, without counting
// an attempt: they never reached the mail server.
func (d *Dispatcher) release(ctx context.Context, token string, msgs []outbox.Message, next time.Time, cause error) error {
	lastError := ""
	if cause != nil {
		lastError = scrub(cause)
	}
	return d.stores.Outbox.Release(ctx, token, messageIDs(msgs), next, lastError, outbox.Uncount)
}

// backoff is the wait before attempt+1: base doubling with each attempt up
// to max, half of it random so that retries after an outage spread out.
func backoff(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}

// addressPattern finds email addresses, which SMTP replies often quote.
var addressPattern = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// scrub turns an error into text to store: without the addresses a
// server's reply may quote, as contact addresses are kept only sealed.
func scrub(err error) string {
	s := addressPattern.ReplaceAllString(err.Error(), "<address>")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

func messageIDs(msgs []outbox.Message) []string {
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids
}

func outgoingMessages(out []outgoing) []outbox.Message {
	msgs := make([]outbox.Message, len(out))
	for i, o := range out {
		msgs[i] = o.msg
	}
	return msgs
}
