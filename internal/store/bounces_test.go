package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestSoftBounceStreaksAndTrimming(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	day := func(n int) time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	window := 30 * 24 * time.Hour

	steps := []struct {
		name string
		at   time.Time
		want int
	}{
		{"the first", day(0), 1},
		{"a week later", day(7), 2},
		{"within the window of the last", day(35), 3},
		{"after a quiet month the streak starts again", day(70), 1},
		{"and grows again", day(71), 2},
	}
	for _, s := range steps {
		n, err := st.Bounces.CountSoft(ctx, "idx-a", s.at, s.at.Add(-window))
		if err != nil || n != s.want {
			t.Fatalf("%s: count %d, %v; want %d", s.name, n, err, s.want)
		}
	}
	if _, err := st.Bounces.CountSoft(ctx, "idx-b", day(10), day(10).Add(-window)); err != nil {
		t.Fatal(err)
	}
	for _, e := range []store.BounceEvent{{ID: "m1|bounce", Kind: "bounce", At: day(1)}, {ID: "m2|bounce", Kind: "bounce", At: day(60)}} {
		if _, err := st.Bounces.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	// Events before day 50: the one of day 1; streaks last seen before
	// day 41: idx-b's (day 10), not idx-a's (day 71).
	if n, err := st.Bounces.CountBefore(ctx, day(50), day(41)); err != nil || n != 2 {
		t.Fatalf("CountBefore = %d, %v; want 2", n, err)
	}
	if n, err := st.Bounces.TrimBefore(ctx, day(50), day(41)); err != nil || n != 2 {
		t.Fatalf("TrimBefore = %d, %v; want 2", n, err)
	}
	if _, err := st.Bounces.Event(ctx, "m2|bounce"); err != nil {
		t.Errorf("a recent event went: %v", err)
	}
	if first, err := st.Bounces.Record(ctx, store.BounceEvent{ID: "m1|bounce", Kind: "bounce", At: day(80)}); err != nil || !first {
		t.Errorf("the trimmed event's id is not free again: %v, %v", first, err)
	}
	if n, err := st.Bounces.CountSoft(ctx, "idx-a", day(72), day(72).Add(-window)); err != nil || n != 3 {
		t.Errorf("idx-a's streak after trimming: %d, %v; want 3", n, err)
	}
}
