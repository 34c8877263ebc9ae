package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

// EnvBenchResponses sets how many responses BenchmarkDashboard stores.
const EnvBenchResponses = "CANDOR_BENCH_RESPONSES"

// EnvBenchAccounts sets how many accounts BenchmarkDashboard's responses
// name; unset, none (as responses stored before accounts were recorded).
const EnvBenchAccounts = "CANDOR_BENCH_ACCOUNTS"

// benchResponse is a stored response as the benchmark keeps it: what a
// response document holds for reports.
type benchResponse struct {
	ID       string          `bson:"_id"`
	SurveyID string          `bson:"surveyId"`
	Date     string          `bson:"date"`
	Segment  benchSegment    `bson:"segment"`
	Answers  []survey.Answer `bson:"answers"`
	Account  string          `bson:"account,omitempty"` // plain here: the benchmark opens nothing
}

type benchSegment struct {
	Region    string `bson:"region"`
	Country   string `bson:"country"`
	Industry  string `bson:"industry"`
	Tier      string `bson:"tier"`
	ManagerID string `bson:"managerId"`
}

func (r benchResponse) entry() (Entry, error) {
	d, err := time.Parse(time.DateOnly, r.Date)
	if err != nil {
		return Entry{}, err
	}
	s := r.Segment
	return Entry{SurveyID: r.SurveyID, Day: d, Answers: r.Answers,
		Segment: Segment{Region: s.Region, Country: s.Country, Industry: s.Industry, Tier: s.Tier, ManagerID: s.ManagerID, AccountID: r.Account}}, nil
}

// benchWorld is a survey of a large company: two years of responses from
// 8 regions, 40 countries, 12 industries, 4 tiers and 60 account managers.
type benchWorld struct {
	def      survey.Survey
	n        int
	from     time.Time
	accounts int // named by the responses; 0: none
}

// response returns the i-th response, the same on every call.
func (w benchWorld) response(i int) benchResponse {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	score := func(lo, hi int) *int { v := lo + r.IntN(hi-lo+1); return &v }
	country := r.IntN(40)
	answers := []survey.Answer{
		{Key: "nps", Score: score(0, 10)},
		{Key: "csat", Score: score(1, 5)},
		{Key: "ces", Score: score(1, 7)},
		{Key: "channel", Choices: []string{[]string{"email", "phone", "portal"}[r.IntN(3)]}},
	}
	if r.IntN(3) > 0 { // an optional question
		answers = append(answers, survey.Answer{Key: "topics", Choices: [][]string{{"price"}, {"price", "quality"}, {"speed"}, {"quality", "speed"}}[r.IntN(4)]})
	}
	return benchResponse{
		ID:       fmt.Sprintf("%016x", r.Uint64()),
		SurveyID: w.def.ID,
		Date:     w.from.AddDate(0, 0, i*728/w.n).Format(time.DateOnly),
		Segment: benchSegment{
			Region: fmt.Sprint("region-", country%8), Country: fmt.Sprint("country-", country),
			Industry: fmt.Sprint("industry-", r.IntN(12)), Tier: []string{"platinum", "gold", "silver", "bronze"}[r.IntN(4)],
			ManagerID: fmt.Sprintf("manager-%02d", r.IntN(60)),
		},
		Answers: answers,
		// Drawn last, so that the rest is the same with accounts or without.
		Account: w.account(r),
	}
}

func (w benchWorld) account(r *rand.Rand) string {
	if w.accounts == 0 {
		return ""
	}
	return fmt.Sprintf("account-%05d", r.IntN(w.accounts))
}

func (w benchWorld) source() Source {
	return func(yield func(Entry) error) error {
		for i := range w.n {
			e, err := w.response(i).entry()
			if err != nil {
				return err
			}
			if err := yield(e); err != nil {
				return err
			}
		}
		return nil
	}
}

// dbSource yields the responses of a survey stored in c.
func dbSource(ctx context.Context, c *mongo.Collection, surveyID string) Source {
	return func(yield func(Entry) error) error {
		cur, err := c.Find(ctx, bson.D{{Key: "surveyId", Value: surveyID}}, options.Find().SetBatchSize(1000))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var r benchResponse
			if err := cur.Decode(&r); err != nil {
				return err
			}
			e, err := r.entry()
			if err != nil {
				return err
			}
			if err := yield(e); err != nil {
				return err
			}
		}
		return cur.Err()
	}
}

func benchAccounts(b *testing.B) int {
	v := os.Getenv(EnvBenchAccounts)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a number of accounts", EnvBenchAccounts, v)
	}
	return n
}

func benchResponses(b *testing.B) int {
	v := os.Getenv(EnvBenchResponses)
	if v == "" {
		return 1_000_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", EnvBenchResponses, v)
	}
	return n
}

// BenchmarkDashboard compares an analyst's dashboard — two years of a
// survey by month, broken down by region, against the two years before —
// computed by scanning the stored responses (raw) with the same dashboard
// computed from rollups (candor). Storing CANDOR_BENCH_RESPONSES responses
// (default 1,000,000) takes minutes on the embedded database, as does each
// raw run; -short skips it.
func BenchmarkDashboard(b *testing.B) {
	if testing.Short() {
		b.Skip("stores a million responses")
	}
	ctx := context.Background()
	w := benchWorld{def: fixtureSurvey(), n: benchResponses(b), from: day("2024-01-01"), accounts: benchAccounts(b)}
	w.def.ID = "bench"
	db := storetest.DB(b)
	responses := db.Collection("responses")

	start := time.Now()
	const batch = 10_000
	docs := make([]any, 0, batch)
	for i := range w.n {
		docs = append(docs, w.response(i))
		if len(docs) == batch || i == w.n-1 {
			if _, err := responses.InsertMany(ctx, docs); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	b.Logf("stored %d responses in %v", w.n, time.Since(start).Round(time.Millisecond))

	st := store.New(db)
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc := New(st.Rollups)
	start = time.Now()
	res, err := svc.Rebuild(ctx, w.def.ID, w.source())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("rebuilt rollups of %d responses in %d weeks in %v", res.Responses, res.Weeks, time.Since(start).Round(time.Millisecond))

	q := Query{Period: Monthly, By: Region}
	var raw, candor Report
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			if raw, err = Scan(ctx, dbSource(ctx, responses, w.def.ID), q, w.def); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("candor", func(b *testing.B) {
		// The first report after a rebuild reads every week document and
		// saves the snapshots later ones read.
		start := time.Now()
		if candor, err = svc.Report(ctx, q, w.def); err != nil {
			b.Fatal(err)
		}
		cold := time.Since(start)
		var took []time.Duration
		for b.Loop() {
			start := time.Now()
			if candor, err = svc.Report(ctx, q, w.def); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		b.ReportMetric(float64(cold.Microseconds())/1000, "first-ms")
	})
	if raw.Overall.Responses != nil {
		x, _ := json.Marshal(raw)
		y, _ := json.Marshal(candor)
		if string(x) != string(y) {
			b.Errorf("rollups and scan disagree:\nraw    %s\ncandor %s", x, y)
		}
	}
}
