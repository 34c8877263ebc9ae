// Package auth is staff identity: accounts and roles, password checks with
// rate limiting, and the signed tokens behind browser sessions and the API.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/ratelimit"
	"github.com/candorhq/candor/internal/store"
)

// Token audiences: a session cookie is not an API token and vice versa.
const (
	AudienceSession = "candor-session"
	AudienceAPI     = "candor-api"
)

// Password rules.
const (
	MinPasswordLength = 12
	maxPasswordBytes  = 72 // bcrypt ignores anything longer
)

// Errors callers branch on.
var (
	ErrInvalidCredentials = fault.New(fault.Unauthenticated, "auth", "invalid email or password")
	ErrRateLimited        = fault.New(fault.TooMany, "auth", "too many sign-in attempts, try again later")
	ErrInvalidToken       = fault.New(fault.Unauthenticated, "auth", "invalid or expired token")
	ErrLastAdmin          = fault.New(fault.Conflict, "auth", "the last active admin cannot be disabled or demoted")
	ErrSelf               = fault.New(fault.Conflict, "auth", "you cannot disable or demote yourself")
	ErrNotFound           = fault.New(fault.NotFound, "auth", "user not found").ShownAs("not found")
	ErrUserDisabled       = fault.New(fault.Conflict, "auth", "the user is disabled")
	ErrInvalidResetLink   = fault.New(fault.Invalid, "auth", "the reset link is invalid, expired or already used")
	ErrNoMail             = fault.New(fault.Unavailable, "auth", "no mail sender is configured").ShownAs("password reset by email is not available")
)

// emailTaken is the message for an email another user has.
const emailTaken = "a user with this email already exists"

// invalid returns the field-level messages for forms and the API as one
// error, nil for none.
func invalid(fields map[string]string) error {
	return fault.Fields(fault.Invalid, "auth", fields)
}

// UserStore is what auth needs of the database.
type UserStore interface {
	Insert(ctx context.Context, u store.User) error
	ByID(ctx context.Context, id string) (store.User, error)
	ByEmail(ctx context.Context, email string) (store.User, error)
	BySubject(ctx context.Context, issuer, subject string) (store.User, error)
	Count(ctx context.Context) (int64, error)
	List(ctx context.Context, p store.Page) ([]store.User, int64, error)
	Update(ctx context.Context, id string, change store.UserChange, now time.Time) (store.User, error)
	CountActiveAdmins(ctx context.Context) (int64, error)
}

// RevokedStore records tokens ended before their expiry (signing out).
type RevokedStore interface {
	Revoke(ctx context.Context, id string, expiresAt time.Time) error
	IsRevoked(ctx context.Context, id string) (bool, error)
	Sweep(ctx context.Context, now time.Time) (int64, error)
}

// ResetStore keeps emailed password-reset links, by the hash of their secret.
type ResetStore interface {
	Insert(ctx context.Context, p store.PasswordReset) error
	ByID(ctx context.Context, id string) (store.PasswordReset, error)
	Consume(ctx context.Context, id string, now time.Time) (store.PasswordReset, error)
	Sweep(ctx context.Context, now time.Time) (int64, error)
}

// Sender delivers email: the SMTP sender or the dev outbox campaigns use.
type Sender interface {
	Send(ctx context.Context, msgs []mail.Message) []error
}

var (
	_ UserStore    = (*store.Users)(nil)
	_ RevokedStore = (*store.RevokedTokens)(nil)
	_ ResetStore   = (*store.PasswordResets)(nil)
)

// Deps is what a Service is built from.
type Deps struct {
	Users   UserStore
	Revoked RevokedStore
	Resets  ResetStore
	Keys    *keys.Ring
	// Sender mails password-reset links from From, built on BaseURL
	// (never a request's Host). Without a Sender no reset can be sent.
	Sender  Sender
	From    netmail.Address
	BaseURL string
	Logger  *slog.Logger
	// Audit records accounts single sign-on creates and the roles it
	// changes; without it SignInSSO fails.
	Audit Auditor
}

// StoresOf fills the store parts of Deps from st.
func StoresOf(st *store.Store, ring *keys.Ring) Deps {
	return Deps{Users: st.Users, Revoked: st.RevokedTokens, Resets: st.PasswordResets, Keys: ring}
}

// Options tune a Service; zero values take the defaults.
type Options struct {
	SessionTTL  time.Duration // default 30m
	APITokenTTL time.Duration // default 12h
	ResetTTL    time.Duration // how long a reset link works; default 30m
	DeviceTTL   time.Duration // how long a browser stays a known device; default 90 days
	BcryptCost  int           // default bcrypt.DefaultCost; tests use bcrypt.MinCost
	Now         func() time.Time
	// PasswordsOff refuses signing in with a password, and changing or
	// resetting one, with ErrPasswordsOff: single sign-on manages them.
	// Admins may still set passwords, for break-glass accounts.
	PasswordsOff bool
}

// Service is staff authentication and user management.
type Service struct {
	users   UserStore
	revoked RevokedStore
	resets  ResetStore
	keys    *keys.Ring
	sender  Sender
	from    netmail.Address
	baseURL string
	logger  *slog.Logger
	audit   Auditor
	opts    Options

	byIP      *ratelimit.Limiter // every sign-in attempt from one address
	bySource  *backoff           // failures for one account from one address, or one known device
	byAccount *backoff           // failures for one account from unknown devices anywhere
	resetIP   *ratelimit.Limiter // reset requests from one address
	resetMail *ratelimit.Limiter // reset requests for one address
	dummyHash []byte

	background sync.WaitGroup // reset mail being sent
	slots      chan struct{}  // bounds how many are sent at once
}

// New returns a Service over d.
func New(d Deps, opts Options) *Service {
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 30 * time.Minute
	}
	if opts.APITokenTTL == 0 {
		opts.APITokenTTL = 12 * time.Hour
	}
	if opts.ResetTTL == 0 {
		opts.ResetTTL = 30 * time.Minute
	}
	if opts.DeviceTTL == 0 {
		opts.DeviceTTL = 90 * 24 * time.Hour
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.DefaultCost
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	// Unknown emails are checked against this hash so that they take as long
	// as wrong passwords and timing does not reveal which accounts exist.
	dummy, _ := bcrypt.GenerateFromPassword([]byte("candor-dummy-password"), opts.BcryptCost)
	return &Service{
		users: d.Users, revoked: d.Revoked, resets: d.Resets, keys: d.Keys,
		sender: d.Sender, from: d.From, baseURL: strings.TrimRight(d.BaseURL, "/"), logger: d.Logger,
		audit: d.Audit, opts: opts,
		byIP: ratelimit.New(3*time.Second, 20), // 20 at once, then one every 3 s
		// After 5 failures from one place, each further one doubles the
		// wait, from 1 s up to 15 minutes.
		bySource: newBackoff(5, time.Second, 15*time.Minute),
		// Many failures from everywhere slow unknown devices down, briefly:
		// never more than a minute, and known devices not at all.
		byAccount: newBackoff(50, time.Second, time.Minute),
		resetIP:   ratelimit.New(time.Minute, 5),    // 5 at once, then one a minute
		resetMail: ratelimit.New(10*time.Minute, 3), // 3 at once, then one every 10 minutes
		dummyHash: dummy,
		slots:     make(chan struct{}, 8),
	}
}

// PasswordsOff reports whether passwords are managed by single sign-on.
func (s *Service) PasswordsOff() bool { return s.opts.PasswordsOff }

// SessionTTL is how long a browser session lasts without activity.
func (s *Service) SessionTTL() time.Duration { return s.opts.SessionTTL }

// NormalizeEmail lower-cases and trims an address for storage and look-up.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Login checks credentials. Every failure is ErrInvalidCredentials,
// whichever part was wrong. device is the browser's device cookie, or "".
//
// Limits: every attempt counts against the client IP (20 at once, then
// one every 3 s). Failures count against the account from that IP, or
// from that known device (after 5, a wait that doubles per failure, up to
// 15 minutes), and against the account as a whole; the account-wide wait
// (after 50 failures, doubling up to a minute) applies only to unknown
// devices. So an attacker elsewhere never keeps the account's owner out
// of a browser they have signed in from before.
func (s *Service) Login(ctx context.Context, email, password, ip, device string) (store.User, error) {
	if s.opts.PasswordsOff {
		return store.User{}, ErrPasswordsOff
	}
	now := s.opts.Now()
	email = NormalizeEmail(email)
	if !s.byIP.Allow(ip, now) {
		return store.User{}, ErrRateLimited
	}
	u, err := s.users.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.User{}, fmt.Errorf("auth: login: %w", err)
	}
	source := "ip|" + ip + "|" + email
	nonce, known := "", false
	if err == nil {
		nonce, known = s.knownDevice(device, u.ID, now)
	}
	if known {
		source = "device|" + nonce + "|" + u.ID
	}
	if s.bySource.wait(source, now) > 0 || (!known && s.byAccount.wait(email, now) > 0) {
		return store.User{}, ErrRateLimited
	}
	hash := s.dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if err != nil || !match || u.Disabled {
		s.bySource.fail(source, now)
		s.byAccount.fail(email, now)
		return store.User{}, ErrInvalidCredentials
	}
	s.bySource.reset(source)
	return u, nil
}

// NewUser is the input for CreateUser.
type NewUser struct {
	Email    string
	Name     string
	Role     store.Role
	Password string
}

// CreateUser validates and stores a new staff account.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (store.User, error) {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	fields := map[string]string{}
	if in.Email == "" {
		fields["email"] = "is required"
	} else if a, err := netmail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		fields["email"] = "is not a valid email address"
	}
	if in.Name == "" {
		fields["name"] = "is required"
	} else if utf8.RuneCountInString(in.Name) > 100 {
		fields["name"] = "must be at most 100 characters"
	}
	if !in.Role.Valid() {
		fields["role"] = "must be admin, manager or analyst"
	}
	if msg := passwordProblem(in.Password); msg != "" {
		fields["password"] = msg
	}
	if len(fields) > 0 {
		return store.User{}, invalid(fields)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.opts.BcryptCost)
	if err != nil {
		return store.User{}, fmt.Errorf("auth: hash password: %w", err)
	}
	now := s.opts.Now().UTC()
	u := store.User{
		ID: store.NewID(), Email: in.Email, Name: in.Name, Role: in.Role,
		PasswordHash: string(hash), CreatedAt: now, UpdatedAt: now,
	}
	if err := s.users.Insert(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return store.User{}, invalid(map[string]string{"email": emailTaken})
		}
		return store.User{}, fmt.Errorf("auth: create user: %w", err)
	}
	return u, nil
}

func passwordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLength)
	case len(pw) > maxPasswordBytes:
		return fmt.Sprintf("must be at most %d bytes", maxPasswordBytes)
	}
	return ""
}

// GeneratePassword returns a random password that meets the rules.
func GeneratePassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// EnsureFirstAdmin creates an admin when no user exists yet. With an empty
// password one is generated and returned so it can be shown once.
func (s *Service) EnsureFirstAdmin(ctx context.Context, email, password string) (created bool, generated string, err error) {
	n, err := s.users.Count(ctx)
	if err != nil {
		return false, "", fmt.Errorf("auth: first admin: %w", err)
	}
	if n > 0 {
		return false, "", nil
	}
	if email == "" {
		email = "admin@localhost.localdomain"
	}
	if password == "" {
		password = GeneratePassword()
		generated = password
	}
	_, err = s.CreateUser(ctx, NewUser{Email: email, Name: "Administrator", Role: store.RoleAdmin, Password: password})
	if err != nil {
		if fault.FieldsOf(err)["email"] == emailTaken {
			return false, "", nil // another process created it first
		}
		return false, "", err
	}
	return true, generated, nil
}

// User returns one user.
func (s *Service) User(ctx context.Context, id string) (store.User, error) {
	u, err := s.users.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}

// ListUsers returns a page of users and the total count.
func (s *Service) ListUsers(ctx context.Context, p store.Page) ([]store.User, int64, error) {
	users, total, err := s.users.List(ctx, p)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: %w", err)
	}
	return users, total, nil
}

// UserChange is what an admin may change about a user; nil leaves a field.
type UserChange struct {
	Name     *string
	Role     *store.Role
	Disabled *bool
	Password *string
}

// UpdateUser applies an admin's change to user id. Admins cannot lock
// themselves out, and the last active admin stays an active admin.
func (s *Service) UpdateUser(ctx context.Context, actorID, id string, in UserChange) (store.User, error) {
	fields := map[string]string{}
	var change store.UserChange
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > 100 {
			fields["name"] = "must be 1 to 100 characters"
		}
		change.Name = &name
	}
	if in.Role != nil && !in.Role.Valid() {
		fields["role"] = "must be admin, manager or analyst"
	}
	if in.Password != nil {
		if msg := passwordProblem(*in.Password); msg != "" {
			fields["password"] = msg
		} else {
			hash, err := bcrypt.GenerateFromPassword([]byte(*in.Password), s.opts.BcryptCost)
			if err != nil {
				return store.User{}, fmt.Errorf("auth: hash password: %w", err)
			}
			h := string(hash)
			change.PasswordHash = &h
		}
	}
	if len(fields) > 0 {
		return store.User{}, invalid(fields)
	}
	change.Role, change.Disabled = in.Role, in.Disabled

	current, err := s.User(ctx, id)
	if err != nil {
		return store.User{}, err
	}
	// Whether the change leaves one fewer user who can administer.
	losesAdmin := !current.Disabled && policy.CanAdminister(policy.Of(current)) &&
		((in.Role != nil && !policy.CanAdminister(policy.Actor{ID: current.ID, Role: *in.Role})) ||
			(in.Disabled != nil && *in.Disabled))
	if losesAdmin {
		if id == actorID {
			return store.User{}, ErrSelf
		}
		n, err := s.users.CountActiveAdmins(ctx)
		if err != nil {
			return store.User{}, fmt.Errorf("auth: %w", err)
		}
		if n <= 1 {
			return store.User{}, ErrLastAdmin
		}
	}
	if id == actorID && in.Disabled != nil && *in.Disabled {
		return store.User{}, ErrSelf
	}
	// A new password, a new role or a change of status ends every session
	// and token issued before it, so none outlives what it was issued for.
	change.BumpCredGen = change.PasswordHash != nil ||
		(in.Role != nil && *in.Role != current.Role) ||
		(in.Disabled != nil && *in.Disabled != current.Disabled)
	u, err := s.users.Update(ctx, id, change, s.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}
