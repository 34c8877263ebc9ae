package invite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

// importContacts adds n contacts to an account through the customer
// service's CSV import, which writes them in batches: creating them one by
// one would dominate large tests.
func (e *env) importContacts(a store.Account, n int) {
	e.t.Helper()
	// An import reads its file twice (counting, then storing), so the
	// contacts go to a file on disk rather than into memory.
	f, err := os.Create(filepath.Join(e.t.TempDir(), "contacts.csv"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	_, _ = fmt.Fprintln(w, "name,email,account,locale")
	for i := range n {
		locale := "en"
		if i%3 == 0 {
			locale = "fi"
		}
		_, _ = fmt.Fprintf(w, "Person %d,person%07d@customer.example,%s,%s\n", i, i, a.ID, locale)
	}
	if err := w.Flush(); err != nil {
		e.t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		e.t.Fatal(err)
	}
	res, err := e.customers.Import(context.Background(), e.admin, f, customer.ImportOptions{})
	if err != nil {
		e.t.Fatalf("import %d contacts: %v", n, err)
	}
	if len(res.Errors) > 0 {
		e.t.Fatalf("import: %d rows rejected, first: %+v", len(res.Errors), res.Errors[0])
	}
}

// benchConfig is a dispatcher tuned for throughput: no rate limit, four
// workers, quick feeding.
func benchConfig(c *invite.Config) {
	c.Rate = -1
	c.Workers = 4
	c.BatchSize = 100
	c.FeedBelow = 1000
	c.PollInterval = 50 * time.Millisecond
	c.FeedInterval = 50 * time.Millisecond
	c.RemindInterval = time.Hour
	c.SweepInterval = time.Minute
}

// BenchmarkDispatch compares Candor's delivery with a plain go-mail loop
// to the same kind of server. raw sends b.N pre-built messages over one
// connection; candor creates a campaign of b.N invitations and dispatches
// it until every message is sent: resolving the audience, feeding the
// outbox, claiming, rendering, sending and recording, on the database.
func BenchmarkDispatch(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		srv := smtptest.Start(b, smtptest.WithDiscard())
		c, err := gomail.NewClient(srv.Host(), gomail.WithPort(srv.Port()), gomail.WithTLSPolicy(gomail.NoTLS))
		if err != nil {
			b.Fatal(err)
		}
		msgs := make([]*gomail.Msg, b.N)
		for i := range msgs {
			m := gomail.NewMsg()
			if err := m.FromFormat("Acme Service", "surveys@acme.example"); err != nil {
				b.Fatal(err)
			}
			if err := m.To(fmt.Sprintf("person%07d@customer.example", i)); err != nil {
				b.Fatal(err)
			}
			m.Subject("Survey: Customer survey 2026")
			m.SetBodyString(gomail.TypeTextPlain, "Dear Person,\n\nhttps://survey.example.com/s/eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0\n")
			m.AddAlternativeString(gomail.TypeTextHTML, "<p>Dear Person,</p><p><a href=\"https://survey.example.com/s/x\">Answer</a></p>")
			msgs[i] = m
		}
		b.ResetTimer()
		if err := c.DialAndSend(msgs...); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := srv.Accepted(); got != b.N {
			b.Fatalf("server accepted %d of %d", got, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("candor", func(b *testing.B) {
		var cmds commandCounter
		e := newEnvOn(b, cmds.database(b), benchConfig)
		srv := smtptest.Start(b, smtptest.WithDiscard())
		a := e.account(e.alice, "Acme", store.Segment{})
		e.importContacts(a, b.N)
		d := e.dispatcher(smtpSender(b, srv))
		ctx := context.Background()

		cmds.reset()
		b.ResetTimer()
		created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
		stop := run(b, d)
		for {
			c, err := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
			if err != nil {
				b.Fatal(err)
			}
			if c.State == store.CampaignSent {
				break
			}
			// Polling reads the database the dispatcher is busy with: not too often.
			time.Sleep(20 * time.Millisecond)
		}
		b.StopTimer()
		writes, all := cmds.counts()
		stop()
		if got := srv.Accepted(); got != b.N {
			b.Fatalf("server accepted %d of %d", got, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		b.ReportMetric(float64(writes)/float64(b.N), "writes/msg")
		b.ReportMetric(float64(all)/float64(b.N), "dbcmds/msg")
		if testing.Verbose() {
			b.Logf("database commands while timed: %s", cmds.String())
		}
	})
}

// commandCounter counts the database commands sent while the benchmark
// timer runs: the embedded database runs writes one at a time, so writes
// per message bound the dispatcher's throughput.
type commandCounter struct {
	mu     sync.Mutex
	byName map[string]int
	took   map[string]time.Duration
}

// database returns a fresh test database reached through a client whose
// commands are counted.
func (c *commandCounter) database(b *testing.B) *mongo.Database {
	b.Helper()
	name := storetest.DB(b).Name() // dropped by storetest when the benchmark ends
	mon := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.byName == nil {
			c.byName = map[string]int{}
		}
		c.byName[ev.CommandName]++
	}, Succeeded: func(_ context.Context, ev *event.CommandSucceededEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.took == nil {
			c.took = map[string]time.Duration{}
		}
		c.took[ev.CommandName] += ev.Duration
	}}
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI(b)).SetMonitor(mon))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(name)
}

func (c *commandCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byName, c.took = nil, nil
}

var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true, "createIndexes": true, "drop": true}

func (c *commandCounter) counts() (writes, all int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, n := range c.byName {
		all += n
		if writeCommands[name] {
			writes += n
		}
	}
	return writes, all
}

func (c *commandCounter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.byName))
	for name := range c.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s=%d (%v)", name, c.byName[name], c.took[name].Round(time.Millisecond))
	}
	return strings.Join(parts, " ")
}
