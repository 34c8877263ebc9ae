package customer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// Recipient is a contact opened for mailing: who they are, where to write,
// in which language, and the blind indexes of their address (one per key in
// the ring) that suppressions are keyed by. An erased contact has no name,
// email or indexes.
type Recipient struct {
	ContactID      string
	AccountID      string
	Name           string
	Email          string
	Locale         string
	Status         contacts.Status
	LastSurveyedAt *time.Time
	EmailIndexes   []string
}

func (s *Service) recipient(c contacts.Contact) (Recipient, error) {
	oc, err := s.open(c)
	if err != nil {
		return Recipient{}, err
	}
	r := Recipient{ContactID: c.ID, AccountID: c.AccountID, Name: oc.Name, Email: oc.Email,
		Locale: c.Locale, Status: c.Status, LastSurveyedAt: c.LastSurveyedAt}
	if oc.Email != "" {
		r.EmailIndexes = s.sealer.BlindIndexes(NormalizeEmail(oc.Email))
	}
	return r, nil
}

// Recipient opens one contact for sending, on behalf of the system rather
// than a user: the dispatcher, and the unsubscribe link, which carries its
// own proof.
func (s *Service) Recipient(ctx context.Context, contactID string) (Recipient, error) {
	c, err := s.contacts.ByID(ctx, contactID)
	if errors.Is(err, store.ErrNotFound) {
		return Recipient{}, ErrNotFound
	}
	if err != nil {
		return Recipient{}, fmt.Errorf("customer: %w", err)
	}
	return s.recipient(c)
}

// ChosenRecipient opens a contact the actor picked for a campaign;
// ErrNotFound when it does not exist or belongs to an account the actor
// does not manage.
func (s *Service) ChosenRecipient(ctx context.Context, actor store.User, contactID string) (Recipient, error) {
	c, err := s.stored(ctx, actor, contactID)
	if err != nil {
		return Recipient{}, err
	}
	return s.recipient(c)
}

// EachRecipient calls fn for every contact of the given accounts, which the
// actor must manage (ErrNotFound otherwise), streaming them so that a large
// audience is never held in memory twice.
func (s *Service) EachRecipient(ctx context.Context, actor store.User, accountIDs []string, fn func(Recipient) error) error {
	for _, id := range accountIDs {
		if _, err := s.Account(ctx, actor, id); err != nil {
			return err
		}
	}
	if len(accountIDs) == 0 {
		return nil
	}
	// Errors pass through as they are: the store's name themselves, and
	// fn's are the caller's own.
	return s.contacts.Each(ctx, contacts.Filter{AccountIDs: accountIDs}, func(c contacts.Contact) error {
		r, err := s.recipient(c)
		if err != nil {
			return err
		}
		return fn(r)
	})
}
