package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store"
)

// ResetPath is where an emailed reset link points, below the base URL.
// The secret travels in the query string, which the access log never
// records, and Referrer-Policy: no-referrer keeps it from other sites.
const ResetPath = "/password/reset"

// ChangePassword sets a new password for user id, who must know the
// current one. Every other session and token of theirs ends; the caller
// issues a new session from the returned user.
func (s *Service) ChangePassword(ctx context.Context, id, current, password, confirm string) (store.User, error) {
	if s.opts.PasswordsOff {
		return store.User{}, ErrPasswordsOff
	}
	fields := newPasswordProblems(password, confirm)
	if current == "" {
		fields["current"] = "is required"
	}
	if len(fields) > 0 {
		return store.User{}, invalid(fields)
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return store.User{}, err
	}
	// A stolen session must not become a way to guess the password.
	key, now := "change|"+id, s.opts.Now()
	if s.bySource.wait(key, now) > 0 {
		return store.User{}, ErrRateLimited
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		s.bySource.fail(key, now)
		return store.User{}, invalid(map[string]string{"current": "is not your current password"})
	}
	s.bySource.reset(key)
	return s.setPassword(ctx, id, password)
}

func newPasswordProblems(password, confirm string) map[string]string {
	fields := map[string]string{}
	if msg := passwordProblem(password); msg != "" {
		fields["password"] = msg
	} else if confirm != password {
		fields["confirm"] = "does not match the new password"
	}
	return fields
}

// setPassword stores a new password and ends every session of the user.
func (s *Service) setPassword(ctx context.Context, id, password string) (store.User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.opts.BcryptCost)
	if err != nil {
		return store.User{}, fmt.Errorf("auth: hash password: %w", err)
	}
	h := string(hash)
	u, err := s.users.Update(ctx, id, store.UserChange{PasswordHash: &h, BumpCredGen: true}, s.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}

// RequestPasswordReset mails a reset link to email if it belongs to an
// enabled user. It answers the same, at once, whether or not it does: the
// look-up and the mail happen in the background. Requests are limited
// per client IP and per email address (ErrRateLimited), before anything
// about the address is known.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	if s.opts.PasswordsOff {
		return ErrPasswordsOff
	}
	if s.sender == nil {
		return ErrNoMail
	}
	now := s.opts.Now()
	email = NormalizeEmail(email)
	if !s.resetIP.Allow(ip, now) || !s.resetMail.Allow(email, now) {
		return ErrRateLimited
	}
	select {
	case s.slots <- struct{}{}:
	default:
		s.logger.Warn("password reset not sent: too many being sent at once")
		return nil
	}
	s.background.Go(func() {
		defer func() { <-s.slots }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		u, err := s.users.ByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
			return
		}
		if err == nil {
			err = s.sendReset(ctx, u)
		}
		if err != nil {
			s.logger.Error("password reset not sent", "error", err)
		}
	})
	return nil
}

// Wait waits for reset mail being sent in the background.
func (s *Service) Wait() { s.background.Wait() }

// AdminResetPassword ends every session of user id and mails them a reset
// link, for an admin helping someone who is locked out or compromised.
func (s *Service) AdminResetPassword(ctx context.Context, id string) error {
	if s.sender == nil {
		return ErrNoMail
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	if u.Disabled {
		return ErrUserDisabled
	}
	u, err = s.SignOutEverywhere(ctx, id)
	if err != nil {
		return err
	}
	return s.sendReset(ctx, u)
}

// sendReset stores a reset for u, by the hash of its secret, and mails
// the link.
func (s *Service) sendReset(ctx context.Context, u store.User) error {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	secret := base64.RawURLEncoding.EncodeToString(b)
	exp := s.opts.Now().Add(s.opts.ResetTTL)
	if err := s.resets.Insert(ctx, store.PasswordReset{ID: resetID(secret), UserID: u.ID, CredGen: u.CredGen, ExpiresAt: exp}); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	link := s.baseURL + ResetPath + "?token=" + url.QueryEscape(secret)
	minutes := int(s.opts.ResetTTL / time.Minute)
	msg := mail.Message{
		From: s.from, To: u.Email, ToName: u.Name,
		Subject: "Reset your Candor password",
		Text: fmt.Sprintf("Hello %s,\n\nsomeone asked to reset the password of your Candor account. "+
			"To choose a new password, open this link within %d minutes:\n\n%s\n\n"+
			"The link works once. If you did not ask for it, ignore this message: your password stays as it is.\n",
			u.Name, minutes, link),
	}
	if err := errors.Join(s.sender.Send(ctx, []mail.Message{msg})...); err != nil {
		return fmt.Errorf("auth: send reset: %w", err)
	}
	return nil
}

func resetID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// validResetSecret rejects what cannot be a link's secret before it
// reaches the database.
func validResetSecret(secret string) bool {
	b, err := base64.RawURLEncoding.DecodeString(secret)
	return err == nil && len(b) == 32
}

// CheckResetLink reports whether secret is a reset link that would still
// work, so that the page can say so before a password is typed.
func (s *Service) CheckResetLink(ctx context.Context, secret string) error {
	if s.opts.PasswordsOff {
		return ErrPasswordsOff
	}
	if !validResetSecret(secret) {
		return ErrInvalidResetLink
	}
	r, err := s.resets.ByID(ctx, resetID(secret))
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidResetLink
	}
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if r.Used || !s.opts.Now().Before(r.ExpiresAt) {
		return ErrInvalidResetLink
	}
	return nil
}

// ResetPassword sets a new password from an emailed link. The link is
// used up in one atomic write, so it works once; it also stops working
// when the user's credentials changed after it was sent. Every session of
// the user ends; they sign in with the new password afterwards.
func (s *Service) ResetPassword(ctx context.Context, secret, password, confirm string) error {
	if s.opts.PasswordsOff {
		return ErrPasswordsOff
	}
	if !validResetSecret(secret) {
		return ErrInvalidResetLink
	}
	if fields := newPasswordProblems(password, confirm); len(fields) > 0 {
		return invalid(fields)
	}
	r, err := s.resets.Consume(ctx, resetID(secret), s.opts.Now())
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidResetLink
	}
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	u, err := s.User(ctx, r.UserID)
	if errors.Is(err, ErrNotFound) {
		return ErrInvalidResetLink
	}
	if err != nil {
		return err
	}
	if u.Disabled || u.CredGen != r.CredGen {
		return ErrInvalidResetLink
	}
	_, err = s.setPassword(ctx, u.ID, password)
	return err
}
