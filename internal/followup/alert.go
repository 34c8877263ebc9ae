package followup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
)

// Alert delivery. An alert is queued under its response's id when a
// consenting detractor's response is stored, and leaves the queue once
// sent; the follow-up then records that it was, so it is never queued
// again. A worker leases an alert before sending it, so that several
// processes send each alert once, except one in flight when a process
// dies, which is sent again.
const (
	alertLease       = 2 * time.Minute
	alertBatch       = 50
	alertMaxAttempts = 8
	alertMaxBackoff  = time.Hour
)

// SendAlerts sends the detractor alerts that are due and reports how many
// went out. An alert whose response lost its name since is dropped.
func (s *Service) SendAlerts(ctx context.Context) (int, error) {
	if s.d.Sender == nil || s.d.Users == nil {
		return 0, errors.New("followup: alerts need a sender and the users")
	}
	now := s.now()
	due, err := s.d.Store.DueAlerts(ctx, now, alertBatch)
	if err != nil {
		return 0, fmt.Errorf("followup: %w", err)
	}
	sent := 0
	var errs []error
	for _, a := range due {
		claimed, ok, err := s.d.Store.ClaimAlert(ctx, a.ID, now, now.Add(alertLease))
		if err != nil {
			return sent, fmt.Errorf("followup: %w", err)
		}
		if !ok {
			continue // another worker has it
		}
		did, err := s.sendAlert(ctx, claimed)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if did {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// sendAlert sends one claimed alert to the account's managers.
func (s *Service) sendAlert(ctx context.Context, a store.FollowupAlert) (bool, error) {
	f, err := s.d.Store.ByID(ctx, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		// Consent was withdrawn or the person erased meanwhile.
		return false, s.alertDone(ctx, a.ID)
	}
	if err != nil {
		return false, s.retry(ctx, a, err)
	}
	if f.AlertedAt != nil {
		return false, s.alertDone(ctx, a.ID)
	}
	msgs, err := s.alertMessages(ctx, f)
	if err != nil {
		return false, s.retry(ctx, a, err)
	}
	if len(msgs) == 0 {
		s.d.Logger.Warn("detractor alert has nobody to go to", "response", f.ID, "account", f.AccountID)
		return false, s.alertDone(ctx, a.ID)
	}
	if err := errors.Join(s.d.Sender.Send(ctx, msgs)...); err != nil {
		if mail.IsPermanent(err) {
			s.d.Logger.Warn("detractor alert refused", "response", f.ID, "err", err)
			return false, s.alertDone(ctx, a.ID)
		}
		return false, s.retry(ctx, a, err)
	}
	if err := s.d.Store.MarkAlerted(ctx, f.ID, s.now().UTC().Truncate(time.Millisecond)); err != nil {
		return true, fmt.Errorf("followup: %w", err)
	}
	return true, s.alertDone(ctx, a.ID)
}

func (s *Service) alertDone(ctx context.Context, id string) error {
	if err := s.d.Store.AlertDone(ctx, id); err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	return nil
}

// retry gives an alert back, due again after a growing pause, or drops it
// after alertMaxAttempts.
func (s *Service) retry(ctx context.Context, a store.FollowupAlert, cause error) error {
	if a.Attempts >= alertMaxAttempts {
		s.d.Logger.Error("detractor alert given up", "response", a.ID, "attempts", a.Attempts, "err", cause)
		return errors.Join(cause, s.alertDone(ctx, a.ID))
	}
	pause := min(time.Duration(1<<min(a.Attempts, 12))*30*time.Second, alertMaxBackoff)
	if err := s.d.Store.RetryAlert(ctx, a.ID, s.now().Add(pause), cause.Error()); err != nil {
		return errors.Join(cause, fmt.Errorf("followup: %w", err))
	}
	return fmt.Errorf("followup: alert %s: %w", a.ID, cause)
}

// alertMessages renders the alert to each active manager of the account.
// It names the respondent and links to the follow-up; the answers are only
// behind the link, where reading them is audit-logged.
func (s *Service) alertMessages(ctx context.Context, f store.Followup) ([]mail.Message, error) {
	managers := f.ManagerIDs
	account := ""
	if a, err := s.d.Accounts.ByID(ctx, f.AccountID); err == nil {
		managers, account = a.ManagerIDs, a.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	contact, err := s.d.Subjects.Subject(ctx, f.ContactID)
	if errors.Is(err, customer.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sv, err := s.d.Surveys.ByID(ctx, f.SurveyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	title := sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale)
	if title == "" {
		title = "a survey"
	}
	link := s.d.BaseURL + "/followups/" + url.PathEscape(f.ID)
	var out []mail.Message
	for _, id := range managers {
		u, err := s.d.Users.ByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !policy.CanBeAccountManager(u) {
			continue
		}
		out = append(out, mail.Message{
			From: s.d.From, To: u.Email, ToName: u.Name,
			Subject: "Follow up: a detractor on " + title,
			Text:    alertText(u.Name, contact.Name, account, title, f.Date, link),
		})
	}
	return out, nil
}

func alertText(manager, contact, account, survey, date, link string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", manager)
	who := contact
	if account != "" {
		who += " (" + account + ")"
	}
	fmt.Fprintf(&b, "%s answered %s on %s as a detractor, and agreed to be named so that you can follow up.\n\n", who, survey, date)
	fmt.Fprintf(&b, "Read the response, contact the person and resolve the follow-up:\n%s\n\n", link)
	b.WriteString("Your opening the response is recorded in the audit log. If the person withdraws their consent, the response disappears from your list.\n")
	return b.String()
}

// Run sends due alerts, reminders and escalations every interval until
// ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.SendAlerts(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Warn("sending detractor alerts", "err", err, "sent", n)
		} else if n > 0 {
			s.d.Logger.Info("detractor alerts sent", "sent", n)
		}
		if n, err := s.SendNotices(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Warn("sending follow-up reminders and escalations", "err", err, "sent", n)
		} else if n > 0 {
			s.d.Logger.Info("follow-up reminders and escalations sent", "sent", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
