package invite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// Subscription is what an unsubscribe link's page shows: never more of the
// person than a masked address.
type Subscription struct {
	Locale       string // the contact's, for the page's language
	MaskedEmail  string // "a•••@example.com"
	Unsubscribed bool   // no more survey email will be sent
	Erased       bool   // the person's data is gone; nothing is sent anyway
}

// Subscription reads the state an unsubscribe link's token points to,
// changing nothing: mail scanners follow links. ErrLinkInvalid or
// ErrLinkExpired for a bad token.
func (s *Service) Subscription(ctx context.Context, token string) (Subscription, error) {
	r, err := s.unsubscribeRecipient(ctx, token)
	if err != nil {
		return Subscription{}, err
	}
	return subscription(r), nil
}

// Unsubscribe suppresses the address the token's contact has, so that no
// campaign or reminder reaches it again, and marks the contact
// unsubscribed. Doing it twice is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Subscription, error) {
	r, err := s.unsubscribeRecipient(ctx, token)
	if err != nil {
		return Subscription{}, err
	}
	if err := s.suppress(ctx, r, store.SuppressedUnsubscribed, contacts.Unsubscribed); err != nil {
		return Subscription{}, err
	}
	if r.Status != contacts.Erased {
		r.Status = contacts.Unsubscribed
	}
	s.logger.InfoContext(ctx, "contact unsubscribed", "contact", r.ContactID)
	return subscription(r), nil
}

// suppress keeps a recipient's address from all future email and records
// why on the contact. An erased contact has no address left to suppress.
func (b *base) suppress(ctx context.Context, r customer.Recipient, reason store.SuppressionReason, status contacts.Status) error {
	now := b.clock()
	if len(r.EmailIndexes) > 0 {
		// The current key's index: Find looks up every key's, so an address
		// suppressed before a key rotation stays suppressed after it.
		if err := b.stores.Suppressions.Add(ctx, store.Suppression{ID: r.EmailIndexes[0], Reason: reason, CreatedAt: now}); err != nil {
			return fmt.Errorf("invite: %w", err)
		}
	}
	if r.Status == contacts.Erased {
		return nil
	}
	if err := b.stores.Contacts.SetStatus(ctx, r.ContactID, status, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("invite: %w", err)
	}
	return nil
}

func (s *Service) unsubscribeRecipient(ctx context.Context, token string) (customer.Recipient, error) {
	contactID, err := s.links.Parse(token, link.AudienceUnsubscribe)
	switch {
	case errors.Is(err, link.ErrExpired):
		return customer.Recipient{}, ErrLinkExpired
	case err != nil:
		return customer.Recipient{}, ErrLinkInvalid
	}
	r, err := s.customers.Recipient(ctx, contactID)
	if errors.Is(err, customer.ErrNotFound) {
		return customer.Recipient{}, ErrLinkInvalid
	}
	if err != nil {
		return customer.Recipient{}, fmt.Errorf("invite: %w", err)
	}
	return r, nil
}

func subscription(r customer.Recipient) Subscription {
	return Subscription{
		Locale:       r.Locale,
		MaskedEmail:  maskEmail(r.Email),
		Unsubscribed: r.Status == contacts.Unsubscribed || r.Status == contacts.Bounced || r.Status == contacts.Erased,
		Erased:       r.Status == contacts.Erased,
	}
}

// maskEmail shows enough of an address for its owner to recognise it and
// little for anyone else: the first character and the domain.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(local)
	return string(first) + "•••@" + domain
}
