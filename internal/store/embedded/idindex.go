//go:build !noembed

package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // FerretDB's SQLite driver, registered as "sqlite"
)

// FerretDB v1.24's SQLite layout.
const (
	// idExpr is the expression FerretDB compares in every _id look-up, update and
	// delete (metadata.IDColumn). Its own _id index is built on
	// _ferretdb_sjson->"_id", which SQLite's planner does not match against it, so
	// without this index every _id look-up scans the table.
	idExpr = `_ferretdb_sjson->'$._id'`
	// collectionsTable maps collection names to table names in each database file.
	collectionsTable = "_ferretdb_collections"
	dbFileExt        = ".sqlite"
	idIndexSuffix    = "_candor_id"
	// secureDelete makes SQLite overwrite deleted content with zeros instead
	// of leaving it in free pages and cells, where a person's erased data
	// would stay readable in the file (https://sqlite.org/pragma.html#pragma_secure_delete).
	secureDelete = "secure_delete(1)"
)

// idIndexer adds the _id index FerretDB's queries can use to every collection table.
// Its hooks run under the front's write lock, so no FerretDB write overlaps them.
type idIndexer struct {
	dir string
	log *slog.Logger

	mu    sync.Mutex
	dbs   map[string]*sql.DB         // database name -> handle on its file
	fixed map[string]map[string]bool // database -> collections whose table is indexed
}

var _ writeHooks = (*idIndexer)(nil)

func newIDIndexer(dir string, log *slog.Logger) *idIndexer {
	return &idIndexer{
		dir:   dir,
		log:   log,
		dbs:   map[string]*sql.DB{},
		fixed: map[string]map[string]bool{},
	}
}

func (x *idIndexer) beforeWrite(cmd command) {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch cmd.name {
	case "dropDatabase":
		// FerretDB deletes the file after closing its own handles; ours must be gone
		// by then, or the last close would checkpoint into a deleted file and remove
		// the WAL of a database re-created under the same name.
		if db := x.dbs[cmd.db]; db != nil {
			if err := db.Close(); err != nil {
				x.log.Warn("embedded: close database", "db", cmd.db, "err", err)
			}
			delete(x.dbs, cmd.db)
		}
		delete(x.fixed, cmd.db)
	case "drop":
		delete(x.fixed[cmd.db], cmd.coll)
	case "renameCollection":
		// The table keeps its index under the new name, but the old name may be
		// re-created as a new table: look again at the next write.
		clear(x.fixed)
	}
}

func (x *idIndexer) afterWrite(cmd command) {
	switch cmd.name {
	case "insert", "update", "findAndModify", "findandmodify", "create", "createIndexes":
	default:
		return // cannot create a collection
	}
	if cmd.coll == "" {
		return
	}
	x.mu.Lock()
	known := x.fixed[cmd.db][cmd.coll]
	x.mu.Unlock()
	if known {
		return
	}
	if err := x.fixDB(cmd.db); err != nil {
		x.log.Warn("embedded: _id index", "db", cmd.db, "err", err)
	}
}

// fixAll indexes every existing database file.
func (x *idIndexer) fixAll() {
	files, err := filepath.Glob(filepath.Join(x.dir, "*"+dbFileExt))
	if err != nil {
		x.log.Warn("embedded: list databases", "err", err)
		return
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), dbFileExt)
		if err := x.fixDB(name); err != nil {
			x.log.Warn("embedded: _id index", "db", name, "err", err)
		}
	}
}

// fixDB creates the missing _id indexes of every collection in database name.
func (x *idIndexer) fixDB(name string) error {
	if !validDBName(name) {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	db, err := x.open(name)
	if err != nil || db == nil {
		return err
	}
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name, table_name FROM `+quoteIdent(collectionsTable))
	if err != nil {
		return fmt.Errorf("read collections: %w", err)
	}
	type coll struct{ name, table string }
	var colls []coll
	for rows.Next() {
		var c coll
		if err := rows.Scan(&c.name, &c.table); err != nil {
			_ = rows.Close()
			return fmt.Errorf("read collections: %w", err)
		}
		colls = append(colls, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read collections: %w", err)
	}

	var errs []error
	for _, c := range colls {
		if x.fixed[name][c.name] {
			continue
		}
		if _, err := db.ExecContext(ctx, createIDIndexSQL(c.table)); err != nil {
			errs = append(errs, fmt.Errorf("collection %q: %w", c.name, err))
			continue
		}
		if x.fixed[name] == nil {
			x.fixed[name] = map[string]bool{}
		}
		x.fixed[name][c.name] = true
	}
	return errors.Join(errs...)
}

// open returns a handle on database name, or nil if it has no file.
func (x *idIndexer) open(name string) (*sql.DB, error) {
	if db := x.dbs[name]; db != nil {
		return db, nil
	}
	path := filepath.Join(x.dir, name+dbFileExt)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	// mode=rw: never create a file FerretDB does not know about.
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(10000)&_pragma="+secureDelete)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	x.dbs[name] = db
	return db, nil
}

// checkpoint moves every database's write-ahead log into its file and
// truncates the log (PRAGMA wal_checkpoint(TRUNCATE)). A reader holding an
// old snapshot makes SQLite wait for it (busy_timeout), then report busy,
// which is an error here: the caller tries again later.
func (x *idIndexer) checkpoint() error {
	files, err := filepath.Glob(filepath.Join(x.dir, "*"+dbFileExt))
	if err != nil {
		return fmt.Errorf("list databases: %w", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var errs []error
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), dbFileExt)
		if !validDBName(name) {
			continue
		}
		db, err := x.open(name)
		if err != nil || db == nil {
			errs = append(errs, err)
			continue
		}
		var busy, logFrames, checkpointed int
		if err := db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint %s: %w", name, err))
			continue
		}
		if busy != 0 {
			errs = append(errs, fmt.Errorf("checkpoint %s: a reader kept %d of %d frames in the log", name, logFrames-checkpointed, logFrames))
		}
	}
	return errors.Join(errs...)
}

func (x *idIndexer) close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	var errs []error
	for name, db := range x.dbs {
		errs = append(errs, db.Close())
		delete(x.dbs, name)
	}
	return errors.Join(errs...)
}

func createIDIndexSQL(table string) string {
	return fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (%s)`,
		quoteIdent(table+idIndexSuffix), quoteIdent(table), idExpr)
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// validDBName mirrors FerretDB's rule (^[a-zA-Z0-9_-]{1,63}$), which also keeps the
// name a plain file name.
func validDBName(name string) bool {
	if len(name) == 0 || len(name) > 63 {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
