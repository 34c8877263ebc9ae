package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/problem"
)

func TestDatabaseDown(t *testing.T) {
	t.Parallel()
	client, err := mongo.Connect(options.Client().
		ApplyURI("mongodb://127.0.0.1:1/?connect=direct").
		SetServerSelectionTimeout(200 * time.Millisecond).
		SetConnectTimeout(200 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	st := store.New(client.Database("candor"))
	s := newTestServer(t, testOptions{users: st.Users, db: st})

	admin := store.User{ID: "a1", Role: store.RoleAdmin}
	session, _, err := s.auth.IssueToken(admin, auth.AudienceSession)
	if err != nil {
		t.Fatal(err)
	}
	bearer, _, err := s.auth.IssueToken(admin, auth.AudienceAPI)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("health", func(t *testing.T) {
		t.Parallel()
		wantStatus(t, s.client(t).get("/healthz"), http.StatusServiceUnavailable)
	})
	t.Run("page", func(t *testing.T) {
		t.Parallel()
		c := s.client(t)
		c.header.Set("Cookie", sessionCookie+"="+session)
		r := c.get("/admin/users")
		wantStatus(t, r, http.StatusServiceUnavailable)
		if !strings.Contains(r.body, "Candor is temporarily unavailable — please try again in a minute.") {
			t.Errorf("page lacks the message:\n%s", truncate(r.body))
		}
		if r.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
	t.Run("login", func(t *testing.T) {
		t.Parallel()
		c := s.client(t)
		c.get("/login")
		wantStatus(t, c.post("/login", map[string][]string{"email": {"a@example.com"}, "password": {"long enough password"}}), http.StatusServiceUnavailable)
	})
	t.Run("api", func(t *testing.T) {
		t.Parallel()
		r := s.client(t).api(http.MethodGet, "/api/v1/users", bearer, "")
		wantStatus(t, r, http.StatusServiceUnavailable)
		if got := decodeError(t, r).Error; got != problem.UnavailableMessage {
			t.Errorf("error = %q", got)
		}
	})
	t.Run("logged", func(t *testing.T) {
		t.Parallel()
		s.client(t).api(http.MethodGet, "/api/v1/me", bearer, "")
		if !strings.Contains(s.logs.String(), "level=ERROR msg=\"request failed\"") {
			t.Errorf("the database error is not logged:\n%s", s.logs.String())
		}
	})
}
