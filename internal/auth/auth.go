// Package auth is staff identity: accounts and roles, password checks with
// rate limiting, and the signed tokens behind browser sessions and the API.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/keys"
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
	ErrInvalidCredentials = errors.New("auth: invalid email or password")
	ErrRateLimited        = errors.New("auth: too many sign-in attempts, try again later")
	ErrInvalidToken       = errors.New("auth: invalid or expired token")
	ErrLastAdmin          = errors.New("auth: the last active admin cannot be disabled or demoted")
	ErrSelf               = errors.New("auth: you cannot disable or demote yourself")
	ErrNotFound           = errors.New("auth: user not found")
)

// ValidationError carries field-level messages for forms and the API.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	return "auth: invalid input: " + strings.Join(parts, "; ")
}

// UserStore is what auth needs of the database.
type UserStore interface {
	Insert(ctx context.Context, u store.User) error
	ByID(ctx context.Context, id string) (store.User, error)
	ByEmail(ctx context.Context, email string) (store.User, error)
	Count(ctx context.Context) (int64, error)
	List(ctx context.Context, p store.Page) ([]store.User, int64, error)
	Update(ctx context.Context, id string, change store.UserChange, now time.Time) (store.User, error)
	CountActiveAdmins(ctx context.Context) (int64, error)
}

// Options tune a Service; zero values take the defaults.
type Options struct {
	SessionTTL  time.Duration // default 30m
	APITokenTTL time.Duration // default 12h
	BcryptCost  int           // default bcrypt.DefaultCost; tests use bcrypt.MinCost
	Now         func() time.Time
}

// Service is staff authentication and user management.
type Service struct {
	users     UserStore
	keys      *keys.Ring
	opts      Options
	byIP      *ratelimit.Limiter
	byAccount *ratelimit.Limiter
	dummyHash []byte
}

// New returns a Service over users, signing with ring.
func New(users UserStore, ring *keys.Ring, opts Options) *Service {
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 30 * time.Minute
	}
	if opts.APITokenTTL == 0 {
		opts.APITokenTTL = 12 * time.Hour
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.DefaultCost
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Unknown emails are checked against this hash so that they take as long
	// as wrong passwords and timing does not reveal which accounts exist.
	dummy, _ := bcrypt.GenerateFromPassword([]byte("candor-dummy-password"), opts.BcryptCost)
	return &Service{
		users:     users,
		keys:      ring,
		opts:      opts,
		byIP:      ratelimit.New(3*time.Second, 20), // 20 at once, then one every 3 s
		byAccount: ratelimit.New(time.Minute, 5),    // 5 failures, then one a minute
		dummyHash: dummy,
	}
}

// SessionTTL is how long a browser session lasts without activity.
func (s *Service) SessionTTL() time.Duration { return s.opts.SessionTTL }

// NormalizeEmail lower-cases and trims an address for storage and look-up.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Login checks credentials, rate limited per IP and per account. Every
// failure is ErrInvalidCredentials, whichever part was wrong.
func (s *Service) Login(ctx context.Context, email, password, ip string) (store.User, error) {
	now := s.opts.Now()
	email = NormalizeEmail(email)
	if !s.byIP.Allow(ip, now) || s.byAccount.Blocked(email, now) {
		return store.User{}, ErrRateLimited
	}
	u, err := s.users.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.User{}, fmt.Errorf("auth: login: %w", err)
	}
	hash := s.dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if err != nil || !match || u.Disabled {
		s.byAccount.Allow(email, now)
		return store.User{}, ErrInvalidCredentials
	}
	s.byAccount.Reset(email)
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
	} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
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
		return store.User{}, &ValidationError{Fields: fields}
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
			return store.User{}, &ValidationError{Fields: map[string]string{"email": "a user with this email already exists"}}
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
		var ve *ValidationError
		if errors.As(err, &ve) && ve.Fields["email"] == "a user with this email already exists" {
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
		return store.User{}, &ValidationError{Fields: fields}
	}
	change.Role, change.Disabled = in.Role, in.Disabled

	current, err := s.User(ctx, id)
	if err != nil {
		return store.User{}, err
	}
	losesAdmin := current.Role == store.RoleAdmin && !current.Disabled &&
		((in.Role != nil && *in.Role != store.RoleAdmin) || (in.Disabled != nil && *in.Disabled))
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
	u, err := s.users.Update(ctx, id, change, s.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}
