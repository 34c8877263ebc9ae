package store_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

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
