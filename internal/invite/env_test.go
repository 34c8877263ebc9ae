package invite_test

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const baseURL = "https://survey.example.com"

// clock is a time tests can move; it starts at the real time.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// env is a database, the services over it, users of each role, an open
// survey and an SMTP server.
type env struct {
	t         testing.TB
	st        *store.Store
	ring      *keys.Ring
	customers *customer.Service
	links     *link.Signer
	svc       *invite.Service
	cfg       invite.Config
	clock     *clock
	smtp      *smtptest.Server

	admin, alice, bob, anna store.User
	survey                  survey.Survey
}

// testConfig delivers fast: no rate limit, short intervals and backoffs.
func testConfig() invite.Config {
	return invite.Config{
		From:             netmail.Address{Name: "Acme Service", Address: "surveys@acme.example"},
		Rate:             -1,
		BatchSize:        10,
		Lease:            10 * time.Second,
		BackoffBase:      20 * time.Millisecond,
		BackoffMax:       100 * time.Millisecond,
		UnreachablePause: 50 * time.Millisecond,
		PollInterval:     10 * time.Millisecond,
		FeedInterval:     20 * time.Millisecond,
		RemindInterval:   50 * time.Millisecond,
		SweepInterval:    50 * time.Millisecond,
	}
}

func newEnv(t testing.TB, tweak ...func(*invite.Config)) *env {
	t.Helper()
	return newEnvOn(t, storetest.DB(t), tweak...)
}

// newEnvOn is newEnv on a given database, e.g. one reached through a
// client that observes its commands.
func newEnvOn(t testing.TB, db *mongo.Database, tweak ...func(*invite.Config)) *env {
	t.Helper()
	ctx := context.Background()
	st := store.New(db)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, ring: ring, clock: &clock{}, cfg: testConfig(), smtp: smtptest.Start(t),
		admin: store.User{ID: "u-admin", Email: "admin@example.com", Name: "Ada Admin", Role: store.RoleAdmin},
		alice: store.User{ID: "u-alice", Email: "alice@example.com", Name: "Alice Manager", Role: store.RoleManager},
		bob:   store.User{ID: "u-bob", Email: "bob@example.com", Name: "Bob Manager", Role: store.RoleManager},
		anna:  store.User{ID: "u-anna", Email: "anna@example.com", Name: "Anna Analyst", Role: store.RoleAnalyst},
	}
	for _, f := range tweak {
		f(&e.cfg)
	}
	for _, u := range []store.User{e.admin, e.alice, e.bob, e.anna} {
		if err := st.Users.Insert(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	e.customers = customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
	e.links = link.New(ring, baseURL).WithClock(e.clock.Now)
	e.svc, err = invite.NewService(e.deps())
	if err != nil {
		t.Fatal(err)
	}
	e.survey = e.openSurvey(30)
	return e
}

func (e *env) deps() invite.Deps {
	return invite.Deps{Stores: invite.StoresOf(e.st), Customers: e.customers, Links: e.links, Config: e.cfg, Now: e.clock.Now}
}

// openSurvey stores an open survey in English and Finnish whose links are
// valid for the given number of days.
func (e *env) openSurvey(validityDays int) survey.Survey {
	e.t.Helper()
	t := func(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }
	def := survey.Survey{
		Title:   t("Customer survey 2026", "Asiakaskysely 2026"),
		Intro:   t("Tell us how we are doing.", "Kerro, miten olemme onnistuneet."),
		Locales: []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: t("Would you recommend us?", "Suosittelisitko meitä?"), Required: true},
		},
		ConsentText:       t("Attach my name to my answers.", "Liitä nimeni vastauksiini."),
		TokenValidityDays: validityDays,
	}
	now := e.clock.Now()
	sv, err := survey.New(def, store.NewID(), e.alice.ID, now)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := sv.Open(now); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Surveys.Insert(context.Background(), sv); err != nil {
		e.t.Fatal(err)
	}
	return sv
}

func (e *env) closeSurvey(sv survey.Survey) {
	e.t.Helper()
	prev := sv.Revision
	if err := sv.Close(e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Surveys.Replace(context.Background(), sv, prev); err != nil {
		e.t.Fatal(err)
	}
}

// account adds an account managed by manager.
func (e *env) account(manager store.User, name string, seg store.Segment) store.Account {
	e.t.Helper()
	a, err := e.customers.CreateAccount(context.Background(), e.admin, customer.AccountInput{
		Name: name, Country: seg.Country, Region: seg.Region, Industry: seg.Industry, Tier: seg.Tier, ManagerIDs: []string{manager.ID},
	})
	if err != nil {
		e.t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	return a
}

// contacts adds n contacts to an account, named and addressed after prefix.
func (e *env) contacts(a store.Account, prefix string, n int, locale string) []customer.Contact {
	e.t.Helper()
	out := make([]customer.Contact, n)
	for i := range out {
		c, err := e.customers.CreateContact(context.Background(), e.admin, customer.ContactInput{
			AccountID: a.ID, Name: fmt.Sprintf("%s Person %03d", strings.ToUpper(prefix[:1])+prefix[1:], i),
			Email: fmt.Sprintf("%s%03d@customer.example", prefix, i), Locale: locale,
		})
		if err != nil {
			e.t.Fatalf("CreateContact: %v", err)
		}
		out[i] = c
	}
	return out
}

func contactIDs(cs []customer.Contact) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// smtpSender sends to srv.
func smtpSender(t testing.TB, srv *smtptest.Server) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) dispatcher(sender invite.Sender) *invite.Dispatcher {
	return e.dispatcherWith(e.deps(), sender)
}

func (e *env) dispatcherWith(d invite.Deps, sender invite.Sender) *invite.Dispatcher {
	e.t.Helper()
	disp, err := invite.NewDispatcher(d, sender)
	if err != nil {
		e.t.Fatal(err)
	}
	return disp
}

// run runs d until the test ends or stop is called.
func run(t testing.TB, d *invite.Dispatcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// step runs the dispatcher's loops once each, and the workers until no
// batch is due: a deterministic stand-in for Run.
func step(t testing.TB, d *invite.Dispatcher) {
	t.Helper()
	ctx := context.Background()
	for _, fn := range []func(context.Context) error{d.Sweep, d.Feed} {
		if err := fn(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for {
		worked, err := d.Work(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !worked {
			break
		}
	}
	for _, fn := range []func(context.Context) error{d.Feed, d.Remind} {
		if err := fn(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// settle steps d until the campaign is sent and nothing is queued.
func (e *env) settle(d *invite.Dispatcher, campaignID string) store.Campaign {
	e.t.Helper()
	for range 200 {
		step(e.t, d)
		c, err := e.st.Campaigns.ByID(context.Background(), campaignID)
		if err != nil {
			e.t.Fatal(err)
		}
		if n, _ := e.st.Outbox.Count(context.Background()); n == 0 && c.State != store.CampaignSending && c.State != store.CampaignScheduled {
			return c
		}
	}
	e.t.Fatalf("campaign %s did not finish", campaignID)
	return store.Campaign{}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// create makes a campaign as actor, failing the test on error.
func (e *env) create(actor store.User, req invite.Request) invite.Created {
	e.t.Helper()
	created, err := e.svc.Create(context.Background(), actor, e.survey.ID, req)
	if err != nil {
		e.t.Fatalf("Create: %v", err)
	}
	return created
}

// recipients counts accepted messages by recipient address.
func recipients(msgs []smtptest.Received) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		for _, to := range m.To {
			out[to]++
		}
	}
	return out
}
