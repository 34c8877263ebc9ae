package customer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/customer"
)

// BenchmarkImport measures imports of a file of new contacts, its dry run,
// and importing it again (every row unchanged), in rows per second.
func BenchmarkImport(b *testing.B) {
	const rows = 5000
	f := newFixture(b)
	ctx := context.Background()
	f.account(b, f.alice, "Acme")
	file := func(round int) string {
		var sb strings.Builder
		sb.WriteString("name,email,account,locale\n")
		for i := range rows {
			fmt.Fprintf(&sb, "Person %d,p%d.%d@acme.example,Acme,en\n", i, round, i)
		}
		return sb.String()
	}
	run := func(b *testing.B, opts customer.ImportOptions, fresh bool, want func(customer.ImportResult) bool) {
		data := file(0)
		round := 0
		for b.Loop() {
			if fresh {
				b.StopTimer()
				round++
				data = file(round)
				b.StartTimer()
			}
			res, err := f.svc.Import(ctx, f.alice, strings.NewReader(data), opts)
			if err != nil || !want(res) {
				b.Fatalf("import = %+v, %v", res.ImportProgress, err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("dry-run", func(b *testing.B) {
		run(b, customer.ImportOptions{DryRun: true}, false, func(r customer.ImportResult) bool { return r.Created == rows })
	})
	b.Run("new", func(b *testing.B) {
		run(b, customer.ImportOptions{}, true, func(r customer.ImportResult) bool { return r.Created == rows })
	})
	if _, err := f.svc.Import(ctx, f.alice, strings.NewReader(file(0)), customer.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Run("unchanged", func(b *testing.B) {
		run(b, customer.ImportOptions{}, false, func(r customer.ImportResult) bool { return r.Unchanged == rows })
	})
}
