package outbox_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store/outbox"
)

func queued(batch string, n int, now time.Time) []outbox.Message {
	msgs := make([]outbox.Message, n)
	for i := range msgs {
		id := fmt.Sprintf("%s-%02d", batch, i)
		msgs[i] = outbox.Message{ID: id, Batch: batch, CampaignID: "c1", InvitationID: id, ContactID: "k" + id,
			Kind: outbox.Invitation, State: outbox.Queued, NextAttemptAt: now, CreatedAt: now}
	}
	return msgs
}

func ids(msgs []outbox.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	slices.Sort(out)
	return out
}

func TestOutboxEnqueueIsIdempotent(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	msgs := queued("b1", 3, now)
	if n, err := st.Outbox.Enqueue(ctx, msgs); err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}
	if n, err := st.Outbox.Enqueue(ctx, append(msgs, queued("b2", 1, now)...)); err != nil || n != 1 {
		t.Fatalf("second Enqueue = %d, %v; want only the new message added", n, err)
	}
	if n, _ := st.Outbox.Count(ctx); n != 4 {
		t.Fatalf("Count = %d, want 4", n)
	}
}

func TestOutboxClaimTakesOneWholeDueBatch(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	later := queued("later", 2, now.Add(time.Hour))
	if _, err := st.Outbox.Enqueue(ctx, slices.Concat(queued("b1", 3, now), later)); err != nil {
		t.Fatal(err)
	}
	got, err := st.Outbox.Claim(ctx, "w1", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b1-00", "b1-01", "b1-02"}; !slices.Equal(ids(got), want) {
		t.Fatalf("claimed %v, want %v", ids(got), want)
	}
	for _, m := range got {
		if m.State != outbox.Sending || m.Lease != "w1" || m.Attempts != 1 || !m.LeaseUntil.Equal(now.Add(time.Minute)) {
			t.Fatalf("claimed message = %+v", m)
		}
	}
	if more, err := st.Outbox.Claim(ctx, "w2", now, time.Minute); err != nil || len(more) != 0 {
		t.Fatalf("second claim = %v, %v; want nothing due", ids(more), err)
	}
	if more, _ := st.Outbox.Claim(ctx, "w2", now.Add(2*time.Hour), time.Minute); len(more) != 2 {
		t.Fatalf("claim once due = %v", ids(more))
	}
}

// TestOutboxConcurrentClaimsNeverShare runs workers against one outbox: each
// message must be claimed exactly once.
func TestOutboxConcurrentClaimsNeverShare(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var all []outbox.Message
	for b := range 12 {
		all = append(all, queued(fmt.Sprintf("b%02d", b), 5, now)...)
	}
	if _, err := st.Outbox.Enqueue(ctx, all); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	owner := map[string]string{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			token := fmt.Sprintf("w%d", w)
			for {
				got, err := st.Outbox.Claim(ctx, token, now, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					if prev, ok := owner[m.ID]; ok {
						t.Errorf("%s claimed by %s and %s", m.ID, prev, token)
					}
					owner[m.ID] = token
				}
				mu.Unlock()
				// Each worker reads back only its own claims, so a second
				// token must not see this batch again.
				if err := st.Outbox.Delete(ctx, token, ids(got)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(owner) != len(all) {
		t.Fatalf("%d of %d messages claimed", len(owner), len(all))
	}
	if n, _ := st.Outbox.Count(ctx); n != 0 {
		t.Fatalf("%d messages left after every claim was deleted", n)
	}
}

func TestOutboxLeaseHolderOnly(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := st.Outbox.Enqueue(ctx, queued("b1", 3, now)); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Outbox.Claim(ctx, "w1", now, time.Minute)
	if len(got) != 3 {
		t.Fatalf("claimed %d", len(got))
	}
	// Someone without the lease can neither delete nor release.
	if err := st.Outbox.Delete(ctx, "intruder", ids(got)); err != nil {
		t.Fatal(err)
	}
	if err := st.Outbox.Release(ctx, "intruder", ids(got), now, "", 0); err != nil {
		t.Fatal(err)
	}
	if leased, _ := st.Outbox.Leased(ctx, "w1"); len(leased) != 3 {
		t.Fatalf("lease holder has %d messages, want 3", len(leased))
	}

	// The holder releases one uncounted (it never reached the server), and
	// buries another.
	if err := st.Outbox.Release(ctx, "w1", []string{"b1-00"}, now.Add(time.Minute), "connection refused", outbox.Uncount); err != nil {
		t.Fatal(err)
	}
	if err := st.Outbox.Bury(ctx, "w1", got[1], outbox.Bounced, "550 no such user", now); err != nil {
		t.Fatal(err)
	}
	if dead, _ := st.Outbox.IsDead(ctx, got[1].ID); !dead {
		t.Fatal("buried message is not among the dead letters")
	}
	dl, err := st.Outbox.Dead(ctx, "c1", 10)
	if err != nil || len(dl) != 1 || dl[0].State != outbox.Bounced || dl[0].LastError != "550 no such user" || dl[0].Lease != "" {
		t.Fatalf("Dead = %+v, %v", dl, err)
	}
	queuedN, sending, err := st.Outbox.CampaignProgress(ctx, "c1")
	if err != nil || queuedN != 1 || sending != 1 {
		t.Fatalf("progress = %d queued, %d sending, %v; want 1, 1", queuedN, sending, err)
	}
	again, _ := st.Outbox.Claim(ctx, "w2", now.Add(time.Minute), time.Minute)
	if len(again) != 1 || again[0].ID != "b1-00" || again[0].Attempts != 1 || again[0].LastError != "connection refused" {
		t.Fatalf("reclaimed = %+v; want b1-00 with its uncounted attempt given back", again)
	}
}

func TestOutboxExpiredLeasesReturn(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := st.Outbox.Enqueue(ctx, slices.Concat(queued("b1", 2, now), queued("b2", 2, now))); err != nil {
		t.Fatal(err)
	}
	short, _ := st.Outbox.Claim(ctx, "dead-worker", now, time.Second)
	long, _ := st.Outbox.Claim(ctx, "live-worker", now, time.Hour)
	if len(short) != 2 || len(long) != 2 {
		t.Fatalf("claims = %d, %d", len(short), len(long))
	}
	n, err := st.Outbox.ExpireLeases(ctx, now.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("ExpireLeases = %d, %v; want the 2 of the dead worker", n, err)
	}
	// The dead worker lost its lease: it can no longer delete what it had.
	if err := st.Outbox.Delete(ctx, "dead-worker", ids(short)); err != nil {
		t.Fatal(err)
	}
	retaken, _ := st.Outbox.Claim(ctx, "w3", now.Add(time.Minute), time.Minute)
	if !slices.Equal(ids(retaken), ids(short)) || retaken[0].Attempts != 2 {
		t.Fatalf("retaken = %+v", retaken)
	}
}

func TestOutboxWithdrawAndTrimDead(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := st.Outbox.Enqueue(ctx, slices.Concat(queued("b1", 2, now), queued("b2", 3, now))); err != nil {
		t.Fatal(err)
	}
	sending, _ := st.Outbox.Claim(ctx, "w1", now, time.Minute)
	n, err := st.Outbox.Withdraw(ctx, "c1")
	if err != nil || n != int64(5-len(sending)) {
		t.Fatalf("Withdraw = %d, %v", n, err)
	}
	if left, _ := st.Outbox.Count(ctx); left != int64(len(sending)) {
		t.Fatalf("%d left; want only the %d being sent", left, len(sending))
	}
	if err := st.Outbox.Bury(ctx, "w1", sending[0], outbox.Failed, "gave up", now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Outbox.TrimDead(ctx, now.Add(-24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("TrimDead = %d, %v", n, err)
	}
}
