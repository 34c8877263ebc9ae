package quotes_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// BenchmarkComments measures a page of comments on a question that has
// had more comments than it keeps, from companies of 40 profiles: one
// count document, the seq document and five buckets read by _id, 400–500
// quotes opened.
func BenchmarkComments(b *testing.B) {
	e := newBenchEnv(b)
	sv := e.w.OpenSurvey(b, nil)
	ctx := context.Background()
	const n = store.QuoteBucketSize*store.QuoteBuckets + 100
	for i := range n {
		seg := report.Segment{Region: []string{"EMEA", "APAC", "AMER", "Nordics"}[i%4], Country: fmt.Sprint("C", i%10), Tier: "Gold", ManagerID: fmt.Sprint("m", i%2)}
		sub := quotes.Submission{Survey: sv, Segment: seg, Answers: survey.Answers{{Key: "comment", Text: fmt.Sprintf("Comment %d: the lift in hall %d is slow, call +44 20 7946 %04d.", i, i%7, i)}}}
		if err := e.quotes.Add(ctx, sub); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		q    quotes.Query
	}{
		{"all", quotes.Query{Question: "comment"}},
		{"region", quotes.Query{Question: "comment", Filter: report.Filter{Dimension: report.Region, Value: "EMEA"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := e.quotes.Comments(ctx, sv, bc.q)
				if err != nil || got.Suppressed || len(got.Texts) == 0 {
					b.Fatalf("Comments = %+v, %v", got, err)
				}
			}
		})
	}
}
