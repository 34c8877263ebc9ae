// Package invite sends surveys to contacts by email: campaigns (who gets
// an invitation, who is skipped and why, reminders, cancelling) and the
// dispatcher that delivers them through a durable outbox, exactly once per
// message however many processes share the database, except for messages
// in flight when a process dies.
//
// A campaign's audience is stored as a backlog of batches. The dispatcher
// feeds a batch into the outbox only while the outbox is short, creating
// the batch's invitations as it does; workers claim a whole batch with a
// lease, send it over one SMTP connection at a time within a rate limit, and
// delete each message once the server accepted it. docs/delivery.md has
// the details.
package invite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// Errors callers branch on.
var (
	ErrNotFound      = fault.New(fault.NotFound, "invite", "not found")
	ErrForbidden     = fault.New(fault.Forbidden, "invite", "only managers and admins send campaigns").ShownAs("")
	ErrSurveyNotOpen = fault.New(fault.Conflict, "invite", "the survey is not open for answers").ShownAs("the survey is not open: open it before sending a campaign")
	ErrEmptyAudience = fault.New(fault.Unprocessable, "invite", "nobody in the audience can be invited")
	ErrLinkInvalid   = fault.New(fault.NotFound, "invite", "the link is not valid")
	ErrLinkExpired   = fault.New(fault.Gone, "invite", "the link has expired")
)

// invalid returns field-level messages about a campaign request as one
// error, nil for none.
func invalid(fields map[string]string) error {
	return fault.Fields(fault.Invalid, "invite", fields)
}

// EmptyAudienceError says why nobody could be invited; it matches
// ErrEmptyAudience.
type EmptyAudienceError struct {
	Skipped []Skipped
	// Contacts is how many the audience held, all of them skipped.
	Contacts int
}

func (e *EmptyAudienceError) Error() string {
	if e.Contacts == 0 {
		return ErrEmptyAudience.Error() + ": the audience has no contacts"
	}
	return fmt.Sprintf("%s: all %d contacts were skipped", ErrEmptyAudience, e.Contacts)
}

// Unwrap is ErrEmptyAudience saying why, as clients are told it.
func (e *EmptyAudienceError) Unwrap() error {
	why := e.why()
	return ErrEmptyAudience.Becausef("%s", why).ShownAs(ErrEmptyAudience.Message() + ": " + why)
}

// why counts the contacts skipped for each reason.
func (e *EmptyAudienceError) why() string {
	if e.Contacts == 0 {
		return "it has no contacts"
	}
	counts := map[string]int{}
	for _, sk := range e.Skipped {
		counts[sk.Reason]++
	}
	var parts []string
	for _, reason := range SkipReasons() {
		if n := counts[reason]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(SkipLabel(reason))))
		}
	}
	for _, reason := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(SkipReasons(), reason) {
			parts = append(parts, fmt.Sprintf("%d %s", counts[reason], reason))
		}
	}
	return fmt.Sprintf("all %d contacts were skipped (%s)", e.Contacts, strings.Join(parts, ", "))
}

// Sender delivers messages: mail.SMTPSender, or the DevOutbox when no SMTP
// server is configured.
type Sender interface {
	// Send returns one error per message, nil for each the server accepted.
	Send(ctx context.Context, msgs []mail.Message) []error
}

var (
	_ Sender = (*mail.SMTPSender)(nil)
	_ Sender = (*DevOutbox)(nil)
)

// Customers is what invite needs of the customer service: audiences are
// resolved through it so that a manager reaches only their own accounts.
type Customers interface {
	VisibleAccounts(ctx context.Context, actor store.User) ([]store.Account, error)
	ListContacts(ctx context.Context, actor store.User, q customer.ContactQuery) ([]customer.Contact, int64, error)
	ChosenRecipient(ctx context.Context, actor store.User, contactID string) (customer.Recipient, error)
	EachRecipient(ctx context.Context, actor store.User, accountIDs []string, fn func(customer.Recipient) error) error
	Recipient(ctx context.Context, contactID string) (customer.Recipient, error)
}

var _ Customers = (*customer.Service)(nil)

// CampaignStore is what invite needs of the campaigns collection.
type CampaignStore interface {
	Create(ctx context.Context, c store.Campaign, batches []store.CampaignBatch, skips []store.Skip) error
	AddSkips(ctx context.Context, campaignID, prefix string, skips []store.Skip, now time.Time) error
	ByID(ctx context.Context, id string) (store.Campaign, error)
	Batch(ctx context.Context, campaignID string, seq int) (store.CampaignBatch, error)
	ListBySurvey(ctx context.Context, surveyID, createdBy string) ([]store.Campaign, error)
	Active(ctx context.Context, now time.Time) ([]store.Campaign, error)
	Skips(ctx context.Context, campaignID string, limit int) ([]store.Skip, error)
	Start(ctx context.Context, id string, now time.Time) (bool, error)
	ClaimFeed(ctx context.Context, id, cursor string, pos int, key string, deadline time.Time) (bool, error)
	RenewFeed(ctx context.Context, id, key string, old, deadline time.Time) (bool, error)
	Finish(ctx context.Context, id string, now, activeUntil time.Time) (bool, error)
	Cancel(ctx context.Context, id string, now time.Time) (bool, error)
	AddCounts(ctx context.Context, id string, d store.CountsDelta) error
	SetCensus(ctx context.Context, id string, c store.CampaignCensus) error
	DropOrphanBatches(ctx context.Context, campaignID string) error
}

// OutboxStore is what invite needs of the outbox.
type OutboxStore interface {
	Enqueue(ctx context.Context, msgs []outbox.Message) (int, error)
	Claim(ctx context.Context, token string, now time.Time, lease time.Duration) ([]outbox.Message, error)
	Delete(ctx context.Context, token string, ids []string) error
	Release(ctx context.Context, token string, ids []string, next time.Time, lastError string, flags outbox.ReleaseFlags) error
	Bury(ctx context.Context, token string, m outbox.Message, state outbox.State, lastError string, now time.Time) error
	ExpireLeases(ctx context.Context, now time.Time) (int64, error)
	Count(ctx context.Context) (int64, error)
	CampaignProgress(ctx context.Context, campaignID string) (queued, sending int, err error)
	Withdraw(ctx context.Context, campaignID string) (int64, error)
	Dead(ctx context.Context, campaignID string, limit int64) ([]outbox.Message, error)
	IsDead(ctx context.Context, id string) (bool, error)
	TrimDead(ctx context.Context, before time.Time) (int64, error)
}

// InvitationStore is what invite needs of the invitations.
type InvitationStore interface {
	InsertBatch(ctx context.Context, invs []store.Invitation) ([]string, error)
	ByID(ctx context.Context, id string) (store.Invitation, error)
	InvitedContacts(ctx context.Context, surveyID string) (map[string]bool, error)
	RevokeCampaign(ctx context.Context, campaignID string) (int64, error)
	CountByState(ctx context.Context, campaignID string) (map[store.InvitationState]int, error)
	RecordReminder(ctx context.Context, id string, round int) error
}

// ContactStore records what sending learns about a contact.
type ContactStore interface {
	SetStatus(ctx context.Context, id string, status contacts.Status, now time.Time) error
	MarkSurveyedMany(ctx context.Context, ids []string, at time.Time) error
}

// SuppressionStore keeps addresses that get no more email.
type SuppressionStore interface {
	Add(ctx context.Context, s store.Suppression) error
	Find(ctx context.Context, indexes ...string) (store.Suppression, error)
	All(ctx context.Context) (map[string]store.SuppressionReason, error)
}

// SurveyStore reads surveys.
type SurveyStore interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
}

// DevMailStore keeps the dev outbox's messages.
type DevMailStore interface {
	Insert(ctx context.Context, msgs []outbox.DevMail) error
	List(ctx context.Context, p store.Page) ([]outbox.DevMail, int64, error)
	ByID(ctx context.Context, id string) (outbox.DevMail, error)
	Trim(ctx context.Context, keep int64) (int64, error)
}

// Stores are the collections invite works on.
type Stores struct {
	Campaigns    CampaignStore
	Outbox       OutboxStore
	Invitations  InvitationStore
	Contacts     ContactStore
	Suppressions SuppressionStore
	Surveys      SurveyStore
	DevMails     DevMailStore
	Schedules    ScheduleStore // nil: no schedules run
	Users        UserStore     // the staff schedules run as; needed with Schedules
}

// StoresOf returns the collections of st.
func StoresOf(st *store.Store) Stores {
	return Stores{
		Campaigns: st.Campaigns, Outbox: st.Outbox, Invitations: st.Invitations, Contacts: st.Contacts,
		Suppressions: st.Suppressions, Surveys: st.Surveys, DevMails: st.DevMails,
		Schedules: st.Schedules, Users: st.Users,
	}
}

// Config tunes campaigns and delivery; zero fields take the defaults.
type Config struct {
	From             netmail.Address // the sender: its name signs the email
	ContactFrequency time.Duration   // a contact surveyed more recently is skipped; negative: no limit (default 90 days)

	Workers     int           // concurrent senders per process (4)
	Rate        float64       // messages per second per process; negative: unlimited (50)
	BatchSize   int           // messages claimed, and invitations fed, together (100)
	FeedBelow   int           // feed the outbox only while it holds fewer messages (1000)
	Lease       time.Duration // how long a claim is a worker's alone (2m)
	MaxAttempts int           // failed attempts before a message is given up (8)
	BackoffBase time.Duration // wait after the first failed attempt, doubling after each (30s)
	BackoffMax  time.Duration // longest wait between attempts (1h)
	// UnreachablePause is how long every worker waits when the mail server
	// cannot be reached, doubling while it stays so, up to 5 minutes (5s).
	UnreachablePause time.Duration

	PollInterval   time.Duration // how often an idle worker looks for work (1s)
	FeedInterval   time.Duration // feeder and campaign start/finish (1s)
	RemindInterval time.Duration // reminders and the answered census (1m)
	SweepInterval  time.Duration // expired leases and feeds, dev outbox and dead letters (30s)
	CensusInterval time.Duration // how stale a campaign's answered count may get while it sends (5m)
	// ScheduleInterval is how often the feeder looks for schedules whose
	// period has come (15s).
	ScheduleInterval time.Duration
	DevOutboxKeep    int           // messages the dev outbox keeps (1000)
	DeadLetterTTL    time.Duration // how long failed and bounced messages are listed (30 days)
}

// Defaults.
const (
	DefaultContactFrequency = 90 * 24 * time.Hour
	DefaultReminders        = 1
	DefaultReminderDays     = 7
	MaxReminders            = 5
	MaxReminderDays         = 60
	// MaxScheduleAhead bounds how far ahead a campaign may be scheduled.
	MaxScheduleAhead = 365 * 24 * time.Hour
	// unsubscribeValidity is how long an unsubscribe link works: long, as
	// people unsubscribe from old mail too.
	unsubscribeValidity = 365 * 24 * time.Hour
	// reminderMinValidity keeps reminders from going out for a link about
	// to expire.
	reminderMinValidity = 24 * time.Hour
)

func (c Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.ContactFrequency == 0 {
		c.ContactFrequency = DefaultContactFrequency
	}
	if c.Rate == 0 {
		c.Rate = 50
	}
	if c.From.Address == "" {
		c.From = netmail.Address{Name: "Candor", Address: "candor@localhost"}
	}
	defInt(&c.Workers, 4)
	defInt(&c.BatchSize, 100)
	defInt(&c.FeedBelow, 1000)
	defInt(&c.MaxAttempts, 8)
	defInt(&c.DevOutboxKeep, 1000)
	def(&c.Lease, 2*time.Minute)
	def(&c.BackoffBase, 30*time.Second)
	def(&c.BackoffMax, time.Hour)
	def(&c.UnreachablePause, 5*time.Second)
	def(&c.PollInterval, time.Second)
	def(&c.FeedInterval, time.Second)
	def(&c.RemindInterval, time.Minute)
	def(&c.SweepInterval, 30*time.Second)
	def(&c.CensusInterval, 5*time.Minute)
	def(&c.ScheduleInterval, 15*time.Second)
	def(&c.DeadLetterTTL, 30*24*time.Hour)
	return c
}

// Deps is what the Service and the Dispatcher are built from.
type Deps struct {
	Stores    Stores
	Customers Customers
	Links     *link.Signer
	Config    Config
	Logger    *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now
	Observer  Observer         // hears what became of each message; nil: nobody
	Events    Events           // hears of finished campaigns; nil: nobody
	// ReturnPaths gives each message an envelope sender of its own, so
	// that a bounce arriving later names it (bounce.ReturnPaths); nil: the
	// From address, as bounces that arrive later are not read.
	ReturnPaths ReturnPaths
}

// ReturnPaths makes the envelope sender of an invitation's message (round
// 0) or of its reminder round.
type ReturnPaths interface {
	ReturnPath(invitationID string, round int) (string, error)
}

// base is what the Service and the Dispatcher share.
type base struct {
	stores    Stores
	customers Customers
	links     *link.Signer
	cfg       Config
	email     *renderer
	logger    *slog.Logger
	now       func() time.Time
	observer  Observer
	returns   ReturnPaths
	events    Events
}

func newBase(d Deps) (base, error) {
	if d.Customers == nil || d.Links == nil || d.Stores.Campaigns == nil {
		return base{}, errors.New("invite: Deps needs Stores, Customers and Links")
	}
	r, err := newRenderer()
	if err != nil {
		return base{}, err
	}
	b := base{stores: d.Stores, customers: d.Customers, links: d.Links, cfg: d.Config.withDefaults(),
		email: r, logger: d.Logger, now: d.Now, observer: d.Observer, returns: d.ReturnPaths, events: d.Events}
	if b.observer == nil {
		b.observer = noObserver{}
	}
	if b.logger == nil {
		b.logger = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

// clock returns the current time in UTC at the millisecond precision the
// database keeps, so that a time read back equals the time written.
func (b *base) clock() time.Time { return b.now().UTC().Truncate(time.Millisecond) }
