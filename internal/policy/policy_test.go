package policy_test

import (
	"fmt"
	"testing"

	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
)

// verdict is a question's answer for each role, and for a role that is
// none of the three (never stored: it must be refused everything).
type verdict struct{ admin, manager, analyst, unknown bool }

func (v verdict) of(r store.Role) bool {
	switch r {
	case store.RoleAdmin:
		return v.admin
	case store.RoleManager:
		return v.manager
	case store.RoleAnalyst:
		return v.analyst
	}
	return v.unknown
}

func TestQuestions(t *testing.T) {
	t.Parallel()
	const colleague = "u-colleague"
	tests := []struct {
		question string
		// ask puts the question about something ownerID owns (made, or is
		// named responsible for); questions without an owner ignore it.
		ask func(a policy.Actor, ownerID string) bool
		// own is the answer when the actor is the owner, other when
		// somebody else is.
		own, other verdict
	}{
		{"CanAdminister", func(a policy.Actor, _ string) bool { return policy.CanAdminister(a) },
			verdict{admin: true}, verdict{admin: true}},
		{"CanWriteSurveys", func(a policy.Actor, _ string) bool { return policy.CanWriteSurveys(a) },
			verdict{admin: true, manager: true}, verdict{admin: true, manager: true}},
		{"CanEditSurvey", policy.CanEditSurvey,
			verdict{admin: true, manager: true}, verdict{admin: true}},
		{"CanManageCustomers", func(a policy.Actor, _ string) bool { return policy.CanManageCustomers(a) },
			verdict{admin: true, manager: true}, verdict{admin: true, manager: true}},
		{"SeesAllAccounts", func(a policy.Actor, _ string) bool { return policy.SeesAllAccounts(a) },
			verdict{admin: true}, verdict{admin: true}},
		{"SeesAccount", func(a policy.Actor, ownerID string) bool {
			return policy.SeesAccount(a, []string{colleague, ownerID})
		}, verdict{admin: true, manager: true}, verdict{admin: true}},
		{"CanRunCampaigns", func(a policy.Actor, _ string) bool { return policy.CanRunCampaigns(a) },
			verdict{admin: true, manager: true}, verdict{admin: true, manager: true}},
		{"SeesAllCampaigns", func(a policy.Actor, _ string) bool { return policy.SeesAllCampaigns(a) },
			verdict{admin: true}, verdict{admin: true}},
		{"SeesCampaign", policy.SeesCampaign,
			verdict{admin: true, manager: true}, verdict{admin: true}},
		{"CanSeeFollowups", func(a policy.Actor, _ string) bool { return policy.CanSeeFollowups(a) },
			verdict{admin: true, manager: true}, verdict{admin: true, manager: true}},
		{"ReportsLimitedToOwnAccounts", func(a policy.Actor, _ string) bool { return policy.ReportsLimitedToOwnAccounts(a) },
			verdict{manager: true}, verdict{manager: true}},
	}
	roles := []store.Role{store.RoleAdmin, store.RoleManager, store.RoleAnalyst, "auditor"}
	for _, tt := range tests {
		for _, role := range roles {
			a := policy.Actor{ID: "u-" + string(role), Role: role}
			for _, o := range []struct {
				name  string
				owner string
				want  verdict
			}{{"own", a.ID, tt.own}, {"other", colleague, tt.other}} {
				t.Run(fmt.Sprintf("%s/%s/%s", tt.question, role, o.name), func(t *testing.T) {
					t.Parallel()
					if got, want := tt.ask(a, o.owner), o.want.of(role); got != want {
						t.Errorf("%s(%s, %s's) = %v, want %v", tt.question, role, o.name, got, want)
					}
				})
			}
		}
	}
}

// An account with no managers is nobody's but the admins'.
func TestSeesAccountWithoutManagers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		role store.Role
		want bool
	}{{store.RoleAdmin, true}, {store.RoleManager, false}, {store.RoleAnalyst, false}} {
		if got := policy.SeesAccount(policy.Actor{ID: "u-1", Role: tt.role}, nil); got != tt.want {
			t.Errorf("SeesAccount(%s, no managers) = %v, want %v", tt.role, got, tt.want)
		}
	}
}

// A manager's own ID is not enough when the actor is not a manager: an
// analyst named on an account (or as a survey's owner) gains nothing.
func TestOwnershipNeedsTheRole(t *testing.T) {
	t.Parallel()
	a := policy.Actor{ID: "u-1", Role: store.RoleAnalyst}
	if policy.SeesAccount(a, []string{a.ID}) || policy.CanEditSurvey(a, a.ID) || policy.SeesCampaign(a, a.ID) {
		t.Error("an analyst's ownership granted access")
	}
}

func TestCanBeAccountManager(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role     store.Role
		disabled bool
		want     bool
	}{
		{store.RoleAdmin, false, true},
		{store.RoleAdmin, true, false},
		{store.RoleManager, false, true},
		{store.RoleManager, true, false},
		{store.RoleAnalyst, false, false},
		{store.RoleAnalyst, true, false},
		{"auditor", false, false},
	}
	for _, tt := range tests {
		u := store.User{ID: "u-1", Role: tt.role, Disabled: tt.disabled}
		if got := policy.CanBeAccountManager(u); got != tt.want {
			t.Errorf("CanBeAccountManager(%s, disabled %v) = %v, want %v", tt.role, tt.disabled, got, tt.want)
		}
	}
}

func TestCanOwnFollowup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		role     store.Role
		disabled bool
		named    bool // on the account
		want     bool
	}{
		{"admin, not named", store.RoleAdmin, false, false, true},
		{"disabled admin", store.RoleAdmin, true, false, false},
		{"manager named on the account", store.RoleManager, false, true, true},
		{"manager of other accounts", store.RoleManager, false, false, false},
		{"disabled manager", store.RoleManager, true, true, false},
		{"analyst named on the account", store.RoleAnalyst, false, true, false},
	}
	for _, tt := range tests {
		u := store.User{ID: "u-1", Role: tt.role, Disabled: tt.disabled}
		managers := []string{"u-2"}
		if tt.named {
			managers = append(managers, u.ID)
		}
		if got := policy.CanOwnFollowup(u, managers); got != tt.want {
			t.Errorf("%s: CanOwnFollowup = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOf(t *testing.T) {
	t.Parallel()
	u := store.User{ID: "u-1", Email: "m@example.com", Role: store.RoleManager, Disabled: true}
	if got, want := policy.Of(u), (policy.Actor{ID: "u-1", Role: store.RoleManager}); got != want {
		t.Errorf("Of(%+v) = %+v, want %+v", u, got, want)
	}
}
