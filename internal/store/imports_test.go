package store_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
)

func TestImportStartsOnce(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	staged := func(id string, expires time.Time) store.Import {
		return store.Import{ID: id, UserID: "u1", State: store.ImportStaged, FileName: "f.csv", CreatedAt: now, UpdatedAt: now, ExpiresAt: expires}
	}
	for _, imp := range []store.Import{staged("fresh", now.Add(time.Hour)), staged("stale", now.Add(-time.Second))} {
		if err := st.Imports.Insert(ctx, imp); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := st.Imports.Start(ctx, "fresh", "someone else", now, now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another user started the import: %v", err)
	}
	if _, err := st.Imports.Start(ctx, "stale", "u1", now, now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired import started: %v", err)
	}

	// Two confirmations at once, as from a double click: one wins.
	var wg sync.WaitGroup
	results := make([]error, 8)
	for i := range results {
		wg.Go(func() {
			_, results[i] = st.Imports.Start(ctx, "fresh", "u1", now, now.Add(2*time.Hour))
		})
	}
	wg.Wait()
	started := 0
	for _, err := range results {
		switch {
		case err == nil:
			started++
		case !errors.Is(err, store.ErrNotFound):
			t.Errorf("Start: %v", err)
		}
	}
	if started != 1 {
		t.Fatalf("the import started %d times", started)
	}
	got, err := st.Imports.ByID(ctx, "fresh")
	if err != nil || got.State != store.ImportRunning || got.StartedAt == nil || !got.ExpiresAt.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("started import = %+v, %v", got, err)
	}

	if err := st.Imports.Progress(ctx, "fresh", store.ImportCounts{Rows: 500, Created: 500}, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	outcome := store.ImportOutcome{State: store.ImportDone, Progress: store.ImportCounts{Rows: 900, Created: 800, Rejected: 100},
		Report: []byte("sealed"), At: now.Add(time.Minute), ExpiresAt: now.Add(-time.Second)}
	if err := st.Imports.Finish(ctx, "fresh", outcome); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Imports.ByID(ctx, "fresh")
	if got.State != store.ImportDone || got.Progress != outcome.Progress || !bytes.Equal(got.Report, outcome.Report) || got.FinishedAt == nil {
		t.Errorf("finished import = %+v", got)
	}
	if err := st.Imports.Finish(ctx, "fresh", store.ImportOutcome{State: store.ImportRunning}); err == nil {
		t.Error("Finish accepted a state that is no end")
	}

	n, err := st.Imports.DeleteExpired(ctx, now)
	if err != nil || n != 2 {
		t.Errorf("DeleteExpired = %d, %v; want both expired imports", n, err)
	}
}

func TestUploadChunks(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for n, data := range [][]byte{[]byte("first"), []byte("second")} {
		if err := st.Uploads.PutChunk(ctx, "up1", n, data, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Uploads.PutChunk(ctx, "old", 0, []byte("x"), now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := st.Uploads.PutChunk(ctx, "up1", 2, make([]byte, store.MaxUploadChunk+1), now); err == nil {
		t.Error("a chunk over the limit was stored")
	}
	if got, err := st.Uploads.Chunk(ctx, "up1", 1); err != nil || string(got) != "second" {
		t.Errorf("chunk 1 = %q, %v", got, err)
	}
	if _, err := st.Uploads.Chunk(ctx, "up1", 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing chunk: %v", err)
	}
	if n, err := st.Uploads.DeleteExpired(ctx, now); err != nil || n != 1 {
		t.Errorf("DeleteExpired = %d, %v", n, err)
	}
	if err := st.Uploads.Delete(ctx, "up1", 2); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.DB().Collection("uploads").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d chunks left", n)
	}
}

func TestContactsInsertMany(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	contact := func(id, index string) store.Contact {
		return store.Contact{ID: id, AccountID: "a1", EmailIndex: index, Status: store.ContactActive, CreatedAt: time.Now().UTC()}
	}
	if err := st.Contacts.Insert(ctx, contact("live", "taken")); err != nil {
		t.Fatal(err)
	}
	// A claim left behind by a crash between claiming and inserting.
	if _, err := st.DB().Collection("contact_emails").InsertOne(ctx, bson.D{{Key: "_id", Value: "stale"}, {Key: "contactId", Value: "gone"}}); err != nil {
		t.Fatal(err)
	}

	batch := []store.Contact{contact("c1", "new1"), contact("c2", "taken"), contact("c3", "stale"), contact("c4", "new1"), contact("c5", "new2")}
	results, err := st.Contacts.InsertMany(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, true, false, true} // inserted?
	for i, res := range results {
		if (res == nil) != want[i] || (res != nil && !errors.Is(res, store.ErrDuplicate)) {
			t.Errorf("%s: %v", batch[i].ID, res)
		}
	}
	for index, id := range map[string]string{"new1": "c1", "taken": "live", "stale": "c3", "new2": "c5"} {
		c, err := st.Contacts.ByEmailIndex(ctx, index)
		if err != nil || c.ID != id {
			t.Errorf("email %s finds %q, %v; want %s", index, c.ID, err, id)
		}
	}
	if n, _ := st.Contacts.Count(ctx, store.ContactFilter{}); n != 4 {
		t.Errorf("%d contacts stored, want 4", n)
	}
	if results, err := st.Contacts.InsertMany(ctx, nil); err != nil || len(results) != 0 {
		t.Errorf("empty batch = %v, %v", results, err)
	}
}
