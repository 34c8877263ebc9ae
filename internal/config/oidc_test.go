package config

import (
	"slices"
	"strings"
	"testing"
)

func TestOIDC(t *testing.T) {
	t.Parallel()
	sso := map[string]string{
		"CANDOR_OIDC_ISSUER":        "https://login.example.com/realms/staff",
		"CANDOR_OIDC_CLIENT_ID":     "candor",
		"CANDOR_OIDC_CLIENT_SECRET": "s3cret",
		"CANDOR_OIDC_ROLE_MAP":      "candor-admins=admin, cx-managers=manager,analysts=analyst",
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range sso {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // substrings of the error; none means valid
	}{
		{"off by default", nil, nil},
		{"complete", sso, nil},
		{"password login off with sso", with("CANDOR_PASSWORD_LOGIN", "off"), nil},
		{"password login off without sso", map[string]string{"CANDOR_PASSWORD_LOGIN": "off"}, []string{"CANDOR_PASSWORD_LOGIN: off only works with single sign-on"}},
		{"default role only", with("CANDOR_OIDC_ROLE_MAP", "", "CANDOR_OIDC_DEFAULT_ROLE", "analyst"), nil},
		{"no role at all", with("CANDOR_OIDC_ROLE_MAP", ""), []string{"CANDOR_OIDC_ROLE_MAP: no rule and no CANDOR_OIDC_DEFAULT_ROLE"}},
		{"bad default role", with("CANDOR_OIDC_DEFAULT_ROLE", "owner"), []string{`CANDOR_OIDC_DEFAULT_ROLE: "owner"`}},
		{"no client id", with("CANDOR_OIDC_CLIENT_ID", ""), []string{"CANDOR_OIDC_CLIENT_ID: required"}},
		{"no client secret", with("CANDOR_OIDC_CLIENT_SECRET", ""), []string{"CANDOR_OIDC_CLIENT_SECRET: required"}},
		{"bad issuer", with("CANDOR_OIDC_ISSUER", "login.example.com"), []string{"CANDOR_OIDC_ISSUER"}},
		{"scopes without openid", with("CANDOR_OIDC_SCOPES", "email profile"), []string{"CANDOR_OIDC_SCOPES: must include openid"}},
		{"client without issuer", map[string]string{"CANDOR_OIDC_CLIENT_ID": "candor"}, []string{"set without CANDOR_OIDC_ISSUER"}},
		{"long button", with("CANDOR_OIDC_BUTTON", strings.Repeat("x", 61)), []string{"CANDOR_OIDC_BUTTON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q, got none", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadOIDC(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"CANDOR_OIDC_SCOPES": "openid,email groups"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.PasswordLogin || c.OIDC.Enabled() || c.OIDC.RoleClaim != "groups" || c.OIDC.Button != "Sign in with SSO" {
		t.Errorf("defaults: %+v, password login %v", c.OIDC, c.PasswordLogin)
	}
	if !slices.Equal(c.OIDC.Scopes, []string{"openid", "email", "groups"}) {
		t.Errorf("scopes = %q", c.OIDC.Scopes)
	}
	if _, err := Load(env(map[string]string{"CANDOR_PASSWORD_LOGIN": "maybe"})); err == nil || !strings.Contains(err.Error(), "CANDOR_PASSWORD_LOGIN") {
		t.Errorf("bad CANDOR_PASSWORD_LOGIN: err = %v", err)
	}
	if _, err := Load(env(map[string]string{"CANDOR_OIDC_ROLE_MAP": "admins"})); err == nil || !strings.Contains(err.Error(), "CANDOR_OIDC_ROLE_MAP") {
		t.Errorf("bad CANDOR_OIDC_ROLE_MAP: err = %v", err)
	}
}

func TestParseRoleMap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []RoleRule
		wantErr string
	}{
		{"", nil, ""},
		{" , ", nil, ""},
		{"candor-admins=admin", []RoleRule{{"candor-admins", "admin"}}, ""},
		{"a=Admin, b = manager ,c=analyst,", []RoleRule{{"a", "admin"}, {"b", "manager"}, {"c", "analyst"}}, ""},
		{"a=admin,b=admin", []RoleRule{{"a", "admin"}, {"b", "admin"}}, ""},
		{"cn=x,ou=y=admin", nil, `not admin, manager or analyst`},
		{"admins", nil, "is not group=role"},
		{"=admin", nil, "is not group=role"},
		{"a=owner", nil, `role "owner"`},
		{"a=admin,a=analyst", nil, "listed twice"},
	}
	for _, tt := range tests {
		got, err := ParseRoleMap(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRoleMap(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseRoleMap(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseRoleMap(f *testing.F) {
	for _, s := range []string{"", "candor-admins=admin,cx-managers=manager,analysts=analyst", "a=b=c", "=,=", "a=admin,a=admin", " x = Analyst "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseRoleMap(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range rules {
			if r.Group == "" || r.Group != strings.TrimSpace(r.Group) || strings.Contains(r.Group, ",") {
				t.Fatalf("group %q from %q", r.Group, s)
			}
			if !slices.Contains(staffRoles, r.Role) {
				t.Fatalf("role %q from %q", r.Role, s)
			}
			if seen[r.Group] {
				t.Fatalf("group %q twice from %q", r.Group, s)
			}
			seen[r.Group] = true
		}
	})
}
