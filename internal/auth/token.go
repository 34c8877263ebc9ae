package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/store"
)

// Claims is a staff token. The role is not trusted from the token: every
// request reloads the user, so disabling or demoting takes effect at once.
// Every token has its own id (jti), so that signing out can revoke it, and
// carries the user's credential generation, so that a password change or
// "sign out everywhere" ends all tokens issued before it.
type Claims struct {
	jwt.RegisteredClaims
	Gen int64 `json:"gen"`
}

const (
	issuer      = "candor"
	tokenLeeway = 30 * time.Second
)

// IssueToken signs a token for u with the given audience.
func (s *Service) IssueToken(u store.User, audience string) (string, time.Time, error) {
	ttl := s.opts.SessionTTL
	if audience == AudienceAPI {
		ttl = s.opts.APITokenTTL
	}
	now := s.opts.Now()
	exp := now.Add(ttl)
	kid, key, err := s.keys.Current(keys.PurposeSession)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: %w", err)
	}
	claims := Claims{Gen: u.CredGen, RegisteredClaims: jwt.RegisteredClaims{
		ID:        rand.Text(),
		Issuer:    issuer,
		Subject:   u.ID,
		Audience:  jwt.ClaimStrings{audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(exp),
	}}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = kid
	signed, err := tok.SignedString(key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign: %w", err)
	}
	return signed, exp, nil
}

// ParseToken verifies signature (any configured key id), algorithm,
// audience, issuer and expiry.
func (s *Service) ParseToken(raw, audience string) (*Claims, error) {
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return s.keys.Derive(kid, keys.PurposeSession)
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(audience),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.opts.Now),
		jwt.WithLeeway(tokenLeeway),
	)
	if err != nil || claims.Subject == "" || claims.ID == "" {
		return nil, ErrInvalidToken
	}
	return claims, nil
}

// Authenticate turns a token into the current, enabled user.
func (s *Service) Authenticate(ctx context.Context, raw, audience string) (store.User, *Claims, error) {
	claims, err := s.ParseToken(raw, audience)
	if err != nil {
		return store.User{}, nil, err
	}
	u, err := s.users.ByID(ctx, claims.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, nil, ErrInvalidToken
	}
	if err != nil {
		return store.User{}, nil, fmt.Errorf("auth: %w", err)
	}
	if u.Disabled || u.CredGen != claims.Gen {
		return store.User{}, nil, ErrInvalidToken
	}
	revoked, err := s.revoked.IsRevoked(ctx, claims.ID)
	if err != nil {
		return store.User{}, nil, fmt.Errorf("auth: %w", err)
	}
	if revoked {
		return store.User{}, nil, ErrInvalidToken
	}
	return u, claims, nil
}

// Revoke ends one token before its expiry, as signing out does. It stays
// on the revoked list until it would have expired anyway.
func (s *Service) Revoke(ctx context.Context, c *Claims) error {
	if c == nil || c.ID == "" || c.ExpiresAt == nil {
		return ErrInvalidToken
	}
	if err := s.revoked.Revoke(ctx, c.ID, c.ExpiresAt.Add(tokenLeeway)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// SignOutEverywhere ends every session and API token of user id.
func (s *Service) SignOutEverywhere(ctx context.Context, id string) (store.User, error) {
	u, err := s.users.Update(ctx, id, store.UserChange{BumpCredGen: true}, s.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}

// Sweep forgets revoked tokens and reset links past their expiry.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.opts.Now()
	_, err1 := s.revoked.Sweep(ctx, now)
	_, err2 := s.resets.Sweep(ctx, now)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("auth: sweep: %w", err)
	}
	return nil
}

// RunSweeper sweeps every interval until ctx ends. Every replica may run
// one: deleting what has expired twice is harmless.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("sweeping revoked tokens failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// NeedsRenewal reports whether a session token is past half its life, so
// the caller re-issues it while the user is active.
func (s *Service) NeedsRenewal(c *Claims) bool {
	if c == nil || c.ExpiresAt == nil {
		return true
	}
	return c.ExpiresAt.Sub(s.opts.Now()) < s.opts.SessionTTL/2
}
