package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

// campaignFixture is a fixture with real customer and campaign services, a
// dispatcher that delivers to the dev outbox, and an open survey.
type campaignFixture struct {
	*fixture
	customers *customer.Service
	campaigns *invite.Service
	disp      *invite.Dispatcher
	links     *link.Signer
	survey    survey.Survey
}

func newCampaignFixture(t *testing.T) *campaignFixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	f := &campaignFixture{fixture: &fixture{st: st}}
	f.customers = customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
	f.links = link.New(ring, "http://candor.test").WithClock(f.now)
	deps := invite.Deps{
		Stores: invite.StoresOf(st), Customers: f.customers, Links: f.links, Now: f.now,
		Config: invite.Config{Rate: -1, BatchSize: 10, PollInterval: 10 * time.Millisecond},
	}
	if f.campaigns, err = invite.NewService(deps); err != nil {
		t.Fatal(err)
	}
	if f.disp, err = invite.NewDispatcher(deps, invite.NewDevOutbox(st.DevMails)); err != nil {
		t.Fatal(err)
	}
	f.testServer = newTestServer(t, testOptions{users: st.Users, db: st, now: f.now, customers: f.customers, campaigns: f.campaigns,
		surveys: authoring.New(st.Surveys, st.Responses)})
	for _, u := range []struct {
		dst  *store.User
		role store.Role
	}{{&f.admin, store.RoleAdmin}, {&f.manager, store.RoleManager}, {&f.analyst, store.RoleAnalyst}} {
		created, err := f.auth.CreateUser(ctx, auth.NewUser{
			Email: string(u.role) + "@example.com", Name: "Test " + string(u.role), Role: u.role, Password: testPassword,
		})
		if err != nil {
			t.Fatalf("create %s: %v", u.role, err)
		}
		*u.dst = created
	}
	f.survey = f.openSurvey(t)
	return f
}

func (f *campaignFixture) openSurvey(t *testing.T) survey.Survey {
	t.Helper()
	text := func(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }
	sv, err := survey.New(survey.Survey{
		Title: text("Service survey", "Palvelukysely"), Locales: []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: text("Would you recommend us?", "Suosittelisitko meitä?"), Required: true},
		},
		ConsentText: text("Attach my name.", "Liitä nimeni."),
	}, store.NewID(), f.manager.ID, f.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Open(f.now()); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Surveys.Insert(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return sv
}

// account adds an account managed by manager, with n contacts.
func (f *campaignFixture) account(t *testing.T, manager store.User, name string, n int) (store.Account, []customer.Contact) {
	t.Helper()
	ctx := context.Background()
	a, err := f.customers.CreateAccount(ctx, f.admin, customer.AccountInput{Name: name, Country: "FI", Region: "Nordics", Tier: "gold", ManagerIDs: []string{manager.ID}})
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]customer.Contact, n)
	for i := range cs {
		cs[i], err = f.customers.CreateContact(ctx, f.admin, customer.ContactInput{
			AccountID: a.ID, Name: fmt.Sprintf("%s Contact %d", name, i), Email: fmt.Sprintf("c%d@%s.example", i, a.ID[:8]), Locale: "fi",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return a, cs
}

// deliver runs the dispatcher until nothing is due.
func (f *campaignFixture) deliver(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for range 5 {
		for _, step := range []func(context.Context) error{f.disp.Feed, f.disp.Sweep} {
			if err := step(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for {
			worked, err := f.disp.Work(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !worked {
				break
			}
		}
	}
}
