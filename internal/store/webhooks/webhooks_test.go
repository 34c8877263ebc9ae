package webhooks_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/store/webhooks"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func delivery(id string, now time.Time) webhooks.Delivery {
	return webhooks.Delivery{ID: id, EndpointID: "ep1", EventID: "evt-" + id, EventType: "campaign.finished",
		Body: seal.Box{KeyID: "k1", Data: []byte("sealed")}, State: webhooks.Pending,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}
}

func TestDeliveriesAreQueuedOnceAndClaimedByOne(t *testing.T) {
	t.Parallel()
	st := storetest.Store(t)
	ctx := context.Background()
	r := st.Webhooks
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, want := range []bool{true, false} {
		if added, err := r.Enqueue(ctx, delivery("d1", now)); err != nil || added != want {
			t.Fatalf("Enqueue = %v, %v; want %v", added, err, want)
		}
	}
	// Eight claimants at once: one lease.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Go(func() {
			_, ok, err := r.Claim(ctx, "d1", "token-"+string(rune('a'+i)), now, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claimants won the lease, want 1", won)
	}
	d, err := r.Delivery(ctx, "d1")
	if err != nil || d.Attempts != 1 || d.Lease == "" {
		t.Fatalf("claimed delivery = %+v, %v", d, err)
	}
	if due, err := r.Due(ctx, now, 10); err != nil || len(due) != 0 {
		t.Errorf("a leased delivery is due: %v, %v", due, err)
	}
	// Only the lease's holder records the outcome.
	if ok, err := r.Record(ctx, "d1", "someone-else", webhooks.Outcome{State: webhooks.Delivered, At: now}); err != nil || ok {
		t.Errorf("a stranger recorded the outcome: %v, %v", ok, err)
	}
	if ok, err := r.Record(ctx, "d1", d.Lease, webhooks.Outcome{State: webhooks.Pending, Next: now.Add(time.Minute), Status: 500, Error: "500", At: now}); err != nil || !ok {
		t.Fatalf("the holder could not record: %v, %v", ok, err)
	}
	if due, _ := r.Due(ctx, now, 10); len(due) != 0 {
		t.Error("a retry is due before its time")
	}
	if due, _ := r.Due(ctx, now.Add(time.Minute), 10); len(due) != 1 {
		t.Error("a retry is not due at its time")
	}
	if _, err := r.Replay(ctx, "d1", now, now.Add(time.Hour)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("replaying a pending delivery: %v", err)
	}
	if _, err := r.Replay(ctx, "nope", now, now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("replaying a missing delivery: %v", err)
	}
}

func TestSweepKeepsPendingAndRecentDeliveries(t *testing.T) {
	t.Parallel()
	st := storetest.Store(t)
	ctx := context.Background()
	r := st.Webhooks
	now := time.Now().UTC().Truncate(time.Millisecond)
	old := now.Add(-31 * 24 * time.Hour)
	for _, d := range []webhooks.Delivery{delivery("old-done", old), delivery("old-pending", old), delivery("new-done", now)} {
		if d.ID != "old-pending" {
			d.State = webhooks.Delivered
		}
		if _, err := r.Enqueue(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.Sweep(ctx, now); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1", n, err)
	}
	if _, err := r.Delivery(ctx, "old-done"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the expired delivery stayed: %v", err)
	}
}

func TestWatchLeaseIsHeldByOne(t *testing.T) {
	t.Parallel()
	st := storetest.Store(t)
	ctx := context.Background()
	r := st.Webhooks
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, tc := range []struct {
		holder string
		at     time.Time
		want   bool
	}{
		{"a", now, true},
		{"b", now.Add(time.Minute), false},
		{"a", now.Add(time.Minute), false}, // the lease runs until it ends, whoever asks
		{"b", now.Add(5 * time.Minute), true},
	} {
		ok, err := r.ClaimWatch(ctx, tc.holder, tc.at, tc.at.Add(4*time.Minute))
		if err != nil || ok != tc.want {
			t.Errorf("ClaimWatch(%s at +%v) = %v, %v; want %v", tc.holder, tc.at.Sub(now), ok, err, tc.want)
		}
	}
}
