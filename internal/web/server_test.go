package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
)

func TestNewNeedsItsDependencies(t *testing.T) {
	t.Parallel()
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.New(auth.Deps{Users: downUsers{}, Revoked: downRevoked{}, Resets: downResets{}, Keys: ring}, auth.Options{BcryptCost: bcrypt.MinCost})
	db := pingFunc(func(context.Context) error { return nil })
	cs, sv := customer.New(nil, nil, nil, seal.New(ring)), authoring.New(nil, nil)
	tests := []struct {
		name string
		deps Deps
		want string
	}{
		{"no auth", Deps{DB: db, Keys: ring}, "Deps.Auth"},
		{"no database", Deps{Auth: svc, Keys: ring}, "Deps.DB"},
		{"no keys", Deps{Auth: svc, DB: db}, "Deps.Keys"},
		{"no customers", Deps{Auth: svc, DB: db, Keys: ring, Surveys: sv}, "Deps.Customers"},
		{"no surveys", Deps{Auth: svc, DB: db, Keys: ring, Customers: cs}, "Deps.Surveys"},
	}
	for _, tt := range tests {
		if _, err := New(tt.deps); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one naming %s", tt.name, err, tt.want)
		}
	}
	if _, err := New(Deps{Auth: svc, DB: db, Keys: ring, Customers: cs, Surveys: sv, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Errorf("complete deps: %v", err)
	}
}

func TestListenServesUntilCancelled(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, addr) }()

	healthy := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !healthy; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			healthy = resp.StatusCode == http.StatusOK
		}
	}
	if !healthy {
		t.Error("server did not answer /healthz")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Listen = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatal("Listen did not return after cancel")
	}
}

func TestListenCancelledAtOnce(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Listen(ctx, "127.0.0.1:0"); err != nil {
		t.Errorf("Listen = %v", err)
	}
}

func TestListenReportsABadAddress(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	if err := s.Listen(context.Background(), "not an address"); err == nil {
		t.Error("Listen on a bad address returned nil")
	}
}
