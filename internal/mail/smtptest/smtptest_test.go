package smtptest_test

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

// send delivers one message over a fresh go-smtp client connection and
// returns the server's reply error, if any.
func send(t *testing.T, srv *smtptest.Server, to string) error {
	t.Helper()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := "From: a@example.com\r\nTo: " + to + "\r\nSubject: hi\r\n\r\nhello\r\n"
	return c.SendMail("a@example.com", []string{to}, strings.NewReader(body))
}

func code(err error) int {
	if se, ok := errors.AsType[*smtp.SMTPError](err); ok {
		return se.Code
	}
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		return te.Code
	}
	return 0
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*smtptest.Server)
		want  []int // reply code per message, 0 for accepted, -1 for any non-reply failure
	}{
		{"none", func(*smtptest.Server) {}, []int{0, 0}},
		{"FailNext counts down", func(s *smtptest.Server) { s.FailNext(2, 451, "later") }, []int{451, 451, 0}},
		{"FailNextAt MAIL", func(s *smtptest.Server) { s.FailNextAt(smtptest.StageMail, 1, 550, "") }, []int{550, 0}},
		{"FailNextAt RCPT", func(s *smtptest.Server) { s.FailNextAt(smtptest.StageRcpt, 1, 452, "") }, []int{452, 0}},
		{"SetRejectRecipient", func(s *smtptest.Server) {
			s.SetRejectRecipient(func(addr string) int {
				if strings.HasPrefix(addr, "bad") {
					return 550
				}
				return 0
			})
		}, []int{0, 550, 0}},
		{"DropNext", func(s *smtptest.Server) { s.DropNext(1) }, []int{-1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			tt.fault(srv)
			var accepted []string
			var sessions []int // each send dials anew, so attempt i is session i+1
			for i, want := range tt.want {
				to := "good" + string(rune('a'+i)) + "@example.com"
				if i == 1 {
					to = "bad@example.com"
				}
				err := send(t, srv, to)
				switch got := code(err); {
				case want == -1 && (err == nil || got != 0):
					t.Errorf("message %d: %v, want a dropped connection", i, err)
				case want != -1 && got != want:
					t.Errorf("message %d: reply %d (%v), want %d", i, got, err, want)
				}
				if want == 0 {
					accepted = append(accepted, to)
					sessions = append(sessions, i+1)
				}
			}
			got := srv.Messages()
			if len(got) != len(accepted) || srv.Accepted() != len(accepted) {
				t.Fatalf("kept %d, counted %d messages; want %d", len(got), srv.Accepted(), len(accepted))
			}
			for i, r := range got {
				if r.From != "a@example.com" || len(r.To) != 1 || r.To[0] != accepted[i] {
					t.Errorf("message %d: %s -> %v, want a@example.com -> %s", i, r.From, r.To, accepted[i])
				}
				if r.Header.Get("Subject") != "hi" || !strings.HasSuffix(string(r.Raw), "\r\n\r\nhello\r\n") {
					t.Errorf("message %d: header %v, raw %q", i, r.Header, r.Raw)
				}
				if r.Session != sessions[i] {
					t.Errorf("message %d came in on session %d, want %d", i, r.Session, sessions[i])
				}
			}
			if n := srv.Sessions(); n != len(tt.want) {
				t.Errorf("%d sessions, want %d", n, len(tt.want))
			}
		})
	}
}

func TestWaitForAndReset(t *testing.T) {
	srv := smtptest.Start(t)
	start := time.Now()
	if got := srv.WaitFor(1, 100*time.Millisecond); len(got) != 0 {
		t.Fatalf("WaitFor on an idle server returned %d messages", len(got))
	}
	if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
		t.Errorf("WaitFor returned after %v, before its timeout", elapsed)
	}

	done := make(chan []smtptest.Received)
	go func() { done <- srv.WaitFor(2, 5*time.Second) }()
	for range 2 {
		if err := send(t, srv, "x@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	if got := <-done; len(got) != 2 {
		t.Errorf("WaitFor returned %d messages, want 2", len(got))
	}

	srv.FailNext(5, 550, "")
	srv.Reset()
	if len(srv.Messages()) != 0 || srv.Sessions() != 0 || srv.Accepted() != 0 {
		t.Error("Reset kept messages or counts")
	}
	if err := send(t, srv, "x@example.com"); err != nil {
		t.Errorf("Reset kept a fault: %v", err)
	}
}

func TestDiscard(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithDiscard())
	for range 3 {
		if err := send(t, srv, "x@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.WaitFor(3, 5*time.Second); len(got) != 0 || srv.Accepted() != 3 {
		t.Errorf("kept %d messages and counted %d, want 0 and 3", len(got), srv.Accepted())
	}
}

func TestNewAndClose(t *testing.T) {
	srv, err := smtptest.New("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if srv.Port() == 0 || srv.Host() != "127.0.0.1" || srv.CertPool() != nil {
		t.Errorf("Host %q Port %d CertPool %v", srv.Host(), srv.Port(), srv.CertPool())
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := smtp.Dial(srv.Addr()); err == nil {
		t.Error("server still accepts connections after Close")
	}
	if _, err := smtptest.New("127.0.0.1:0", smtptest.WithSTARTTLS(), smtptest.WithImplicitTLS()); err == nil {
		t.Error("New accepted both TLS options")
	}
}
