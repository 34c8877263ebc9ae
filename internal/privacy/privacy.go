// Package privacy keeps Candor's promises to respondents: consent to be
// named, recorded in an append-only hash chain and withdrawable at any
// time; confidential answers sealed at rest; and a person's rights over
// their data — access, rectification and erasure — whether they use them
// through their survey link or an admin acts on their written request, in
// which case every action is audit-logged.
package privacy

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/survey"
)

// Errors callers branch on.
var (
	ErrNotFound = fault.New(fault.NotFound, "privacy", "not found")
	ErrErased   = fault.New(fault.Conflict, "privacy", "this person's data was erased")
)

// Consent methods and channels: how consent was given, and where a
// withdrawal or erasure was asked for.
const (
	MethodSurveyForm = "survey-form"          // the consent box under a survey's questions
	ViaThanksPage    = "thanks-page"          // the one-click withdrawal after answering
	ViaPrivacyPage   = "privacy-page"         // the respondent's own privacy page
	ViaAdmin         = "admin-request"        // an admin acting on the person's written request
	ViaDuplicate     = "duplicate-submission" // a consent given twice for one answer, the second withdrawn
	ViaRetention     = "retention"            // the retention policy: named answers kept past its limit, contacts not surveyed for long
)

// ConsentStore is what the service needs of the consent log.
type ConsentStore interface {
	ChainStore
	ByID(ctx context.Context, id string) (consents.Record, error)
	PutRef(ctx context.Context, id string, ref seal.Box) error
	Ref(ctx context.Context, id string) (seal.Box, error)
	DeleteRef(ctx context.Context, id string) error
	EachRef(ctx context.Context, fn func(id string, ref seal.Box) (seal.Box, error)) error
}

// ResponseStore is what the service needs of the responses.
type ResponseStore interface {
	ByID(ctx context.Context, id string) (store.Response, error)
	NamedBy(ctx context.Context, contactID string) ([]store.Response, error)
	Unname(ctx context.Context, id, contactID, consentID string) (bool, error)
	All(ctx context.Context, fn func(store.Response) error) error
	SetSealed(ctx context.Context, id string, answers []store.ResponseAnswer, account *seal.Box) error
}

// Subjects opens, finds and corrects people's contact records
// (*customer.Service).
type Subjects interface {
	Subject(ctx context.Context, id string) (customer.Contact, error)
	SubjectByEmail(ctx context.Context, email string) (customer.Contact, error)
	Rectify(ctx context.Context, id, name, email string) (customer.Contact, error)
	EmailIndexes(ctx context.Context, id string) ([]string, error)
}

// Eraser destroys a contact's personal data (contacts.Repo).
type Eraser interface {
	Erase(ctx context.Context, id string, now time.Time) error
}

// Accounts names a contact's company.
type Accounts interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

// Invitations lists and revokes a contact's invitations.
type Invitations interface {
	ByContact(ctx context.Context, contactID string) ([]store.Invitation, error)
	Transition(ctx context.Context, id string, from, to store.InvitationState) (bool, error)
}

// Suppressions keeps addresses from future email.
type Suppressions interface {
	Add(ctx context.Context, s store.Suppression) error
}

// Surveys reads survey definitions, for titles, questions and consent texts.
type Surveys interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
}

// AuditLog records staff actions and lists them.
type AuditLog interface {
	Record(ctx context.Context, e audit.Event) error
	List(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error)
}

// Deps is what the service is built from; every field is required.
type Deps struct {
	Consents     ConsentStore
	Responses    ResponseStore
	Subjects     Subjects
	Eraser       Eraser
	Accounts     Accounts
	Invitations  Invitations
	Suppressions Suppressions
	Surveys      Surveys
	Audit        AuditLog
	Sealer       *seal.Sealer
	Followups    Followups // optional: named responses as their managers' follow-ups
	Webhooks     Webhooks  // optional: the delivery log of follow-up events

	// Confirming a new email address from a survey link; without them an
	// email can be corrected only by an admin.
	EmailChanges EmailChanges
	Mailer       Mailer
	From         netmail.Address // the sender of confirmation links
	BaseURL      string          // links are built from it, never from a request

	// Copies of a person's mail that erasure removes (optional: none kept).
	Outbox   OutboxCopies
	DevMails DevMailCopies
	Scrubber Scrubber // optional: deleted content may stay in the database files
}

// OutboxCopies withdraws a person's queued messages and deletes their dead
// letters (*outbox.Repo).
type OutboxCopies interface {
	ForgetContact(ctx context.Context, contactID string) (queued, dead int64, err error)
}

// DevMailCopies deletes the dev outbox's rendered mail that names a person
// or is addressed to them (*outbox.DevMails).
type DevMailCopies interface {
	DeleteMentioning(ctx context.Context, needles []string) (int64, error)
}

// Scrubber makes deleted content leave the database files where the
// server allows it (*store.Store).
type Scrubber interface {
	Scrub(ctx context.Context) error
}

// Followups deletes the follow-up of a response that no longer carries a
// name, with its pending alert (*store.Followups).
type Followups interface {
	Delete(ctx context.Context, responseID string) error
}

// Webhooks forgets what follow-up events said once the person behind the
// follow-up withdrew or was erased (*webhooks.Repo).
type Webhooks interface {
	ForgetSubject(ctx context.Context, subject string, now time.Time) (int64, error)
}

// Service is consent and data-subject rights.
type Service struct {
	chain        *Chain
	consents     ConsentStore
	responses    ResponseStore
	subjects     Subjects
	eraser       Eraser
	accounts     Accounts
	invitations  Invitations
	suppressions Suppressions
	surveys      Surveys
	audit        AuditLog
	sealer       *seal.Sealer
	followups    Followups
	webhooks     Webhooks
	changes      EmailChanges
	mailer       Mailer
	from         netmail.Address
	baseURL      string
	outbox       OutboxCopies
	devMails     DevMailCopies
	scrubber     Scrubber
	now          func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		chain:        NewChain(d.Consents),
		consents:     d.Consents,
		responses:    d.Responses,
		subjects:     d.Subjects,
		eraser:       d.Eraser,
		accounts:     d.Accounts,
		invitations:  d.Invitations,
		suppressions: d.Suppressions,
		surveys:      d.Surveys,
		audit:        d.Audit,
		sealer:       d.Sealer,
		followups:    d.Followups,
		webhooks:     d.Webhooks,
		changes:      d.EmailChanges,
		mailer:       d.Mailer,
		from:         d.From,
		baseURL:      strings.TrimRight(d.BaseURL, "/"),
		outbox:       d.Outbox,
		devMails:     d.DevMails,
		scrubber:     d.Scrubber,
		now:          time.Now,
	}
}

// WithClock returns a copy of s that reads the time from now, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Requester is who asks for a data-subject action: the person themselves
// through their link (Staff nil), or a staff member on their behalf, whose
// action is audit-logged before it is carried out.
type Requester struct {
	Staff     *store.User
	Via       string // where the request came from: ViaPrivacyPage, ViaAdmin, …
	RequestID string // ties an audit entry to the request log
}

// via is the channel recorded with a withdrawal or erasure.
func (r Requester) via() string {
	switch {
	case r.Via != "":
		return r.Via
	case r.Staff != nil:
		return ViaAdmin
	}
	return ViaPrivacyPage
}

// record writes the audit entry for a staff member's action; the person
// acting on their own data is not audited, since it is theirs.
func (s *Service) record(ctx context.Context, by Requester, action audit.Action, contactID, detail string) error {
	if by.Staff == nil {
		return nil
	}
	if err := s.audit.Record(ctx, audit.Event{Actor: *by.Staff, Action: action, Target: contactID, Detail: detail, RequestID: by.RequestID}); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// VerifyChain checks the consent chain; see Chain.Verify.
func (s *Service) VerifyChain(ctx context.Context) (checked int, err error) {
	return s.chain.Verify(ctx)
}

// AnchorChain anchors the consent chain's shards; see Chain.Anchor.
func (s *Service) AnchorChain(ctx context.Context) (consents.Anchor, bool, error) {
	return s.chain.Anchor(ctx)
}

// AuditLog returns a page of the audit log, newest first.
func (s *Service) AuditLog(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error) {
	entries, total, err := s.audit.List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("privacy: %w", err)
	}
	return entries, total, nil
}

// forget removes the follow-up of a response whose name came off, and
// what its events said in the webhook delivery log (a follow-up's id is
// its response's).
func (s *Service) forget(ctx context.Context, responseID string) error {
	if s.followups != nil {
		if err := s.followups.Delete(ctx, responseID); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	if s.webhooks != nil {
		if _, err := s.webhooks.ForgetSubject(ctx, responseID, s.now().UTC()); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	return nil
}

// subject opens a contact, mapping customer errors to this package's.
func (s *Service) subject(ctx context.Context, contactID string) (customer.Contact, error) {
	return found(s.subjects.Subject(ctx, contactID))
}

// found maps the outcome of a contact look-up to this package's errors.
func found(c customer.Contact, err error) (customer.Contact, error) {
	if errors.Is(err, customer.ErrNotFound) {
		return customer.Contact{}, ErrNotFound
	}
	if err != nil {
		return customer.Contact{}, fmt.Errorf("privacy: %w", err)
	}
	return c, nil
}
