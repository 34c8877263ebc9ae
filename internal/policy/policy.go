// Package policy answers what a staff member may do. Every role and
// ownership rule is decided here, once: the services enforce the answers
// and return their own errors, the web layer admits routes and offers
// buttons and links by the same answers, so the two cannot drift apart.
//
// Admins may do everything; managers keep the accounts they are named on
// and the surveys and campaigns they made; analysts read surveys and see
// aggregates only.
package policy

import (
	"slices"

	"github.com/candorhq/candor/internal/store"
)

// Actor is the staff member a question is asked about.
type Actor struct {
	ID   string
	Role store.Role
}

// Of returns the actor for a signed-in user. Sign-in and every request
// refuse disabled users, so an actor is never disabled.
func Of(u store.User) Actor { return Actor{ID: u.ID, Role: u.Role} }

func (a Actor) admin() bool   { return a.Role == store.RoleAdmin }
func (a Actor) manager() bool { return a.Role == store.RoleManager }

// CanAdminister: users and roles, privacy requests, the audit log and the
// dev outbox.
func CanAdminister(a Actor) bool { return a.admin() }

// CanWriteSurveys: create surveys and duplicate any survey into a draft
// of one's own. Every role may read every survey.
func CanWriteSurveys(a Actor) bool { return a.admin() || a.manager() }

// CanEditSurvey: change, open or close the survey ownerID made.
func CanEditSurvey(a Actor, ownerID string) bool {
	return a.admin() || (a.manager() && ownerID == a.ID)
}

// CanManageCustomers: work with accounts and contacts at all. Analysts
// never see a contact.
func CanManageCustomers(a Actor) bool { return a.admin() || a.manager() }

// SeesAllAccounts: every account, its contacts and its follow-ups, not
// only the accounts the actor is named on.
func SeesAllAccounts(a Actor) bool { return a.admin() }

// SeesAccount: an account whose responsible managers are managerIDs (for
// a follow-up, also the managers when the response came in). Anyone else
// is told the account does not exist.
func SeesAccount(a Actor, managerIDs []string) bool {
	return a.admin() || (a.manager() && slices.Contains(managerIDs, a.ID))
}

// CanBeAccountManager: whether u may be named responsible for an account,
// and so gets its detractor alerts: an active admin or manager.
func CanBeAccountManager(u store.User) bool {
	return !u.Disabled && (u.Role == store.RoleAdmin || u.Role == store.RoleManager)
}

// CanOwnFollowup: whether u may own a follow-up of an account whose
// managers are managerIDs, and so get its reminders: an active admin, or
// an active manager named on the account.
func CanOwnFollowup(u store.User, managerIDs []string) bool {
	return CanBeAccountManager(u) && (u.Role == store.RoleAdmin || slices.Contains(managerIDs, u.ID))
}

// CanRunCampaigns: send campaigns to the contacts one sees, and see and
// cancel campaigns.
func CanRunCampaigns(a Actor) bool { return a.admin() || a.manager() }

// SeesAllCampaigns: every campaign, not only those the actor created.
func SeesAllCampaigns(a Actor) bool { return a.admin() }

// SeesCampaign: the campaign createdBy started.
func SeesCampaign(a Actor, createdBy string) bool {
	return a.admin() || (a.manager() && createdBy == a.ID)
}

// CanSeeFollowups: named responses as follow-ups, those of the accounts
// the actor sees (SeesAllAccounts, SeesAccount).
func CanSeeFollowups(a Actor) bool { return a.admin() || a.manager() }

// ReportsLimitedToOwnAccounts: reports and comments show only the
// accounts the actor is named on, and cannot be broken down or filtered
// by manager. Every role reads reports; admins and analysts see all
// accounts' aggregates.
func ReportsLimitedToOwnAccounts(a Actor) bool { return a.manager() }
