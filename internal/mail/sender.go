package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Sender delivers messages; it is what the outbox needs from a mail server.
type Sender interface {
	// Send delivers msgs and returns one error per message, in order; nil
	// means the message was accepted. IsPermanent tells a bounce from a
	// failure worth retrying.
	Send(ctx context.Context, msgs []Message) []error
}

var _ Sender = (*SMTPSender)(nil)

// Option configures an SMTPSender.
type Option func(*senderOptions)

type senderOptions struct {
	dkim      *DKIMSigner
	tlsConfig *tls.Config
}

// WithDKIM signs every message with d.
func WithDKIM(d *DKIMSigner) Option {
	return func(o *senderOptions) { o.dkim = d }
}

// WithTLSConfig sets the TLS client configuration, for instance RootCAs for
// a relay with a private CA. A copy is used; the server name defaults to the
// SMTP host and Settings.InsecureSkipVerify still applies.
func WithTLSConfig(c *tls.Config) Option {
	return func(o *senderOptions) { o.tlsConfig = c }
}

// SMTPSender sends messages through an SMTP server with go-mail. It is safe
// for concurrent use; each Send uses a connection of its own.
type SMTPSender struct {
	// client holds the connection settings only. Its Dial/Send methods keep
	// the connection inside the client, so Send uses the variants that hand
	// the connection out, which lets concurrent Sends share the client.
	client  *gomail.Client
	addr    string
	timeout time.Duration
	dkim    *DKIMSigner
}

// NewSMTPSender checks s and prepares a sender; it does not connect.
func NewSMTPSender(s Settings, opts ...Option) (*SMTPSender, error) {
	s = s.withDefaults()
	if err := s.validate(); err != nil {
		return nil, err
	}
	var o senderOptions
	for _, opt := range opts {
		opt(&o)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.tlsConfig != nil {
		tlsConfig = o.tlsConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.Host
	}
	if s.InsecureSkipVerify {
		tlsConfig.InsecureSkipVerify = true
	}

	gopts := []gomail.Option{
		gomail.WithPort(s.Port),
		gomail.WithTimeout(s.Timeout),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch s.TLS {
	case TLSImplicit:
		gopts = append(gopts, gomail.WithSSL())
	case TLSNone:
		gopts = append(gopts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		// Mandatory: a relay that stops offering STARTTLS must not get the
		// survey links in clear text.
		gopts = append(gopts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		// Over TLS, the strongest mechanism the server offers. Without TLS
		// go-mail's discovery rules out PLAIN and LOGIN; validate has already
		// limited that case to a loopback server, where PLAIN is fine.
		auth := gomail.SMTPAuthAutoDiscover
		if s.TLS == TLSNone {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		gopts = append(gopts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	client, err := gomail.NewClient(s.Host, gopts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return &SMTPSender{
		client:  client,
		addr:    net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		timeout: s.Timeout,
		dkim:    o.dkim,
	}, nil
}

// queued is a message ready to go, with its index in the batch.
type queued struct {
	index int
	envelope
}

// Send implements Sender. Messages are rendered (and signed) before
// connecting, so an invalid one fails alone and a batch of only invalid ones
// never connects. If connecting fails, every message gets that error; if the
// connection breaks, the message in flight gets the cause and the rest are
// not attempted. Cancelling ctx stops the dial or closes the connection,
// and the message in flight may or may not have been delivered; the SMTP
// greeting, STARTTLS and AUTH are bounded by Settings.Timeout only.
func (s *SMTPSender) Send(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	batch := make([]queued, 0, len(msgs))
	now := time.Now()
	for i := range msgs {
		env, err := s.prepare(&msgs[i], now)
		if err != nil {
			errs[i] = err
			continue
		}
		batch = append(batch, queued{index: i, envelope: env})
	}
	if len(batch) > 0 {
		s.deliver(ctx, batch, errs)
	}
	return errs
}

func (s *SMTPSender) prepare(m *Message, now time.Time) (envelope, error) {
	env, err := render(m, now)
	if err != nil {
		return envelope{}, err
	}
	if s.dkim != nil {
		// Signing the finished bytes and sending exactly those bytes is what
		// makes the signature hold; go-mail never re-renders them.
		if env.data, err = s.dkim.Sign(env.data); err != nil {
			return envelope{}, err
		}
	}
	return env, nil
}

// deliver sends batch over one connection and records the outcome in errs.
func (s *SMTPSender) deliver(ctx context.Context, batch []queued, errs []error) {
	failRest := func(from int, err error) {
		for _, q := range batch[from:] {
			errs[q.index] = err
		}
	}
	if err := ctx.Err(); err != nil {
		failRest(0, &sendError{stage: stageSkipped, err: context.Cause(ctx)})
		return
	}
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		failRest(0, &sendError{stage: stageConnect, err: fmt.Errorf("%s: %w", s.addr, err)})
		return
	}
	// go-mail watches ctx only while dialing; closing the connection is what
	// interrupts a read or write blocked on a stalled server.
	stop := context.AfterFunc(ctx, func() { _ = c.Text.Close() })

	healthy := true
	for k, q := range batch {
		if ctx.Err() != nil {
			failRest(k, &sendError{stage: stageSkipped, err: context.Cause(ctx)})
			healthy = false
			break
		}
		broken, err := transact(c, q.envelope, s.timeout)
		if !broken {
			errs[q.index] = err
			continue
		}
		rest := lost(err)
		if ctx.Err() != nil {
			// The connection broke because ctx closed it.
			err = fmt.Errorf("%w (interrupted: %w)", err, context.Cause(ctx))
			rest = context.Cause(ctx)
		}
		errs[q.index] = err
		failRest(k+1, &sendError{stage: stageSkipped, err: rest})
		healthy = false
		break
	}
	if stop() && healthy && c.Quit() == nil {
		return
	}
	_ = c.Close()
}

// lost describes the connection failure err for the messages it stranded.
func lost(err error) error {
	if se, ok := errors.AsType[*sendError](err); ok {
		return fmt.Errorf("connection lost at %s: %w", se.stage, se.err)
	}
	return fmt.Errorf("connection lost: %w", err)
}

// transact runs one SMTP mail transaction. broken reports that the session
// cannot carry another message.
func transact(c *smtp.Client, env envelope, timeout time.Duration) (broken bool, err error) {
	// go-mail sets a deadline once per dial; renewing it per message bounds
	// each message rather than the whole batch.
	if err := c.UpdateDeadline(timeout); err != nil {
		return true, &sendError{stage: stageMail, err: err}
	}
	if err := c.Mail(env.from); err != nil {
		return abort(c, stageMail, err)
	}
	if err := c.Rcpt(env.to); err != nil {
		return abort(c, stageRcpt, err)
	}
	w, err := c.Data()
	if err != nil {
		return abort(c, stageData, err)
	}
	if _, err := w.Write(env.data); err != nil {
		return true, &sendError{stage: stageData, err: err}
	}
	if err := w.Close(); err != nil {
		// A reply after the final dot ends the transaction cleanly; no reply
		// leaves the session in an unknown state.
		code := replyCode(err)
		return code == 0 || code == 421, &sendError{stage: stageData, err: err}
	}
	// No RSET needed: an accepted DATA ends the transaction.
	return false, nil
}

// abort ends a transaction the server refused part-way, so the next message
// starts clean.
func abort(c *smtp.Client, st stage, cause error) (broken bool, err error) {
	e := &sendError{stage: st, err: cause}
	// Anything but a reply means the connection itself failed; 421 means
	// the server is closing it.
	if code := replyCode(cause); code == 0 || code == 421 {
		return true, e
	}
	if c.Reset() != nil {
		return true, e
	}
	return false, e
}
