package web

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

const testPassword = "correct horse battery staple"

// fixture is a server over a fresh embedded database holding one user of
// each role, with a clock tests can move.
type fixture struct {
	*testServer
	st                      *store.Store
	admin, manager, analyst store.User
	offset                  atomic.Int64 // added to the real time, in nanoseconds
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, nil)
}

// newFixtureWith is newFixture with options adjusted by adjust.
func newFixtureWith(t *testing.T, adjust func(*testOptions)) *fixture {
	t.Helper()
	st := store.New(storetest.DB(t))
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	f := &fixture{st: st}
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions{users: st.Users, db: st, now: f.now,
		surveys: authoring.New(st.Surveys, everyQuestionAnswered{}),
		customers: customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring),
			customer.WithImportJobs(st.Uploads, st.Imports, nil))}
	if adjust != nil {
		adjust(&o)
	}
	f.testServer = newTestServer(t, o)
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
	return f
}

func (f *fixture) now() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }

func (f *fixture) advance(d time.Duration) { f.offset.Add(int64(d)) }

// signIn returns a client with a session for u.
func (f *fixture) signIn(t *testing.T, u store.User) *client {
	t.Helper()
	c := f.client(t)
	c.get("/login")
	r := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	wantStatus(t, r, http.StatusSeeOther)
	if c.cookie(sessionCookie) == nil {
		t.Fatal("sign-in set no session cookie")
	}
	return c
}

// token returns an API token for u.
func (f *fixture) token(t *testing.T, u store.User) string {
	t.Helper()
	token, _, err := f.auth.IssueToken(u, auth.AudienceAPI)
	if err != nil {
		t.Fatal(err)
	}
	return token
}
