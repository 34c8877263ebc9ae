package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

// plainSettings reaches srv without TLS.
func plainSettings(srv *smtptest.Server) Settings {
	return Settings{Host: srv.Host(), Port: srv.Port(), TLS: TLSNone, Timeout: 5 * time.Second}
}

func newSender(t testing.TB, s Settings, opts ...Option) *SMTPSender {
	t.Helper()
	sender, err := NewSMTPSender(s, opts...)
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return sender
}

// batch returns n messages to distinct recipients r0@customer.example, ...
func batch(n int) []Message {
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = testMessage()
		msgs[i].To = fmt.Sprintf("r%d@customer.example", i)
	}
	return msgs
}

func recipients(rs []smtptest.Received) []string {
	var to []string
	for _, r := range rs {
		to = append(to, r.To...)
	}
	return to
}

func TestSendMultipart(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newSender(t, plainSettings(srv))

	const subject = "Kyselyä — 你好"
	text := "Hei Åsa,\n.a line starting with a dot\n" + strings.Repeat("pitkä rivi ", 20) + "\nhttps://candor.example/s/TOKEN\n"
	html := "<p>Hei Åsa — 你好</p>\n<p><a href=\"https://candor.example/s/TOKEN\">Vastaa</a></p>\n"
	unsubscribe := "<https://candor.example/u/" + strings.Repeat("T0KEN", 20) + ">"
	msgs := make([]Message, 2)
	for i := range msgs {
		msgs[i] = Message{
			From: testFrom, To: fmt.Sprintf("asa%d@customer.example", i), ToName: "Åsa Öberg",
			Subject: subject, Text: text, HTML: html,
			Headers: []Header{
				{"List-Unsubscribe", unsubscribe},
				{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
			},
		}
	}
	for i, err := range sender.Send(t.Context(), msgs) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}

	got := srv.WaitFor(2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("server received %d messages, want 2", len(got))
	}
	ids := map[string]bool{}
	for i, r := range got {
		if r.From != testFrom.Address || len(r.To) != 1 || r.To[0] != msgs[i].To {
			t.Errorf("envelope %s -> %v, want %s -> %s", r.From, r.To, testFrom.Address, msgs[i].To)
		}
		dec := new(mime.WordDecoder)
		if s, err := dec.DecodeHeader(r.Header.Get("Subject")); err != nil || s != subject {
			t.Errorf("Subject decodes to %q (%v), want %q", s, err, subject)
		}
		if to, err := r.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != "Åsa Öberg" {
			t.Errorf("To = %v (%v)", to, err)
		}
		for _, line := range []string{
			"\r\nList-Unsubscribe: " + unsubscribe + "\r\n",
			"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		} {
			if !bytes.Contains(r.Raw, []byte(line)) {
				t.Errorf("raw message lacks the line %q", line)
			}
		}
		id := r.Header.Get("Message-Id")
		if !strings.HasSuffix(id, "@candor.example>") || ids[id] {
			t.Errorf("Message-ID %q is not a fresh id on the From domain", id)
		}
		ids[id] = true

		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		body, err := netmail.ReadMessage(bytes.NewReader(r.Raw))
		if err != nil {
			t.Fatal(err)
		}
		// multipart.Reader undoes the quoted-printable encoding.
		mr := multipart.NewReader(body.Body, params["boundary"])
		for _, want := range []struct{ mediaType, content string }{{"text/plain", text}, {"text/html", html}} {
			p, err := mr.NextPart()
			if err != nil {
				t.Fatalf("part %s: %v", want.mediaType, err)
			}
			content, _ := io.ReadAll(p)
			if mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); mt != want.mediaType {
				t.Errorf("part is %s, want %s", mt, want.mediaType)
			}
			if got, want := string(content), strings.ReplaceAll(want.content, "\n", "\r\n"); got != want {
				t.Errorf("%s part:\n got %q\nwant %q", want, got, want)
			}
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Errorf("more than two parts: %v", err)
		}
	}
}

func TestSendBatchUsesOneConnection(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newSender(t, plainSettings(srv))
	msgs := batch(50)
	for i, err := range sender.Send(t.Context(), msgs) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	got := srv.Messages()
	if len(got) != 50 {
		t.Fatalf("received %d messages, want 50", len(got))
	}
	if n := srv.Sessions(); n != 1 {
		t.Errorf("server saw %d connections, want 1", n)
	}
	for i, r := range got {
		if r.Session != 1 || r.To[0] != msgs[i].To {
			t.Errorf("message %d: session %d to %v, want session 1 to %s", i, r.Session, r.To, msgs[i].To)
		}
	}
}

func TestSendPerMessageErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(*smtptest.Server)
		permanent bool
		restSent  bool // whether the messages after the failed one still go out
	}{
		{"RCPT 550", func(s *smtptest.Server) { s.SetRejectRecipient(rejectR1(550)) }, true, true},
		{"RCPT 553", func(s *smtptest.Server) { s.SetRejectRecipient(rejectR1(553)) }, true, true},
		{"RCPT 451", func(s *smtptest.Server) { s.SetRejectRecipient(rejectR1(451)) }, false, true},
		{"RCPT 452", func(s *smtptest.Server) { s.SetRejectRecipient(rejectR1(452)) }, false, true},
		{"RCPT 421 closes the session", func(s *smtptest.Server) { s.SetRejectRecipient(rejectR1(421)) }, false, false},
		{"DATA 550", func(s *smtptest.Server) { s.FailNext(1, 550, "5.7.1 content rejected") }, true, true},
		{"DATA 451", func(s *smtptest.Server) { s.FailNext(1, 451, "4.3.0 try later") }, false, true},
		// A refused sender is the relay's configuration, not the recipient.
		{"MAIL 550", func(s *smtptest.Server) { s.FailNextAt(smtptest.StageMail, 1, 550, "5.7.1 sender not allowed") }, false, true},
		{"MAIL 451", func(s *smtptest.Server) { s.FailNextAt(smtptest.StageMail, 1, 451, "") }, false, true},
		{"dropped mid-DATA", func(s *smtptest.Server) { s.DropNext(1) }, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			sender := newSender(t, plainSettings(srv))
			tt.fault(srv)

			msgs := batch(4)[1:] // r1, r2, r3; every fault hits r1
			errs := sender.Send(t.Context(), msgs)
			if errs[0] == nil {
				t.Fatal("faulty message reported as sent")
			}
			if got := IsPermanent(errs[0]); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", errs[0], got, tt.permanent)
			}
			for i, err := range errs[1:] {
				switch {
				case tt.restSent && err != nil:
					t.Errorf("message %d after the fault: %v", i+1, err)
				case !tt.restSent && (err == nil || IsPermanent(err)):
					t.Errorf("message %d after a broken connection: %v, want a transient error", i+1, err)
				}
			}
			want := []string(nil)
			if tt.restSent {
				want = []string{msgs[1].To, msgs[2].To}
			}
			if got := recipients(srv.Messages()); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("server accepted %v, want %v", got, want)
			}
			if n := srv.Sessions(); n != 1 {
				t.Errorf("%d connections, want 1", n)
			}

			// The sender recovers on the next batch.
			srv.Reset()
			if errs := sender.Send(t.Context(), batch(2)); errs[0] != nil || errs[1] != nil {
				t.Errorf("next batch: %v", errs)
			}
		})
	}
}

func rejectR1(code int) func(string) int {
	return func(addr string) int {
		if addr == "r1@customer.example" {
			return code
		}
		return 0
	}
}

func TestSendInvalidMessageDoesNotSpoilBatch(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newSender(t, plainSettings(srv))
	msgs := batch(3)
	msgs[1].To = "not an address"
	errs := sender.Send(t.Context(), msgs)
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("valid messages failed: %v", errs)
	}
	if !errors.Is(errs[1], ErrInvalidMessage) || !IsPermanent(errs[1]) {
		t.Errorf("invalid message: %v, want a permanent ErrInvalidMessage", errs[1])
	}
	if got := len(srv.Messages()); got != 2 {
		t.Errorf("server received %d messages, want 2", got)
	}

	// A batch of only invalid messages does not connect at all.
	srv.Reset()
	if errs := sender.Send(t.Context(), msgs[1:2]); !IsPermanent(errs[0]) {
		t.Errorf("got %v", errs[0])
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("%d connections for a batch with nothing to send", n)
	}
}

func TestSendUnreachable(t *testing.T) {
	refused := closedPort(t)
	stalled := silentListener(t) // accepts, never greets
	tests := []struct {
		name string
		port int
	}{
		{"connection refused", refused},
		{"no greeting", stalled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const timeout = 300 * time.Millisecond
			sender := newSender(t, Settings{Host: "127.0.0.1", Port: tt.port, TLS: TLSNone, Timeout: timeout})
			start := time.Now()
			errs := sender.Send(t.Context(), batch(3))
			if elapsed := time.Since(start); elapsed > timeout+2*time.Second {
				t.Errorf("Send took %v with a %v timeout", elapsed, timeout)
			}
			for i, err := range errs {
				if err == nil || IsPermanent(err) {
					t.Errorf("message %d: %v, want a transient error", i, err)
				}
				if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d", tt.port)) {
					t.Errorf("message %d: %q does not name the server", i, err)
				}
			}
		})
	}
}

func TestSendTimeoutAndCancel(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		ctx     func(t *testing.T) context.Context
		wantErr error // matched with errors.Is on the stalled message; nil: a net timeout
	}{
		{"server stalls past the timeout", 300 * time.Millisecond, func(t *testing.T) context.Context { return t.Context() }, nil},
		{"context deadline", 10 * time.Second, func(t *testing.T) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			s := plainSettings(srv)
			s.Timeout = tt.timeout
			sender := newSender(t, s)
			srv.StallNext(1)
			start := time.Now()
			errs := sender.Send(tt.ctx(t), batch(3))
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("Send took %v", elapsed)
			}
			if ne, ok := errors.AsType[net.Error](errs[0]); tt.wantErr == nil && !(ok && ne.Timeout()) {
				t.Errorf("stalled message: %v, want a timeout", errs[0])
			}
			for i, err := range errs {
				if err == nil || IsPermanent(err) {
					t.Errorf("message %d: %v, want a transient error", i, err)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("message %d: %v, want %v", i, err, tt.wantErr)
				}
			}
		})
	}
}

func TestSendCancelledBeforeStart(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newSender(t, plainSettings(srv))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for i, err := range sender.Send(ctx, batch(2)) {
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Errorf("message %d: %v, want context.Canceled", i, err)
		}
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("connected %d times with a cancelled context", n)
	}
}

func TestSendConcurrent(t *testing.T) {
	tests := []struct {
		name     string
		server   []smtptest.Option
		settings func(srv *smtptest.Server) Settings
	}{
		{"plain", nil, plainSettings},
		{"STARTTLS and AUTH", []smtptest.Option{smtptest.WithSTARTTLS()}, func(srv *smtptest.Server) Settings {
			return Settings{Host: srv.Host(), Port: srv.Port(), Username: "u", Password: "p", InsecureSkipVerify: true}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.server...)
			sender := newSender(t, tt.settings(srv))
			const workers, perBatch = 8, 25
			var wg sync.WaitGroup
			errc := make(chan error, workers*perBatch)
			for range workers {
				wg.Go(func() {
					for _, err := range sender.Send(t.Context(), batch(perBatch)) {
						if err != nil {
							errc <- err
						}
					}
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Error(err)
			}
			if got := len(srv.Messages()); got != workers*perBatch {
				t.Errorf("received %d messages, want %d", got, workers*perBatch)
			}
			if n := srv.Sessions(); n != workers {
				t.Errorf("%d connections, want one per Send (%d)", n, workers)
			}
		})
	}
}

func TestSendTLSAndAuth(t *testing.T) {
	const user, pass = "sürvey user", "p@ss:w/rd+%"
	tests := []struct {
		name     string
		server   []smtptest.Option
		settings func(t *testing.T, srv *smtptest.Server) Settings
		opts     func(srv *smtptest.Server) []Option
		wantErr  string // empty: delivered
	}{
		{
			name:   "STARTTLS, certificate from the test CA, AUTH via URL",
			server: []smtptest.Option{smtptest.WithSTARTTLS()},
			settings: func(t *testing.T, srv *smtptest.Server) Settings {
				s, err := ParseSMTPURL(fmt.Sprintf("smtp://%s:%s@%s?tls=starttls",
					url.PathEscape(user), url.PathEscape(pass), srv.Addr()))
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			opts: func(srv *smtptest.Server) []Option {
				return []Option{WithTLSConfig(&tls.Config{RootCAs: srv.CertPool()})}
			},
		},
		{
			name:   "STARTTLS, insecure_skip_verify",
			server: []smtptest.Option{smtptest.WithSTARTTLS()},
			settings: func(t *testing.T, srv *smtptest.Server) Settings {
				return Settings{Host: srv.Host(), Port: srv.Port(), Username: user, Password: pass, InsecureSkipVerify: true}
			},
		},
		{
			name:   "implicit TLS",
			server: []smtptest.Option{smtptest.WithImplicitTLS()},
			settings: func(t *testing.T, srv *smtptest.Server) Settings {
				return Settings{Host: srv.Host(), Port: srv.Port(), TLS: TLSImplicit, Username: user, Password: pass}
			},
			opts: func(srv *smtptest.Server) []Option {
				return []Option{WithTLSConfig(&tls.Config{RootCAs: srv.CertPool()})}
			},
		},
		{
			name: "no TLS, AUTH PLAIN on loopback",
			settings: func(t *testing.T, srv *smtptest.Server) Settings {
				return Settings{Host: srv.Host(), Port: srv.Port(), TLS: TLSNone, Username: user, Password: pass}
			},
		},
		{
			name:   "untrusted certificate",
			server: []smtptest.Option{smtptest.WithSTARTTLS()},
			settings: func(t *testing.T, srv *smtptest.Server) Settings {
				return Settings{Host: srv.Host(), Port: srv.Port()}
			},
			wantErr: "certificate",
		},
		{
			name: "STARTTLS required but not offered",
			settings: func(t *testing.T, srv *smtptest.Server) Settings {
				return Settings{Host: srv.Host(), Port: srv.Port(), TLS: TLSStartTLS}
			},
			wantErr: "STARTTLS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.server...)
			var opts []Option
			if tt.opts != nil {
				opts = tt.opts(srv)
			}
			s := tt.settings(t, srv)
			s.Timeout = 5 * time.Second
			errs := newSender(t, s, opts...).Send(t.Context(), batch(1))
			if tt.wantErr != "" {
				if errs[0] == nil || !strings.Contains(errs[0].Error(), tt.wantErr) || IsPermanent(errs[0]) {
					t.Fatalf("got %v, want a transient error about %s", errs[0], tt.wantErr)
				}
				return
			}
			if errs[0] != nil {
				t.Fatal(errs[0])
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("received %d messages", len(got))
			}
			if s.Username != "" && got[0].Username != user {
				t.Errorf("server saw user %q, want %q", got[0].Username, user)
			}
		})
	}
}

func TestNewSMTPSenderRejects(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
	}{
		{"no host", Settings{}},
		{"password in clear to a remote host", Settings{Host: "smtp.example.com", TLS: TLSNone, Username: "u", Password: "p"}},
		{"user without password", Settings{Host: "smtp.example.com", Username: "u"}},
		{"unknown TLS mode", Settings{Host: "smtp.example.com", TLS: "ssl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSMTPSender(tt.s); err == nil {
				t.Error("NewSMTPSender accepted it")
			}
		})
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// silentListener accepts connections and never says a word.
func silentListener(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}
