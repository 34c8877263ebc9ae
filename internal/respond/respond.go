// Package respond is answering a survey from a personal link: resolving
// the link to what it may still do, and storing a respondent's answers
// exactly once — anonymously unless they consent to be named, in which
// case the consent is recorded with the exact text they were shown.
//
// Opening a link never changes anything: mail scanners open links before
// people do. Only a submission writes.
package respond

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/survey"
)

// ErrInvalidLink means a token that is not genuine, or names nothing: the
// respondent is told only that the link does not work.
var ErrInvalidLink = errors.New("respond: invalid link")

// ManageGrace is how long after a link expires it still opens its
// holder's privacy page: answering ends, but their rights over their data
// do not, and the link is the only key they have.
const ManageGrace = 365 * 24 * time.Hour

// State is what a link may still do.
type State string

// Link states.
const (
	StateOpen     State = "open"     // may be answered
	StateAnswered State = "answered" // answered; the privacy page stays
	StateExpired  State = "expired"  // the time to answer ran out
	StateRevoked  State = "revoked"  // the invitation was withdrawn
	StateClosed   State = "closed"   // the survey no longer takes answers
	StateErased   State = "erased"   // the person's data was erased at their request
)

// Signer verifies link tokens (*link.Signer).
type Signer interface {
	Parse(token, audience string) (string, error)
}

// Invitations reads and answers invitations.
type Invitations interface {
	ByID(ctx context.Context, id string) (store.Invitation, error)
	Take(ctx context.Context, id string) (store.Invitation, error)
	FinishAnswer(ctx context.Context, id string) (store.Invitation, bool, error)
}

// Campaigns counts a campaign's answered invitations (*store.Campaigns).
type Campaigns interface {
	CountAnswered(ctx context.Context, id string) error
}

// Surveys reads survey definitions.
type Surveys interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
}

// Contacts reads contacts, for their locale and status; never their
// sealed name or email.
type Contacts interface {
	ByID(ctx context.Context, id string) (contacts.Contact, error)
}

// Accounts reads the company a response's segment comes from.
type Accounts interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

// Responses stores responses.
type Responses interface {
	Insert(ctx context.Context, r store.Response) error
	FirstOf(ctx context.Context, ids ...string) (store.Response, error)
}

// Consents records and withdraws consent (*privacy.Service).
type Consents interface {
	Consent(ctx context.Context, c privacy.Consent) (string, error)
	Withdraw(ctx context.Context, contactID, consentID string, by privacy.Requester) error
}

// Deps is what the service is built from; every field is required.
type Deps struct {
	Signer      Signer
	Keys        *keys.Ring // derives response ids
	Sealer      *seal.Sealer
	Invitations Invitations
	Surveys     Surveys
	Contacts    Contacts
	Accounts    Accounts
	Responses   Responses
	Consents    Consents
	Tally       Tally     // optional: report counters kept as responses arrive
	Followups   Followups // optional: named responses as their managers' follow-ups
	Campaigns   Campaigns // optional: the campaigns' answered counts

	// Quotes keeps quotable comments (optional).
	Quotes Quotes
}

// Followups makes a stored response that carries its respondent's name a
// follow-up for the account's managers (*followup.Service). It is
// idempotent: a resubmission calls it again to finish an interrupted one.
type Followups interface {
	Record(ctx context.Context, resp store.Response, accountID string) error
}

// Quotes keeps a stored response's quotable comments for reports, redacted
// and with nothing that leads back to the response (*quotes.Service).
type Quotes interface {
	Add(ctx context.Context, sub quotes.Submission) error
}

// Tally keeps the report counters up to date as responses are stored
// (*report.Service): an intent before the response is stored, so that
// its count is never lost, then the count, or a release when the
// response was not stored.
type Tally interface {
	Intend(ctx context.Context, e report.Entry) (report.Intent, error)
	Count(ctx context.Context, in report.Intent) error
	Release(ctx context.Context, in report.Intent) error
}

// Service resolves links and takes answers.
type Service struct {
	signer      Signer
	ring        *keys.Ring
	sealer      *seal.Sealer
	invitations Invitations
	surveys     Surveys
	contacts    Contacts
	accounts    Accounts
	responses   Responses
	consents    Consents
	tally       Tally
	followups   Followups
	campaigns   Campaigns
	now         func() time.Time

	quotes Quotes
	// stepHook, set only by tests, is called between a submission's
	// writes so that a competing operation can run in between.
	stepHook func(step string)
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		signer: d.Signer, ring: d.Keys, sealer: d.Sealer,
		invitations: d.Invitations, surveys: d.Surveys, contacts: d.Contacts, accounts: d.Accounts,
		responses: d.Responses, consents: d.Consents, tally: d.Tally, now: time.Now,
		followups: d.Followups, campaigns: d.Campaigns,
		quotes: d.Quotes,
	}
}

// WithClock returns a copy of s that reads the time from now, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// ResponseIDs returns the ids the response to an invitation has under each
// key of the ring, the current key's first: a keyed hash of the invitation
// id. Deterministic, so a second submission collides with the first; keyed,
// so that the database alone cannot join a response to its invitation.
func ResponseIDs(ring *keys.Ring, invitationID string) ([]string, error) {
	ids := ring.IDs()
	out := make([]string, 0, len(ids))
	for _, kid := range ids {
		key, err := ring.Derive(kid, keys.PurposeResponseID)
		if err != nil {
			return nil, fmt.Errorf("respond: %w", err)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(invitationID))
		out = append(out, base64.RawURLEncoding.EncodeToString(m.Sum(nil)))
	}
	return out, nil
}

// Link is what a survey link resolves to.
type Link struct {
	InvitationID  string
	ContactID     string
	ContactLocale string
	Survey        survey.Survey
	State         State
	// Manage reports whether the link still opens its holder's privacy
	// page: until ManageGrace after it expired, unless they were erased.
	Manage bool
	// ConsentID is the consent under which this invitation's response
	// carries the respondent's name; empty when it does not.
	ConsentID string

	accountID string // the invited company, whose segment a response gets
}

// Named reports whether this link's response carries the respondent's name.
func (l Link) Named() bool { return l.ConsentID != "" }

// AccountID is the invited company's id, for showing its name in prompts
// that pipe it; never stored with an anonymous response.
func (l Link) AccountID() string { return l.accountID }

// Resolve verifies a survey link and says what it may still do. Only reads.
func (s *Service) Resolve(ctx context.Context, token string) (Link, error) {
	id, err := s.signer.Parse(token, link.AudienceSurvey)
	expired := errors.Is(err, link.ErrExpired)
	if err != nil && !expired {
		return Link{}, ErrInvalidLink
	}
	inv, err := s.invitations.ByID(ctx, id)
	if err != nil {
		return Link{}, notFoundAsInvalid(err)
	}
	sv, err := s.surveys.ByID(ctx, inv.SurveyID)
	if err != nil {
		return Link{}, notFoundAsInvalid(err)
	}
	contact, err := s.contacts.ByID(ctx, inv.ContactID)
	if err != nil {
		return Link{}, notFoundAsInvalid(err)
	}
	now := s.now()
	l := Link{
		InvitationID: inv.ID, ContactID: inv.ContactID, ContactLocale: contact.Locale, Survey: sv,
		Manage:    now.Before(inv.ExpiresAt.Add(ManageGrace)),
		accountID: inv.AccountID,
	}
	switch {
	case contact.Status == contacts.Erased:
		l.State, l.Manage = StateErased, false
	case inv.State == store.InvitationAnswered:
		l.State = StateAnswered
		if l.ConsentID, err = s.consentOf(ctx, inv); err != nil {
			return Link{}, err
		}
	case inv.State == store.InvitationRevoked:
		l.State = StateRevoked
	case expired || !now.Before(inv.ExpiresAt):
		// A taken link (a submission that did not finish) stays open
		// until it expires, so that submitting again completes it.
		l.State = StateExpired
	case sv.Status != survey.StatusOpen:
		l.State = StateClosed
	default:
		l.State = StateOpen
	}
	return l, nil
}

func notFoundAsInvalid(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidLink
	}
	return fmt.Errorf("respond: %w", err)
}

// consentOf returns the consent under which an answered invitation's
// response names its contact; "" for an anonymous response.
func (s *Service) consentOf(ctx context.Context, inv store.Invitation) (string, error) {
	ids, err := ResponseIDs(s.ring, inv.ID)
	if err != nil {
		return "", err
	}
	resp, err := s.responses.FirstOf(ctx, ids...)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("respond: %w", err)
	}
	if resp.Named == nil || resp.Named.ContactID != inv.ContactID {
		return "", nil
	}
	return resp.Named.ConsentID, nil
}

// Withdraw withdraws the consent under which this link's response carries
// the respondent's name, from the thank-you page; nothing happens when it
// carries none.
func (s *Service) Withdraw(ctx context.Context, l Link, via string) error {
	if !l.Named() {
		return nil
	}
	return s.consents.Withdraw(ctx, l.ContactID, l.ConsentID, privacy.Requester{Via: via})
}
