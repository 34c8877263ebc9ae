package followup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/webhook"
)

// Deadline notices. Each follow-up carries its reminder (due RemindBefore
// ahead of its due time, to the owner) and its escalation (due at the due
// time, to the account's other managers, else the admins). A worker leases
// a due notice on the follow-up itself, in one conditional write, before
// sending it, and then marks it sent, so that several processes send each
// notice once, except one in flight when a process dies, which is sent
// again. A resolved follow-up sends none; one reopened sends those not
// yet sent, never one again.
const (
	noticeLease = 2 * time.Minute
	noticeBatch = 50
	noticeRetry = 5 * time.Minute
)

// noticeLocale is the language of staff mail: staff have no language of
// their own yet.
const noticeLocale = "en"

// SendNotices sends the reminders and escalations that are due and
// reports how many follow-ups they went out for.
func (s *Service) SendNotices(ctx context.Context) (int, error) {
	if s.d.Sender == nil || s.d.Users == nil {
		return 0, errors.New("followup: notices need a sender and the users")
	}
	sent := 0
	var errs []error
	for _, kind := range []store.NoticeKind{store.NoticeReminder, store.NoticeEscalation} {
		now := s.now().UTC()
		due, err := s.d.Store.DueNotices(ctx, kind, now, noticeBatch)
		if err != nil {
			return sent, fmt.Errorf("followup: %w", err)
		}
		for _, f := range due {
			claimed, ok, err := s.d.Store.ClaimNotice(ctx, kind, f.ID, now, now.Add(noticeLease))
			if err != nil {
				return sent, fmt.Errorf("followup: %w", err)
			}
			if !ok {
				continue // sent, resolved or gone meanwhile, or another worker has it
			}
			if kind == store.NoticeEscalation {
				s.publish(ctx, webhook.FollowupOverdue, claimed, nil)
			}
			did, err := s.sendNotice(ctx, kind, claimed)
			if err != nil {
				errs = append(errs, err)
			}
			if did {
				sent++
			}
		}
	}
	return sent, errors.Join(errs...)
}

// sendNotice sends one leased notice and marks it sent. It counts as sent
// once any recipient's server accepted it, so that a failure for one
// recipient never sends it twice to the others.
func (s *Service) sendNotice(ctx context.Context, kind store.NoticeKind, f store.Followup) (bool, error) {
	msgs, to, err := s.noticeMessages(ctx, kind, f)
	if err != nil {
		return false, s.retryNotice(ctx, kind, f.ID, err)
	}
	at := s.now().UTC().Truncate(time.Millisecond)
	if len(msgs) == 0 {
		s.d.Logger.Warn("follow-up notice has nobody to go to", "kind", kind, "response", f.ID, "account", f.AccountID)
		return false, s.noticeSent(ctx, kind, f.ID, at, nil)
	}
	errs := s.d.Sender.Send(ctx, msgs)
	var accepted []string
	var failed []error
	for i, id := range to {
		if i < len(errs) && errs[i] != nil {
			failed = append(failed, errs[i])
			continue
		}
		accepted = append(accepted, id)
	}
	if len(accepted) == 0 {
		cause := errors.Join(failed...)
		if mail.IsPermanent(cause) {
			s.d.Logger.Warn("follow-up notice refused", "kind", kind, "response", f.ID, "err", cause)
			return false, s.noticeSent(ctx, kind, f.ID, at, nil)
		}
		return false, s.retryNotice(ctx, kind, f.ID, cause)
	}
	if len(failed) > 0 {
		s.d.Logger.Warn("follow-up notice not delivered to some", "kind", kind, "response", f.ID, "err", errors.Join(failed...))
	}
	return true, s.noticeSent(ctx, kind, f.ID, at, accepted)
}

func (s *Service) noticeSent(ctx context.Context, kind store.NoticeKind, id string, at time.Time, to []string) error {
	if err := s.d.Store.NoticeSent(ctx, kind, id, at, to); err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	return nil
}

// retryNotice gives a notice back, to be tried again after noticeRetry.
func (s *Service) retryNotice(ctx context.Context, kind store.NoticeKind, id string, cause error) error {
	if err := s.d.Store.RetryNotice(ctx, kind, id, s.now().UTC().Add(noticeRetry)); err != nil {
		return errors.Join(cause, fmt.Errorf("followup: %w", err))
	}
	return fmt.Errorf("followup: %s %s: %w", kind, id, cause)
}

// recipients returns who gets a notice: a reminder the owner, or the
// admins when there is none (or the owner may no longer own it); an
// escalation the account's other active managers, or the admins other
// than the owner when there are none.
func (s *Service) recipients(ctx context.Context, kind store.NoticeKind, f store.Followup) ([]store.User, *store.User, error) {
	managers, err := s.managersOf(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	var owner *store.User
	if f.OwnerID != "" {
		u, err := s.d.Users.ByID(ctx, f.OwnerID)
		switch {
		case err == nil && policy.CanOwnFollowup(u, managers):
			owner = &u
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, nil, fmt.Errorf("followup: %w", err)
		}
	}
	if kind == store.NoticeReminder && owner != nil {
		return []store.User{*owner}, owner, nil
	}
	var out []store.User
	if kind == store.NoticeEscalation {
		for _, id := range managers {
			if id == f.OwnerID {
				continue
			}
			u, err := s.d.Users.ByID(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("followup: %w", err)
			}
			if policy.CanBeAccountManager(u) {
				out = append(out, u)
			}
		}
		if len(out) > 0 {
			return out, owner, nil
		}
	}
	admins, err := s.d.Users.ActiveAdmins(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("followup: %w", err)
	}
	return slices.DeleteFunc(admins, func(u store.User) bool { return kind == store.NoticeEscalation && u.ID == f.OwnerID }), owner, nil
}

// noticeMessages renders a notice to each recipient, and returns their
// ids in the same order. It names the person and links to the follow-up;
// the answers are only behind the link.
func (s *Service) noticeMessages(ctx context.Context, kind store.NoticeKind, f store.Followup) ([]mail.Message, []string, error) {
	users, owner, err := s.recipients(ctx, kind, f)
	if err != nil || len(users) == 0 {
		return nil, nil, err
	}
	contact, err := s.d.Subjects.Subject(ctx, f.ContactID)
	if errors.Is(err, customer.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	who := contact.Name
	if a, err := s.d.Accounts.ByID(ctx, f.AccountID); err == nil && a.Name != "" {
		who += " (" + a.Name + ")"
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	sv, err := s.d.Surveys.ByID(ctx, f.SurveyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	title := sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale)
	txt := i18n.FollowupMessages(noticeLocale)
	due := ""
	if f.DueAt != nil {
		due = f.DueAt.UTC().Format("Mon 2 Jan 2006 15:04") + " UTC"
	}
	ownerName := txt.T("followup.owner.admins")
	if owner != nil {
		ownerName = owner.Name
	}
	link := s.d.BaseURL + "/followups/" + url.PathEscape(f.ID)
	k := "followup." + string(kind)
	msgs := make([]mail.Message, 0, len(users))
	ids := make([]string, 0, len(users))
	for _, u := range users {
		var b strings.Builder
		fmt.Fprintf(&b, txt.T("followup.greeting")+"\n\n", u.Name)
		if kind == store.NoticeReminder {
			fmt.Fprintf(&b, txt.T(k+".lead"), who, title, due)
		} else {
			fmt.Fprintf(&b, txt.T(k+".lead"), who, title, due, ownerName)
		}
		fmt.Fprintf(&b, "\n\n%s\n%s\n\n%s\n", txt.T(k+".action"), link, txt.T("followup.footer"))
		msgs = append(msgs, mail.Message{
			From: s.d.From, To: u.Email, ToName: u.Name,
			Subject: fmt.Sprintf(txt.T(k+".subject"), who),
			Text:    b.String(),
		})
		ids = append(ids, u.ID)
	}
	return msgs, ids, nil
}
