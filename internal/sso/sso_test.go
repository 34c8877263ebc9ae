package sso

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/config"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/store"
)

var rules = []config.RoleRule{
	{Group: "candor-admins", Role: "admin"},
	{Group: "cx-managers", Role: "manager"},
	{Group: "regional-managers", Role: "manager"},
	{Group: "analysts", Role: "analyst"},
}

func TestMapRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rules  []config.RoleRule
		groups []string
		def    store.Role
		want   store.Role
		ok     bool
	}{
		{"one match", rules, []string{"staff", "analysts"}, "", store.RoleAnalyst, true},
		{"the most powerful match wins", rules, []string{"analysts", "cx-managers", "candor-admins"}, "", store.RoleAdmin, true},
		{"rank, not rule order", []config.RoleRule{{Group: "a", Role: "analyst"}, {Group: "m", Role: "manager"}}, []string{"a", "m"}, "", store.RoleManager, true},
		{"another group of the same role", rules, []string{"regional-managers"}, "", store.RoleManager, true},
		{"groups are case-sensitive", rules, []string{"Candor-Admins"}, "", "", false},
		{"no match, no default", rules, []string{"staff"}, "", "", false},
		{"no groups, no default", rules, nil, "", "", false},
		{"no match takes the default", rules, []string{"staff"}, store.RoleAnalyst, store.RoleAnalyst, true},
		{"a match beats the default", rules, []string{"analysts"}, store.RoleManager, store.RoleAnalyst, true},
		{"no rules, default", nil, []string{"x"}, store.RoleAnalyst, store.RoleAnalyst, true},
		{"an unknown default is none", nil, []string{"x"}, "owner", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := MapRole(tt.rules, tt.groups, tt.def)
			if got != tt.want || ok != tt.ok {
				t.Errorf("MapRole = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	claims := map[string]any{
		"groups":       []any{"a", "b", 3, nil},
		"role":         "manager",
		"realm_access": map[string]any{"roles": []any{"x", "y"}},
		"dotted.name":  "whole",
		"number":       7.0,
	}
	tests := []struct {
		claim string
		want  []string
	}{
		{"groups", []string{"a", "b"}},
		{"role", []string{"manager"}},
		{"realm_access.roles", []string{"x", "y"}},
		{"dotted.name", []string{"whole"}},
		{"realm_access.missing", nil},
		{"role.deeper", nil},
		{"number", nil},
		{"missing", nil},
	}
	for _, tt := range tests {
		if got := Groups(claims, tt.claim); !slices.Equal(got, tt.want) {
			t.Errorf("Groups(%q) = %q, want %q", tt.claim, got, tt.want)
		}
	}
}

func newTestProvider(t *testing.T, cfg config.OIDC, now func() time.Time) *Provider {
	t.Helper()
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "https://idp.example.com"
	}
	p, err := New(cfg, "https://candor.example.com/", ring, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t, config.OIDC{RoleClaim: "groups", RoleMap: rules}, nil)
	base := func(kv ...any) map[string]any {
		m := map[string]any{"email": "jane@example.com", "groups": []any{"analysts"}}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name     string
		claims   map[string]any
		wantName string
		wantErr  error
	}{
		{"verified", base("email_verified", true, "name", "Jane Doe"), "Jane Doe", nil},
		{"verified as a string", base("email_verified", "true"), "jane", nil},
		{"no verified claim", base(), "jane", nil},
		{"preferred username", base("preferred_username", "jdoe"), "jdoe", nil},
		{"unverified", base("email_verified", false), "", ErrUnverifiedEmail},
		{"unverified as a string", base("email_verified", "false"), "", ErrUnverifiedEmail},
		{"verified claim of another type", base("email_verified", 1.0), "", ErrUnverifiedEmail},
		{"no email", base("email", nil), "", ErrNoEmail},
		{"blank email", base("email", "  "), "", ErrNoEmail},
		{"no role", base("groups", []any{"staff"}), "", ErrNoRole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := p.identity("https://idp.example.com", "sub-1", tt.claims)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || id.Name != tt.wantName || id.Role != store.RoleAnalyst || id.Subject != "sub-1" || id.Email != "jane@example.com" {
				t.Fatalf("identity = %+v, %v", id, err)
			}
		})
	}
}

func TestAttemptSeal(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := newTestProvider(t, config.OIDC{}, clock)
	a := Attempt{State: "st", Nonce: "no", Verifier: "ve", Next: "/surveys", Expires: now.Add(p.AttemptTTL()).Unix()}
	sealed, err := p.seal(a)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.open(sealed); err != nil || got != a {
		t.Fatalf("open = %+v, %v", got, err)
	}
	if strings.ContainsAny(sealed, ";, \"") {
		t.Errorf("sealed %q is not a cookie value", sealed)
	}
	other := newTestProvider(t, config.OIDC{}, clock) // another key ring
	parts := strings.Split(sealed, ".")
	tests := []struct {
		name   string
		sealed string
		p      *Provider
		want   error
	}{
		{"missing", "", p, ErrExpired},
		{"another key", sealed, other, ErrBadState},
		{"payload changed", parts[0] + "." + parts[2] + "." + parts[2], p, ErrBadState},
		{"mac cut", parts[0] + "." + parts[1] + "." + parts[2][:10], p, ErrBadState},
		{"not base64", parts[0] + ".!!." + parts[2], p, ErrBadState},
		{"too few parts", parts[1], p, ErrBadState},
		{"unknown key id", "eA." + parts[1] + "." + parts[2], p, ErrBadState},
	}
	for _, tt := range tests {
		if _, err := tt.p.open(tt.sealed); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	later := newTestProvider(t, config.OIDC{}, func() time.Time { return now.Add(p.AttemptTTL()) })
	later.ring = p.ring
	if _, err := later.open(sealed); !errors.Is(err, ErrExpired) {
		t.Errorf("expired: err = %v", err)
	}
}

func TestNewBuildsTheRedirectFromTheBaseURL(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t, config.OIDC{}, nil)
	if p.redirectURL != "https://candor.example.com/auth/oidc/callback" {
		t.Errorf("redirect = %q", p.redirectURL)
	}
	if _, err := New(config.OIDC{}, "https://candor.example.com", p.ring, Options{}); err == nil {
		t.Error("New without an issuer")
	}
}

// FuzzOpen: a cookie value that Candor did not seal is never accepted.
func FuzzOpen(f *testing.F) {
	ring, err := keys.Generate("k1")
	if err != nil {
		f.Fatal(err)
	}
	p, err := New(config.OIDC{Issuer: "https://idp.example.com"}, "https://candor.example.com", ring, Options{})
	if err != nil {
		f.Fatal(err)
	}
	sealed, err := p.seal(Attempt{State: "s", Expires: time.Now().Add(time.Hour).Unix()})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "a.b.c", sealed, sealed + "x", "..", strings.Repeat(".", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := p.open(s); err == nil && s != sealed {
			t.Fatalf("accepted %q", s)
		}
	})
}
