package auth_test

import (
	"context"
	"errors"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/store"
)

func TestCredentialChangesEndOldTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	newPassword := "a brand new passphrase"
	yes, no, analyst := true, false, store.RoleAnalyst
	tests := []struct {
		name   string
		change func(t *testing.T, f fixture, admin, u store.User)
	}{
		{"admin sets a new password", func(t *testing.T, f fixture, admin, u store.User) {
			mustUpdate(t, f, admin, u, auth.UserChange{Password: &newPassword})
		}},
		{"user changes their password", func(t *testing.T, f fixture, _, u store.User) {
			if _, err := f.svc.ChangePassword(ctx, u.ID, password, newPassword, newPassword); err != nil {
				t.Fatal(err)
			}
		}},
		{"disabled, then enabled again", func(t *testing.T, f fixture, admin, u store.User) {
			mustUpdate(t, f, admin, u, auth.UserChange{Disabled: &yes})
			mustUpdate(t, f, admin, u, auth.UserChange{Disabled: &no})
		}},
		{"role changed", func(t *testing.T, f fixture, admin, u store.User) {
			mustUpdate(t, f, admin, u, auth.UserChange{Role: &analyst})
		}},
		{"signed out everywhere", func(t *testing.T, f fixture, _, u store.User) {
			if _, err := f.svc.SignOutEverywhere(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			admin := f.addUser(t, "admin@example.com", store.RoleAdmin)
			u := f.addUser(t, "m@example.com", store.RoleManager)
			api, _, _ := f.svc.IssueToken(u, auth.AudienceAPI)
			session, _, _ := f.svc.IssueToken(u, auth.AudienceSession)
			tt.change(t, f, admin, u)
			for _, tok := range []struct{ raw, aud string }{{api, auth.AudienceAPI}, {session, auth.AudienceSession}} {
				if _, _, err := f.svc.Authenticate(ctx, tok.raw, tok.aud); !errors.Is(err, auth.ErrInvalidToken) {
					t.Errorf("%s token issued before the change: err = %v, want ErrInvalidToken", tok.aud, err)
				}
			}
			fresh, err := f.svc.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			tok, _, _ := f.svc.IssueToken(fresh, auth.AudienceAPI)
			if _, _, err := f.svc.Authenticate(ctx, tok, auth.AudienceAPI); err != nil {
				t.Fatalf("token issued after the change: %v", err)
			}
		})
	}
}

func TestNameChangeKeepsTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := f.addUser(t, "admin@example.com", store.RoleAdmin)
	u := f.addUser(t, "m@example.com", store.RoleManager)
	tok, _, _ := f.svc.IssueToken(u, auth.AudienceAPI)
	name, role, disabled := "New Name", u.Role, false
	mustUpdate(t, f, admin, u, auth.UserChange{Name: &name, Role: &role, Disabled: &disabled})
	if _, _, err := f.svc.Authenticate(ctx, tok, auth.AudienceAPI); err != nil {
		t.Fatalf("renaming a user ended their token: %v", err)
	}
}

func mustUpdate(t *testing.T, f fixture, admin, u store.User, change auth.UserChange) {
	t.Helper()
	if _, err := f.svc.UpdateUser(context.Background(), admin.ID, u.ID, change); err != nil {
		t.Fatal(err)
	}
}

func TestRevokeOneToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "m@example.com", store.RoleManager)
	first, _, _ := f.svc.IssueToken(u, auth.AudienceSession)
	second, _, _ := f.svc.IssueToken(u, auth.AudienceSession)
	_, claims, err := f.svc.Authenticate(ctx, first, auth.AudienceSession)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Revoke(ctx, claims); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, first, auth.AudienceSession); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("revoked token accepted: %v", err)
	}
	if _, _, err := f.svc.Authenticate(ctx, second, auth.AudienceSession); err != nil {
		t.Fatalf("revoking one session ended another: %v", err)
	}

	// The entry is swept once the token has expired anyway.
	if err := f.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.st.DB().Collection("revoked_tokens").CountDocuments(ctx, map[string]any{}); n != 1 {
		t.Fatalf("%d revoked entries before expiry, want 1", n)
	}
	f.clock.Add(f.svc.SessionTTL() + time.Minute)
	if err := f.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.st.DB().Collection("revoked_tokens").CountDocuments(ctx, map[string]any{}); n != 0 {
		t.Fatalf("%d revoked entries after expiry, want 0", n)
	}
}

func TestChangePasswordValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "m@example.com", store.RoleManager)
	good := "another good password"
	tests := []struct {
		name, current, password, confirm, field string
	}{
		{"no current password", "", good, good, "current"},
		{"wrong current password", "not my password", good, good, "current"},
		{"too short", password, "short", "short", "password"},
		{"confirmation differs", password, good, good + "!", "confirm"},
	}
	for _, tt := range tests {
		_, err := f.svc.ChangePassword(ctx, u.ID, tt.current, tt.password, tt.confirm)
		var ve *fault.Error
		if !errors.As(err, &ve) || ve.Fields()[tt.field] == "" {
			t.Errorf("%s: err = %v, want a message for %q", tt.name, err, tt.field)
		}
	}
	if _, err := f.svc.Login(ctx, u.Email, password, "192.0.2.1", ""); err != nil {
		t.Fatalf("a refused change altered the password: %v", err)
	}
}

var resetLink = regexp.MustCompile(`http://candor\.test/password/reset\?token=[A-Za-z0-9_%-]+`)

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	srv := smtptest.Start(t)
	sender, err := mail.NewSMTPSender(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	deps := auth.StoresOf(f.st, f.ring)
	deps.Sender, deps.From, deps.BaseURL = sender, netmail.Address{Name: "Candor", Address: "candor@example.com"}, "http://candor.test/"
	svc := auth.New(deps, auth.Options{BcryptCost: bcrypt.MinCost, Now: f.clock.Now})
	u := f.addUser(t, "m@example.com", store.RoleManager)
	before, _, _ := svc.IssueToken(u, auth.AudienceAPI)

	linkFor := func(email string, n int) string {
		t.Helper()
		if err := svc.RequestPasswordReset(ctx, email, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		svc.Wait()
		msgs := srv.WaitFor(n, 5*time.Second)
		if len(msgs) != n {
			t.Fatalf("%d messages, want %d", len(msgs), n)
		}
		raw := strings.ReplaceAll(string(msgs[n-1].Raw), "=\r\n", "") // quoted-printable soft breaks
		link := resetLink.FindString(strings.ReplaceAll(raw, "=3D", "="))
		if link == "" {
			t.Fatalf("no reset link in\n%s", raw)
		}
		return strings.TrimPrefix(link, "http://candor.test/password/reset?token=")
	}

	secret := linkFor(" M@Example.com", 1)
	if err := svc.RequestPasswordReset(ctx, "nobody@example.com", "192.0.2.2"); err != nil {
		t.Fatalf("unknown email: %v, want the same nil answer", err)
	}
	svc.Wait()
	if n := srv.Accepted(); n != 1 {
		t.Fatalf("%d messages after a request for an unknown email, want still 1", n)
	}
	if err := svc.CheckResetLink(ctx, secret); err != nil {
		t.Fatalf("fresh link: %v", err)
	}
	var ve *fault.Error
	if err := svc.ResetPassword(ctx, secret, "short", "short"); !errors.As(err, &ve) {
		t.Fatalf("short password: %v", err)
	}
	newPassword := "reset to something new"
	// Two uses at once: exactly one succeeds.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = svc.ResetPassword(ctx, secret, newPassword, newPassword) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent uses of one link: %v, %v; want one success", errs[0], errs[1])
	}
	if err := svc.ResetPassword(ctx, secret, newPassword, newPassword); !errors.Is(err, auth.ErrInvalidResetLink) {
		t.Fatalf("second use: %v", err)
	}
	if _, err := svc.Login(ctx, u.Email, newPassword, "192.0.2.3", ""); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, _, err := svc.Authenticate(ctx, before, auth.AudienceAPI); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("token from before the reset still works: %v", err)
	}

	expiring := linkFor("m@example.com", 2)
	f.clock.Add(31 * time.Minute)
	if err := svc.ResetPassword(ctx, expiring, newPassword, newPassword); !errors.Is(err, auth.ErrInvalidResetLink) {
		t.Fatalf("expired link: %v", err)
	}
	for _, bad := range []string{"", "nonsense", strings.Repeat("A", 43)} {
		if err := svc.ResetPassword(ctx, bad, newPassword, newPassword); !errors.Is(err, auth.ErrInvalidResetLink) {
			t.Errorf("secret %q: %v", bad, err)
		}
	}

	// An admin's reset ends the user's sessions at once.
	admin := f.addUser(t, "admin@example.com", store.RoleAdmin)
	_ = admin
	current, _ := svc.User(ctx, u.ID)
	tok, _, _ := svc.IssueToken(current, auth.AudienceAPI)
	if err := svc.AdminResetPassword(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Authenticate(ctx, tok, auth.AudienceAPI); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("token survived an admin reset: %v", err)
	}
	if len(srv.WaitFor(3, 5*time.Second)) != 3 {
		t.Fatal("admin reset sent no mail")
	}

	// Per email address: a few requests, then 429, known or not.
	for _, email := range []string{"m@example.com", "ghost@example.com"} {
		var limited bool
		for i := range 5 {
			if err := svc.RequestPasswordReset(ctx, email, "198.51.100."+string(rune('1'+i))); errors.Is(err, auth.ErrRateLimited) {
				limited = true
			}
		}
		if !limited {
			t.Errorf("%s: 5 reset requests never limited", email)
		}
	}
	svc.Wait()
}
