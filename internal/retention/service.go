package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/survey"
)

// ErrForbidden means the actor may not read or change the policy.
var ErrForbidden = fault.New(fault.Forbidden, "retention", "only admins manage retention")

// PolicyStore keeps the policy and the sweep's lease (*store.Retention).
type PolicyStore interface {
	Policy(ctx context.Context) (store.RetentionPolicy, error)
	SavePolicy(ctx context.Context, p store.RetentionPolicy) error
	Sweep(ctx context.Context) (store.RetentionSweep, error)
	ClaimSweep(ctx context.Context, token string, now, until time.Time, force bool) (bool, error)
	RenewSweep(ctx context.Context, token string, until time.Time) (bool, error)
	FinishSweep(ctx context.Context, token string, at, next time.Time) error
}

// Contacts finds the contacts not surveyed for long (*contacts.Repo).
type Contacts interface {
	Unsurveyed(ctx context.Context, before time.Time, limit int64) ([]contacts.Contact, error)
	CountUnsurveyed(ctx context.Context, before time.Time) (int64, error)
}

// Responses finds a survey's old named responses (*store.Responses).
type Responses interface {
	NamedBefore(ctx context.Context, surveyID, day string, limit int64) ([]store.Response, error)
	CountNamedBefore(ctx context.Context, surveyID, day string) (int64, error)
}

// Surveys lists the surveys, for their own limits (*store.Surveys).
type Surveys interface {
	List(ctx context.Context, f store.SurveyFilter, p store.Page) ([]survey.Survey, int64, error)
}

// Accounts names a contact's company in the preview (*store.Accounts).
type Accounts interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

// DevMails deletes old dev-outbox mail (*outbox.DevMails).
type DevMails interface {
	DeleteBefore(ctx context.Context, t time.Time) (int64, error)
	CountBefore(ctx context.Context, t time.Time) (int64, error)
}

// DeadLetters deletes old dead letters (*outbox.Repo).
type DeadLetters interface {
	TrimDead(ctx context.Context, before time.Time) (int64, error)
	CountDeadBefore(ctx context.Context, before time.Time) (int64, error)
}

// BounceRecords deletes what bounce handling keeps about old messages
// (*store.Bounces).
type BounceRecords interface {
	TrimBefore(ctx context.Context, events, streaks time.Time) (int64, error)
	CountBefore(ctx context.Context, events, streaks time.Time) (int64, error)
}

// People erases contacts and takes names off answers the way the
// data-subject rights do (*privacy.Service).
type People interface {
	Retire(ctx context.Context, contactIDs []string) error
	DeIdentify(ctx context.Context, resp store.Response) error
	Scrub(ctx context.Context) error
}

// AuditLog records the runs and policy changes and lists the runs
// (*audit.Log).
type AuditLog interface {
	Record(ctx context.Context, e audit.Event) error
	List(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error)
}

// Deps is what the service is built from; every field but Logger is
// required.
type Deps struct {
	Store       PolicyStore
	Contacts    Contacts
	Responses   Responses
	Surveys     Surveys
	Accounts    Accounts
	DevMails    DevMails
	DeadLetters DeadLetters
	Bounces     BounceRecords
	// SoftBounceWindow is how close soft bounces must follow each other to
	// add up (bounce.SoftWindow); a streak older than that is deleted.
	SoftBounceWindow time.Duration
	People           People
	Audit            AuditLog
	Defaults         Policy // the configured defaults, which the saved policy overrides
	Logger           *slog.Logger
}

// Service is the retention policy and its sweep.
type Service struct {
	d     Deps
	token string // this process's sweep lease token
	now   func() time.Time
	batch int64
	lease time.Duration
}

// Sweep timing.
const (
	batchSize  = 100              // contacts or responses handled between lease renewals
	sweepLease = 15 * time.Minute // how long a run may go without renewing its lease
	runEvery   = 24 * time.Hour   // a daily sweep
	// CheckEvery is how often a process looks whether the daily run is due.
	CheckEvery = 10 * time.Minute
)

// New returns a Service.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d, token: store.NewID(), now: time.Now, batch: batchSize, lease: sweepLease}
}

// WithClock returns a copy of s that reads the time from now, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Effective returns the policy in effect: the saved values over the
// configured defaults, and the saved document (zero when never saved).
func (s *Service) Effective(ctx context.Context) (Policy, store.RetentionPolicy, error) {
	stored, err := s.d.Store.Policy(ctx)
	if err != nil {
		return Policy{}, store.RetentionPolicy{}, fmt.Errorf("retention: %w", err)
	}
	return s.d.Defaults.over(stored), stored, nil
}

// Defaults returns the configured defaults.
func (s *Service) Defaults() Policy { return s.d.Defaults }

// Policy returns the policy in effect, for an admin.
func (s *Service) Policy(ctx context.Context, actor store.User) (Policy, store.RetentionPolicy, error) {
	if !policy.CanAdminister(policy.Of(actor)) {
		return Policy{}, store.RetentionPolicy{}, ErrForbidden
	}
	return s.Effective(ctx)
}

// SavePolicy stores p as the policy, for an admin; every value of it then
// overrides the configured defaults. Out-of-bounds values are field
// errors, and nothing is saved.
func (s *Service) SavePolicy(ctx context.Context, actor store.User, p Policy) (Policy, error) {
	if !policy.CanAdminister(policy.Of(actor)) {
		return Policy{}, ErrForbidden
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	if err := s.d.Audit.Record(ctx, audit.Event{Actor: actor, Action: audit.RetentionPolicy, Detail: p.String()}); err != nil {
		return Policy{}, fmt.Errorf("retention: %w", err)
	}
	doc := p.stored()
	doc.UpdatedAt, doc.UpdatedByID, doc.UpdatedByEmail = s.now().UTC().Truncate(time.Millisecond), actor.ID, actor.Email
	if err := s.d.Store.SavePolicy(ctx, doc); err != nil {
		return Policy{}, fmt.Errorf("retention: %w", err)
	}
	return p, nil
}

// String is the policy as the audit log records it.
func (p Policy) String() string {
	return fmt.Sprintf("%s=%d %s=%d %s=%d %s=%d", FieldContactMonths, p.ContactMonths, FieldNamedMonths, p.NamedMonths,
		FieldDevOutboxDays, p.DevOutboxDays, FieldDeadLetterDays, p.DeadLetterDays)
}

// Counts are how many of each kind a run removed, or the next would.
type Counts struct {
	Contacts    int64 `json:"contacts"`    // contacts erased
	Named       int64 `json:"named"`       // named answers de-identified
	DevMails    int64 `json:"devMails"`    // dev-outbox messages deleted
	DeadLetters int64 `json:"deadLetters"` // dead letters deleted
	// BounceRecords are bounce events and soft-bounce streaks deleted.
	BounceRecords int64 `json:"bounceRecords"`
}

// Zero reports whether nothing is counted.
func (c Counts) Zero() bool { return c == Counts{} }

// String is the counts as a run's audit entry records them.
func (c Counts) String() string {
	return fmt.Sprintf("contacts=%d named=%d devMails=%d deadLetters=%d bounceRecords=%d", c.Contacts, c.Named, c.DevMails, c.DeadLetters, c.BounceRecords)
}

// ParseCounts reads counts as String writes them; unknown or malformed
// parts are skipped, since it only reads back the audit log for display.
func ParseCounts(s string) Counts {
	var c Counts
	for _, part := range strings.Fields(s) {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			continue
		}
		switch k {
		case "contacts":
			c.Contacts = n
		case "named":
			c.Named = n
		case "devMails":
			c.DevMails = n
		case "deadLetters":
			c.DeadLetters = n
		case "bounceRecords":
			c.BounceRecords = n
		}
	}
	return c
}

// RunRecord is one past run, from the audit log.
type RunRecord struct {
	At     time.Time `json:"at"`
	Counts Counts    `json:"counts"`
}

// Runs returns a page of the past runs, newest first, and how many there
// are, for an admin.
func (s *Service) Runs(ctx context.Context, actor store.User, p store.Page) ([]RunRecord, int64, error) {
	if !policy.CanAdminister(policy.Of(actor)) {
		return nil, 0, ErrForbidden
	}
	entries, total, err := s.d.Audit.List(ctx, store.AuditFilter{Action: string(audit.RetentionRun)}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("retention: %w", err)
	}
	out := make([]RunRecord, len(entries))
	for i, e := range entries {
		out[i] = RunRecord{At: e.At, Counts: ParseCounts(e.Detail)}
	}
	return out, total, nil
}

// NextRun returns when the next daily run is due (zero: at once) and when
// the last finished (zero: never).
func (s *Service) NextRun(ctx context.Context) (next, last time.Time, err error) {
	st, err := s.d.Store.Sweep(ctx)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("retention: %w", err)
	}
	return st.NextRunAt, st.LastRunAt, nil
}

// errLostLease stops a run whose lease another process took over.
var errLostLease = errors.New("retention: the sweep's lease was lost to another process")
