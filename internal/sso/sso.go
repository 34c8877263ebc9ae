// Package sso is staff sign-in with OpenID Connect: the authorization code
// flow with PKCE, state and nonce against the configured provider, the
// checks on the ID token it returns, and the mapping of its role claim to
// a staff role. Who the identity is in Candor is package auth's concern.
package sso

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/store"
)

// CallbackPath is where the provider sends the browser back, on the base URL.
const CallbackPath = "/auth/oidc/callback"

// Errors callers branch on; each says, to the one signing in, what to do.
var (
	ErrExpired = fault.New(fault.Invalid, "sso", "sign-in attempt missing or expired").
			ShownAs("The sign-in took too long or was started in another browser. Please start again.")
	ErrBadState = fault.New(fault.Invalid, "sso", "state does not match the sign-in attempt").
			ShownAs("The sign-in could not be matched to this browser. Please start again.")
	ErrCancelled = fault.New(fault.Unauthenticated, "sso", "the provider did not sign the user in").
			ShownAs("Sign-in was cancelled or refused at the sign-in service.")
	ErrToken = fault.New(fault.Unauthenticated, "sso", "the provider's answer did not check out").
			ShownAs("The sign-in service's answer could not be verified. Please start again.")
	ErrNoEmail = fault.New(fault.Forbidden, "sso", "the ID token carries no email").
			ShownAs("The sign-in service did not tell Candor your email address. Ask your administrator to release the email claim.")
	ErrUnverifiedEmail = fault.New(fault.Forbidden, "sso", "the email is not verified").
				ShownAs("Your email address is not verified at the sign-in service, so Candor cannot sign you in with it.")
	ErrNoRole = fault.New(fault.Forbidden, "sso", "no role for the user's groups").
			ShownAs("Your account at the sign-in service has no Candor role. Ask your administrator for access.")
	ErrUnavailable = fault.New(fault.Unavailable, "sso", "the provider cannot be reached").
			ShownAs("The sign-in service cannot be reached right now. Please try again in a minute.")
)

// Identity is who the provider says signed in, with the staff role their
// claims map to.
type Identity struct {
	Issuer, Subject string
	Email, Name     string
	Role            store.Role
}

// Attempt is one sign-in in flight: what the browser carries, signed,
// from the start of the flow to the callback.
type Attempt struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // the PKCE code verifier
	Next     string `json:"r"` // the local path to return to
	Expires  int64  `json:"e"` // Unix seconds
}

// Callback is what the provider sends back on the callback URL.
type Callback struct {
	State, Code             string
	Error, ErrorDescription string // set when the provider refused or the user cancelled
}

// Options tune a Provider; zero values take the defaults.
type Options struct {
	HTTPClient *http.Client     // default: one with a 10 s timeout
	Now        func() time.Time // default: time.Now
	AttemptTTL time.Duration    // how long a sign-in may take; default 10 minutes
	Logger     *slog.Logger
}

// Provider signs staff in at one OpenID Connect provider.
type Provider struct {
	cfg         config.OIDC
	redirectURL string
	ring        *keys.Ring
	client      *http.Client
	now         func() time.Time
	ttl         time.Duration
	logger      *slog.Logger

	mu  sync.Mutex
	dis *discovered // nil until discovery has worked
}

// discovered is what the provider's discovery document gave.
type discovered struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	// endSession is the provider's end_session_endpoint (OpenID Connect
	// RP-Initiated Logout), when it has one.
	endSession string
}

// attemptPurpose names the key that signs attempts.
const attemptPurpose = "sso-attempt"

// New returns a Provider for cfg, sending browsers back to
// baseURL+CallbackPath (never to a request's Host). The provider is
// reached on first use, so Candor starts while it is down.
func New(cfg config.OIDC, baseURL string, ring *keys.Ring, opts Options) (*Provider, error) {
	if !cfg.Enabled() {
		return nil, errors.New("sso: no issuer configured")
	}
	if ring == nil {
		return nil, errors.New("sso: a key ring is required")
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AttemptTTL == 0 {
		opts.AttemptTTL = 10 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{
		cfg: cfg, redirectURL: strings.TrimRight(baseURL, "/") + CallbackPath, ring: ring,
		client: opts.HTTPClient, now: opts.Now, ttl: opts.AttemptTTL, logger: opts.Logger,
	}, nil
}

// Button is the sign-in button's label.
func (p *Provider) Button() string { return p.cfg.Button }

// AttemptTTL is how long a sign-in may take, for the attempt cookie.
func (p *Provider) AttemptTTL() time.Duration { return p.ttl }

// discover reads the provider's discovery document once it answers.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dis != nil {
		return p.dis, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer)
	if err != nil {
		p.logger.Warn("single sign-on provider not reachable", "issuer", p.cfg.Issuer, "err", err)
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := op.Claims(&extra); err != nil {
		extra.EndSession = "" // optional; a document that lacks it still signs people in
	}
	p.dis = &discovered{
		oauth: oauth2.Config{
			ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret,
			Endpoint: op.Endpoint(), RedirectURL: p.redirectURL, Scopes: p.cfg.Scopes,
		},
		verifier:   op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID, Now: p.now}),
		endSession: extra.EndSession,
	}
	return p.dis, nil
}

// LogoutURL is where a browser ends its session at the provider after
// signing out of Candor, returning to returnTo (which the provider must
// know as a post-logout redirect URI); ok is false when the provider
// offers no such endpoint or cannot be reached.
func (p *Provider) LogoutURL(ctx context.Context, returnTo string) (string, bool) {
	d, err := p.discover(ctx)
	if err != nil || d.endSession == "" {
		return "", false
	}
	u, err := url.Parse(d.endSession)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	q := u.Query()
	q.Set("client_id", p.cfg.ClientID)
	q.Set("post_logout_redirect_uri", returnTo)
	u.RawQuery = q.Encode()
	return u.String(), true
}

// Begin starts a sign-in that returns to next (a local path the caller
// has checked): the signed attempt for the browser to keep, and the
// provider's URL to send it to.
func (p *Provider) Begin(ctx context.Context, next string) (sealed, authURL string, err error) {
	d, err := p.discover(ctx)
	if err != nil {
		return "", "", err
	}
	a := Attempt{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: p.now().Add(p.ttl).Unix()}
	sealed, err = p.seal(a)
	if err != nil {
		return "", "", err
	}
	authURL = d.oauth.AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	return sealed, authURL, nil
}

// Finish checks the provider's answer against the browser's attempt and
// returns who signed in and where they were going. The ID token must come
// from the configured issuer, for this client, unexpired, with the
// attempt's nonce; its email must not be marked unverified, and its
// claims must map to a role.
func (p *Provider) Finish(ctx context.Context, sealed string, cb Callback) (Identity, string, error) {
	a, err := p.open(sealed)
	if err != nil {
		return Identity{}, "", err
	}
	if cb.State == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(a.State)) != 1 {
		return Identity{}, "", ErrBadState
	}
	if cb.Error != "" {
		p.logger.Info("single sign-on refused by the provider", "error", cb.Error, "description", cb.ErrorDescription)
		return Identity{}, "", ErrCancelled
	}
	if cb.Code == "" {
		return Identity{}, "", ErrBadState
	}
	d, err := p.discover(ctx)
	if err != nil {
		return Identity{}, "", err
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := d.oauth.Exchange(ctx, cb.Code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		p.logger.Warn("single sign-on code exchange failed", "err", err)
		return Identity{}, "", fmt.Errorf("%w: exchange: %w", ErrToken, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, "", fmt.Errorf("%w: no id_token in the token response", ErrToken)
	}
	idt, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		p.logger.Warn("single sign-on ID token refused", "err", err)
		return Identity{}, "", fmt.Errorf("%w: %w", ErrToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(a.Nonce)) != 1 {
		return Identity{}, "", fmt.Errorf("%w: nonce does not match", ErrToken)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, "", fmt.Errorf("%w: claims: %w", ErrToken, err)
	}
	id, err := p.identity(idt.Issuer, idt.Subject, claims)
	if err != nil {
		return Identity{}, "", err
	}
	return id, a.Next, nil
}

// identity reads the claims of a verified ID token.
func (p *Provider) identity(issuer, subject string, claims map[string]any) (Identity, error) {
	email, _ := claims["email"].(string)
	email = strings.TrimSpace(email)
	if email == "" {
		return Identity{}, ErrNoEmail
	}
	// Providers send a boolean; a few send the string "true".
	if v, ok := claims["email_verified"]; ok && v != true && v != "true" {
		return Identity{}, ErrUnverifiedEmail
	}
	role, ok := MapRole(p.cfg.RoleMap, Groups(claims, p.cfg.RoleClaim), store.Role(p.cfg.DefaultRole))
	if !ok {
		return Identity{}, ErrNoRole
	}
	name := firstString(claims, "name", "preferred_username")
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	return Identity{Issuer: issuer, Subject: subject, Email: email, Name: name, Role: role}, nil
}

func firstString(claims map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, ok := claims[k].(string); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Groups returns the values of the role claim: a string or an array of
// strings. A claim name with dots reaches into objects
// ("realm_access.roles") unless a claim of the whole name exists.
func Groups(claims map[string]any, claim string) []string {
	v, ok := claims[claim]
	if !ok {
		var cur any = claims
		for part := range strings.SplitSeq(claim, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return nil
			}
			cur = m[part]
		}
		v = cur
	}
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// MapRole is the most powerful role (admin, then manager, then analyst)
// that a rule gives one of groups, else def when it is a role; false when
// neither gives one.
func MapRole(rules []config.RoleRule, groups []string, def store.Role) (store.Role, bool) {
	have := make(map[string]bool, len(groups))
	for _, g := range groups {
		have[g] = true
	}
	for _, role := range store.Roles {
		for _, r := range rules {
			if store.Role(r.Role) == role && have[r.Group] {
				return role, true
			}
		}
	}
	if def.Valid() {
		return def, true
	}
	return "", false
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// seal signs a as "keyID.payload.mac", all base64url.
func (p *Provider) seal(a Attempt) (string, error) {
	kid, key, err := p.ring.Current(attemptPurpose)
	if err != nil {
		return "", fmt.Errorf("sso: %w", err)
	}
	body, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("sso: %w", err)
	}
	head := base64.RawURLEncoding.EncodeToString([]byte(kid)) + "." + base64.RawURLEncoding.EncodeToString(body)
	return head + "." + base64.RawURLEncoding.EncodeToString(mac(key, head)), nil
}

// open checks and reads a sealed attempt.
func (p *Provider) open(sealed string) (Attempt, error) {
	if sealed == "" {
		return Attempt{}, ErrExpired
	}
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 {
		return Attempt{}, ErrBadState
	}
	// Strict: one encoding per value, so a value is accepted in one spelling.
	enc := base64.RawURLEncoding.Strict()
	kid, err1 := enc.DecodeString(parts[0])
	body, err2 := enc.DecodeString(parts[1])
	sum, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return Attempt{}, ErrBadState
	}
	key, err := p.ring.Derive(string(kid), attemptPurpose)
	if err != nil {
		return Attempt{}, ErrBadState
	}
	if !hmac.Equal(sum, mac(key, parts[0]+"."+parts[1])) {
		return Attempt{}, ErrBadState
	}
	var a Attempt
	if err := json.Unmarshal(body, &a); err != nil {
		return Attempt{}, ErrBadState
	}
	if p.now().Unix() >= a.Expires {
		return Attempt{}, ErrExpired
	}
	return a, nil
}

func mac(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}
