package privacy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// A correction of the email from a survey link is applied only once the
// holder of the new address confirms it, and is answered the same way
// whether or not that address is another contact's: otherwise anyone with
// a link could find out which addresses Candor knows.

// EmailChangeTTL is how long a confirmation link works.
const EmailChangeTTL = 24 * time.Hour

// Errors of email confirmation.
var (
	ErrLinkExpired = fault.New(fault.Gone, "privacy", "this confirmation link has expired")
	// ErrEmailUnavailable: the new address is another contact's. Only the
	// holder of that mailbox, who opened the link, is told.
	ErrEmailUnavailable = fault.New(fault.Conflict, "privacy", "the new address cannot be used")
)

// Mailer delivers email: the SMTP sender, or the dev outbox without SMTP.
type Mailer interface {
	Send(ctx context.Context, msgs []mail.Message) []error
}

// EmailChanges keeps email changes waiting for confirmation
// (*store.EmailChanges).
type EmailChanges interface {
	Insert(ctx context.Context, ch store.EmailChange) error
	ByID(ctx context.Context, id string) (store.EmailChange, error)
	Take(ctx context.Context, id string) (store.EmailChange, error)
	DeleteByContact(ctx context.Context, contactID string) error
	ByContact(ctx context.Context, contactID string) ([]store.EmailChange, error)
	DeleteExpired(ctx context.Context, now time.Time) error
}

// Correction is the outcome of a correction asked for through a link.
type Correction struct {
	Contact customer.Contact // with the new name; the email as it was
	// EmailPending: the email is to change, and a confirmation link went to
	// the new address. It says nothing about whether the change can apply.
	EmailPending bool
}

// EmailChange is a pending change as its confirmation page shows it.
type EmailChange struct {
	Email, Locale string
	ExpiresAt     time.Time
}

// RequestCorrection corrects a person's name at once and asks the holder of
// a new email address to confirm it before it is applied. Invalid values
// come back as customer field errors. A newer request replaces an
// older one still waiting.
func (s *Service) RequestCorrection(ctx context.Context, contactID, name, email, locale string) (Correction, error) {
	current, err := s.subject(ctx, contactID)
	if err != nil {
		return Correction{}, err
	}
	if current.Status == contacts.Erased {
		return Correction{}, ErrErased
	}
	name, email, err = customer.CheckPerson(name, email)
	if err != nil {
		return Correction{}, err
	}
	out := Correction{Contact: current}
	if name != current.Name {
		if out.Contact, err = s.Rectify(ctx, contactID, name, current.Email, Requester{}); err != nil {
			return Correction{}, err
		}
	}
	if email == customer.NormalizeEmail(current.Email) {
		return out, nil
	}
	if s.changes == nil || s.mailer == nil {
		return Correction{}, errors.New("privacy: email changes need a mailer")
	}
	now := s.now().UTC()
	if err := s.changes.DeleteExpired(ctx, now); err != nil {
		return Correction{}, fmt.Errorf("privacy: %w", err)
	}
	if err := s.changes.DeleteByContact(ctx, contactID); err != nil {
		return Correction{}, fmt.Errorf("privacy: %w", err)
	}
	token := newToken()
	id := tokenID(token)
	box, err := s.sealer.Seal([]byte(email), emailChangeContext(id))
	if err != nil {
		return Correction{}, fmt.Errorf("privacy: %w", err)
	}
	locale, _ = i18n.Normalize(locale)
	ch := store.EmailChange{
		ID: id, ContactID: contactID, Email: box, Locale: locale,
		CreatedAt: now.Truncate(time.Millisecond), ExpiresAt: now.Add(EmailChangeTTL).Truncate(time.Millisecond),
	}
	if err := s.changes.Insert(ctx, ch); err != nil {
		return Correction{}, fmt.Errorf("privacy: %w", err)
	}
	// Sent whether or not the address is taken, so that the answer, and
	// the time it takes, do not depend on it.
	if errs := s.mailer.Send(ctx, []mail.Message{s.confirmationMail(email, out.Contact.Name, locale, token)}); len(errs) > 0 && errs[0] != nil {
		return Correction{}, fmt.Errorf("privacy: send the confirmation: %w", errs[0])
	}
	out.EmailPending = true
	return out, nil
}

// PendingEmailChange returns the change a confirmation link is for without
// using it up: opening a link changes nothing. ErrNotFound for a link that
// was used, replaced or never issued; ErrLinkExpired, with the change,
// for one past its time.
func (s *Service) PendingEmailChange(ctx context.Context, token string) (EmailChange, error) {
	if s.changes == nil || !plausibleToken(token) {
		return EmailChange{}, ErrNotFound
	}
	ch, err := s.changes.ByID(ctx, tokenID(token))
	if err != nil {
		return EmailChange{}, changeNotFound(err)
	}
	return s.describeChange(ch)
}

// ConfirmEmailChange applies the change a confirmation link is for, once:
// the link is used up whatever the outcome. ErrEmailUnavailable when the
// address is another contact's by now; nothing changes then.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (EmailChange, error) {
	if s.changes == nil || !plausibleToken(token) {
		return EmailChange{}, ErrNotFound
	}
	ch, err := s.changes.Take(ctx, tokenID(token))
	if err != nil {
		return EmailChange{}, changeNotFound(err)
	}
	info, err := s.describeChange(ch)
	if err != nil {
		return info, err
	}
	current, err := s.subject(ctx, ch.ContactID)
	if err != nil {
		return info, err
	}
	if current.Status == contacts.Erased {
		return info, ErrNotFound
	}
	_, err = s.subjects.Rectify(ctx, ch.ContactID, current.Name, info.Email)
	switch {
	case errors.Is(err, customer.ErrEmailTaken), fault.FieldsOf(err) != nil:
		return info, ErrEmailUnavailable
	case errors.Is(err, customer.ErrNotFound), errors.Is(err, customer.ErrErased):
		return info, ErrNotFound
	case err != nil:
		return info, fmt.Errorf("privacy: %w", err)
	}
	return info, nil
}

func (s *Service) describeChange(ch store.EmailChange) (EmailChange, error) {
	email, err := s.sealer.Open(ch.Email, emailChangeContext(ch.ID))
	if err != nil {
		return EmailChange{}, fmt.Errorf("privacy: %w", err)
	}
	info := EmailChange{Email: string(email), Locale: ch.Locale, ExpiresAt: ch.ExpiresAt}
	if !s.now().Before(ch.ExpiresAt) {
		return info, ErrLinkExpired
	}
	return info, nil
}

// confirmationMail is the message with the link, in the person's language.
func (s *Service) confirmationMail(to, name, locale, token string) mail.Message {
	msg := i18n.RespondentMessages(locale)
	link := s.baseURL + "/e/" + url.PathEscape(token) + "?lang=" + url.QueryEscape(locale)
	return mail.Message{
		From: s.from, To: to, ToName: name,
		Subject: msg.T("email_change.mail.subject"),
		Text:    fmt.Sprintf(msg.T("email_change.mail.body"), int(EmailChangeTTL/time.Hour), link),
	}
}

func changeNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return fmt.Errorf("privacy: %w", err)
}

// newToken is 256 random bits for a confirmation link.
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenID is what is stored of a token: its SHA-256. The token is random
// and long, so no key is needed, and a copy of the database cannot be
// used to confirm a change.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// plausibleToken rejects what newToken cannot have made before any
// database look-up.
func plausibleToken(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(32) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

func emailChangeContext(id string) string { return "email-change:" + id }
