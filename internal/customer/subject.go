package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// Data-subject operations: a person acting on their own data through their
// survey link, or an admin acting on their written request. They take no
// staff actor; the caller has established who is asking.

// Errors of data-subject operations.
var (
	ErrErased     = fault.New(fault.Conflict, "customer", "this person's data was erased")
	ErrEmailTaken = fault.New(fault.Conflict, "customer", "another contact has this email")
)

// Subject returns a contact with name and email opened, for the person
// themselves or an admin handling their request. An erased contact opens
// with empty name and email.
func (s *Service) Subject(ctx context.Context, id string) (Contact, error) {
	c, err := s.contacts.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Contact{}, ErrNotFound
	}
	if err != nil {
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	return s.open(c)
}

// SubjectByEmail finds a contact by their exact email address, through the
// blind index, for an admin handling a request from someone who wrote in.
func (s *Service) SubjectByEmail(ctx context.Context, email string) (Contact, error) {
	email = NormalizeEmail(email)
	if emailProblem(email) != "" {
		return Contact{}, ErrNotFound
	}
	c, err := s.contacts.ByEmailIndex(ctx, s.sealer.BlindIndexes(email)...)
	if errors.Is(err, store.ErrNotFound) {
		return Contact{}, ErrNotFound
	}
	if err != nil {
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	return s.open(c)
}

// CheckPerson validates a name and an email as Rectify does, without
// storing anything. It returns them normalised, or a fault.Invalid error
// keyed "name" and "email".
func CheckPerson(name, email string) (string, string, error) {
	in := ContactInput{AccountID: "-", Name: name, Email: email, Locale: DefaultLocale}
	if err := invalid(checkContact(&in)); err != nil {
		return "", "", err
	}
	return in.Name, in.Email, nil
}

// Rectify corrects a person's name and email. Invalid values come back as
// a fault.Invalid error keyed "name" and "email"; an email another contact
// has as ErrEmailTaken, which callers should not spell out to anyone but
// staff, since it tells that the address is known.
func (s *Service) Rectify(ctx context.Context, id, name, email string) (Contact, error) {
	return retryChanged(func() (Contact, error) { return s.rectify(ctx, id, name, email) })
}

func (s *Service) rectify(ctx context.Context, id, name, email string) (Contact, error) {
	c, err := s.contacts.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Contact{}, ErrNotFound
	}
	if err != nil {
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	if c.Status == contacts.Erased {
		return Contact{}, ErrErased
	}
	in := ContactInput{AccountID: c.AccountID, Name: name, Email: email, Locale: c.Locale}
	if err := invalid(checkContact(&in)); err != nil {
		return Contact{}, err
	}
	dk, err := s.sealer.UnwrapDataKey(c.DataKey, "contact:"+c.ID)
	if err != nil {
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	previous := c.EmailIndex
	c.UpdatedAt = s.now().UTC()
	if err := s.sealPerson(&c, dk, in.Name, in.Email); err != nil {
		return Contact{}, err
	}
	if err := s.contacts.Replace(ctx, c, previous); err != nil {
		switch {
		case errors.Is(err, store.ErrDuplicate):
			return Contact{}, ErrEmailTaken
		case errors.Is(err, store.ErrNotFound):
			return Contact{}, ErrNotFound
		case errors.Is(err, store.ErrConflict):
			// Erased meanwhile, or its keys moved: a fresh read tells.
			return Contact{}, errChanged
		}
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	return s.open(c)
}

// EmailIndexes returns every blind index a contact's email is known by:
// the stored one and one per key in the ring. Suppressing all of them
// before an erasure keeps the address from every future email, whatever
// key is current then.
func (s *Service) EmailIndexes(ctx context.Context, id string) ([]string, error) {
	c, err := s.contacts.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("customer: %w", err)
	}
	var out []string
	if c.EmailIndex != "" {
		out = append(out, c.EmailIndex)
	}
	oc, err := s.open(c)
	if err != nil {
		return nil, err
	}
	if oc.Email != "" {
		for _, idx := range s.sealer.BlindIndexes(NormalizeEmail(oc.Email)) {
			if !slices.Contains(out, idx) {
				out = append(out, idx)
			}
		}
	}
	return out, nil
}
