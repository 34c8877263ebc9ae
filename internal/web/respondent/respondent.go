// Package respondent serves the pages a respondent reaches from a link:
// answering (/s), their privacy page, confirming a new email address (/e)
// and unsubscribing (/u). The token in the URL is the only credential:
// there is no session and no cookie, and this package cannot reach the
// staff session (TestRespondentPagesCannotReachTheStaffSession).
package respondent

import (
	"context"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/ratelimit"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/view"
)

// RespondentService is answering a survey from a link (*respond.Service).
type RespondentService interface {
	Resolve(ctx context.Context, token string) (respond.Link, error)
	Submit(ctx context.Context, l respond.Link, sub respond.Submission) (respond.Result, error)
	Withdraw(ctx context.Context, l respond.Link, via string) error
	// SealStep and OpenStep carry the answers of a survey of several
	// steps from one step to the next, in the page.
	SealStep(l respond.Link, st respond.StepState) (string, error)
	OpenStep(l respond.Link, sealed string) (respond.StepState, error)
}

var _ RespondentService = (*respond.Service)(nil)

// PrivacyService is what a person may do with their own data
// (*privacy.Service).
type PrivacyService interface {
	Overview(ctx context.Context, contactID, locale string, by privacy.Requester) (privacy.Overview, error)
	Export(ctx context.Context, contactID, locale string, by privacy.Requester) (privacy.Export, error)
	RequestCorrection(ctx context.Context, contactID, name, email, locale string) (privacy.Correction, error)
	PendingEmailChange(ctx context.Context, token string) (privacy.EmailChange, error)
	ConfirmEmailChange(ctx context.Context, token string) (privacy.EmailChange, error)
	Withdraw(ctx context.Context, contactID, consentID string, by privacy.Requester) error
	Erase(ctx context.Context, contactID string, by privacy.Requester) error
}

var _ PrivacyService = (*privacy.Service)(nil)

// SubscriptionService is unsubscribing from a link (*invite.Service).
type SubscriptionService interface {
	Subscription(ctx context.Context, token string) (invite.Subscription, error)
	Unsubscribe(ctx context.Context, token string) (invite.Subscription, error)
}

var _ SubscriptionService = (*invite.Service)(nil)

// AccountNames finds the company a link was sent to, whose name prompts
// may show (*store.Accounts).
type AccountNames interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

var _ AccountNames = (*store.Accounts)(nil)

// Deps is what the respondent pages are built from.
type Deps struct {
	Views         *view.Set
	Logger        *slog.Logger
	Respondents   RespondentService
	Privacy       PrivacyService
	Subscriptions SubscriptionService // nil: no unsubscribe pages
	Logos         LogoSource          // nil: no logos
	Accounts      AccountNames        // nil: prompts show no company name
	// LogFailure logs a request that failed on the server's side as every
	// other failure is logged.
	LogFailure func(c *fiber.Ctx, status int, err error)
}

// Pages are the respondent's handlers.
type Pages struct {
	views       *view.Set
	logger      *slog.Logger
	respondents RespondentService
	privacy     PrivacyService
	campaigns   SubscriptionService
	logos       LogoSource
	accounts    AccountNames
	logFailure  func(c *fiber.Ctx, status int, err error)

	// rights limits what one person may ask of their privacy page:
	// exports, corrections and the confirmation mails they send.
	rights *ratelimit.Limiter
	// postsByLink bounds the posts to one respondent link.
	postsByLink *ratelimit.Limiter
}

// New builds the respondent pages.
func New(d Deps) *Pages {
	return &Pages{
		views: d.Views, logger: d.Logger, logFailure: d.LogFailure,
		respondents: d.Respondents, privacy: d.Privacy, campaigns: d.Subscriptions, logos: d.Logos,
		accounts:    d.Accounts,
		rights:      ratelimit.New(rightsEvery, RightsBurst),
		postsByLink: ratelimit.New(linkPostEvery, LinkPostBurst),
	}
}

// accountName is the name of the company l was sent to, for prompts that
// show it; "" when no prompt does, or it cannot be found (the prompt then
// reads without it rather than the page failing).
func (s *Pages) accountName(c *fiber.Ctx, l respond.Link) string {
	if s.accounts == nil || l.AccountID() == "" || !pipesAccount(l.Survey) {
		return ""
	}
	a, err := s.accounts.ByID(c.UserContext(), l.AccountID())
	if err != nil {
		s.logger.Warn("account name for a prompt not found", "err", err)
		return ""
	}
	return a.Name
}

// pipesAccount reports whether a prompt of sv may show the company's name.
func pipesAccount(sv survey.Survey) bool {
	for _, q := range sv.Questions {
		for _, text := range q.Prompt {
			if strings.Contains(text, "{{") {
				return true
			}
		}
	}
	return false
}
