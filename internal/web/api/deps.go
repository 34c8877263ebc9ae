// Package api is Candor's JSON API under /api/v1, for staff tools and
// integrations. Callers carry a bearer token, never a cookie, so no CSRF
// check applies; errors are JSON {"error","fields"} (web's error handler).
package api

import (
	"context"
	"io"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// AuthService is what the API uses of signing in and staff users (*auth.Service).
type AuthService interface {
	ChangePassword(ctx context.Context, id, current, password, confirm string) (store.User, error)
	CreateUser(ctx context.Context, in auth.NewUser) (store.User, error)
	IssueToken(u store.User, audience string) (string, time.Time, error)
	ListUsers(ctx context.Context, p store.Page) ([]store.User, int64, error)
	Login(ctx context.Context, email, password, ip, device string) (store.User, error)
	Revoke(ctx context.Context, c *auth.Claims) error
	SignOutEverywhere(ctx context.Context, id string) (store.User, error)
	UpdateUser(ctx context.Context, actorID, id string, in auth.UserChange) (store.User, error)
	User(ctx context.Context, id string) (store.User, error)
}

var _ AuthService = (*auth.Service)(nil)

// CustomerService is what the API uses of accounts and contacts (*customer.Service).
type CustomerService interface {
	Account(ctx context.Context, actor store.User, id string) (store.Account, error)
	Contact(ctx context.Context, actor store.User, id string) (customer.Contact, error)
	CreateAccount(ctx context.Context, actor store.User, in customer.AccountInput) (store.Account, error)
	CreateContact(ctx context.Context, actor store.User, in customer.ContactInput) (customer.Contact, error)
	DeleteAccount(ctx context.Context, actor store.User, id string) error
	Export(ctx context.Context, actor store.User, w io.Writer) error
	Import(ctx context.Context, actor store.User, r io.Reader, opts customer.ImportOptions) (customer.ImportResult, error)
	ListAccounts(ctx context.Context, actor store.User, search string, p store.Page) ([]store.Account, int64, error)
	ListContacts(ctx context.Context, actor store.User, q customer.ContactQuery) ([]customer.Contact, int64, error)
	UpdateAccount(ctx context.Context, actor store.User, id string, patch customer.AccountPatch) (store.Account, error)
	UpdateContact(ctx context.Context, actor store.User, id string, patch customer.ContactPatch) (customer.Contact, error)
}

var _ CustomerService = (*customer.Service)(nil)

// SurveyService is what the API uses of surveys (*authoring.Service).
type SurveyService interface {
	Create(ctx context.Context, actor store.User, def survey.Survey) (survey.Survey, error)
	Duplicate(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Get(ctx context.Context, id string) (survey.Survey, error)
	List(ctx context.Context, actor store.User, f authoring.Filter, p store.Page) ([]survey.Survey, int64, error)
	Open(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Close(ctx context.Context, actor store.User, id string) (survey.Survey, error)
	Update(ctx context.Context, actor store.User, id string, edited survey.Survey) (survey.Survey, error)
}

var _ SurveyService = (*authoring.Service)(nil)

// CampaignService is what the API uses of campaigns and the dev outbox (*invite.Service).
type CampaignService interface {
	Cancel(ctx context.Context, actor store.User, id string) (invite.Report, error)
	Create(ctx context.Context, actor store.User, surveyID string, req invite.Request) (invite.Created, error)
	List(ctx context.Context, actor store.User, surveyID string) (survey.Survey, []store.Campaign, error)
	OutboxMessage(ctx context.Context, actor store.User, id string) (outbox.DevMail, error)
	OutboxMessages(ctx context.Context, actor store.User, p store.Page) ([]outbox.DevMail, int64, error)
	Report(ctx context.Context, actor store.User, id string) (invite.Report, error)

	CreateSchedule(ctx context.Context, actor store.User, surveyID string, req invite.ScheduleRequest) (store.CampaignSchedule, error)
	Schedules(ctx context.Context, actor store.User, surveyID string) ([]invite.ScheduleInfo, error)
	PauseSchedule(ctx context.Context, actor store.User, id string, paused bool) (store.CampaignSchedule, error)
	DeleteSchedule(ctx context.Context, actor store.User, id string) error
}

var _ CampaignService = (*invite.Service)(nil)

// FollowupService is what the API uses of follow-ups (*followup.Service).
type FollowupService interface {
	List(ctx context.Context, actor store.User, q followup.Query) ([]followup.Item, int64, error)
}

var _ FollowupService = (*followup.Service)(nil)

// Deps is what the API is built from. Campaigns and Followups may be nil:
// their routes are then not served.
type Deps struct {
	Auth      AuthService
	Customers CustomerService
	Surveys   SurveyService
	Campaigns CampaignService
	Followups FollowupService

	// Bounces takes relays' bounce and complaint events, signed with one
	// of BounceSecrets; without either, the inbound endpoint is not served.
	Bounces       BounceReports
	BounceSecrets []string
	Now           func() time.Time // nil: time.Now
	Retention     RetentionService // optional: none, no retention endpoints
	// Webhooks may be nil: its routes are then not served.
	Webhooks WebhookService
}

// API holds the API's handlers.
type API struct {
	auth      AuthService
	customers CustomerService
	surveys   SurveyService
	campaigns CampaignService
	followups FollowupService

	bounces       BounceReports
	bounceSecrets []string
	now           func() time.Time
	retention     RetentionService
	webhooks      WebhookService
}

// New builds the API.
func New(d Deps) *API {
	a := &API{auth: d.Auth, customers: d.Customers, surveys: d.Surveys, campaigns: d.Campaigns, followups: d.Followups,
		bounces: d.Bounces, bounceSecrets: d.BounceSecrets, now: d.Now, retention: d.Retention, webhooks: d.Webhooks}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}
