package bounce

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
)

// Mailbox is where reports arrive, from CANDOR_BOUNCE_IMAP_URL:
// imaps://user:pass@host:993/INBOX, or imap://…?tls=starttls (the
// default for imap://) or ?tls=none (a loopback server only).
type Mailbox struct {
	Addr     string // host:port
	Host     string
	Username string
	Password string
	Folder   string // default INBOX
	TLS      string // implicit, starttls or none
}

// String shows the mailbox without its password, for logs.
func (m Mailbox) String() string {
	return fmt.Sprintf("%s@%s/%s (tls %s)", m.Username, m.Addr, m.Folder, m.TLS)
}

// ParseMailboxURL reads CANDOR_BOUNCE_IMAP_URL.
func ParseMailboxURL(s string) (Mailbox, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Mailbox{}, errors.New("bounce: IMAP URL: not a URL")
	}
	var m Mailbox
	port := ""
	switch u.Scheme {
	case "imaps":
		m.TLS, port = "implicit", "993"
	case "imap":
		m.TLS, port = "starttls", "143"
		switch tlsMode := u.Query().Get("tls"); tlsMode {
		case "", "starttls":
		case "none":
			m.TLS = "none"
		default:
			return Mailbox{}, fmt.Errorf("bounce: IMAP URL: tls=%q, want starttls or none", tlsMode)
		}
	default:
		return Mailbox{}, fmt.Errorf("bounce: IMAP URL: scheme %q, want imaps or imap", u.Scheme)
	}
	m.Host = u.Hostname()
	if m.Host == "" {
		return Mailbox{}, errors.New("bounce: IMAP URL: no host")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	m.Addr = net.JoinHostPort(m.Host, port)
	if u.User == nil || u.User.Username() == "" {
		return Mailbox{}, errors.New("bounce: IMAP URL: no user name")
	}
	m.Username = u.User.Username()
	m.Password, _ = u.User.Password()
	m.Folder = strings.TrimPrefix(u.Path, "/")
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if m.TLS == "none" && !isLoopback(m.Host) {
		// The password would cross the network in clear text.
		return Mailbox{}, errors.New("bounce: IMAP URL: tls=none is only for a server on this machine (localhost)")
	}
	return m, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Leases lets one process at a time read the mailbox.
type Leases interface {
	ClaimLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// pollLease is the lease document's _id.
const pollLease = "imap-poll"

// maxPerPoll bounds the messages one poll reads, so that a flood is worked
// off over several polls, each within its lease.
const maxPerPoll = 200

// Poller reads the bounce mailbox: each unseen message is handled, then
// one acted on (or acted on before) is flagged \Seen and \Deleted and
// expunged, and one ignored is only flagged \Seen, left for a person to
// read. A message whose handling failed on the database stays unseen and
// is read again at the next poll; handling is idempotent, so a message
// handled but not flagged (a crash in between) changes nothing the
// second time.
type Poller struct {
	box     Mailbox
	h       *Handler
	leases  Leases
	holder  string
	logger  *slog.Logger
	now     func() time.Time
	timeout time.Duration
	tls     *tls.Config
}

// PollerOptions tune a Poller; zero fields take the defaults.
type PollerOptions struct {
	Logger    *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now
	Timeout   time.Duration    // per IMAP command (30s)
	TLSConfig *tls.Config      // e.g. RootCAs for a private CA
}

// NewPoller returns a Poller of box.
func NewPoller(box Mailbox, h *Handler, leases Leases, o PollerOptions) *Poller {
	p := &Poller{box: box, h: h, leases: leases, holder: rand.Text(), logger: o.Logger, now: o.Now, timeout: o.Timeout}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.timeout <= 0 {
		p.timeout = 30 * time.Second
	}
	p.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSConfig != nil {
		p.tls = o.TLSConfig.Clone()
	}
	if p.tls.ServerName == "" {
		p.tls.ServerName = box.Host
	}
	return p
}

// Polled counts what one poll did.
type Polled struct {
	Leased  bool // false: another process holds the mailbox
	Read    int
	Acted   int // handled, or handled before
	Ignored int
	Failed  int // left unseen for the next poll
}

// Run polls every interval until ctx ends, then gives up the lease.
func (p *Poller) Run(ctx context.Context, interval time.Duration) {
	p.logger.InfoContext(ctx, "bounce mailbox reader started", "mailbox", p.box.String(), "interval", interval)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if got, err := p.Poll(ctx, max(2*interval, time.Minute)); err != nil && ctx.Err() == nil {
			p.logger.WarnContext(ctx, "bounce mailbox: poll failed", "err", err)
		} else if got.Read > 0 {
			p.logger.InfoContext(ctx, "bounce mailbox: polled", "read", got.Read, "acted", got.Acted, "ignored", got.Ignored, "failed", got.Failed)
		}
		select {
		case <-ctx.Done():
			_ = p.leases.ReleaseLease(context.WithoutCancel(ctx), pollLease, p.holder)
			return
		case <-t.C:
		}
	}
}

// Poll reads the mailbox once, if it can take (or renew) the lease for
// lease.
func (p *Poller) Poll(ctx context.Context, lease time.Duration) (Polled, error) {
	now := p.now()
	ok, err := p.leases.ClaimLease(ctx, pollLease, p.holder, now, now.Add(lease))
	if err != nil || !ok {
		return Polled{}, err
	}
	got := Polled{Leased: true}
	c, err := p.dial()
	if err != nil {
		return got, err
	}
	// The client takes no context: closing the connection is what stops
	// a command blocked on a stalled server.
	stop := context.AfterFunc(ctx, func() { _ = c.Terminate() })
	defer func() {
		if stop() {
			_ = c.Logout()
		}
	}()
	c.Timeout = p.timeout
	if err := c.Login(p.box.Username, p.box.Password); err != nil {
		return got, fmt.Errorf("bounce: IMAP login: %w", err)
	}
	if _, err := c.Select(p.box.Folder, false); err != nil {
		return got, fmt.Errorf("bounce: IMAP select %s: %w", p.box.Folder, err)
	}
	crit := imap.NewSearchCriteria()
	crit.WithoutFlags = []string{imap.SeenFlag, imap.DeletedFlag}
	uids, err := c.UidSearch(crit)
	if err != nil {
		return got, fmt.Errorf("bounce: IMAP search: %w", err)
	}
	if len(uids) > maxPerPoll {
		uids = uids[:maxPerPoll]
	}
	var done, seen imap.SeqSet
	for _, uid := range uids {
		if ctx.Err() != nil {
			break
		}
		raw, err := fetch(c, uid)
		if err != nil {
			return got, err
		}
		got.Read++
		var res Result
		if raw == nil {
			res = p.h.ignore(ctx, KindNone, Ref{}, "larger than 1 MB")
		} else if res, err = p.h.HandleMessage(ctx, raw); err != nil {
			got.Failed++
			p.logger.WarnContext(ctx, "bounce mailbox: report left for the next poll", "uid", uid, "err", err)
			continue
		}
		if res.Outcome == Ignored {
			got.Ignored++
			seen.AddNum(uid)
		} else {
			got.Acted++
			done.AddNum(uid)
		}
	}
	if !seen.Empty() {
		if err := c.UidStore(&seen, imap.FormatFlagsOp(imap.AddFlags, true), []any{imap.SeenFlag}, nil); err != nil {
			return got, fmt.Errorf("bounce: IMAP flag seen: %w", err)
		}
	}
	if !done.Empty() {
		if err := c.UidStore(&done, imap.FormatFlagsOp(imap.AddFlags, true), []any{imap.SeenFlag, imap.DeletedFlag}, nil); err != nil {
			return got, fmt.Errorf("bounce: IMAP flag deleted: %w", err)
		}
		if err := c.Expunge(nil); err != nil {
			return got, fmt.Errorf("bounce: IMAP expunge: %w", err)
		}
	}
	return got, nil
}

func (p *Poller) dial() (*client.Client, error) {
	dialer := &net.Dialer{Timeout: p.timeout}
	var (
		c   *client.Client
		err error
	)
	if p.box.TLS == "implicit" {
		c, err = client.DialWithDialerTLS(dialer, p.box.Addr, p.tls)
	} else {
		c, err = client.DialWithDialer(dialer, p.box.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("bounce: IMAP %s: %w", p.box.Addr, err)
	}
	if p.box.TLS == "starttls" {
		if err := c.StartTLS(p.tls); err != nil {
			_ = c.Terminate()
			return nil, fmt.Errorf("bounce: IMAP STARTTLS: %w", err)
		}
	}
	return c, nil
}

// fetch reads message uid whole, without setting \Seen; nil for one
// larger than MaxReportBytes, which is not read at all.
func fetch(c *client.Client, uid uint32) ([]byte, error) {
	var set imap.SeqSet
	set.AddNum(uid)
	size, err := fetchOne(c, &set, []imap.FetchItem{imap.FetchUid, imap.FetchRFC822Size})
	if err != nil {
		return nil, err
	}
	if size == nil || size.Size > MaxReportBytes {
		return nil, nil
	}
	section := &imap.BodySectionName{Peek: true}
	m, err := fetchOne(c, &set, []imap.FetchItem{imap.FetchUid, section.FetchItem()})
	if err != nil || m == nil {
		return nil, err
	}
	body := m.GetBody(section)
	if body == nil {
		return nil, nil
	}
	raw, err := io.ReadAll(io.LimitReader(body, MaxReportBytes+1))
	if err != nil || len(raw) > MaxReportBytes {
		return nil, err
	}
	return raw, nil
}

func fetchOne(c *client.Client, set *imap.SeqSet, items []imap.FetchItem) (*imap.Message, error) {
	ch := make(chan *imap.Message, 1)
	errc := make(chan error, 1)
	go func() { errc <- c.UidFetch(set, items, ch) }()
	var got *imap.Message
	for m := range ch {
		if got == nil {
			got = m
		}
	}
	if err := <-errc; err != nil {
		return nil, fmt.Errorf("bounce: IMAP fetch: %w", err)
	}
	return got, nil
}
