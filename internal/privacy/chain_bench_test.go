package privacy_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

// BenchmarkConsentAppend appends consent records from 8 processes (chains
// over one database) at once, 16 appends in flight, with the whole log on
// one head and spread over shards. Lost races are writes spent for
// nothing; failed appends are those that lost 50 races in a row.
func BenchmarkConsentAppend(b *testing.B) {
	for _, shards := range []int{1, privacy.DefaultShards} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			st := store.New(storetest.DB(b))
			ctx := context.Background()
			if err := st.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			const processes = 8
			var lost, failed, next atomic.Int64
			chains := make([]*privacy.Chain, processes)
			for i := range chains {
				chains[i] = privacy.NewChain(st.Consents, privacy.WithShards(shards))
				chains[i].OnStep(func(step string, _ int, _ int64) error {
					if step == privacy.StepLost {
						lost.Add(1)
					}
					return nil
				})
			}
			b.SetParallelism(8) // 8 per CPU: 16 in flight on 2 CPUs
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				c := chains[next.Add(1)%processes]
				for pb.Next() {
					if _, err := c.Append(ctx, record("bench")); err != nil {
						failed.Add(1)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "appends/s")
			b.ReportMetric(float64(lost.Load())/float64(b.N), "lost/op")
			b.ReportMetric(float64(failed.Load()), "failed")
			if n, err := privacy.NewChain(st.Consents).Verify(ctx); err != nil || int64(n) != int64(b.N)-failed.Load() {
				b.Fatalf("Verify = %d, %v; want %d", n, err, int64(b.N)-failed.Load())
			}
		})
	}
}
