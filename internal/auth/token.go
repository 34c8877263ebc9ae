package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/store"
)

// Claims is a staff token. The role is not trusted from the token: every
// request reloads the user, so disabling or demoting takes effect at once.
type Claims struct {
	jwt.RegisteredClaims
}

const issuer = "candor"

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
	claims := Claims{RegisteredClaims: jwt.RegisteredClaims{
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
		jwt.WithLeeway(30*time.Second),
	)
	if err != nil || claims.Subject == "" {
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
	if u.Disabled {
		return store.User{}, nil, ErrInvalidToken
	}
	return u, claims, nil
}

// NeedsRenewal reports whether a session token is past half its life, so
// the caller re-issues it while the user is active.
func (s *Service) NeedsRenewal(c *Claims) bool {
	if c == nil || c.ExpiresAt == nil {
		return true
	}
	return c.ExpiresAt.Sub(s.opts.Now()) < s.opts.SessionTTL/2
}
