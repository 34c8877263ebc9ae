package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store/mongodoc"
)

// ImportState is where a contacts import stands.
type ImportState string

// Import states, in order. Only staged → running is contended (a double
// click, two processes), so Start is a compare-and-swap; later changes are
// made by the one runner that won it.
const (
	ImportStaged  ImportState = "staged" // uploaded and previewed, waiting to be confirmed
	ImportRunning ImportState = "running"
	ImportDone    ImportState = "done"
	ImportFailed  ImportState = "failed"
)

// ImportCounts tallies the rows of an import.
type ImportCounts struct {
	Rows      int `bson:"rows"`
	Created   int `bson:"created"`
	Updated   int `bson:"updated"`
	Unchanged int `bson:"unchanged"`
	Rejected  int `bson:"rejected"`
}

// ImportFile is what the preview found a file to be; it quotes no row.
type ImportFile struct {
	Encoding      string `bson:"encoding"`
	BOM           bool   `bson:"bom,omitempty"`
	Delimiter     string `bson:"delimiter"`
	Lines         int    `bson:"lines"`
	Rows          int    `bson:"rows"`
	MultiLineRows int    `bson:"multiLineRows,omitempty"`
	ExtraLines    int    `bson:"extraLines,omitempty"`
	BlankLines    int    `bson:"blankLines,omitempty"`
	NotRead       int    `bson:"notRead,omitempty"`
	ErrorLine     int    `bson:"errorLine,omitempty"`
	Error         string `bson:"error,omitempty"` // why the file does not parse: such an import cannot start
}

// Import is one contacts file from upload to report. The file waits in
// uploads, sealed, until it is imported. Report names people (rejected
// emails, preview rows), so it is sealed too, with the import's own data
// key; deleting the record shreds both.
type Import struct {
	ID         string       `bson:"_id"`
	UserID     string       `bson:"userId"` // only this user may see or start it
	State      ImportState  `bson:"state"`
	FileName   string       `bson:"fileName"`
	Size       int64        `bson:"size"`
	Chunks     int          `bson:"chunks"`
	DataKey    seal.Box     `bson:"dataKey"`
	Preview    ImportCounts `bson:"preview"` // what the dry run found; Preview.Rows is the file's row count
	File       ImportFile   `bson:"file"`
	Progress   ImportCounts `bson:"progress"`
	Report     []byte       `bson:"report,omitempty"`
	Failure    string       `bson:"failure,omitempty"` // why a failed import stopped, fit to show its owner
	CreatedAt  time.Time    `bson:"createdAt"`
	StartedAt  *time.Time   `bson:"startedAt,omitempty"`
	UpdatedAt  time.Time    `bson:"updatedAt"` // while running, the last progress report: a heartbeat
	FinishedAt *time.Time   `bson:"finishedAt,omitempty"`
	ExpiresAt  time.Time    `bson:"expiresAt"` // DeleteExpired removes it after this
}

// ImportOutcome is how a running import ended.
type ImportOutcome struct {
	State     ImportState // ImportDone or ImportFailed
	Progress  ImportCounts
	Report    []byte
	Failure   string
	At        time.Time
	ExpiresAt time.Time
}

// Imports is the imports collection. It stays small: records expire, and a
// sweep removes them, so its few non-_id queries may scan.
type Imports struct{ c *mongo.Collection }

func (r *Imports) Collection() *mongo.Collection { return r.c }

func (r *Imports) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("expires", "expiresAt"),
	}
}

// Insert adds an import.
func (r *Imports) Insert(ctx context.Context, imp Import) error {
	return mongodoc.Insert(ctx, r.c, imp, "import", "")
}

// ByID returns one import.
func (r *Imports) ByID(ctx context.Context, id string) (Import, error) {
	return mongodoc.ByID[Import](ctx, r.c, "find import", id)
}

// Start moves a staged import of userID that has not expired, and whose
// file parsed, to running, atomically, so that it runs once however often
// it is confirmed. ErrNotFound when there is no such import to start.
func (r *Imports) Start(ctx context.Context, id, userID string, now, expiresAt time.Time) (Import, error) {
	return mongodoc.UpdateAndGet[Import](ctx, r.c, "start import",
		bson.D{
			{Key: "_id", Value: id},
			{Key: "userId", Value: userID},
			{Key: "state", Value: ImportStaged},
			{Key: "expiresAt", Value: bson.D{{Key: "$gt", Value: now}}},
			{Key: "file.error", Value: bson.D{{Key: "$exists", Value: false}}},
		},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "state", Value: ImportRunning},
			{Key: "startedAt", Value: now},
			{Key: "updatedAt", Value: now},
			{Key: "expiresAt", Value: expiresAt},
		}}})
}

// Progress records a running import's counts; it doubles as its heartbeat.
func (r *Imports) Progress(ctx context.Context, id string, p ImportCounts, now time.Time) error {
	_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "progress", Value: p}, {Key: "updatedAt", Value: now}}}})
	if err != nil {
		return fmt.Errorf("store: import progress: %w", err)
	}
	return nil
}

// Finish records how an import ended.
func (r *Imports) Finish(ctx context.Context, id string, o ImportOutcome) error {
	if o.State != ImportDone && o.State != ImportFailed {
		return fmt.Errorf("store: finish import in state %q", o.State)
	}
	set := bson.D{
		{Key: "state", Value: o.State},
		{Key: "progress", Value: o.Progress},
		{Key: "report", Value: o.Report},
		{Key: "updatedAt", Value: o.At},
		{Key: "finishedAt", Value: o.At},
		{Key: "expiresAt", Value: o.ExpiresAt},
	}
	if o.Failure != "" {
		set = append(set, bson.E{Key: "failure", Value: o.Failure})
	}
	res, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("store: finish import: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: finish import: %w", ErrNotFound)
	}
	return nil
}

// DataKeys returns every import's id and wrapped data key. The collection
// stays small (records expire), so it is read whole.
func (r *Imports) DataKeys(ctx context.Context) (map[string]seal.Box, error) {
	all, err := mongodoc.FindAll[Import](ctx, r.c, "import keys", bson.D{}, options.Find().SetProjection(bson.D{{Key: "dataKey", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make(map[string]seal.Box, len(all))
	for _, imp := range all {
		out[imp.ID] = imp.DataKey
	}
	return out, nil
}

// Rekey replaces an import's wrapped data key from → to, only while it
// still has from; ErrConflict otherwise (it was deleted, or rekeyed by
// another process).
func (r *Imports) Rekey(ctx context.Context, id string, from, to seal.Box) error {
	res, err := r.c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "dataKey.k", Value: from.KeyID}, {Key: "dataKey.d", Value: from.Data}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "dataKey", Value: to}}}})
	if err != nil {
		return fmt.Errorf("store: rekey import: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: rekey import %s: %w", id, ErrConflict)
	}
	return nil
}

// Delete removes an import.
func (r *Imports) Delete(ctx context.Context, id string) error {
	if _, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("store: delete import: %w", err)
	}
	return nil
}

// DeleteExpired removes the imports that expired before now, and with
// their data keys whatever they sealed.
func (r *Imports) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	return mongodoc.DeleteBefore(ctx, r.c, "sweep imports", "expiresAt", now)
}
