//go:build !noembed

package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Tests here start servers one after another: Start must not run concurrently.

func startServer(t *testing.T, dir string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func connect(t *testing.T, uri string, opts ...*options.ClientOptions) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(append([]*options.ClientOptions{options.Client().ApplyURI(uri)}, opts...)...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestAtomicityThroughFront(t *testing.T) {
	s := startServer(t, t.TempDir())
	db := connect(t, s.URI()).Database("atomic")

	t.Run("inc", func(t *testing.T) {
		ctx := ctxT(t)
		coll := db.Collection("counters")
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 50
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for range workers {
			wg.Go(func() {
				for range each {
					res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}},
						bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
					if err == nil && res.ModifiedCount != 1 {
						err = fmt.Errorf("modified %d", res.ModifiedCount)
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var got struct{ N int }
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.N != workers*each {
			t.Fatalf("n = %d, want %d", got.N, workers*each)
		}
	})

	t.Run("claims", func(t *testing.T) {
		ctx := ctxT(t)
		coll := db.Collection("queue")
		const docs, workers = 200, 8
		batch := make([]any, docs)
		for i := range batch {
			batch[i] = bson.D{{Key: "_id", Value: i}, {Key: "state", Value: "queued"}}
		}
		if _, err := coll.InsertMany(ctx, batch); err != nil {
			t.Fatal(err)
		}

		var mu sync.Mutex
		claims := map[int][]int{} // doc -> workers that were handed it
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				for {
					var doc struct {
						ID    int `bson:"_id"`
						State string
						By    int
					}
					err := coll.FindOneAndUpdate(ctx,
						bson.D{{Key: "state", Value: "queued"}},
						bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "claimed"}, {Key: "by", Value: w}}}},
						options.FindOneAndUpdate().SetReturnDocument(options.After),
					).Decode(&doc)
					if errors.Is(err, mongo.ErrNoDocuments) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					if doc.State != "claimed" || doc.By != w {
						errs <- fmt.Errorf("worker %d got %+v", w, doc)
						return
					}
					mu.Lock()
					claims[doc.ID] = append(claims[doc.ID], w)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(claims) != docs {
			t.Errorf("%d docs claimed, want %d", len(claims), docs)
		}
		for id, ws := range claims {
			if len(ws) != 1 {
				t.Errorf("doc %d claimed by workers %v", id, ws)
			}
		}
		// The stored owner is the worker that was handed the document.
		cur, err := coll.Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var stored []struct {
			ID    int `bson:"_id"`
			State string
			By    int
		}
		if err := cur.All(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		for _, d := range stored {
			if d.State != "claimed" || len(claims[d.ID]) != 1 || claims[d.ID][0] != d.By {
				t.Errorf("stored %+v, handed to %v", d, claims[d.ID])
			}
		}
	})
}

// TestUnacknowledgedWrite sends a w:0 insert (OP_MSG with moreToCome) on a single
// connection: the front must swallow FerretDB's reply, or the next command on the
// connection would read it as its own.
func TestUnacknowledgedWrite(t *testing.T) {
	s := startServer(t, t.TempDir())
	ctx := ctxT(t)
	c := connect(t, s.URI(), options.Client().SetMaxPoolSize(1))
	db := c.Database("unack")
	w0 := db.Collection("c", options.Collection().SetWriteConcern(writeconcern.Unacknowledged()))
	for i := range 5 {
		if _, err := w0.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint("u", i)}}); err != nil {
			t.Fatalf("w:0 insert: %v", err)
		}
	}
	n, err := db.Collection("c").CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("count = %d, want 5", n)
	}
	var got bson.M
	if err := db.Collection("c").FindOne(ctx, bson.D{{Key: "_id", Value: "u3"}}).Decode(&got); err != nil {
		t.Fatalf("find after w:0 inserts: %v", err)
	}
}

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)

	s1, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c1, err := mongo.Connect(options.Client().ApplyURI(s1.URI()))
	if err != nil {
		t.Fatal(err)
	}
	coll := c1.Database("keep").Collection("things")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "a"}, {Key: "v", Value: 1}},
		bson.D{{Key: "_id", Value: "b"}, {Key: "v", Value: 2}},
	}); err != nil {
		t.Fatal(err)
	}
	_ = c1.Disconnect(ctx)
	if err := s1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s1.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(s1.URI(), "mongodb://"), "/")
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = c.Close()
		t.Error("front still accepts connections after Close")
	}

	s2 := startServer(t, dir)
	coll = connect(t, s2.URI()).Database("keep").Collection("things")
	var got struct{ V int }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "b"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.V != 2 {
		t.Fatalf("v = %d, want 2", got.V)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}
}

// sqliteDB opens a database file of server data dir dir directly.
func sqliteDB(t *testing.T, dir, db string) *sql.DB {
	t.Helper()
	h, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db", db+dbFileExt)+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func tableName(t *testing.T, h *sql.DB, coll string) string {
	t.Helper()
	var table string
	if err := h.QueryRow(`SELECT table_name FROM `+collectionsTable+` WHERE name = ?`, coll).Scan(&table); err != nil {
		t.Fatalf("table of %q: %v", coll, err)
	}
	return table
}

// sqlitePlan runs EXPLAIN QUERY PLAN and returns the detail column.
func sqlitePlan(t *testing.T, h *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := h.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		details = append(details, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(details, "; ")
}

// ferretPlan asks FerretDB to explain find {_id: id}; it answers with SQLite's plan
// for the very query it runs.
func ferretPlan(t *testing.T, ctx context.Context, db *mongo.Database, coll, id string) string {
	t.Helper()
	var res struct {
		QueryPlanner struct{ Plan []string }
	}
	err := db.RunCommand(ctx, bson.D{
		{Key: "explain", Value: bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: bson.D{{Key: "_id", Value: id}}}}},
	}).Decode(&res)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	return strings.Join(res.QueryPlanner.Plan, "; ")
}

func insertDocs(t *testing.T, ctx context.Context, coll *mongo.Collection, from, to int) {
	t.Helper()
	const batchSize = 1000
	for i := from; i < to; i += batchSize {
		batch := make([]any, 0, batchSize)
		for j := i; j < min(i+batchSize, to); j++ {
			batch = append(batch, bson.D{{Key: "_id", Value: docID(j)}, {Key: "n", Value: j}, {Key: "pad", Value: "some text to give the row a realistic size"}})
		}
		if _, err := coll.InsertMany(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
}

func docID(i int) string { return fmt.Sprintf("k%06d", i) }

// timeLookups returns the mean time of finding lookups documents by _id among n.
func timeLookups(t *testing.T, ctx context.Context, coll *mongo.Collection, n, lookups int) time.Duration {
	t.Helper()
	start := time.Now()
	for i := range lookups {
		var got struct{ N int }
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: docID(i * n / lookups)}}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.N != i*n/lookups {
			t.Fatalf("n = %d, want %d", got.N, i*n/lookups)
		}
	}
	return time.Since(start) / time.Duration(lookups)
}

// TestIDIndex proves FerretDB's _id look-ups, updates and deletes use the added
// index and do not use FerretDB's own.
func TestIDIndex(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	ctx := ctxT(t)
	db := connect(t, s.URI()).Database("idx")
	coll := db.Collection("docs")

	insertDocs(t, ctx, coll, 0, 2000)
	h := sqliteDB(t, dir, "idx")
	table := tableName(t, h, "docs")
	index := table + idIndexSuffix
	usesIndex := "USING INDEX " + index

	// The statements FerretDB runs by _id (backends/sqlite/collection.go:
	// Query, UpdateAll, DeleteAll). A fresh connection's plan is current; one of
	// FerretDB's pooled connections may explain against a schema it loaded
	// earlier, so FerretDB's own explain is checked after the restart below.
	selectByID := fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE %s = ? LIMIT ?`, table, idExpr)
	for _, q := range []string{
		selectByID,
		fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE %s = ?`, table, idExpr),
		fmt.Sprintf(`DELETE FROM %q WHERE %s IN (?, ?)`, table, idExpr),
	} {
		if plan := sqlitePlan(t, h, q, `"k000001"`, 1); !strings.Contains(plan, usesIndex) {
			t.Errorf("%s: plan %q does not use %s", q, plan, index)
		}
	}
	small := timeLookups(t, ctx, coll, 2000, 20)
	insertDocs(t, ctx, coll, 2000, 20000)
	large := timeLookups(t, ctx, coll, 20000, 20)
	t.Logf("_id look-up with the index: %v at 2,000 docs, %v at 20,000 docs", small, large)

	// Control: FerretDB's own unique _id index is there, yet without the added
	// one its query scans the table.
	var own int
	if err := h.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, table+"__id_").Scan(&own); err != nil || own != 1 {
		t.Fatalf("FerretDB's own _id index: %d, %v", own, err)
	}
	if _, err := h.Exec(`DROP INDEX ` + quoteIdent(index)); err != nil {
		t.Fatal(err)
	}
	if plan := sqlitePlan(t, h, selectByID, `"k000007"`, 1); strings.Contains(plan, "USING INDEX") || !strings.Contains(plan, "SCAN") {
		t.Fatalf("without %s the plan should scan: %s", index, plan)
	}
	t.Logf("_id look-up without it at 20,000 docs: %v", timeLookups(t, ctx, coll, 20000, 3))

	// A restart indexes existing databases, and FerretDB's own explain agrees.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, dir)
	db = connect(t, s.URI()).Database("idx")
	if plan := ferretPlan(t, ctx, db, "docs", docID(7)); !strings.Contains(plan, usesIndex) {
		t.Fatalf("FerretDB's find by _id after restart: %s", plan)
	}
	// EXPLAIN does not notice schema changes made by other connections; ask a new one.
	if plan := sqlitePlan(t, sqliteDB(t, dir, "idx"), selectByID, `"k000007"`, 1); !strings.Contains(plan, usesIndex) {
		t.Fatalf("after restart: %s", plan)
	}
}

func hasIDIndex(t *testing.T, h *sql.DB, coll string) bool {
	t.Helper()
	var n int
	err := h.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`,
		tableName(t, h, coll)+idIndexSuffix).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// Every way of creating a collection ends with the index, also after a drop.
func TestIDIndexFollowsCollections(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	ctx := ctxT(t)
	db := connect(t, s.URI()).Database("follow")

	create := map[string]func(c *mongo.Collection) error{
		"insert": func(c *mongo.Collection) error {
			_, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}})
			return err
		},
		"upsert": func(c *mongo.Collection) error {
			_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "x"}},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
			return err
		},
		"findAndModify": func(c *mongo.Collection) error {
			err := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "x"}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: 1}}}}, options.FindOneAndUpdate().SetUpsert(true)).Err()
			if errors.Is(err, mongo.ErrNoDocuments) {
				err = nil
			}
			return err
		},
		"create": func(c *mongo.Collection) error {
			return db.CreateCollection(ctx, c.Name())
		},
		"createIndexes": func(c *mongo.Collection) error {
			_, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}})
			return err
		},
	}
	for name, fn := range create {
		t.Run(name, func(t *testing.T) {
			c := db.Collection("c_" + name)
			if err := fn(c); err != nil {
				t.Fatal(err)
			}
			h := sqliteDB(t, dir, "follow")
			if !hasIDIndex(t, h, c.Name()) {
				t.Fatal("no _id index after creation")
			}
			if err := c.Drop(ctx); err != nil {
				t.Fatal(err)
			}
			if err := fn(c); err != nil {
				t.Fatal(err)
			}
			if !hasIDIndex(t, h, c.Name()) {
				t.Fatal("no _id index after drop and re-creation")
			}
		})
	}

	t.Run("dropDatabase", func(t *testing.T) {
		other := db.Client().Database("follow_drop")
		c := other.Collection("c")
		if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
			t.Fatal(err)
		}
		if err := other.Drop(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "db", "follow_drop"+dbFileExt)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("database file after dropDatabase: %v", err)
		}
		if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}}); err != nil {
			t.Fatal(err)
		}
		if !hasIDIndex(t, sqliteDB(t, dir, "follow_drop"), "c") {
			t.Fatal("no _id index after dropDatabase and re-creation")
		}
		if n, err := c.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1", n, err)
		}
	})

	t.Run("renameCollection", func(t *testing.T) {
		a, b := db.Collection("ren_a"), db.Collection("ren_b")
		if _, err := a.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
			t.Fatal(err)
		}
		err := db.Client().Database("admin").RunCommand(ctx, bson.D{
			{Key: "renameCollection", Value: "follow.ren_a"}, {Key: "to", Value: "follow.ren_b"},
		}).Err()
		if err != nil {
			t.Skipf("renameCollection: %v", err)
		}
		if _, err := a.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
			t.Fatal(err)
		}
		h := sqliteDB(t, dir, "follow")
		if !hasIDIndex(t, h, a.Name()) || !hasIDIndex(t, h, b.Name()) {
			t.Fatal("missing _id index after rename")
		}
	})
}

func TestUniqueIndexAndDuplicateKey(t *testing.T) {
	s := startServer(t, t.TempDir())
	ctx := ctxT(t)
	coll := connect(t, s.URI()).Database("uniq").Collection("users")
	if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "email", Value: 1}},
		Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "1"}, {Key: "email", Value: "a@example.com"}}); err != nil {
		t.Fatal(err)
	}
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "2"}, {Key: "email", Value: "a@example.com"}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate email: %v, want a duplicate key error", err)
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "1"}, {Key: "email", Value: "b@example.com"}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate _id: %v, want a duplicate key error", err)
	}
	// The added index stays invisible to clients.
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var idx []struct{ Name string }
	if err := cur.All(ctx, &idx); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range idx {
		names = append(names, i.Name)
	}
	if len(names) != 2 || strings.Contains(strings.Join(names, ","), "candor") {
		t.Fatalf("indexes = %v, want _id_ and email_1", names)
	}
}

func TestSocketPath(t *testing.T) {
	t.Run("stale socket is replaced", func(t *testing.T) {
		dir := t.TempDir()
		ln, err := net.Listen("unix", filepath.Join(dir, "ferretdb.sock"))
		if err != nil {
			t.Fatal(err)
		}
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		_ = ln.Close()

		s := startServer(t, dir)
		if err := connect(t, s.URI()).Ping(ctxT(t), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := Start(ctxT(t), Options{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "another process") {
			t.Fatalf("second server on the same data dir: %v", err)
		}
	})

	t.Run("long data dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
		s := startServer(t, dir)
		if s.tmpDir == "" {
			t.Fatal("socket not moved out of a long data dir")
		}
		if err := connect(t, s.URI()).Ping(ctxT(t), nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(s.tmpDir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("socket dir left behind: %v", err)
		}
	})
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	uris := make(chan string, 1)
	go func() { done <- Run(ctx, Options{DataDir: t.TempDir()}, func(uri string) { uris <- uri }) }()
	var uri string
	select {
	case uri = <-uris:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	if !strings.HasPrefix(uri, "mongodb://127.0.0.1:") || !strings.HasSuffix(uri, "/") {
		t.Fatalf("uri = %q", uri)
	}
	if err := connect(t, uri).Ping(ctx, nil); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestEndSessionsIsAnsweredByTheFront(t *testing.T) {
	s := startServer(t, t.TempDir())
	ctx := ctxT(t)
	c := connect(t, s.URI(), options.Client().SetMaxPoolSize(1))
	var res bson.M
	if err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "endSessions", Value: bson.A{}}}).Decode(&res); err != nil {
		t.Fatalf("endSessions: %v", err)
	}
	if res["ok"] != 1.0 {
		t.Fatalf("endSessions reply = %v, want ok: 1", res)
	}
	// The connection still pairs requests and replies correctly afterwards.
	if err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		t.Fatalf("ping after endSessions: %v", err)
	}
}
