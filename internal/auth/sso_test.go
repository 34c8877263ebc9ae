package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
)

const issuer = "https://idp.example.com"

// ssoFixture is a fixture whose service keeps an audit log and may have
// passwords turned off.
func ssoFixture(t *testing.T, passwordsOff bool) fixture {
	t.Helper()
	f := newFixture(t)
	d := auth.StoresOf(f.st, f.ring)
	d.Audit = audit.New(f.st.Audit).WithClock(f.clock.Now)
	f.svc = auth.New(d, auth.Options{BcryptCost: bcrypt.MinCost, Now: f.clock.Now, PasswordsOff: passwordsOff})
	return f
}

func (f fixture) auditActions(t *testing.T) []string {
	t.Helper()
	entries, _, err := f.st.Audit.List(context.Background(), store.AuditFilter{}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action+" "+e.Detail)
	}
	return out
}

func TestSignInSSO(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	jane := auth.ExternalIdentity{Issuer: issuer, Subject: "sub-jane", Email: "Jane@Example.com", Name: "Jane Doe", Role: store.RoleManager}

	t.Run("creates the user on the first sign-in, then follows the claims", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		u, err := f.svc.SignInSSO(ctx, jane)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "jane@example.com" || u.Name != "Jane Doe" || u.Role != store.RoleManager || u.PasswordHash != "" ||
			u.OIDCIssuer != issuer || u.OIDCSubject != "sub-jane" {
			t.Fatalf("created %+v", u)
		}
		if _, err := f.svc.Login(ctx, "jane@example.com", "", "192.0.2.1", ""); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Errorf("password login of a user without password: %v", err)
		}
		again, err := f.svc.SignInSSO(ctx, jane)
		if err != nil || again.ID != u.ID || again.CredGen != u.CredGen {
			t.Fatalf("second sign-in = %+v, %v", again, err)
		}
		f.clock.Add(time.Minute) // the audit log lists newest first
		promoted := jane
		promoted.Role, promoted.Email = store.RoleAdmin, "jane.doe@example.com"
		p, err := f.svc.SignInSSO(ctx, promoted)
		if err != nil || p.ID != u.ID || p.Role != store.RoleAdmin || p.Email != "jane.doe@example.com" || p.CredGen != u.CredGen+1 {
			t.Fatalf("promoted = %+v, %v", p, err)
		}
		got := f.auditActions(t)
		if len(got) != 2 || got[0] != "user.sso_role role manager → admin" || got[1] != "user.sso_create role manager" {
			t.Errorf("audit = %q", got)
		}
	})

	t.Run("links an existing user by email", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		existing := f.addUser(t, "jane@example.com", store.RoleAnalyst)
		u, err := f.svc.SignInSSO(ctx, jane)
		if err != nil || u.ID != existing.ID || u.OIDCSubject != "sub-jane" || u.Role != store.RoleManager || u.Name != existing.Name {
			t.Fatalf("linked = %+v, %v", u, err)
		}
		if _, err := f.svc.Login(ctx, "jane@example.com", password, "192.0.2.1", ""); err != nil {
			t.Errorf("the password still works while passwords are on: %v", err)
		}
	})

	t.Run("refuses an email linked to another subject", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		if _, err := f.svc.SignInSSO(ctx, jane); err != nil {
			t.Fatal(err)
		}
		impostor := jane
		impostor.Subject = "sub-other"
		if _, err := f.svc.SignInSSO(ctx, impostor); !errors.Is(err, auth.ErrSubjectMismatch) {
			t.Errorf("err = %v, want ErrSubjectMismatch", err)
		}
		otherIssuer := jane
		otherIssuer.Issuer = "https://elsewhere.example.com"
		if _, err := f.svc.SignInSSO(ctx, otherIssuer); !errors.Is(err, auth.ErrSubjectMismatch) {
			t.Errorf("other issuer: err = %v, want ErrSubjectMismatch", err)
		}
	})

	t.Run("refuses a disabled user", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		admin := f.addUser(t, "admin@example.com", store.RoleAdmin)
		u, err := f.svc.SignInSSO(ctx, jane)
		if err != nil {
			t.Fatal(err)
		}
		off := true
		if _, err := f.svc.UpdateUser(ctx, admin.ID, u.ID, auth.UserChange{Disabled: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignInSSO(ctx, jane); !errors.Is(err, auth.ErrSSODisabled) {
			t.Errorf("err = %v, want ErrSSODisabled", err)
		}
	})

	t.Run("refuses a new email another user has", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		f.addUser(t, "taken@example.com", store.RoleAnalyst)
		if _, err := f.svc.SignInSSO(ctx, jane); err != nil {
			t.Fatal(err)
		}
		moved := jane
		moved.Email = "taken@example.com"
		if _, err := f.svc.SignInSSO(ctx, moved); !errors.Is(err, auth.ErrSSOEmailTaken) {
			t.Errorf("err = %v, want ErrSSOEmailTaken", err)
		}
	})

	t.Run("keeps the last active admin an admin", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		boss := jane
		boss.Role = store.RoleAdmin
		u, err := f.svc.SignInSSO(ctx, boss)
		if err != nil || u.Role != store.RoleAdmin {
			t.Fatalf("%+v, %v", u, err)
		}
		if u, err = f.svc.SignInSSO(ctx, jane); err != nil || u.Role != store.RoleAdmin {
			t.Fatalf("demoting the last admin: %+v, %v", u, err)
		}
		f.addUser(t, "second@example.com", store.RoleAdmin)
		if u, err = f.svc.SignInSSO(ctx, jane); err != nil || u.Role != store.RoleManager {
			t.Fatalf("demoting with another admin: %+v, %v", u, err)
		}
	})

	t.Run("refuses identities it cannot use", func(t *testing.T) {
		t.Parallel()
		f := ssoFixture(t, false)
		for _, id := range []auth.ExternalIdentity{
			{Issuer: issuer, Subject: "s", Email: "not an email", Role: store.RoleAnalyst},
			{Issuer: issuer, Subject: "s", Email: "A <a@example.com>", Role: store.RoleAnalyst},
			{Issuer: issuer, Email: "a@example.com", Role: store.RoleAnalyst},
		} {
			if _, err := f.svc.SignInSSO(ctx, id); !errors.Is(err, auth.ErrSSOBadIdentity) {
				t.Errorf("%+v: err = %v", id, err)
			}
		}
	})
}

func TestPasswordsOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := ssoFixture(t, true)
	u, err := f.svc.CreateUser(ctx, auth.NewUser{Email: "breakglass@example.com", Name: "Break glass", Role: store.RoleAdmin, Password: password})
	if err != nil {
		t.Fatalf("admins still create users with passwords: %v", err)
	}
	if _, err := f.svc.Login(ctx, u.Email, password, "192.0.2.1", ""); !errors.Is(err, auth.ErrPasswordsOff) {
		t.Errorf("Login: %v", err)
	}
	if _, err := f.svc.ChangePassword(ctx, u.ID, password, password+"x", password+"x"); !errors.Is(err, auth.ErrPasswordsOff) {
		t.Errorf("ChangePassword: %v", err)
	}
	if err := f.svc.RequestPasswordReset(ctx, u.Email, "192.0.2.1"); !errors.Is(err, auth.ErrPasswordsOff) {
		t.Errorf("RequestPasswordReset: %v", err)
	}
	if err := f.svc.ResetPassword(ctx, "secret", password, password); !errors.Is(err, auth.ErrPasswordsOff) {
		t.Errorf("ResetPassword: %v", err)
	}
	if _, err := f.svc.SignInSSO(ctx, auth.ExternalIdentity{Issuer: issuer, Subject: "s1", Email: u.Email, Role: store.RoleAdmin}); err != nil {
		t.Errorf("single sign-on: %v", err)
	}
}
