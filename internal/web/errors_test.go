package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus int
	}{
		{"validation", &auth.ValidationError{Fields: map[string]string{"email": "is required"}}, 400},
		{"wrapped validation", fmt.Errorf("x: %w", &auth.ValidationError{}), 400},
		{"credentials", auth.ErrInvalidCredentials, 401},
		{"token", auth.ErrInvalidToken, 401},
		{"rate limited", auth.ErrRateLimited, 429},
		{"last admin", auth.ErrLastAdmin, 409},
		{"self", auth.ErrSelf, 409},
		{"auth not found", auth.ErrNotFound, 404},
		{"store not found", fmt.Errorf("store: find user: %w", store.ErrNotFound), 404},
		{"deadline", fmt.Errorf("auth: %w", context.DeadlineExceeded), 503},
		{"client disconnected", fmt.Errorf("store: %w", mongo.ErrClientDisconnected), 503},
		{"consent chain busy", fmt.Errorf("respond: %w", privacy.ErrChainBusy), 503},
		{"fiber 404", fiber.ErrNotFound, 404},
		{"fiber 405", fiber.ErrMethodNotAllowed, 405},
		{"fiber 500", fiber.ErrInternalServerError, 500},
		{"anything else", errors.New("boom"), 500},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got.status != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, got.status, tt.wantStatus)
		}
	}
}

// TestDatabaseDown runs the real driver against a port nothing listens on:
// every page and API call that needs the database answers 503, never 500.
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
		if got := decodeError(t, r).Error; got != unavailableMessage {
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
