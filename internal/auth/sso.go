package auth

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
)

// Auditor records what single sign-on did to staff accounts (*audit.Log).
type Auditor interface {
	Record(ctx context.Context, e audit.Event) error
}

var _ Auditor = (*audit.Log)(nil)

// Errors of single sign-on, worded for the one signing in.
var (
	ErrSubjectMismatch = fault.New(fault.Forbidden, "auth", "the email belongs to a user linked to another sign-on identity").
				ShownAs("Your email address belongs to a Candor account linked to a different identity at the sign-in service. Ask your administrator.")
	ErrSSODisabled = fault.New(fault.Forbidden, "auth", "single sign-on of a disabled user").
			ShownAs("Your Candor account is disabled. Ask your administrator.")
	ErrSSOEmailTaken = fault.New(fault.Conflict, "auth", "the new email from the provider belongs to another user").
				ShownAs("Your new email address at the sign-in service belongs to another Candor account. Ask your administrator.")
	ErrSSOBadIdentity = fault.New(fault.Forbidden, "auth", "the provider's email or subject cannot be used").
				ShownAs("The sign-in service gave an email address Candor cannot use. Ask your administrator.")
	ErrPasswordsOff = fault.New(fault.Forbidden, "auth", "password sign-in is turned off").
			ShownAs("Password sign-in is turned off: sign in with your organisation's single sign-on.")
)

// ExternalIdentity is who a single sign-on provider vouched for, with the
// role its claims give.
type ExternalIdentity struct {
	Issuer, Subject string
	Email, Name     string
	Role            store.Role
}

// SignInSSO returns the staff user for an identity the provider vouched
// for, creating it on its first sign-in. The provider is the source of
// truth for roles: an existing user takes the role of each sign-in, except
// that the last active admin stays admin (logged). The user is linked to
// the provider's subject, which then follows email changes; an email
// already linked to another subject, and a disabled user, are refused.
func (s *Service) SignInSSO(ctx context.Context, id ExternalIdentity) (store.User, error) {
	return s.signInSSO(ctx, id, true)
}

func (s *Service) signInSSO(ctx context.Context, id ExternalIdentity, retry bool) (store.User, error) {
	if s.audit == nil {
		return store.User{}, errors.New("auth: single sign-on needs Deps.Audit")
	}
	id.Email = NormalizeEmail(id.Email)
	if a, err := netmail.ParseAddress(id.Email); err != nil || a.Address != id.Email || id.Subject == "" || id.Issuer == "" {
		return store.User{}, ErrSSOBadIdentity
	}
	if !id.Role.Valid() {
		return store.User{}, fmt.Errorf("auth: single sign-on role %q", id.Role)
	}
	u, err := s.users.BySubject(ctx, id.Issuer, id.Subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u, err = s.users.ByEmail(ctx, id.Email)
		if errors.Is(err, store.ErrNotFound) {
			created, err := s.createSSO(ctx, id)
			if errors.Is(err, store.ErrDuplicate) && retry {
				return s.signInSSO(ctx, id, false) // another sign-in created it first
			}
			return created, err
		}
		if err != nil {
			return store.User{}, fmt.Errorf("auth: single sign-on: %w", err)
		}
		if u.OIDCSubject != "" {
			s.logger.Warn("single sign-on refused: the email is linked to another subject", "user", u.ID, "issuer", id.Issuer)
			return store.User{}, ErrSubjectMismatch
		}
	case err != nil:
		return store.User{}, fmt.Errorf("auth: single sign-on: %w", err)
	}
	if u.Disabled {
		return store.User{}, ErrSSODisabled
	}
	return s.updateSSO(ctx, u, id)
}

// createSSO creates the user of a first sign-in, without a password.
func (s *Service) createSSO(ctx context.Context, id ExternalIdentity) (store.User, error) {
	now := s.opts.Now().UTC()
	u := store.User{
		ID: store.NewID(), Email: id.Email, Name: ssoName(id), Role: id.Role,
		OIDCIssuer: id.Issuer, OIDCSubject: id.Subject, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.audit.Record(ctx, audit.Event{Actor: u, Action: audit.UserSSOCreate, Target: u.ID, Detail: "role " + string(u.Role)}); err != nil {
		return store.User{}, fmt.Errorf("auth: %w", err)
	}
	if err := s.users.Insert(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return store.User{}, err
		}
		return store.User{}, fmt.Errorf("auth: single sign-on: create user: %w", err)
	}
	s.logger.Info("staff account created by single sign-on", "user", u.ID, "role", u.Role)
	return u, nil
}

// updateSSO brings an existing user in line with the provider's identity.
func (s *Service) updateSSO(ctx context.Context, u store.User, id ExternalIdentity) (store.User, error) {
	var change store.UserChange
	changed := false
	if u.OIDCIssuer != id.Issuer || u.OIDCSubject != id.Subject {
		change.OIDCIssuer, change.OIDCSubject = &id.Issuer, &id.Subject
		changed = true
	}
	if u.Email != id.Email {
		other, err := s.users.ByEmail(ctx, id.Email)
		switch {
		case err == nil && other.ID != u.ID:
			return store.User{}, ErrSSOEmailTaken
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return store.User{}, fmt.Errorf("auth: single sign-on: %w", err)
		}
		change.Email = &id.Email
		changed = true
	}
	role := id.Role
	if u.Role == store.RoleAdmin && role != store.RoleAdmin {
		n, err := s.users.CountActiveAdmins(ctx)
		if err != nil {
			return store.User{}, fmt.Errorf("auth: single sign-on: %w", err)
		}
		if n <= 1 {
			s.logger.Warn("single sign-on would demote the last active admin; they stay admin", "user", u.ID, "claimed_role", role)
			role = u.Role
		}
	}
	if role != u.Role {
		if err := s.audit.Record(ctx, audit.Event{Actor: u, Action: audit.UserSSORole, Target: u.ID,
			Detail: "role " + string(u.Role) + " → " + string(role)}); err != nil {
			return store.User{}, fmt.Errorf("auth: %w", err)
		}
		change.Role = &role
		// Sessions and tokens issued under the old role end with it.
		change.BumpCredGen = true
		changed = true
	}
	if !changed {
		return u, nil
	}
	updated, err := s.users.Update(ctx, u.ID, change, s.opts.Now().UTC())
	if err != nil {
		return store.User{}, fmt.Errorf("auth: single sign-on: %w", err)
	}
	return updated, nil
}

// ssoName is the name a new user gets: the provider's, else the email's
// local part, at most 100 characters.
func ssoName(id ExternalIdentity) string {
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name, _, _ = strings.Cut(id.Email, "@")
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return name
}
