// Package link signs and verifies the tokens in respondent links:
// {CANDOR_BASE_URL}/s/{token} to answer a survey and manage one's data, and
// /u/{token} to unsubscribe. A token only names the record it is for; the
// server-side state of that record decides what the link may still do.
package link

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/candorhq/candor/internal/keys"
)

// Audiences. Short, because every byte lengthens the link in the email.
const (
	AudienceSurvey      = "s" // subject: an invitation id
	AudienceUnsubscribe = "u" // subject: a contact id
)

// Errors. ErrExpired is only returned for a genuine token whose time ran
// out, so a respondent can be told so; everything else is ErrInvalid.
var (
	ErrInvalid = errors.New("link: invalid link")
	ErrExpired = errors.New("link: expired link")
)

// Signer makes and checks link tokens.
type Signer struct {
	ring    *keys.Ring
	baseURL string
	now     func() time.Time
}

// New returns a Signer building links under baseURL (CANDOR_BASE_URL, never
// a request's Host header).
func New(ring *keys.Ring, baseURL string) *Signer {
	return &Signer{ring: ring, baseURL: baseURL, now: time.Now}
}

// WithClock returns a copy of s that reads the time from now, for tests.
func (s *Signer) WithClock(now func() time.Time) *Signer {
	c := *s
	c.now = now
	return &c
}

// NewID returns a 72-bit random id in 12 URL-safe characters: shorter than
// store ids, since invitation ids travel inside links. The signature, not
// the id, is what makes a link unforgeable; 72 bits keep ids unique.
func NewID() string {
	var b [9]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Token signs a token for subject with the current key.
func (s *Signer) Token(audience, subject string, expires time.Time) (string, error) {
	kid, key, err := s.ring.Current(keys.PurposeLink)
	if err != nil {
		return "", fmt.Errorf("link: %w", err)
	}
	// A single audience as a plain string, not an array: shorter links.
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": subject,
		"aud": audience,
		"exp": expires.Unix(),
	})
	tok.Header = map[string]any{"alg": jwt.SigningMethodHS256.Alg(), "kid": kid} // no "typ": shorter links
	signed, err := tok.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("link: sign: %w", err)
	}
	return signed, nil
}

// SurveyURL is the link an invitation email carries.
func (s *Signer) SurveyURL(invitationID string, expires time.Time) (string, error) {
	t, err := s.Token(AudienceSurvey, invitationID, expires)
	if err != nil {
		return "", err
	}
	return s.baseURL + "/s/" + t, nil
}

// Query parameters of a survey link that opens the form with a score
// already selected: ?q=<question key>&v=<score>. Opening it only selects;
// nothing is stored until the form is sent.
const (
	ScoreQuestionParam = "q"
	ScoreValueParam    = "v"
)

// ScoreURL is surveyURL opening with score selected for the question key.
func ScoreURL(surveyURL, key string, score int) string {
	return surveyURL + "?" + ScoreQuestionParam + "=" + url.QueryEscape(key) + "&" + ScoreValueParam + "=" + strconv.Itoa(score)
}

// UnsubscribeURL is the one-click unsubscribe link for a contact.
func (s *Signer) UnsubscribeURL(contactID string, expires time.Time) (string, error) {
	t, err := s.Token(AudienceUnsubscribe, contactID, expires)
	if err != nil {
		return "", err
	}
	return s.baseURL + "/u/" + t, nil
}

// URL joins a path to the base URL.
func (s *Signer) URL(path string) string { return s.baseURL + path }

// Parse verifies token for audience: HS256 only, any key in the ring (so
// keys can rotate), audience and expiry required. It returns the subject;
// for an expired but genuine token it returns the subject and ErrExpired.
func (s *Signer) Parse(token, audience string) (string, error) {
	if len(token) > 1024 {
		return "", ErrInvalid
	}
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return s.ring.Derive(kid, keys.PurposeLink)
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	)
	switch {
	case err == nil && claims.Subject != "":
		return claims.Subject, nil
	case errors.Is(err, jwt.ErrTokenExpired) && claims.Subject != "":
		// Claims are validated only after the signature checked out.
		return claims.Subject, ErrExpired
	default:
		return "", ErrInvalid
	}
}
