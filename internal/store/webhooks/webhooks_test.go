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
	// Eight claimants at once: one lease (tokens token-a … token-h).
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
	entry, ok, err := r.Claim(ctx, "d1", "late", now.Add(2*time.Minute), now.Add(3*time.Minute))
	if err != nil || !ok || entry.Attempts != 2 || entry.Lease != "late" {
		t.Fatalf("claim after the lease ran out = %+v, %v, %v", entry, ok, err)
	}
	later := now.Add(2 * time.Minute)
	if due, err := r.Due(ctx, later, 10); err != nil || len(due) != 0 {
		t.Errorf("a leased delivery is due: %v, %v", due, err)
	}
	// Only the lease's holder records the outcome: the first claimant lost it.
	if ok, err := r.Finish(ctx, "d1", "token-a", webhooks.Outcome{State: webhooks.Delivered, At: later}); err != nil || ok {
		t.Errorf("a former holder recorded the outcome: %v, %v", ok, err)
	}
	if ok, err := r.Finish(ctx, "d1", "late", webhooks.Outcome{State: webhooks.Pending, Next: later.Add(time.Minute), Attempts: 2, Status: 500, Error: "500", At: later}); err != nil || !ok {
		t.Fatalf("the holder could not record: %v, %v", ok, err)
	}
	if d, err := r.Delivery(ctx, "d1"); err != nil || d.State != webhooks.Pending || d.Attempts != 2 || d.LastStatus != 500 {
		t.Errorf("delivery after a retry = %+v, %v", d, err)
	}
	if due, _ := r.Due(ctx, later, 10); len(due) != 0 {
		t.Error("a retry is due before its time")
	}
	if due, _ := r.Due(ctx, later.Add(time.Minute), 10); len(due) != 1 {
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

func TestFinishedDeliveriesLeaveTheQueueAndRepairPutsLostOnesBack(t *testing.T) {
	t.Parallel()
	st := storetest.Store(t)
	ctx := context.Background()
	r := st.Webhooks
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, id := range []string{"a", "b"} {
		if _, err := r.Enqueue(ctx, delivery(id, now)); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := r.Claim(ctx, "a", "t", now, now.Add(time.Minute)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := r.Finish(ctx, "a", "t", webhooks.Outcome{State: webhooks.Delivered, Attempts: 1, Status: 200, At: now}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	due, err := r.Due(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].ID != "b" {
		t.Fatalf("queue after a delivery = %+v, %v", due, err)
	}
	if d, _ := r.Delivery(ctx, "a"); d.State != webhooks.Delivered || d.DeliveredAt == nil {
		t.Errorf("delivered = %+v", d)
	}
	// b's entry is lost, as in a crash between the two writes of Enqueue.
	if _, ok, _ := r.Claim(ctx, "b", "t", now, now.Add(time.Minute)); !ok {
		t.Fatal("b not claimed")
	}
	if ok, _ := r.Unqueue(ctx, "b", "t"); !ok {
		t.Fatal("b not unqueued")
	}
	if n, err := r.Repair(ctx, now, now); err != nil || n != 0 {
		t.Errorf("repair of deliveries pending since before now = %d, %v", n, err)
	}
	if n, err := r.Repair(ctx, now.Add(time.Second), now); err != nil || n != 1 {
		t.Errorf("repair = %d, %v; want b, the one pending delivery", n, err)
	}
	if due, _ := r.Due(ctx, now, 10); len(due) != 1 || due[0].ID != "b" {
		t.Errorf("queue after the repair = %+v", due)
	}
	// Replaying the delivered one queues it again.
	if d, err := r.Replay(ctx, "a", now, now.Add(time.Hour)); err != nil || d.State != webhooks.Pending || d.Replays != 1 {
		t.Fatalf("replay = %+v, %v", d, err)
	}
	if due, _ := r.Due(ctx, now, 10); len(due) != 2 {
		t.Errorf("queue after the replay holds %d", len(due))
	}
}
