package outbox_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/outbox"
)

// loseOnce reports a step-down after the first successful write of each op
// in ops, as a primary that steps down before replying does.
func loseOnce(ops ...string) func(string) error {
	var mu sync.Mutex
	lost := map[string]bool{}
	return func(op string) error {
		mu.Lock()
		defer mu.Unlock()
		if !slices.Contains(ops, op) || lost[op] {
			return nil
		}
		lost[op] = true
		return mongo.CommandError{Code: 189, Name: "PrimarySteppedDown", Labels: []string{"RetryableWriteError"}}
	}
}

// A claim whose reply was lost is repeated; the repeat changes nothing the
// lost call did: the worker gets the batch once, each message counted one
// attempt, and the other batch stays queued. A release likewise takes back
// one attempt, not two.
func TestOutboxRetriedClaimAndReleaseAreIdempotent(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := st.Outbox.Enqueue(ctx, slices.Concat(queued("b1", 3, now), queued("b2", 2, now))); err != nil {
		t.Fatal(err)
	}
	st.Outbox.LoseReplies(loseOnce("claim", "release"))

	got, err := st.Outbox.Claim(ctx, "w1", now, time.Minute)
	if err != nil {
		t.Fatalf("claim after a lost reply: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("claim after a lost reply returned nothing")
	}
	batch := got[0].Batch
	for _, m := range got {
		if m.Batch != batch || m.State != outbox.Sending || m.Lease != "w1" || m.Attempts != 1 {
			t.Errorf("claimed message = %+v, want one batch leased to w1 with one attempt", m)
		}
	}
	if want := map[string]int{"b1": 3, "b2": 2}[batch]; len(got) != want {
		t.Errorf("claimed %v, want the %d messages of %s", ids(got), want, batch)
	}
	other, err := st.Outbox.Claim(ctx, "w2", now, time.Minute)
	if err != nil || len(other) == 0 || other[0].Batch == batch {
		t.Fatalf("second worker claimed %v, %v; want the other batch", ids(other), err)
	}

	if err := st.Outbox.Release(ctx, "w1", ids(got), now, "smtp busy", outbox.Uncount); err != nil {
		t.Fatalf("release after a lost reply: %v", err)
	}
	again, err := st.Outbox.Claim(ctx, "w3", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(again), ids(got)) {
		t.Fatalf("released batch claimed again as %v, want %v", ids(again), ids(got))
	}
	for _, m := range again {
		if m.Attempts != 1 {
			t.Errorf("message %s has %d attempts after release and a new claim, want 1", m.ID, m.Attempts)
		}
	}
}
