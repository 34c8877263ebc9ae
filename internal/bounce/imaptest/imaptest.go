// Package imaptest runs a real IMAP server in memory for tests: go-imap's
// server with its memory backend on 127.0.0.1, one user, an INBOX.
package imaptest

import (
	"bytes"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/backend/memory"
	"github.com/emersion/go-imap/client"
	"github.com/emersion/go-imap/server"
)

// The memory backend's one user.
const (
	Username = "username"
	Password = "password"
)

// Server is a running IMAP server.
type Server struct {
	addr string
	srv  *server.Server
	// mu keeps clients of the test from overlapping: the memory backend
	// guards nothing.
	mu sync.Mutex
}

// Start serves IMAP on 127.0.0.1 until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// New serves IMAP on 127.0.0.1 until Close.
func New() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := server.New(memory.New())
	srv.AllowInsecureAuth = true // plain text, on the loopback interface only
	go func() { _ = srv.Serve(ln) }()
	return &Server{addr: ln.Addr().String(), srv: srv}, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the mailbox's CANDOR_BOUNCE_IMAP_URL.
func (s *Server) URL() string {
	return fmt.Sprintf("imap://%s:%s@%s/INBOX?tls=none", Username, Password, s.addr)
}

func (s *Server) session(fn func(c *client.Client) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := client.Dial(s.addr)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout() }()
	c.Timeout = 10 * time.Second
	if err := c.Login(Username, Password); err != nil {
		return err
	}
	return fn(c)
}

// Append adds a message to INBOX, unseen.
func (s *Server) Append(raw []byte) error {
	return s.session(func(c *client.Client) error {
		return c.Append("INBOX", nil, time.Now(), bytes.NewBuffer(raw))
	})
}

// Count is how many messages INBOX holds, and how many of them are unseen.
func (s *Server) Count() (total, unseen int, err error) {
	err = s.session(func(c *client.Client) error {
		st, err := c.Status("INBOX", []imap.StatusItem{imap.StatusMessages, imap.StatusUnseen})
		if err != nil {
			return err
		}
		total, unseen = int(st.Messages), int(st.Unseen)
		return nil
	})
	return total, unseen, err
}
