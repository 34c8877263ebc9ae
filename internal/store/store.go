// Package store is Candor's MongoDB layer: the client, one file per
// collection, their indexes and the sentinel errors callers branch on.
//
// Every state change is one single-document atomic write, because the
// embedded database (FerretDB behind a write-serialising front) offers no
// transactions; see DESIGN.md.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/mongodoc"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/store/webhooks"
)

// Sentinel errors; the same values whichever repository returns them.
var (
	ErrNotFound  = mongodoc.ErrNotFound
	ErrDuplicate = mongodoc.ErrDuplicate
	ErrConflict  = mongodoc.ErrConflict
)

// DefaultDatabase is used when the URI names none.
const DefaultDatabase = "candor"

// Store is the handle every repository hangs off.
type Store struct {
	client *mongo.Client // nil when the Store wraps a database it does not own
	db     *mongo.Database

	Users *Users
	// RevokedTokens and PasswordResets back staff sign-out and password
	// resets.
	RevokedTokens  *RevokedTokens
	PasswordResets *PasswordResets
	Accounts       *Accounts
	Contacts       *contacts.Repo
	Surveys        *Surveys

	Invitations  *Invitations
	Suppressions *Suppressions

	Imports *Imports
	Uploads *Uploads

	Responses    *Responses
	Consents     *consents.Repo
	Audit        *Audit
	EmailChanges *EmailChanges

	Rollups *rollups.Repo
	Quotes  *Quotes
	// QuoteThemes is the themes computed from quotes, and their marks.
	QuoteThemes *QuoteThemes

	Campaigns *Campaigns
	Schedules *Schedules
	Outbox    *outbox.Repo
	DevMails  *outbox.DevMails

	Followups *Followups

	Markers   *Markers   // once-only work done; no indexes beyond _id
	Retention *Retention // the retention policy and its sweep; no indexes beyond _id
	IndexKeys *IndexKeys // blind-index keys kept from retired root keys

	Bounces *Bounces // bounces and complaints acted on, soft bounces by address, the mailbox lease
	// Webhooks is the outgoing webhooks: endpoints, deliveries, thresholds.
	Webhooks *webhooks.Repo
}

// Open connects to uri and checks the server answers. The database is the
// one named in the URI path, or DefaultDatabase. Read preference, read
// concern, write concern and retryable writes and reads in the URI are
// overridden; see consistency.
func Open(ctx context.Context, uri string) (*Store, error) {
	return open(ctx, uri, nil)
}

// consistency is how Candor reads and writes, whatever the URI says.
// Candor's request and dispatch paths read what they have just written
// (a claim, then the claimed documents; a compare-and-swap, then the
// saved revision), so reads go to the primary; a secondary may lag behind.
// Writes wait for a journaled majority, so that a write acknowledged to a
// respondent survives a failover. Reads use "local": on the primary it
// sees every acknowledged write, whereas "majority" without causally
// consistent sessions can miss one just after a failover.
func consistency() (*readpref.ReadPref, *readconcern.ReadConcern, *writeconcern.WriteConcern) {
	wc := writeconcern.Majority()
	journal := true
	wc.Journal = &journal
	return readpref.Primary(), readconcern.Local(), wc
}

func pinnedDatabase() *options.DatabaseOptionsBuilder {
	rp, rc, wc := consistency()
	return options.Database().SetReadPreference(rp).SetReadConcern(rc).SetWriteConcern(wc)
}

// open is Open with a command monitor, nil for none (tests watch the
// commands sent).
func open(ctx context.Context, uri string, monitor *event.CommandMonitor) (*Store, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return nil, fmt.Errorf("store: parse uri: %w", err)
	}
	name := cs.Database
	if name == "" {
		name = DefaultDatabase
	}
	opts := options.Client().ApplyURI(uri).
		SetAppName("candor").
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second)
	// The client too, for the few commands that go through it (ping).
	rp, rc, wc := consistency()
	opts.SetReadPreference(rp).SetReadConcern(rc).SetWriteConcern(wc)
	// Retried writes and reads too: single-document writes (claims, takes,
	// inserts with derived ids) rely on the driver repeating them once
	// across a step-down, and retryWrites=false in a URI would quietly
	// turn every failover into errors at the respondent.
	opts.SetRetryWrites(true).SetRetryReads(true)
	if monitor != nil {
		opts.SetMonitor(monitor)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := New(client.Database(name))
	s.client = client
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

// New wraps an open database; Close then leaves its client alone. The
// handle is re-opened with Candor's read preference and concerns pinned
// (see consistency), whatever the database was opened with.
func New(db *mongo.Database) *Store {
	db = db.Client().Database(db.Name(), pinnedDatabase())
	return &Store{
		db:    db,
		Users: &Users{c: db.Collection("users")},

		RevokedTokens:  &RevokedTokens{c: db.Collection("revoked_tokens")},
		PasswordResets: &PasswordResets{c: db.Collection("password_resets")},

		Accounts: &Accounts{c: db.Collection("accounts")},
		Contacts: contacts.New(db),
		Surveys:  &Surveys{c: db.Collection("surveys"), logos: db.Collection("survey_logos")},

		Invitations:  &Invitations{c: db.Collection("invitations"), keys: db.Collection("invitation_keys")},
		Suppressions: &Suppressions{c: db.Collection("suppressions")},

		Imports: &Imports{c: db.Collection("imports")},
		Uploads: &Uploads{c: db.Collection("uploads")},

		Responses: &Responses{c: db.Collection("responses")},
		Consents:  consents.New(db),
		Audit:     &Audit{c: db.Collection("audit")},

		EmailChanges: &EmailChanges{c: db.Collection("email_changes")},

		Rollups: rollups.New(db),
		Quotes:  &Quotes{c: db.Collection("quotes")},

		QuoteThemes: &QuoteThemes{c: db.Collection("quote_themes"), marks: db.Collection("quote_theme_marks")},

		Campaigns: &Campaigns{c: db.Collection("campaigns"), batches: db.Collection("campaign_batches"), skips: db.Collection("campaign_skips")},
		Schedules: &Schedules{c: db.Collection("campaign_schedules")},
		Outbox:    outbox.New(db),
		DevMails:  outbox.NewDevMails(db),

		Followups: &Followups{c: db.Collection("followups"), alerts: db.Collection("followup_alerts")},
		Markers:   &Markers{c: db.Collection("markers")},
		IndexKeys: &IndexKeys{c: db.Collection("index_keys")},

		Bounces:   newBounces(db),
		Retention: &Retention{c: db.Collection("retention")},
		Webhooks:  webhooks.New(db),
	}
}

// DB exposes the database for the few tools that work on it directly.
func (s *Store) DB() *mongo.Database { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.Client().Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close disconnects a client opened by Open.
func (s *Store) Close(ctx context.Context) error {
	if s.client == nil {
		return nil
	}
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("store: disconnect: %w", err)
	}
	return nil
}

// Migrate creates the collections' indexes. It is idempotent: existing
// indexes with the same definition are left as they are.
func (s *Store) Migrate(ctx context.Context) error {
	for _, r := range s.repositories() {
		// One at a time: FerretDB's createIndexes fails when several of the
		// requested indexes exist already.
		for _, idx := range r.Indexes() {
			if _, err := r.Collection().Indexes().CreateOne(ctx, idx); err != nil {
				return fmt.Errorf("store: indexes on %s: %w", r.Collection().Name(), err)
			}
		}
	}
	return nil
}

func (s *Store) repositories() []mongodoc.Indexed {
	all := []mongodoc.Indexed{s.Users, s.Accounts, s.Contacts, s.Surveys, s.Invitations, s.Suppressions, s.Imports, s.Uploads,
		s.Responses, s.Consents, s.Audit, s.Rollups}
	all = append(all, s.Quotes, s.RevokedTokens, s.PasswordResets, s.EmailChanges)
	all = append(all, s.Campaigns, s.Schedules, s.Outbox, s.DevMails)
	all = append(all, s.Campaigns.Related()...)
	all = append(all, s.Followups)
	all = append(all, s.Followups.Related()...)
	all = append(all, s.Rollups.Related()...)
	all = append(all, s.Bounces)
	all = append(all, s.Webhooks)
	all = append(all, s.Webhooks.Related()...)
	return append(all, s.Outbox.Related()...)
}

// Page selects a slice of a sorted list.
type Page = mongodoc.Page

// NewID returns a random 128-bit hex id. Random ids, unlike ObjectIDs, carry
// no creation time that could be joined to other records.
func NewID() string { return mongodoc.NewID() }

// FoldName is the comparison form of a name: case-folded, single-spaced.
func FoldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// IsUnavailable reports whether err means the database could not be
// reached in time, as opposed to a bug or bad input; callers answer 503.
func IsUnavailable(err error) bool { return mongodoc.IsUnavailable(err) }

// Scrub makes the content of deleted documents leave the database's files
// where the server allows it. The embedded database overwrites deleted
// content as it deletes (secure_delete) but keeps the pages a delete wrote
// over in its write-ahead log until a checkpoint: Scrub checkpoints and
// truncates the log. MongoDB has no such command (CommandNotFound): there,
// WiredTiger reuses the space of deleted documents in its own time, and
// the oplog and backups keep theirs (see docs/privacy.md).
func (s *Store) Scrub(ctx context.Context) error {
	err := s.db.RunCommand(ctx, bson.D{{Key: embeddedCheckpoint, Value: 1}}).Err()
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == commandNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: scrub: %w", err)
	}
	return nil
}

// embeddedCheckpoint is embedded.CheckpointCommand, named again here so
// that the store does not import the embedded server.
const embeddedCheckpoint = "candorCheckpoint"

// commandNotFound is MongoDB's error code for an unknown command.
const commandNotFound = 59
