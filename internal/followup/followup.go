// Package followup is the closed loop: account managers see, for their own
// accounts only, the responses whose respondents consented to be named,
// open them (every opening audit-logged), and take each from open through
// contacted to resolved with a sealed note, by a due time set from an SLA
// in business days. Detractors send an email when they come in; every
// follow-up reminds its owner before it is due and escalates to the
// account's other managers (or the admins) once overdue. Analysts never
// see any of it.
//
// A follow-up exists exactly while its response carries a name: it is
// recorded when a consenting response is stored and removed the moment
// consent is withdrawn or the person erased, so the list is read from the
// small followups collection and never by scanning the responses.
package followup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/webhook"
)

// Errors callers branch on.
var (
	// ErrNotFound also answers a manager asking for another manager's
	// follow-up: that it exists is not theirs to know.
	ErrNotFound  = fault.New(fault.NotFound, "followup", "not found")
	ErrForbidden = fault.New(fault.Forbidden, "followup", "only account managers and admins see named responses").ShownAs("")
)

// ViaFollowup is the channel recorded when a named response is opened
// from the follow-up list.
const ViaFollowup = "followup"

// MaxNote bounds a follow-up note, in characters.
const MaxNote = 2000

// Store is what the service needs of the followups collection.
type Store interface {
	Insert(ctx context.Context, f store.Followup) error
	ByID(ctx context.Context, id string) (store.Followup, error)
	Delete(ctx context.Context, id string) error
	List(ctx context.Context, f store.FollowupFilter, p store.Page) ([]store.Followup, int64, error)
	Count(ctx context.Context, f store.FollowupFilter) (int64, error)
	Transition(ctx context.Context, id string, ch store.FollowupChange) error
	Assign(ctx context.Context, id, ownerID, by string, at time.Time) error
	MarkAlerted(ctx context.Context, id string, at time.Time) error
	QueueAlert(ctx context.Context, a store.FollowupAlert) (bool, error)
	DueAlerts(ctx context.Context, now time.Time, limit int64) ([]store.FollowupAlert, error)
	ClaimAlert(ctx context.Context, id string, now, until time.Time) (store.FollowupAlert, bool, error)
	RetryAlert(ctx context.Context, id string, next time.Time, lastError string) error
	AlertDone(ctx context.Context, id string) error
	DueNotices(ctx context.Context, kind store.NoticeKind, now time.Time, limit int64) ([]store.Followup, error)
	ClaimNotice(ctx context.Context, kind store.NoticeKind, id string, now, until time.Time) (store.Followup, bool, error)
	NoticeSent(ctx context.Context, kind store.NoticeKind, id string, at time.Time, to []string) error
	RetryNotice(ctx context.Context, kind store.NoticeKind, id string, next time.Time) error
	EachNote(ctx context.Context, fn func(id string, note seal.Box) error) error
	SetNote(ctx context.Context, id string, old, note seal.Box) error
}

var _ Store = (*store.Followups)(nil)

// Responses reads responses.
type Responses interface {
	ByID(ctx context.Context, id string) (store.Response, error)
}

// Accounts reads the companies follow-ups belong to.
type Accounts interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

// Surveys reads survey definitions, for titles and the NPS question.
type Surveys interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
	List(ctx context.Context, f store.SurveyFilter, p store.Page) ([]survey.Survey, int64, error)
}

// Subjects opens contacts' names (*customer.Service).
type Subjects interface {
	Subject(ctx context.Context, id string) (customer.Contact, error)
}

// NamedResponses opens a named response with its answers, audit-logging a
// staff member's reading it (*privacy.Service).
type NamedResponses interface {
	NamedResponse(ctx context.Context, contactID, responseID, locale string, by privacy.Requester) (privacy.NamedResponse, error)
}

// AuditLog records staff actions.
type AuditLog interface {
	Record(ctx context.Context, e audit.Event) error
}

// Users reads staff: owners, and the recipients of alerts and notices.
type Users interface {
	ByID(ctx context.Context, id string) (store.User, error)
	ActiveAdmins(ctx context.Context) ([]store.User, error)
}

// Sender delivers email: the same SMTP sender or dev outbox campaigns use.
type Sender interface {
	Send(ctx context.Context, msgs []mail.Message) []error
}

// Deps is what the service is built from. Sender, From and BaseURL are
// needed only to send alerts and notices; a zero SLA is DefaultSLA.
type Deps struct {
	Store     Store
	Responses Responses
	Accounts  Accounts
	Surveys   Surveys
	Subjects  Subjects
	Named     NamedResponses
	Audit     AuditLog
	Sealer    *seal.Sealer
	SLA       SLA

	Users   Users
	Sender  Sender
	From    netmail.Address
	BaseURL string // links in alerts are built from it, never from a request
	Logger  *slog.Logger

	// Events hears of new and overdue follow-ups (optional).
	Events Events
}

// Service is the closed loop.
type Service struct {
	d   Deps
	now func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.SLA == (SLA{}) {
		d.SLA = DefaultSLA
	}
	return &Service{d: d, now: time.Now}
}

// WithClock returns a copy of s that reads the time from now, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Record makes a stored response that carries its respondent's name a
// follow-up for its account's managers, and queues the detractor alert
// when the NPS answer is 0–6. It is idempotent, so a resubmission that
// finds the response stored can call it again to finish what a failure
// interrupted; the alert is queued until it has been sent, never after.
func (s *Service) Record(ctx context.Context, resp store.Response, accountID string) error {
	if resp.Named == nil {
		return nil
	}
	f, err := s.d.Store.ByID(ctx, resp.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if f, err = s.newFollowup(ctx, resp, accountID); err != nil {
			return err
		}
		if err := s.d.Store.Insert(ctx, f); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("followup: %w", err)
		}
	case err != nil:
		return fmt.Errorf("followup: %w", err)
	}
	// Consent may have been withdrawn while the follow-up was written: the
	// withdrawal removed a follow-up that did not exist yet.
	current, err := s.d.Responses.ByID(ctx, resp.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("followup: %w", err)
	}
	if err != nil || current.Named == nil || current.Named.ContactID != resp.Named.ContactID {
		return s.Forget(ctx, resp.ID)
	}
	if f.Detractor && f.AlertedAt == nil {
		now := s.now().UTC()
		if _, err := s.d.Store.QueueAlert(ctx, store.FollowupAlert{ID: f.ID, NextAttemptAt: now, CreatedAt: now}); err != nil {
			return fmt.Errorf("followup: %w", err)
		}
	}
	// Again on every call, like the alert: the event's id is the
	// follow-up's, so a repeat queues nothing more.
	s.publish(ctx, webhook.FollowupCreated, f, s.recordedAnswers(resp))
	return nil
}

func (s *Service) newFollowup(ctx context.Context, resp store.Response, accountID string) (store.Followup, error) {
	f := store.Followup{
		ID: resp.ID, SurveyID: resp.SurveyID, ContactID: resp.Named.ContactID, AccountID: accountID,
		Date: resp.Date, State: store.FollowupOpen, CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	if a, err := s.d.Accounts.ByID(ctx, accountID); err == nil {
		f.ManagerIDs = a.ManagerIDs
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Followup{}, fmt.Errorf("followup: %w", err)
	}
	sv, err := s.d.Surveys.ByID(ctx, resp.SurveyID)
	if err != nil {
		return store.Followup{}, fmt.Errorf("followup: %w", err)
	}
	answers, err := privacy.OpenAnswers(s.d.Sealer, resp)
	if err != nil {
		return store.Followup{}, fmt.Errorf("followup: %w", err)
	}
	if score, ok := npsScore(sv, answers); ok {
		f.Score = &score
		f.Detractor = survey.NPSCategory(score) == survey.Detractor
	}
	if f.OwnerID, err = s.defaultOwner(ctx, f.ManagerIDs); err != nil {
		return store.Followup{}, err
	}
	due := AddBusinessDays(f.CreatedAt, s.d.SLA.days(f.Detractor))
	f.DueAt, f.Escalation.At = &due, &due
	if s.d.SLA.RemindBefore > 0 {
		remind := due.Add(-s.d.SLA.RemindBefore)
		if remind.Before(f.CreatedAt) {
			remind = f.CreatedAt
		}
		f.Reminder.At = &remind
	}
	return f, nil
}

// defaultOwner is the account's first manager who may still be one; none
// leaves the follow-up to the admins.
func (s *Service) defaultOwner(ctx context.Context, managerIDs []string) (string, error) {
	for _, id := range managerIDs {
		if s.d.Users == nil {
			return id, nil
		}
		u, err := s.d.Users.ByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("followup: %w", err)
		}
		if policy.CanBeAccountManager(u) {
			return id, nil
		}
	}
	return "", nil
}

// npsScore returns the answer to the survey's first NPS question.
func npsScore(sv survey.Survey, answers survey.Answers) (int, bool) {
	for _, q := range sv.Questions {
		if q.Type != survey.TypeNPS {
			continue
		}
		if a, ok := answers.Get(q.Key); ok && a.Score != nil {
			return *a.Score, true
		}
		return 0, false
	}
	return 0, false
}

// Forget removes the follow-up of a response, and its alert: the response
// no longer carries a name. Forgetting one that does not exist is fine.
func (s *Service) Forget(ctx context.Context, responseID string) error {
	if err := s.d.Store.Delete(ctx, responseID); err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	return nil
}

// Query selects follow-ups to list.
type Query struct {
	SurveyID  string
	AccountID string                // empty: any
	States    []store.FollowupState // empty: any
	Overdue   bool                  // only those open or contacted past their due time
	Mine      bool                  // only those the actor owns
	Page      store.Page
}

// ActiveStates are the states of follow-ups still to be closed, the
// list's default.
var ActiveStates = []store.FollowupState{store.FollowupOpen, store.FollowupContacted}

// ParseStates reads the states a list asks for: open, contacted,
// resolved (or done, its earlier name), active (open and contacted) or
// all; empty is def. False for anything else.
func ParseStates(v string, def []store.FollowupState) ([]store.FollowupState, bool) {
	switch strings.TrimSpace(v) {
	case "":
		return def, true
	case "all":
		return nil, true
	case "active":
		return ActiveStates, true
	case string(store.FollowupOpen):
		return []store.FollowupState{store.FollowupOpen}, true
	case string(store.FollowupContacted):
		return []store.FollowupState{store.FollowupContacted}, true
	case string(store.FollowupResolved), "done":
		return []store.FollowupState{store.FollowupResolved}, true
	}
	return nil, false
}

// Item is one follow-up as listed.
type Item struct {
	ResponseID  string
	Contact     string // the respondent's name
	AccountID   string
	Account     string
	SurveyID    string
	Survey      string
	Date        string
	Score       *int
	Detractor   bool
	State       store.FollowupState
	OwnerID     string // empty: the admins
	Owner       string // the owner's name; empty: the admins
	DueAt       *time.Time
	DueIn       time.Duration // DueAt less the service's clock: negative once past
	Overdue     bool          // still open or contacted after DueAt
	ContactedAt *time.Time
	ResolvedAt  *time.Time
}

// mayFollowUp reports whether actor sees named responses at all.
func mayFollowUp(actor store.User) bool {
	return policy.CanSeeFollowups(policy.Of(actor))
}

// visible narrows f to what actor may see: a manager's own accounts'.
func visible(actor store.User, f store.FollowupFilter) store.FollowupFilter {
	if !policy.SeesAllAccounts(policy.Of(actor)) {
		f.ManagerID = actor.ID
	}
	return f
}

// List returns a page of the follow-ups actor may see, soonest due first:
// a manager's own accounts', every one for an admin.
func (s *Service) List(ctx context.Context, actor store.User, q Query) ([]Item, int64, error) {
	if !mayFollowUp(actor) {
		return nil, 0, ErrForbidden
	}
	now := s.now().UTC()
	f := visible(actor, store.FollowupFilter{SurveyID: q.SurveyID, AccountID: q.AccountID, States: q.States})
	if q.Mine {
		f.OwnerID = actor.ID
	}
	if q.Overdue {
		f.DueBefore = now
		if len(f.States) == 0 {
			f.States = ActiveStates
		}
		f.States = slices.DeleteFunc(slices.Clone(f.States), func(st store.FollowupState) bool { return !st.Active() })
		if len(f.States) == 0 {
			return nil, 0, nil // nothing resolved is overdue
		}
	}
	list, total, err := s.d.Store.List(ctx, f, q.Page)
	if err != nil {
		return nil, 0, fmt.Errorf("followup: %w", err)
	}
	names := newNames(s.d)
	out := make([]Item, 0, len(list))
	for _, fu := range list {
		item, err := names.item(ctx, fu, now)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, item)
	}
	return out, total, nil
}

// Summary is the state of the follow-ups an actor sees, for the home page.
type Summary struct {
	Open    int64  // open or contacted: not yet resolved
	Overdue int64  // of those, past their due time
	DueSoon int64  // of those, due within the next 24 hours
	Next    []Item // up to SummaryItems of those, soonest due first
}

// SummaryItems is how many follow-ups a Summary lists.
const SummaryItems = 5

// Summary counts the follow-ups actor sees (as List does) that are still
// to be closed, those overdue and those due within 24 hours, and lists the
// next few by due time.
func (s *Service) Summary(ctx context.Context, actor store.User) (Summary, error) {
	if !mayFollowUp(actor) {
		return Summary{}, ErrForbidden
	}
	now := s.now().UTC()
	active := visible(actor, store.FollowupFilter{States: ActiveStates})
	overdue, soon := active, active
	overdue.DueBefore = now
	soon.DueFrom, soon.DueBefore = now, now.Add(24*time.Hour)
	var sum Summary
	for _, c := range []struct {
		f   store.FollowupFilter
		dst *int64
	}{{active, &sum.Open}, {overdue, &sum.Overdue}, {soon, &sum.DueSoon}} {
		n, err := s.d.Store.Count(ctx, c.f)
		if err != nil {
			return Summary{}, fmt.Errorf("followup: %w", err)
		}
		*c.dst = n
	}
	items, _, err := s.List(ctx, actor, Query{States: ActiveStates, Page: store.Page{Limit: SummaryItems}})
	if err != nil {
		return Summary{}, err
	}
	sum.Next = items
	return sum, nil
}

// SurveyChoice is a survey to filter by.
type SurveyChoice struct{ ID, Title string }

// Surveys lists the surveys a follow-up list may be filtered by, newest first.
func (s *Service) Surveys(ctx context.Context, actor store.User) ([]SurveyChoice, error) {
	if !mayFollowUp(actor) {
		return nil, ErrForbidden
	}
	list, _, err := s.d.Surveys.List(ctx, store.SurveyFilter{}, store.Page{Limit: 200})
	if err != nil {
		return nil, fmt.Errorf("followup: %w", err)
	}
	out := make([]SurveyChoice, 0, len(list))
	for _, sv := range list {
		if sv.Status == survey.StatusDraft {
			continue
		}
		out = append(out, SurveyChoice{ID: sv.ID, Title: sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale)})
	}
	return out, nil
}

// Detail is a follow-up opened: the named response with its answers, how
// to reach the person, and what has been done.
type Detail struct {
	Item
	Email       string // the respondent's, shown because they consented to be named
	ConsentID   string
	Answers     []privacy.AnswerInfo
	Note        string
	ContactedBy string // staff members' names
	ResolvedBy  string
	History     []Event
	Owners      []Person // whom the follow-up may be given to
}

// Event is one step in a follow-up's history, with names.
type Event struct {
	Action string // a store.FollowupState, store.EventAssigned or a store.NoticeKind
	By     string // the staff member's name; empty: Candor itself
	Owner  string // assigned: the new owner's name; empty: the admins
	At     time.Time
}

// Person is a staff member a follow-up may be given to.
type Person struct{ ID, Name string }

// own returns the follow-up of a response if actor may see it: an admin
// any, a manager those of the accounts they manage now or managed when the
// response came in. Anything else is ErrNotFound.
func (s *Service) own(ctx context.Context, actor store.User, responseID string) (store.Followup, error) {
	if !mayFollowUp(actor) {
		return store.Followup{}, ErrForbidden
	}
	f, err := s.d.Store.ByID(ctx, responseID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Followup{}, ErrNotFound
	}
	if err != nil {
		return store.Followup{}, fmt.Errorf("followup: %w", err)
	}
	if policy.SeesAccount(policy.Of(actor), f.ManagerIDs) {
		return f, nil
	}
	a, err := s.d.Accounts.ByID(ctx, f.AccountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Followup{}, fmt.Errorf("followup: %w", err)
	}
	if err == nil && policy.SeesAccount(policy.Of(actor), a.ManagerIDs) {
		return f, nil
	}
	return store.Followup{}, ErrNotFound
}

// Open returns a follow-up with the response's answers. Every opening is
// audit-logged, with who opened whose response, before it is shown.
func (s *Service) Open(ctx context.Context, actor store.User, responseID, requestID string) (Detail, error) {
	f, err := s.own(ctx, actor, responseID)
	if err != nil {
		return Detail{}, err
	}
	nr, err := s.d.Named.NamedResponse(ctx, f.ContactID, f.ID, "en", privacy.Requester{Staff: &actor, Via: ViaFollowup, RequestID: requestID})
	if errors.Is(err, privacy.ErrNotFound) {
		// The name came off the response: the follow-up should be gone.
		return Detail{}, errors.Join(ErrNotFound, s.Forget(ctx, f.ID))
	}
	if err != nil {
		return Detail{}, fmt.Errorf("followup: %w", err)
	}
	names := newNames(s.d)
	item, err := names.item(ctx, f, s.now().UTC())
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Item: item, ConsentID: nr.ConsentID, Answers: nr.Answers}
	if c, err := s.d.Subjects.Subject(ctx, f.ContactID); err == nil {
		d.Email = c.Email
	} else if !errors.Is(err, customer.ErrNotFound) {
		return Detail{}, fmt.Errorf("followup: %w", err)
	}
	if f.Note != nil {
		plain, err := s.d.Sealer.Open(*f.Note, noteContext(f.ID))
		if err != nil {
			return Detail{}, fmt.Errorf("followup: note: %w", err)
		}
		d.Note = string(plain)
	}
	if d.ContactedBy, err = names.user(ctx, f.ContactedBy); err != nil {
		return Detail{}, err
	}
	if d.ResolvedBy, err = names.user(ctx, f.ResolvedBy); err != nil {
		return Detail{}, err
	}
	for _, e := range f.History {
		ev := Event{Action: e.Action, At: e.At}
		if ev.By, err = names.user(ctx, e.By); err != nil {
			return Detail{}, err
		}
		if ev.Owner, err = names.user(ctx, e.OwnerID); err != nil {
			return Detail{}, err
		}
		d.History = append(d.History, ev)
	}
	if d.Owners, err = s.owners(ctx, f); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// owners lists whom a follow-up may be given to: the account's managers
// and the admins, active ones only (policy.CanOwnFollowup).
func (s *Service) owners(ctx context.Context, f store.Followup) ([]Person, error) {
	if s.d.Users == nil {
		return nil, nil
	}
	managers, err := s.managersOf(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []Person
	seen := map[string]bool{}
	add := func(u store.User) {
		if !seen[u.ID] && policy.CanOwnFollowup(u, managers) {
			seen[u.ID] = true
			out = append(out, Person{ID: u.ID, Name: u.Name})
		}
	}
	for _, id := range managers {
		u, err := s.d.Users.ByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("followup: %w", err)
		}
		add(u)
	}
	admins, err := s.d.Users.ActiveAdmins(ctx)
	if err != nil {
		return nil, fmt.Errorf("followup: %w", err)
	}
	for _, u := range admins {
		add(u)
	}
	return out, nil
}

// managersOf returns the account's managers now, or those when the
// response came in when the account is gone.
func (s *Service) managersOf(ctx context.Context, f store.Followup) ([]string, error) {
	a, err := s.d.Accounts.ByID(ctx, f.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return f.ManagerIDs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("followup: %w", err)
	}
	return a.ManagerIDs, nil
}

// noteContext binds a sealed note to its follow-up.
func noteContext(id string) string { return "followup-note:" + id }

// ErrNoteRequired answers resolving without a note: the note is the
// record of how the loop was closed, for whoever opens the follow-up next.
var ErrNoteRequired = fault.Fields(fault.Invalid, "followup", map[string]string{"note": "is required to resolve a follow-up: say what was done"})

// MarkContacted records that actor reached the person; the follow-up
// must be open.
func (s *Service) MarkContacted(ctx context.Context, actor store.User, responseID, requestID string) error {
	f, err := s.own(ctx, actor, responseID)
	if err != nil {
		return err
	}
	return s.transition(ctx, actor, f, audit.FollowupContacted, requestID, store.FollowupChange{
		From: []store.FollowupState{store.FollowupOpen}, To: store.FollowupContacted})
}

// Resolve closes a follow-up, open or contacted, with a note of what was
// done, sealed. The note is required (ErrNoteRequired).
func (s *Service) Resolve(ctx context.Context, actor store.User, responseID, note, requestID string) error {
	f, err := s.own(ctx, actor, responseID)
	if err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return fault.Fields(fault.Invalid, "followup", map[string]string{"note": fmt.Sprintf("is longer than %d characters", MaxNote)})
	}
	if note == "" {
		return ErrNoteRequired
	}
	box, err := s.d.Sealer.Seal([]byte(note), noteContext(f.ID))
	if err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	return s.transition(ctx, actor, f, audit.FollowupDone, requestID, store.FollowupChange{
		From: ActiveStates, To: store.FollowupResolved, Note: &box})
}

// Reopen opens a resolved follow-up again. Its due time stays: a reminder
// or escalation not yet sent goes when it is due, one sent never again.
func (s *Service) Reopen(ctx context.Context, actor store.User, responseID, requestID string) error {
	f, err := s.own(ctx, actor, responseID)
	if err != nil {
		return err
	}
	return s.transition(ctx, actor, f, audit.FollowupReopen, requestID, store.FollowupChange{
		From: []store.FollowupState{store.FollowupResolved}, To: store.FollowupOpen})
}

// transition audit-logs and applies one change of state; a follow-up not
// in a state it may move from is a conflict, as when someone else moved it
// first.
func (s *Service) transition(ctx context.Context, actor store.User, f store.Followup, action audit.Action, requestID string, ch store.FollowupChange) error {
	if !slices.Contains(ch.From, f.State) {
		return stateConflict(f.State)
	}
	if err := s.d.Audit.Record(ctx, audit.Event{Actor: actor, Action: action, Target: f.ContactID, Detail: f.ID, RequestID: requestID}); err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	ch.By, ch.At = actor.ID, s.now().UTC().Truncate(time.Millisecond)
	err := s.d.Store.Transition(ctx, f.ID, ch)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, store.ErrConflict):
		now, err := s.d.Store.ByID(ctx, f.ID)
		if err != nil {
			return ErrNotFound
		}
		return stateConflict(now.State)
	case err != nil:
		return fmt.Errorf("followup: %w", err)
	}
	return nil
}

// ErrState answers a change a follow-up's state does not allow.
var ErrState = fault.New(fault.Conflict, "followup", "the follow-up is not in a state that allows this")

func stateConflict(now store.FollowupState) error {
	return ErrState.Becausef("the follow-up is %s now", now)
}

// Assign gives a follow-up to ownerID: one of the account's managers or an
// admin (policy.CanOwnFollowup); anyone else is bad input.
func (s *Service) Assign(ctx context.Context, actor store.User, responseID, ownerID, requestID string) error {
	f, err := s.own(ctx, actor, responseID)
	if err != nil {
		return err
	}
	ownerID = strings.TrimSpace(ownerID)
	if ownerID == f.OwnerID {
		return nil // unchanged, including left to the admins
	}
	owners, err := s.owners(ctx, f)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(owners, func(p Person) bool { return p.ID == ownerID }) {
		return fault.Fields(fault.Invalid, "followup", map[string]string{"owner": "must be one of the account's managers or an admin"})
	}
	if err := s.d.Audit.Record(ctx, audit.Event{Actor: actor, Action: audit.FollowupAssign, Target: f.ContactID, Detail: f.ID, RequestID: requestID}); err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	err = s.d.Store.Assign(ctx, f.ID, ownerID, actor.ID, s.now().UTC().Truncate(time.Millisecond))
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	return nil
}

// names opens names and titles for a request, each once.
type names struct {
	d        Deps
	accounts map[string]string
	surveys  map[string]string
	users    map[string]string
}

func newNames(d Deps) *names {
	return &names{d: d, accounts: map[string]string{}, surveys: map[string]string{}, users: map[string]string{}}
}

func (n *names) item(ctx context.Context, f store.Followup, now time.Time) (Item, error) {
	it := Item{
		ResponseID: f.ID, AccountID: f.AccountID, SurveyID: f.SurveyID, Date: f.Date,
		Score: f.Score, Detractor: f.Detractor, State: f.State, OwnerID: f.OwnerID, DueAt: f.DueAt,
		ContactedAt: f.ContactedAt, ResolvedAt: f.ResolvedAt,
		Overdue: f.State.Active() && f.DueAt != nil && f.DueAt.Before(now),
	}
	if f.DueAt != nil {
		it.DueIn = f.DueAt.Sub(now)
	}
	c, err := n.d.Subjects.Subject(ctx, f.ContactID)
	switch {
	case errors.Is(err, customer.ErrNotFound):
		it.Contact = "(contact deleted)"
	case err != nil:
		return Item{}, fmt.Errorf("followup: %w", err)
	default:
		it.Contact = c.Name
	}
	name, ok := n.accounts[f.AccountID]
	if !ok {
		a, err := n.d.Accounts.ByID(ctx, f.AccountID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Item{}, fmt.Errorf("followup: %w", err)
		}
		name = a.Name
		n.accounts[f.AccountID] = name
	}
	it.Account = name
	title, ok := n.surveys[f.SurveyID]
	if !ok {
		sv, err := n.d.Surveys.ByID(ctx, f.SurveyID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Item{}, fmt.Errorf("followup: %w", err)
		}
		title = sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale)
		n.surveys[f.SurveyID] = title
	}
	it.Survey = title
	if it.Owner, err = n.user(ctx, f.OwnerID); err != nil {
		return Item{}, err
	}
	return it, nil
}

// user returns a staff member's name; "" for none, "(user removed)" for
// one who is gone.
func (n *names) user(ctx context.Context, id string) (string, error) {
	if id == "" || n.d.Users == nil {
		return "", nil
	}
	if name, ok := n.users[id]; ok {
		return name, nil
	}
	name := "(user removed)"
	u, err := n.d.Users.ByID(ctx, id)
	switch {
	case err == nil:
		name = u.Name
	case !errors.Is(err, store.ErrNotFound):
		return "", fmt.Errorf("followup: %w", err)
	}
	n.users[id] = name
	return name, nil
}

// Reseal re-encrypts every follow-up note sealed under an older key with
// the current one, and returns how many it changed. A note rewritten
// meanwhile is already under the current key and is left alone.
func (s *Service) Reseal(ctx context.Context) (int, error) {
	n := 0
	err := s.d.Store.EachNote(ctx, func(id string, note seal.Box) error {
		fresh, changed, err := s.d.Sealer.Reseal(note, noteContext(id))
		if err != nil {
			return fmt.Errorf("followup: reseal note %s: %w", id, err)
		}
		if !changed {
			return nil
		}
		err = s.d.Store.SetNote(ctx, id, note, fresh)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("followup: %w", err)
		}
		n++
		return nil
	})
	return n, err
}
