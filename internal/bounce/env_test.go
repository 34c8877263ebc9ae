package bounce_test

import (
	"bytes"
	"context"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/bounce"
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

// env is a database with a campaign delivered to an SMTP server, each
// message with its return path, and a bounce handler over it.
type env struct {
	t         testing.TB
	st        *store.Store
	customers *customer.Service
	paths     *bounce.ReturnPaths
	handler   *bounce.Handler
	observed  *observer
	campaign  store.Campaign
	contacts  []customer.Contact
	// returnPath is each contact's message's MAIL FROM, by address.
	returnPath map[string]string
}

// observer counts what the handler reports.
type observer struct{ counts map[string]int }

func (o *observer) Report(k bounce.Kind, out bounce.Outcome) { o.counts[string(k)+"/"+string(out)]++ }

const bounceDomain = "bounces.acme.example"

// newEnv delivers a campaign to n contacts.
func newEnv(t testing.TB, n int, softLimit int) *env {
	t.Helper()
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	admin := store.User{ID: "u-admin", Email: "admin@example.com", Name: "Ada Admin", Role: store.RoleAdmin}
	if err := st.Users.Insert(ctx, admin); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, customers: customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring)),
		paths: bounce.NewReturnPaths(ring, bounceDomain), observed: &observer{counts: map[string]int{}}, returnPath: map[string]string{}}
	acct, err := e.customers.CreateAccount(ctx, admin, customer.AccountInput{Name: "Customer Oy", Country: "FI", Region: "Nordics",
		Industry: "Retail", Tier: "A", ManagerIDs: []string{admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c, err := e.customers.CreateContact(ctx, admin, customer.ContactInput{AccountID: acct.ID,
			Name: fmt.Sprintf("Person %03d", i), Email: fmt.Sprintf("p%03d@customer.example", i), Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		e.contacts = append(e.contacts, c)
	}
	sv := openSurvey(t, st, admin)
	srv := smtptest.Start(t)
	deps := invite.Deps{Stores: invite.StoresOf(st), Customers: e.customers, Links: link.New(ring, "https://survey.example.com"),
		Config:      invite.Config{From: netmail.Address{Name: "Acme", Address: "surveys@acme.example"}, Rate: -1, BatchSize: 50},
		ReturnPaths: e.paths}
	svc, err := invite.NewService(deps)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mail.NewSMTPSender(mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	disp, err := invite.NewDispatcher(deps, sender)
	if err != nil {
		t.Fatal(err)
	}
	created, err := svc.Create(ctx, admin, sv.ID, invite.Request{AccountIDs: []string{acct.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		for _, fn := range []func(context.Context) error{disp.Feed, disp.Sweep} {
			if err := fn(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for {
			worked, err := disp.Work(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !worked {
				break
			}
		}
		if srv.Accepted() >= n {
			break
		}
	}
	got := srv.WaitFor(n, 5*time.Second)
	if len(got) != n {
		t.Fatalf("%d messages sent, want %d", len(got), n)
	}
	for _, m := range got {
		e.returnPath[m.To[0]] = m.From
	}
	e.campaign = e.campaignNow(created.Campaign.ID)
	e.handler, err = bounce.NewHandler(bounce.Deps{ReturnPaths: e.paths, Invitations: st.Invitations, Recipients: e.customers,
		Suppressions: st.Suppressions, Contacts: st.Contacts, Campaigns: st.Campaigns, Events: st.Bounces,
		SoftLimit: softLimit, Observer: e.observed})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func openSurvey(t testing.TB, st *store.Store, owner store.User) survey.Survey {
	t.Helper()
	def := survey.Survey{
		Title:       survey.Text{"en": "Customer survey"},
		Locales:     []string{"en"},
		Questions:   []survey.Question{{Key: "nps", Type: survey.TypeNPS, Prompt: survey.Text{"en": "Would you recommend us?"}, Required: true}},
		ConsentText: survey.Text{"en": "Attach my name to my answers."}, TokenValidityDays: 30,
	}
	now := time.Now()
	sv, err := survey.New(def, store.NewID(), owner.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Open(now); err != nil {
		t.Fatal(err)
	}
	if err := st.Surveys.Insert(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return sv
}

func (e *env) campaignNow(id string) store.Campaign {
	e.t.Helper()
	c, err := e.st.Campaigns.ByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// address is contact i's email address.
func (e *env) address(i int) string { return fmt.Sprintf("p%03d@customer.example", i) }

// sample is testdata/name as a report about contact i's message.
func (e *env) sample(name string, i int) []byte {
	e.t.Helper()
	rp := e.returnPath[e.address(i)]
	if rp == "" {
		e.t.Fatalf("no message went to %s", e.address(i))
	}
	return sampleWith(e.t, name, rp)
}

func sampleWith(t testing.TB, name, verp string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(raw, []byte("{{VERP}}"), []byte(verp))
}

// suppressed reports whether contact i's address is suppressed, and why.
func (e *env) suppressed(i int) store.SuppressionReason {
	e.t.Helper()
	r, err := e.customers.Recipient(context.Background(), e.contacts[i].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := e.st.Suppressions.Find(context.Background(), r.EmailIndexes...)
	if err != nil {
		return ""
	}
	return s.Reason
}

// Handler is the env's handler, for other test files.
func (e *env) Handler() *bounce.Handler { return e.handler }

func mustRing(t testing.TB) *keys.Ring {
	t.Helper()
	r, err := keys.Generate("other")
	if err != nil {
		t.Fatal(err)
	}
	return r
}
