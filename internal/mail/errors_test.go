package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"syscall"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

func TestIsPermanent(t *testing.T) {
	reply := func(code int) error { return &textproto.Error{Code: code, Msg: "x"} }
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"reply 550", reply(550), true},
		{"reply 554", reply(554), true},
		{"reply 451", reply(451), false},
		{"reply 421", reply(421), false},
		{"reply 250 (protocol mix-up)", reply(250), false},
		{"wrapped reply 550", fmt.Errorf("outbox: %w", reply(550)), true},
		{"joined reply 553", errors.Join(io.EOF, reply(553)), true},
		{"RCPT 550", &sendError{stage: stageRcpt, err: reply(550)}, true},
		{"RCPT 450", &sendError{stage: stageRcpt, err: reply(450)}, false},
		{"DATA 552", &sendError{stage: stageData, err: reply(552)}, true},
		{"DATA 451", &sendError{stage: stageData, err: reply(451)}, false},
		{"wrapped DATA 550", fmt.Errorf("outbox: claim 7: %w", &sendError{stage: stageData, err: reply(550)}), true},
		{"MAIL FROM 550 (sender problem)", &sendError{stage: stageMail, err: reply(550)}, false},
		{"connect 535 (AUTH failed)", &sendError{stage: stageConnect, err: fmt.Errorf("smtp:587: %w", reply(535))}, false},
		{"not attempted after 550", &sendError{stage: stageSkipped, err: reply(550)}, false},
		{"DATA EOF", &sendError{stage: stageData, err: io.EOF}, false},
		{"invalid message", fmt.Errorf("%w: To: bad", ErrInvalidMessage), true},
		{"wrapped invalid message", fmt.Errorf("outbox: %w", invalidf("no body")), true},
		{"context canceled", &sendError{stage: stageSkipped, err: context.Canceled}, false},
		{"context deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{"timeout", timeout, false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false},
		{"EOF", io.EOF, false},
		{"unexpected EOF", fmt.Errorf("x: %w", io.ErrUnexpectedEOF), false},
		{"plain error mentioning 550", errors.New("550 in text only"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPermanent(tt.err); got != tt.want {
				t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestIsPermanentGoMail classifies the errors go-mail's own send path
// returns, produced against the test server.
func TestIsPermanentGoMail(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(*smtptest.Server)
		permanent bool
	}{
		{"RCPT 550", func(s *smtptest.Server) { s.SetRejectRecipient(func(string) int { return 550 }) }, true},
		{"RCPT 451", func(s *smtptest.Server) { s.SetRejectRecipient(func(string) int { return 451 }) }, false},
		{"DATA 554", func(s *smtptest.Server) { s.FailNext(1, 554, "") }, true},
		{"DATA 452", func(s *smtptest.Server) { s.FailNext(1, 452, "") }, false},
		{"MAIL 550", func(s *smtptest.Server) { s.FailNextAt(smtptest.StageMail, 1, 550, "") }, false},
		// go-mail calls this one not temporary; it is a lost connection all the same.
		{"dropped", func(s *smtptest.Server) { s.DropNext(1) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			tt.fault(srv)
			c, err := gomail.NewClient(srv.Host(), gomail.WithPort(srv.Port()),
				gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithTimeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			m := gomail.NewMsg()
			if err := m.From("surveys@candor.example"); err != nil {
				t.Fatal(err)
			}
			if err := m.To("ada@customer.example"); err != nil {
				t.Fatal(err)
			}
			m.SetBodyString(gomail.TypeTextPlain, "hello")
			err = c.DialAndSendWithContext(t.Context(), m)
			if _, ok := errors.AsType[*gomail.SendError](err); !ok {
				t.Fatalf("got %v, want a go-mail SendError", err)
			}
			if got := IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
		})
	}
}
