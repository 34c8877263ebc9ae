// Package smtptest runs an in-process SMTP server that records what it
// receives and can be told to misbehave: reject a command with a given reply,
// reject chosen recipients, drop the connection in the middle of DATA, or go
// silent like a hung server.
//
// Tests use Start; benchmarks and soak scripts outside `go test` use New and
// Close. Any AUTH PLAIN credentials are accepted, also without TLS.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	netmail "net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	Session  int            // connection number, starting at 1
	Username string         // AUTH PLAIN user name, empty without AUTH
	From     string         // MAIL FROM address
	To       []string       // RCPT TO addresses
	Raw      []byte         // the DATA bytes, CRLF line endings, dot-unstuffed
	Header   netmail.Header // the header of Raw, values as sent (not decoded)
}

// Stage is the point of an SMTP transaction at which a fault is injected.
type Stage int

// Stages at which FailNextAt can reject a command.
const (
	StageMail Stage = iota // reply to MAIL FROM
	StageRcpt              // reply to RCPT TO
	StageData              // reply after the message data
)

func (st Stage) String() string {
	switch st {
	case StageMail:
		return "MAIL"
	case StageRcpt:
		return "RCPT"
	case StageData:
		return "DATA"
	}
	return "Stage(" + strconv.Itoa(int(st)) + ")"
}

// Option configures a Server.
type Option func(*config)

type config struct {
	startTLS    bool
	implicitTLS bool
	discard     bool
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate for 127.0.0.1, ::1 and localhost (see Server.CertPool).
func WithSTARTTLS() Option { return func(c *config) { c.startTLS = true } }

// WithDiscard makes the server count accepted messages without keeping
// them, for benchmarks and soak runs that would otherwise fill memory.
// Messages and WaitFor then return no messages; Accepted still counts.
func WithDiscard() Option { return func(c *config) { c.discard = true } }

// WithImplicitTLS makes the server speak TLS from the first byte, as on port
// 465, with the same self-signed certificate.
func WithImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

type fault struct {
	left int
	code int
	msg  string
}

// Server is an in-process SMTP server. All methods are safe for concurrent use.
type Server struct {
	srv       *smtp.Server
	ln        net.Listener
	addr      *net.TCPAddr
	pool      *x509.CertPool
	discard   bool
	served    chan struct{} // closed when Serve has returned
	closing   chan struct{} // closed by Close, releases stalled sessions
	closeOnce sync.Once

	mu       sync.Mutex
	messages []Received
	accepted int
	sessions int
	changed  chan struct{} // closed and replaced whenever a message is accepted
	faults   [StageData + 1]fault
	drops    int
	stalls   int
	reject   func(addr string) int
}

// Start starts a server on 127.0.0.1 on a free port and closes it when the
// test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := New("127.0.0.1:0", opts...)
	if err != nil {
		tb.Fatalf("smtptest: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// New starts a server listening on addr ("127.0.0.1:0" picks a free port).
// Call Close to stop it.
func New(addr string, opts ...Option) (*Server, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.startTLS && cfg.implicitTLS {
		return nil, errors.New("smtptest: WithSTARTTLS and WithImplicitTLS exclude each other")
	}
	s := &Server{
		served:  make(chan struct{}),
		changed: make(chan struct{}),
		closing: make(chan struct{}),
		discard: cfg.discard,
	}

	srv := smtp.NewServer(backend{s})
	srv.Domain = "smtptest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 32 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	// Dropped connections are part of the job here, not news.
	srv.ErrorLog = log.New(io.Discard, "", 0)

	var tlsConfig *tls.Config
	if cfg.startTLS || cfg.implicitTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			return nil, err
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.pool = pool
	}
	if cfg.startTLS {
		srv.TLSConfig = tlsConfig
	}

	tcp, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtptest: listen: %w", err)
	}
	s.addr = tcp.Addr().(*net.TCPAddr)
	var ln net.Listener = &countingListener{Listener: tcp, s: s}
	if cfg.implicitTLS {
		ln = tls.NewListener(ln, tlsConfig)
	}
	s.ln, s.srv = ln, srv
	go func() {
		defer close(s.served)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server and closes all connections.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	err := s.srv.Close()
	// go-smtp registers the listener inside Serve, which may not have run
	// yet; closing it here as well makes sure Serve returns.
	_ = s.ln.Close()
	<-s.served
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Addr returns "host:port".
func (s *Server) Addr() string { return s.addr.String() }

// Host returns the IP address the server listens on.
func (s *Server) Host() string { return s.addr.IP.String() }

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.addr.Port }

// CertPool returns a pool holding the server's self-signed certificate, or
// nil when the server does not use TLS.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Sessions returns how many connections the server has accepted.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Accepted returns how many messages the server has accepted.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// WaitFor waits until at least n messages have been accepted or the timeout
// passes, and returns the messages accepted by then.
func (s *Server) WaitFor(n int, timeout time.Duration) []Received {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.accepted >= n {
			msgs := append([]Received(nil), s.messages...)
			s.mu.Unlock()
			return msgs
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return s.Messages()
		}
	}
}

// Reset forgets received messages, the counts and all pending faults.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
	s.accepted = 0
	s.sessions = 0
	s.faults = [StageData + 1]fault{}
	s.drops = 0
	s.stalls = 0
	s.reject = nil
}

// FailNext makes the server reject the next n messages after their data has
// been received, with the given reply code (451 transient, 550 permanent, ...).
func (s *Server) FailNext(n, code int, msg string) {
	s.FailNextAt(StageData, n, code, msg)
}

// FailNextAt makes the server reply with code and msg to the next n commands
// of the given stage.
func (s *Server) FailNextAt(stage Stage, n, code int, msg string) {
	if stage < StageMail || stage > StageData {
		panic("smtptest: FailNextAt: unknown " + stage.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[stage] = fault{left: n, code: code, msg: msg}
}

// DropNext makes the server close the connection in the middle of the data
// of the next n messages, without replying. It takes precedence over FailNext.
func (s *Server) DropNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops = n
}

// StallNext makes the server take the data of the next n messages and then
// go silent, as a hung server does, until the client hangs up or the server
// is closed. It takes precedence over FailNext.
func (s *Server) StallNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stalls = n
}

// SetRejectRecipient installs a function consulted for every RCPT TO: a
// non-zero return value is the reply code to reject that address with.
// nil accepts everyone again.
func (s *Server) SetRejectRecipient(f func(addr string) (code int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = f
}

// injected returns the reply a pending fault dictates for stage, if any.
func (s *Server) injected(stage Stage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults[stage]
	if f.left <= 0 {
		return nil
	}
	f.left--
	return replyError(f.code, f.msg)
}

// take consumes one unit of a countdown fault.
func (s *Server) take(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n <= 0 {
		return false
	}
	*n--
	return true
}

func (s *Server) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accepted++
	if !s.discard {
		s.messages = append(s.messages, r)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) nextSession() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions++
	return s.sessions
}

func replyError(code int, msg string) error {
	if msg == "" {
		msg = "rejected by smtptest"
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// countingListener numbers connections as they are accepted, so that a
// message can name the connection it came in on.
type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &numberedConn{Conn: c, id: l.s.nextSession()}, nil
}

type numberedConn struct {
	net.Conn
	id int
}

func connID(c net.Conn) int {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	if n, ok := c.(*numberedConn); ok {
		return n.id
	}
	return 0
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c, id: connID(c.Conn())}, nil
}

// session is one SMTP session; go-smtp calls its methods from the
// connection's goroutine only.
type session struct {
	s        *Server
	conn     *smtp.Conn
	id       int
	username string
	from     string
	to       []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, _ string) error {
		ss.username = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.s.injected(StageMail); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.injected(StageRcpt); err != nil {
		return err
	}
	ss.s.mu.Lock()
	reject := ss.s.reject
	ss.s.mu.Unlock()
	if reject != nil {
		if code := reject(to); code != 0 {
			return replyError(code, "recipient rejected by smtptest")
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if ss.s.take(&ss.s.drops) {
		// Take a little of the data so the client is mid-transfer, then
		// hang up without a reply.
		_, _ = io.CopyN(io.Discard, r, 64)
		_ = ss.conn.Conn().Close()
		return errors.New("smtptest: connection dropped")
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.take(&ss.s.stalls) {
		ss.stall()
		return errors.New("smtptest: stalled")
	}
	if err := ss.s.injected(StageData); err != nil {
		return err
	}
	if ss.s.discard {
		ss.s.record(Received{})
		return nil
	}
	var header netmail.Header
	if m, err := netmail.ReadMessage(bytes.NewReader(raw)); err == nil {
		header = m.Header
	}
	ss.s.record(Received{
		Session:  ss.id,
		Username: ss.username,
		From:     ss.from,
		To:       append([]string(nil), ss.to...),
		Raw:      raw,
		Header:   header,
	})
	return nil
}

// stall withholds the reply until the client hangs up or the server closes.
// Nothing else reads the connection meanwhile: go-smtp waits for Data.
func (ss *session) stall() {
	conn := ss.conn.Conn()
	hungUp := make(chan struct{})
	go func() {
		defer close(hungUp)
		_, _ = conn.Read(make([]byte, 1))
	}()
	select {
	case <-hungUp:
	case <-ss.s.closing:
	}
	_ = conn.Close()
	<-hungUp
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }

// selfSigned makes a short-lived certificate for the loopback names.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("smtptest: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("smtptest: serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("smtptest: certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("smtptest: certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
