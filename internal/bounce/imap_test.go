package bounce_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/bounce/imaptest"
	"github.com/candorhq/candor/internal/store"
)

func TestPollerReadsTheBounceMailbox(t *testing.T) {
	e := newEnv(t, 3, 0)
	ctx := context.Background()
	srv := imaptest.Start(t)
	box, err := bounce.ParseMailboxURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range [][]byte{
		e.sample("postfix-hard.eml", 0),
		e.sample("arf-abuse.eml", 1),
		e.sample("gmail-hard.eml", 0), // the same message bounced again, by another relay's words
		sampleWith(t, "autoreply.eml", e.returnPath[e.address(2)]),
		sampleWith(t, "exim-hard.eml", "b-aaaaaaaa-0-aaaaaaaaaaaaaaaa@"+bounceDomain), // forged
	} {
		if err := srv.Append(raw); err != nil {
			t.Fatal(err)
		}
	}
	p := bounce.NewPoller(box, e.handler, e.st.Bounces, bounce.PollerOptions{})
	got, err := p.Poll(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := (bounce.Polled{Leased: true, Read: 5, Acted: 3, Ignored: 2}); got != want {
		t.Errorf("first poll %+v, want %+v", got, want)
	}
	if e.suppressed(0) != store.SuppressedBounced || e.suppressed(1) != store.SuppressedComplained || e.suppressed(2) != "" {
		t.Errorf("suppressions %q %q %q", e.suppressed(0), e.suppressed(1), e.suppressed(2))
	}
	c := e.campaignNow(e.campaign.ID).Counts
	if c.Bounced != 1 || c.Complained != 1 {
		t.Errorf("campaign counts bounced %d complained %d, want 1 and 1", c.Bounced, c.Complained)
	}
	// Acted-on reports are gone; the ignored ones stay, seen, for a person.
	// (The memory backend starts with one seen message of its own.)
	total, unseen, err := srv.Count()
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || unseen != 0 {
		t.Errorf("mailbox holds %d messages, %d unseen; want 3 and 0", total, unseen)
	}

	// A second poll finds nothing new and changes nothing.
	got, err = p.Poll(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := (bounce.Polled{Leased: true}); got != want {
		t.Errorf("second poll %+v, want %+v", got, want)
	}
	if c2 := e.campaignNow(e.campaign.ID).Counts; c2 != c {
		t.Errorf("counts moved on the second poll: %+v → %+v", c, c2)
	}

	// The same report delivered twice into the mailbox counts once.
	if err := srv.Append(e.sample("postfix-hard.eml", 0)); err != nil {
		t.Fatal(err)
	}
	if got, err = p.Poll(ctx, time.Minute); err != nil || got.Acted != 1 {
		t.Fatalf("poll of a repeated report: %+v, %v", got, err)
	}
	if c2 := e.campaignNow(e.campaign.ID).Counts; c2.Bounced != 1 {
		t.Errorf("a repeated report counted again: bounced %d", c2.Bounced)
	}
}

func TestOnlyOnePollerHoldsTheMailbox(t *testing.T) {
	e := newEnv(t, 1, 0)
	ctx := context.Background()
	srv := imaptest.Start(t)
	box, err := bounce.ParseMailboxURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	first := bounce.NewPoller(box, e.handler, e.st.Bounces, bounce.PollerOptions{Now: clock})
	second := bounce.NewPoller(box, e.handler, e.st.Bounces, bounce.PollerOptions{Now: clock})
	if got, err := first.Poll(ctx, time.Minute); err != nil || !got.Leased {
		t.Fatalf("first poller: %+v, %v", got, err)
	}
	if got, err := second.Poll(ctx, time.Minute); err != nil || got.Leased {
		t.Fatalf("second poller while the first holds the lease: %+v, %v", got, err)
	}
	now = now.Add(2 * time.Minute) // the first one's lease ran out: it died
	if got, err := second.Poll(ctx, time.Minute); err != nil || !got.Leased {
		t.Fatalf("second poller after the lease ran out: %+v, %v", got, err)
	}
	if got, err := first.Poll(ctx, time.Minute); err != nil || got.Leased {
		t.Fatalf("first poller after the second took over: %+v, %v", got, err)
	}
}

func TestParseMailboxURL(t *testing.T) {
	tests := []struct {
		url  string
		want bounce.Mailbox
		ok   bool
	}{
		{"imaps://bounces:s3cret@imap.example.com/INBOX", bounce.Mailbox{Addr: "imap.example.com:993", Host: "imap.example.com",
			Username: "bounces", Password: "s3cret", Folder: "INBOX", TLS: "implicit"}, true},
		{"imap://bounces:p%40ss@imap.example.com:1143/Bounces?tls=starttls", bounce.Mailbox{Addr: "imap.example.com:1143", Host: "imap.example.com",
			Username: "bounces", Password: "p@ss", Folder: "Bounces", TLS: "starttls"}, true},
		{"imap://u:p@imap.example.com", bounce.Mailbox{Addr: "imap.example.com:143", Host: "imap.example.com",
			Username: "u", Password: "p", Folder: "INBOX", TLS: "starttls"}, true},
		{"imap://u:p@127.0.0.1:1143/INBOX?tls=none", bounce.Mailbox{Addr: "127.0.0.1:1143", Host: "127.0.0.1",
			Username: "u", Password: "p", Folder: "INBOX", TLS: "none"}, true},
		{"imap://u:p@imap.example.com/INBOX?tls=none", bounce.Mailbox{}, false}, // a password in clear over the network
		{"imap://u:p@imap.example.com/INBOX?tls=maybe", bounce.Mailbox{}, false},
		{"pop3://u:p@mail.example.com", bounce.Mailbox{}, false},
		{"imaps://imap.example.com/INBOX", bounce.Mailbox{}, false},
		{"imaps:///INBOX", bounce.Mailbox{}, false},
		{"::", bounce.Mailbox{}, false},
	}
	for _, tt := range tests {
		got, err := bounce.ParseMailboxURL(tt.url)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s: %+v, %v", tt.url, got, err)
		}
	}
	m, _ := bounce.ParseMailboxURL("imaps://bounces:s3cret@imap.example.com/INBOX")
	if s := m.String(); s == "" || strings.Contains(s, "s3cret") {
		t.Errorf("String shows the password: %q", s)
	}
}

func FuzzParseMailboxURL(f *testing.F) {
	for _, s := range []string{"imaps://u:p@imap.example.com/INBOX", "imap://u:p@127.0.0.1:1143/X?tls=none", "imap://@/", "imaps://u@[::1]:993", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := bounce.ParseMailboxURL(s)
		if err != nil {
			return
		}
		if m.Host == "" || m.Addr == "" || m.Username == "" || m.Folder == "" {
			t.Fatalf("%q parsed as %+v", s, m)
		}
		if ip := net.ParseIP(m.Host); m.TLS == "none" && m.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("%q: no TLS to %s", s, m.Host)
		}
	})
}
