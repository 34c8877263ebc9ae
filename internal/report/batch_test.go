package report

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/survey"
)

// Responses counted at the same time are gathered into shared writes; the
// documents must come out as if each had been written alone, and an
// invalid one must fail on its own.
func TestConcurrentAddsMatchARebuild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := 150
	if raceEnabled {
		n = 60
	}
	entries := randomEntries(7, n, "s1")
	_, stCon := newService(t)
	counted := &countingStore{Store: stCon.Rollups}
	concurrent := New(counted)
	invalid := Entry{SurveyID: "s1", Day: day("2025-03-01"), Answers: []survey.Answer{{Key: "bad.key", Choices: []string{"x"}}}}
	var wg sync.WaitGroup
	errs := make([]error, len(entries)+1)
	for i, e := range append(slices.Clone(entries), invalid) {
		wg.Go(func() { errs[i] = concurrent.Add(ctx, e) })
	}
	wg.Wait()
	for i, err := range errs[:len(entries)] {
		if err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	if errs[len(entries)] == nil {
		t.Error("an invalid entry was counted")
	}
	if w := counted.writes.Load(); w >= int32(len(entries)) {
		t.Errorf("%d entries added at once took %d writes; want them gathered into fewer", len(entries), w)
	}

	rebuilt, stReb := newService(t)
	if _, err := rebuilt.Rebuild(ctx, "s1", entriesOf(entries)); err != nil {
		t.Fatal(err)
	}
	a, b := weekDocuments(t, stCon), weekDocuments(t, stReb)
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Fatalf("week documents differ:\nconcurrent %d %v\nrebuilt    %d %v", len(a), a, len(b), b)
	}
	if got, want := weekTotals(t, stCon), weekTotals(t, stReb); got != want || got != int64(len(entries)) {
		t.Errorf("weeks index counts %d responses, a rebuild %d, want %d", got, want, len(entries))
	}
}

// countingStore counts the writes of rollup changes.
type countingStore struct {
	Store
	writes atomic.Int32
}

func (c *countingStore) Apply(ctx context.Context, gen int64, cs ...rollups.Change) error {
	c.writes.Add(1)
	return c.Store.Apply(ctx, gen, cs...)
}

// weekTotals adds up the responses the survey's index of weeks counts.
func weekTotals(t *testing.T, st *store.Store) int64 {
	t.Helper()
	idx, err := st.Rollups.CurrentWeeks(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, w := range idx {
		n += w.N
	}
	return n
}
