package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/keys/keystest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const password = "correct horse battery"

// clock is a settable time source for expiry tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type fixture struct {
	svc   *auth.Service
	st    *store.Store
	ring  *keys.Ring
	clock *clock
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	svc := auth.New(auth.StoresOf(st, ring), auth.Options{BcryptCost: bcrypt.MinCost, Now: clk.Now})
	return fixture{svc: svc, st: st, ring: ring, clock: clk}
}

func (f fixture) addUser(t *testing.T, email string, role store.Role) store.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), auth.NewUser{Email: email, Name: "Test " + string(role), Role: role, Password: password})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addUser(t, "taken@example.com", store.RoleManager)
	tests := []struct {
		name  string
		in    auth.NewUser
		field string
	}{
		{"missing email", auth.NewUser{Name: "A", Role: store.RoleAdmin, Password: password}, "email"},
		{"bad email", auth.NewUser{Email: "not-an-email", Name: "A", Role: store.RoleAdmin, Password: password}, "email"},
		{"display-name email", auth.NewUser{Email: "A <a@example.com>", Name: "A", Role: store.RoleAdmin, Password: password}, "email"},
		{"duplicate email, other case", auth.NewUser{Email: "TAKEN@example.com", Name: "A", Role: store.RoleAdmin, Password: password}, "email"},
		{"missing name", auth.NewUser{Email: "n@example.com", Role: store.RoleAdmin, Password: password}, "name"},
		{"unknown role", auth.NewUser{Email: "r@example.com", Name: "A", Role: "owner", Password: password}, "role"},
		{"short password", auth.NewUser{Email: "p@example.com", Name: "A", Role: store.RoleAdmin, Password: "short"}, "password"},
		{"password over 72 bytes", auth.NewUser{Email: "p@example.com", Name: "A", Role: store.RoleAdmin, Password: strings.Repeat("x", 73)}, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateUser(ctx, tt.in)
			var ve *fault.Error
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want field errors", err)
			}
			if ve.Fields()[tt.field] == "" {
				t.Fatalf("fields = %v, want a message for %q", ve.Fields(), tt.field)
			}
		})
	}
	if n, _ := f.st.Users.Count(ctx); n != 1 {
		t.Fatalf("%d users stored, want only the first", n)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "Manager@Example.com", store.RoleManager)
	if u.Email != "manager@example.com" {
		t.Fatalf("email stored as %q, want normalised", u.Email)
	}
	got, err := f.svc.Login(ctx, " MANAGER@example.com ", password, "192.0.2.1", "")
	if err != nil || got.ID != u.ID {
		t.Fatalf("Login = %v, %v", got.ID, err)
	}
	stored, _ := f.st.Users.ByID(ctx, u.ID)
	if strings.Contains(stored.PasswordHash, password) || !strings.HasPrefix(stored.PasswordHash, "$2") {
		t.Fatalf("password not stored as a bcrypt hash")
	}
	for _, tc := range []struct{ email, pw string }{
		{"manager@example.com", "wrong password!!"},
		{"nobody@example.com", password},
	} {
		if _, err := f.svc.Login(ctx, tc.email, tc.pw, "192.0.2.2", ""); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Errorf("Login(%s) err = %v, want ErrInvalidCredentials", tc.email, err)
		}
	}
	disabled := true
	admin := f.addUser(t, "admin@example.com", store.RoleAdmin)
	if _, err := f.svc.UpdateUser(ctx, admin.ID, u.ID, auth.UserChange{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, u.Email, password, "192.0.2.3", ""); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("disabled user logged in: %v", err)
	}
}

func TestLoginRateLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	target := f.addUser(t, "target@example.com", store.RoleManager)
	const attacker, owner = "198.51.100.1", "192.0.2.50"
	login := func(pw, ip, device string) error {
		_, err := f.svc.Login(ctx, target.Email, pw, ip, device)
		return err
	}

	// From one address, five failures, then a wait that doubles.
	for i := range 5 {
		if err := login("wrong password!!", attacker, ""); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if err := login(password, attacker, ""); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("sixth attempt from the same address err = %v, want ErrRateLimited", err)
	}
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		f.clock.Add(wait - 100*time.Millisecond)
		if err := login("wrong password!!", attacker, ""); !errors.Is(err, auth.ErrRateLimited) {
			t.Fatalf("before waiting %s: %v", wait, err)
		}
		f.clock.Add(100 * time.Millisecond)
		if err := login("wrong password!!", attacker, ""); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failure %d after waiting %s: %v", 6+i, wait, err)
		}
	}
	// Up to 20 failures from the attacker, waiting each time as long as needed.
	for n := 8; n < 20; n++ {
		f.clock.Add(15 * time.Minute)
		if err := login("wrong password!!", attacker, ""); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", n+1, err)
		}
	}
	if err := login(password, attacker, ""); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("attacker not slowed down after 20 failures: %v", err)
	}
	// The owner, from another address and a new browser, is not kept out.
	if err := login(password, owner, ""); err != nil {
		t.Fatalf("right password from another address after 20 failures elsewhere: %v", err)
	}

	// A spray from many addresses slows unknown devices down, briefly,
	// and never a browser the owner signed in from before.
	device, _, err := f.svc.DeviceToken(target.ID)
	if err != nil {
		t.Fatal(err)
	}
	other := f.addUser(t, "other@example.com", store.RoleAnalyst)
	othersDevice, _, _ := f.svc.DeviceToken(other.ID)
	sprayed := 0
	for ; sprayed < 100; sprayed++ {
		ip := fmt.Sprintf("203.0.113.%d", sprayed/5)
		err := login("wrong password!!", ip, "")
		if errors.Is(err, auth.ErrRateLimited) {
			break
		}
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("spray attempt %d: %v", sprayed, err)
		}
	}
	if sprayed < 40 || sprayed == 100 {
		t.Fatalf("a spray from many addresses was limited after %d failures, want about 50", sprayed)
	}
	if err := login(password, "192.0.2.60", ""); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("new device during a spray: %v, want a brief ErrRateLimited", err)
	}
	if err := login(password, "192.0.2.60", othersDevice); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("another user's device cookie counted as known: %v", err)
	}
	if err := login(password, "192.0.2.60", device); err != nil {
		t.Fatalf("known device during a spray: %v", err)
	}
	if err := login(password, "192.0.2.60", device+"x"); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("tampered device cookie counted as known: %v", err)
	}
	f.clock.Add(time.Minute)
	if err := login(password, "192.0.2.60", ""); err != nil {
		t.Fatalf("new device a minute later: %v", err)
	}

	// Per IP: one address spraying many accounts is stopped.
	var limited bool
	for i := range 30 {
		_, err := f.svc.Login(ctx, "spray"+string(rune('a'+i))+"@example.com", "x", "203.0.113.7", "")
		if errors.Is(err, auth.ErrRateLimited) {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("30 attempts from one IP were never rate limited")
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "analyst@example.com", store.RoleAnalyst)
	session, _, err := f.svc.IssueToken(u, auth.AudienceSession)
	if err != nil {
		t.Fatal(err)
	}
	api, _, err := f.svc.IssueToken(u, auth.AudienceAPI)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := f.svc.Authenticate(ctx, session, auth.AudienceSession); err != nil || got.ID != u.ID {
		t.Fatalf("session token rejected: %v", err)
	}

	key, _ := f.ring.Derive("t1", keys.PurposeSession)
	forge := func(method jwt.SigningMethod, signKey any, claims jwt.RegisteredClaims, kid string) string {
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(signKey)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	now := f.clock.Now()
	valid := jwt.RegisteredClaims{Issuer: "candor", Subject: u.ID, Audience: jwt.ClaimStrings{auth.AudienceSession},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
	noExp := valid
	noExp.ExpiresAt = nil
	other, _ := keys.Generate("t1")
	otherKey, _ := other.Derive("t1", keys.PurposeSession)

	tests := []struct {
		name, token, audience string
	}{
		{"api token used as session", api, auth.AudienceSession},
		{"session token used as api", session, auth.AudienceAPI},
		{"tampered", keystest.Tamper(session), auth.AudienceSession},
		{"garbage", "not.a.jwt", auth.AudienceSession},
		{"alg none", forge(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid, "t1"), auth.AudienceSession},
		{"HS512 instead of HS256", forge(jwt.SigningMethodHS512, key, valid, "t1"), auth.AudienceSession},
		{"no expiry", forge(jwt.SigningMethodHS256, key, noExp, "t1"), auth.AudienceSession},
		{"unknown key id", forge(jwt.SigningMethodHS256, key, valid, "t9"), auth.AudienceSession},
		{"signed with another secret", forge(jwt.SigningMethodHS256, otherKey, valid, "t1"), auth.AudienceSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := f.svc.Authenticate(ctx, tt.token, tt.audience); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}

	f.clock.Add(31 * time.Minute)
	if _, _, err := f.svc.Authenticate(ctx, session, auth.AudienceSession); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("expired session accepted: %v", err)
	}
}

func TestKeyRotationKeepsOldTokensValid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "m@example.com", store.RoleManager)
	oldToken, _, _ := f.svc.IssueToken(u, auth.AudienceAPI)

	next, _ := keys.Generate("t2")
	rotated, err := keys.Parse(next.Encode() + "," + f.ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.New(auth.StoresOf(f.st, rotated), auth.Options{BcryptCost: bcrypt.MinCost, Now: f.clock.Now})
	if _, _, err := svc.Authenticate(ctx, oldToken, auth.AudienceAPI); err != nil {
		t.Fatalf("token signed with the previous key rejected after rotation: %v", err)
	}
	newToken, _, _ := svc.IssueToken(u, auth.AudienceAPI)
	if _, _, err := f.svc.Authenticate(ctx, newToken, auth.AudienceAPI); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatal("a ring without the new key accepted its token")
	}
}

func TestDisabledUserLosesAccessAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := f.addUser(t, "admin@example.com", store.RoleAdmin)
	u := f.addUser(t, "m@example.com", store.RoleManager)
	tok, _, _ := f.svc.IssueToken(u, auth.AudienceAPI)
	disabled := true
	if _, err := f.svc.UpdateUser(ctx, admin.ID, u.ID, auth.UserChange{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, tok, auth.AudienceAPI); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("disabled user's token still works: %v", err)
	}
}

func TestAdminGuards(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a1 := f.addUser(t, "a1@example.com", store.RoleAdmin)
	m := f.addUser(t, "m@example.com", store.RoleManager)
	manager, admin, yes := store.RoleManager, store.RoleAdmin, true

	if _, err := f.svc.UpdateUser(ctx, a1.ID, a1.ID, auth.UserChange{Disabled: &yes}); !errors.Is(err, auth.ErrSelf) {
		t.Fatalf("self-disable err = %v", err)
	}
	if _, err := f.svc.UpdateUser(ctx, m.ID, a1.ID, auth.UserChange{Role: &manager}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("demoting the last admin err = %v", err)
	}
	if _, err := f.svc.UpdateUser(ctx, a1.ID, m.ID, auth.UserChange{Role: &admin}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateUser(ctx, m.ID, a1.ID, auth.UserChange{Role: &manager}); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	if _, err := f.svc.UpdateUser(ctx, a1.ID, "missing", auth.UserChange{Disabled: &yes}); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("missing user err = %v", err)
	}
	bad := store.Role("root")
	var ve *fault.Error
	if _, err := f.svc.UpdateUser(ctx, a1.ID, m.ID, auth.UserChange{Role: &bad}); !errors.As(err, &ve) {
		t.Fatalf("bad role err = %v", err)
	}
}

func TestEnsureFirstAdmin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	created, generated, err := f.svc.EnsureFirstAdmin(ctx, "boss@example.com", "")
	if err != nil || !created || len(generated) < auth.MinPasswordLength {
		t.Fatalf("EnsureFirstAdmin = %v, %q, %v", created, generated, err)
	}
	if _, err := f.svc.Login(ctx, "boss@example.com", generated, "192.0.2.9", ""); err != nil {
		t.Fatalf("generated password does not sign in: %v", err)
	}
	created, _, err = f.svc.EnsureFirstAdmin(ctx, "other@example.com", password)
	if err != nil || created {
		t.Fatalf("second call created another admin: %v %v", created, err)
	}
}
