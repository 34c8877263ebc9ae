package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

// submitClients is how many respondents submit at once.
const submitClients = 32

// BenchmarkSubmit compares answering a survey over HTTP with the raw
// driver inserting the same response document, both with 32 clients at
// once on the same kind of database. candor posts the answer form to a
// real listener on 127.0.0.1: token check, invitation, survey and contact
// look-ups, validation, sealing, the response insert, the invitation's
// move to answered, the rollup update and the redirect.
func BenchmarkSubmit(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		f := newSubmitFixture(b, nil)
		doc := f.sampleResponse(b)
		responses := f.db.Collection("responses")
		ctx := context.Background()
		lat := runClients(b, func(int) error {
			d := slices.Clone(doc)
			d[0] = bson.E{Key: "_id", Value: randomID()}
			_, err := responses.InsertOne(ctx, d)
			return err
		})
		lat.report(b)
		if n, err := responses.CountDocuments(ctx, bson.D{}); err != nil || n < int64(b.N) {
			b.Fatalf("responses stored: %d of %d (%v)", n, b.N, err)
		}
	})

	b.Run("candor", func(b *testing.B) {
		var cmds commandCounts
		f := newSubmitFixture(b, cmds.monitor())
		tokens := f.bulkInvitations(b, b.N)
		addr := f.listen(b)
		form := f.answerForm(false).Encode()
		client := &http.Client{
			Transport:     &http.Transport{MaxIdleConnsPerHost: submitClients},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		defer client.CloseIdleConnections()
		cmds.reset()
		lat := runClients(b, func(i int) error {
			resp, err := client.Post("http://"+addr+respondentPath(tokens[i], ""), "application/x-www-form-urlencoded", strings.NewReader(form))
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "/thanks") || strings.Contains(loc, "again=") {
				return &url.Error{Op: "POST", URL: respondentPath(tokens[i], ""), Err: errStatus(resp.StatusCode)}
			}
			return nil
		})
		lat.report(b)
		writes, all := cmds.total()
		b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
		b.ReportMetric(float64(all)/float64(b.N), "dbcmds/op")
		if testing.Verbose() {
			b.Logf("database commands while timed: %s", cmds.String())
		}
		n, err := f.db.Collection("invitations").CountDocuments(context.Background(), bson.D{{Key: "state", Value: store.InvitationAnswered}})
		if err != nil || n != int64(b.N) {
			b.Fatalf("invitations answered: %d of %d (%v)", n, b.N, err)
		}
	})
}

type errStatus int

func (e errStatus) Error() string { return "status " + http.StatusText(int(e)) }

// latencies are the durations of every operation of a run.
type latencies struct {
	all []time.Duration
}

func (l *latencies) report(b *testing.B) {
	slices.Sort(l.all)
	at := func(q float64) time.Duration { return l.all[min(len(l.all)-1, int(q*float64(len(l.all))))] }
	b.ReportMetric(at(0.50).Seconds()*1000, "p50-ms")
	b.ReportMetric(at(0.99).Seconds()*1000, "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// runClients runs op b.N times from submitClients goroutines, op(i) for
// every i in [0, b.N) once, timing each.
func runClients(b *testing.B, op func(i int) error) *latencies {
	b.Helper()
	var (
		mu   sync.Mutex
		lat  latencies
		next int
	)
	b.SetParallelism((submitClients + testingProcs() - 1) / testingProcs())
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			start := time.Now()
			if err := op(i); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat.all = append(lat.all, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(lat.all) == 0 {
		b.Fatal("no operation finished")
	}
	return &lat
}

// testingProcs is GOMAXPROCS, which RunParallel multiplies the
// parallelism by.
func testingProcs() int { return max(1, runtime.GOMAXPROCS(0)) }

// sampleResponse submits one answer through the service and returns the
// response document it stored, as the raw baseline's template.
func (f *submitFixture) sampleResponse(b *testing.B) bson.D {
	b.Helper()
	p := f.w.Invite(b, f.sv, "Sample Person", "sample@customer.example", "en")
	addr := f.listen(b)
	resp, err := http.Post("http://"+addr+respondentPath(p.Token, ""), "application/x-www-form-urlencoded", strings.NewReader(f.answerForm(false).Encode()))
	if err != nil {
		b.Fatal(err)
	}
	_ = resp.Body.Close()
	var doc bson.D
	if err := f.db.Collection("responses").FindOne(context.Background(), bson.D{}).Decode(&doc); err != nil {
		b.Fatalf("sample response: %v", err)
	}
	if len(doc) == 0 || doc[0].Key != "_id" {
		b.Fatalf("sample response has no leading _id: %v", doc)
	}
	return doc
}

// bulkInvitations stores n pending invitations for one contact, written
// straight to the collection in large batches (nothing else reads their
// (survey, contact) keys here), and returns their link tokens.
func (f *submitFixture) bulkInvitations(b *testing.B, n int) []string {
	b.Helper()
	p := f.w.Invite(b, f.sv, "Bench Person", "bench@customer.example", "en")
	now := f.w.Now().UTC().Truncate(time.Millisecond)
	tokens := make([]string, n)
	docs := make([]any, 0, 1000)
	flush := func() {
		if len(docs) == 0 {
			return
		}
		if _, err := f.db.Collection("invitations").InsertMany(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
		docs = docs[:0]
	}
	for i := range n {
		inv := p.Invitation
		inv.ID, inv.CreatedAt = link.NewID(), now
		tok, err := f.w.Signer.Token(link.AudienceSurvey, inv.ID, inv.ExpiresAt)
		if err != nil {
			b.Fatal(err)
		}
		tokens[i] = tok
		docs = append(docs, inv)
		if len(docs) == cap(docs) {
			flush()
		}
	}
	flush()
	return tokens
}

// listen serves the app on a real loopback listener until the benchmark
// ends, and returns its address.
func (f *submitFixture) listen(b *testing.B) string {
	b.Helper()
	if f.addr != "" {
		return f.addr
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = f.App().Listener(ln) }()
	b.Cleanup(func() { _ = f.App().Shutdown() })
	f.addr = ln.Addr().String()
	return f.addr
}

func randomID() string {
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

// submitFixture is a respondent fixture that keeps its database at hand,
// for the raw baseline and for seeding in bulk.
type submitFixture struct {
	*respondentFixture
	db   *mongo.Database
	addr string
}

func newSubmitFixture(b *testing.B, mon *event.CommandMonitor) *submitFixture {
	b.Helper()
	db := storetest.DB(b)
	if mon != nil {
		client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI(b)).SetMonitor(mon))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = client.Disconnect(context.Background()) })
		db = client.Database(db.Name()) // still dropped by storetest
	}
	st := store.New(db)
	if err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	w := respondtest.New(b, st)
	ts := newTestServer(b, testOptions{users: st.Users, db: st, now: w.Now, respondents: w.Respond, privacy: w.Privacy})
	return &submitFixture{respondentFixture: &respondentFixture{testServer: ts, w: w, st: st, sv: w.OpenSurvey(b, nil)}, db: db}
}

// commandCounts counts database commands by name, and the time they took
// (waiting for the embedded database's write queue included).
type commandCounts struct {
	mu   sync.Mutex
	n    map[string]int
	took map[string]time.Duration
}

func (c *commandCounts) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, ev *event.CommandStartedEvent) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.n == nil {
				c.n = map[string]int{}
			}
			c.n[ev.CommandName]++
		},
		Succeeded: func(_ context.Context, ev *event.CommandSucceededEvent) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.took == nil {
				c.took = map[string]time.Duration{}
			}
			c.took[ev.CommandName] += ev.Duration
		},
	}
}

func (c *commandCounts) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.took = nil, nil
}

var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true}

func (c *commandCounts) total() (writes, all int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, n := range c.n {
		all += n
		if writeCommands[name] {
			writes += n
		}
	}
	return writes, all
}

func (c *commandCounts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := slices.Sorted(maps.Keys(c.n))
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s=%d (%v)", name, c.n[name], c.took[name].Round(time.Millisecond))
	}
	return strings.Join(parts, " ")
}
