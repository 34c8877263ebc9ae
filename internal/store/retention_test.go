package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestRetentionPolicyIsOneDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t)
	p, err := st.Retention.Policy(ctx)
	if err != nil || p.ContactMonths != nil || !p.UpdatedAt.IsZero() {
		t.Fatalf("before any save: %+v, %v", p, err)
	}
	twelve, zero := 12, 0
	at := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.Retention.SavePolicy(ctx, store.RetentionPolicy{ContactMonths: &twelve, DevOutboxDays: &zero, UpdatedAt: at, UpdatedByID: "u1"}); err != nil {
		t.Fatal(err)
	}
	// Saving again replaces what was saved: a value left out goes back to the default.
	if err := st.Retention.SavePolicy(ctx, store.RetentionPolicy{NamedMonths: &twelve, DevOutboxDays: &zero, UpdatedAt: at, UpdatedByID: "u2"}); err != nil {
		t.Fatal(err)
	}
	p, err = st.Retention.Policy(ctx)
	if err != nil || p.ContactMonths != nil || p.NamedMonths == nil || *p.NamedMonths != 12 || p.DevOutboxDays == nil || *p.DevOutboxDays != 0 || p.UpdatedByID != "u2" {
		t.Fatalf("after two saves: %+v, %v", p, err)
	}
	if n, err := st.Retention.Collection().CountDocuments(ctx, map[string]any{}); err != nil || n != 1 {
		t.Errorf("%d documents, %v", n, err)
	}
}

func TestRetentionSweepLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t)
	r := st.Retention
	now := time.Now().UTC().Truncate(time.Millisecond)
	lease := now.Add(time.Minute)

	// Several processes at once: one gets it.
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for i := range 6 {
		wg.Go(func() {
			ok, err := r.ClaimSweep(ctx, "p"+string(rune('a'+i)), now, lease, false)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d processes got the lease", winners)
	}
	sw, err := r.Sweep(ctx)
	if err != nil || sw.Holder == "" {
		t.Fatalf("sweep %+v, %v", sw, err)
	}
	holder := sw.Holder
	for _, tc := range []struct {
		name  string
		token string
		at    time.Time
		force bool
		want  bool
	}{
		{"held, forced", "other", now, true, false},
		{"renewed by another", "other", now, false, false},
		{"after the lease ran out", "late", lease.Add(time.Second), false, true},
	} {
		if tc.name == "renewed by another" {
			if ok, err := r.RenewSweep(ctx, tc.token, lease); err != nil || ok {
				t.Errorf("%s: %v, %v", tc.name, ok, err)
			}
			continue
		}
		if ok, err := r.ClaimSweep(ctx, tc.token, tc.at, tc.at.Add(time.Minute), tc.force); err != nil || ok != tc.want {
			t.Errorf("%s: claimed %v, %v; want %v", tc.name, ok, err, tc.want)
		}
	}
	// The first holder lost it to "late", so it cannot finish.
	if ok, err := r.RenewSweep(ctx, holder, lease); err != nil || ok {
		t.Errorf("renewing a lost lease: %v, %v", ok, err)
	}
	next := now.Add(24 * time.Hour)
	if err := r.FinishSweep(ctx, "late", now.Add(2*time.Minute), next); err != nil {
		t.Fatal(err)
	}
	// Not due until next, unless forced.
	if ok, err := r.ClaimSweep(ctx, "x", now.Add(3*time.Minute), now.Add(4*time.Minute), false); err != nil || ok {
		t.Errorf("claimed before it was due: %v, %v", ok, err)
	}
	if ok, err := r.ClaimSweep(ctx, "x", now.Add(3*time.Minute), now.Add(4*time.Minute), true); err != nil || !ok {
		t.Errorf("forced claim: %v, %v", ok, err)
	}
}

// Scrub succeeds on every server: the embedded one checkpoints, MongoDB
// does not know the command, which is no error.
func TestScrub(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	for range 2 {
		if err := st.Scrub(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
