package customer

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// RoleNotSet, as ContactQuery.Role, lists the contacts without a role.
const RoleNotSet = "none"

// roleSpellings are the ways of writing a role that files and forms use,
// in the folded form ParseRole compares.
var roleSpellings = map[string]contacts.Role{
	"decision maker": contacts.DecisionMaker,
	"decisionmaker":  contacts.DecisionMaker,
	"decider":        contacts.DecisionMaker,
	"dm":             contacts.DecisionMaker,
	"influencer":     contacts.Influencer,
	"influencers":    contacts.Influencer,
	"user":           contacts.User,
	"end user":       contacts.User,
	"enduser":        contacts.User,
	"users":          contacts.User,
}

// ParseRole reads a role as people write it: "decision maker",
// "Decision-Maker", "decision_maker", "influencer", "end user", in any
// capitals. Empty is no role; ok is false for anything else.
func ParseRole(s string) (role contacts.Role, ok bool) {
	folded := strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(s))), " ")
	if folded == "" {
		return contacts.NoRole, true
	}
	role, ok = roleSpellings[folded]
	return role, ok
}

// RoleLabel names a role for people; "" for none.
func RoleLabel(r contacts.Role) string {
	switch r {
	case contacts.DecisionMaker:
		return "Decision maker"
	case contacts.Influencer:
		return "Influencer"
	case contacts.User:
		return "User"
	}
	return ""
}

func roleChoices() string {
	return "decision maker, influencer or user"
}

// displayRole shortens a refused role for a message.
func displayRole(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}

// roleFilter turns ContactQuery.Role into a store filter.
func roleFilter(q string) (*contacts.Role, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, nil
	case strings.EqualFold(q, RoleNotSet):
		role := contacts.NoRole
		return &role, nil
	}
	role, ok := ParseRole(q)
	if !ok {
		return nil, invalid(map[string]string{"role": fmt.Sprintf("must be %s, or %s for contacts without one, not %q", roleChoices(), RoleNotSet, displayRole(q))})
	}
	return &role, nil
}

// CountByRole counts the active contacts of an account the actor may see,
// by role; contacts without a role count under contacts.NoRole, and a role
// no active contact has is absent from the map.
func (s *Service) CountByRole(ctx context.Context, actor store.User, accountID string) (map[contacts.Role]int, error) {
	if _, err := s.Account(ctx, actor, accountID); err != nil {
		return nil, err
	}
	counts, err := s.contacts.CountByRole(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("customer: %w", err)
	}
	return counts, nil
}
