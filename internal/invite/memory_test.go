package invite_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/store"
)

// TestPeakMemory100k queues a campaign of 100,000 invitations and
// dispatches it, reporting the time taken and the peak memory of this
// process (the database runs in its own). It takes minutes on the embedded
// database: run it with
//
//	CANDOR_TEST_DB_BIN=bin/candor-testdb go test -run TestPeakMemory100k -v -timeout 1h ./internal/invite/
func TestPeakMemory100k(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a large, slow test: run without -short and without -race")
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CANDOR_MEMORY_TEST_CONTACTS")); err == nil && v > 0 {
		n = v
	}
	e := newEnv(t, benchConfig)
	srv := smtptest.Start(t, smtptest.WithDiscard())
	a := e.account(e.alice, "Acme", store.Segment{})

	start := time.Now()
	e.importContacts(a, n)
	t.Logf("imported %d contacts in %v", n, time.Since(start).Round(time.Second))
	runtime.GC()
	resetPeakRSS(t)

	var heap heapWatch
	stopWatch := heap.watch()
	start = time.Now()
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	queued := time.Since(start)
	t.Logf("campaign of %d invitations created in %v", created.Queued, queued.Round(time.Millisecond))

	stop := run(t, e.dispatcher(smtpSender(t, srv)))
	ctx := context.Background()
	for last := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		c, err := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.State == store.CampaignSent {
			break
		}
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			t.Logf("… %d sent after %v", c.Counts.Sent, time.Since(start).Round(time.Second))
		}
	}
	elapsed := time.Since(start)
	stop()
	stopWatch()
	if got := srv.Accepted(); got != created.Queued {
		t.Fatalf("server accepted %d of %d", got, created.Queued)
	}
	hwm := peakRSS(t)
	t.Logf("dispatched %d in %v: %.0f messages/s", created.Queued, elapsed.Round(time.Second), float64(created.Queued)/elapsed.Seconds())
	t.Logf("peak heap in use %.1f MB, peak RSS (VmHWM) %.1f MB", float64(heap.peak())/(1<<20), float64(hwm)/(1<<10))
	if hwm > 100<<10 {
		t.Errorf("peak RSS %.1f MB, want under 100 MB", float64(hwm)/(1<<10))
	}
}

// heapWatch samples the heap in use.
type heapWatch struct {
	mu  sync.Mutex
	max uint64
}

func (h *heapWatch) watch() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			h.mu.Lock()
			h.max = max(h.max, ms.HeapInuse)
			h.mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func (h *heapWatch) peak() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.max
}

// resetPeakRSS starts VmHWM afresh (Linux: writing 5 to clear_refs).
func resetPeakRSS(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS (%v); it includes the import", err)
	}
}

// peakRSS reads VmHWM, in kB.
func peakRSS(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}
