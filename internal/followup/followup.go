// Package followup is the closed loop: account managers see, for their own
// accounts only, the responses whose respondents consented to be named,
// open them (every opening audit-logged), mark them done, and get an email
// when such a respondent is a detractor. Analysts never see any of it.
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
	SetState(ctx context.Context, id string, state store.FollowupState, by string, at time.Time, note *seal.Box) error
	MarkAlerted(ctx context.Context, id string, at time.Time) error
	QueueAlert(ctx context.Context, a store.FollowupAlert) (bool, error)
	DueAlerts(ctx context.Context, now time.Time, limit int64) ([]store.FollowupAlert, error)
	ClaimAlert(ctx context.Context, id string, now, until time.Time) (store.FollowupAlert, bool, error)
	RetryAlert(ctx context.Context, id string, next time.Time, lastError string) error
	AlertDone(ctx context.Context, id string) error
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

// Users reads staff, the recipients of alerts.
type Users interface {
	ByID(ctx context.Context, id string) (store.User, error)
}

// Sender delivers email: the same SMTP sender or dev outbox campaigns use.
type Sender interface {
	Send(ctx context.Context, msgs []mail.Message) []error
}

// Deps is what the service is built from. Sender, Users, From and BaseURL
// are needed only to send alerts.
type Deps struct {
	Store     Store
	Responses Responses
	Accounts  Accounts
	Surveys   Surveys
	Subjects  Subjects
	Named     NamedResponses
	Audit     AuditLog
	Sealer    *seal.Sealer

	Users   Users
	Sender  Sender
	From    netmail.Address
	BaseURL string // links in alerts are built from it, never from a request
	Logger  *slog.Logger
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
	return f, nil
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
	AccountID string              // empty: any
	State     store.FollowupState // empty: any
	Page      store.Page
}

// Item is one follow-up as listed.
type Item struct {
	ResponseID string
	Contact    string // the respondent's name
	AccountID  string
	Account    string
	SurveyID   string
	Survey     string
	Date       string
	Score      *int
	Detractor  bool
	State      store.FollowupState
	DoneAt     *time.Time
}

// mayFollowUp reports whether actor sees named responses at all.
func mayFollowUp(actor store.User) bool {
	return policy.CanSeeFollowups(policy.Of(actor))
}

// List returns a page of the follow-ups actor may see, newest first: a
// manager's own accounts', every one for an admin.
func (s *Service) List(ctx context.Context, actor store.User, q Query) ([]Item, int64, error) {
	if !mayFollowUp(actor) {
		return nil, 0, ErrForbidden
	}
	f := store.FollowupFilter{SurveyID: q.SurveyID, AccountID: q.AccountID, State: q.State}
	if !policy.SeesAllAccounts(policy.Of(actor)) {
		f.ManagerID = actor.ID
	}
	list, total, err := s.d.Store.List(ctx, f, q.Page)
	if err != nil {
		return nil, 0, fmt.Errorf("followup: %w", err)
	}
	names := newNames(s.d)
	out := make([]Item, 0, len(list))
	for _, fu := range list {
		item, err := names.item(ctx, fu)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, item)
	}
	return out, total, nil
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

// Detail is a follow-up opened: the named response with its answers.
type Detail struct {
	Item
	ConsentID string
	Answers   []privacy.AnswerInfo
	Note      string
	DoneBy    string // the staff member's name
}

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
	item, err := newNames(s.d).item(ctx, f)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Item: item, ConsentID: nr.ConsentID, Answers: nr.Answers}
	if f.Note != nil {
		plain, err := s.d.Sealer.Open(*f.Note, noteContext(f.ID))
		if err != nil {
			return Detail{}, fmt.Errorf("followup: note: %w", err)
		}
		d.Note = string(plain)
	}
	if f.DoneBy != "" && s.d.Users != nil {
		if u, err := s.d.Users.ByID(ctx, f.DoneBy); err == nil {
			d.DoneBy = u.Name
		}
	}
	return d, nil
}

// noteContext binds a sealed note to its follow-up.
func noteContext(id string) string { return "followup-note:" + id }

// SetDone marks a follow-up done, with an optional note, or reopens it;
// either is audit-logged first.
func (s *Service) SetDone(ctx context.Context, actor store.User, responseID string, done bool, note, requestID string) error {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return fault.Fields(fault.Invalid, "followup", map[string]string{"note": fmt.Sprintf("is longer than %d characters", MaxNote)})
	}
	f, err := s.own(ctx, actor, responseID)
	if err != nil {
		return err
	}
	action, state := audit.FollowupDone, store.FollowupDone
	if !done {
		action, state = audit.FollowupReopen, store.FollowupOpen
	}
	if err := s.d.Audit.Record(ctx, audit.Event{Actor: actor, Action: action, Target: f.ContactID, Detail: f.ID, RequestID: requestID}); err != nil {
		return fmt.Errorf("followup: %w", err)
	}
	var box *seal.Box
	if done && note != "" {
		b, err := s.d.Sealer.Seal([]byte(note), noteContext(f.ID))
		if err != nil {
			return fmt.Errorf("followup: %w", err)
		}
		box = &b
	}
	err = s.d.Store.SetState(ctx, f.ID, state, actor.ID, s.now().UTC().Truncate(time.Millisecond), box)
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
}

func newNames(d Deps) *names {
	return &names{d: d, accounts: map[string]string{}, surveys: map[string]string{}}
}

func (n *names) item(ctx context.Context, f store.Followup) (Item, error) {
	it := Item{
		ResponseID: f.ID, AccountID: f.AccountID, SurveyID: f.SurveyID, Date: f.Date,
		Score: f.Score, Detractor: f.Detractor, State: f.State, DoneAt: f.DoneAt,
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
	return it, nil
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
