//go:build soak

package soak

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mailpitBin() string {
	if b := os.Getenv("SOAK_MAILPIT_BIN"); b != "" {
		return b
	}
	return defaultBin("mailpit")
}

// mailpit is a Mailpit process with its own database file.
type mailpit struct {
	*proc
	api, smtp string
	hc        *http.Client
}

func startMailpit(t *testing.T) *mailpit {
	t.Helper()
	bin := mailpitBin()
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("Mailpit is not built (%v): run `make soak`, which builds it with "+
			"GOBIN=$(pwd)/bin go install github.com/axllent/mailpit@v1.27.11, or set SOAK_MAILPIT_BIN", err)
	}
	dir := t.TempDir()
	m := &mailpit{
		api:  fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
		smtp: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		hc:   &http.Client{Timeout: 30 * time.Second},
	}
	m.proc = startProc(t, dir, "mailpit", bin, []string{
		"--listen", strings.TrimPrefix(m.api, "http://"), "--smtp", m.smtp,
		"--pop3", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"--database", filepath.Join(dir, "mailpit.db"), "--max", "0",
		"--disable-version-check", "--smtp-disable-rdns", "--quiet",
	}, nil)
	if !waitFor(30*time.Second, 100*time.Millisecond, func() bool {
		var info map[string]any
		return m.get("/api/v1/info", &info) == nil
	}) {
		t.Fatalf("mailpit did not start\n%s", m.tail(20))
	}
	return m
}

func (m *mailpit) get(path string, out any) error {
	resp, err := m.hc.Get(m.api + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type mailpitAddress struct {
	Name, Address string
}

type mailpitSummary struct {
	ID        string
	MessageID string
	To        []mailpitAddress
}

type mailpitList struct {
	Total    int
	Messages []mailpitSummary `json:"messages"`
}

func (m *mailpit) total() int {
	var l mailpitList
	if err := m.get("/api/v1/messages?limit=1", &l); err != nil {
		return -1
	}
	return l.Total
}

// TestMailpitExactlyOnce sends a campaign to SOAK_CONTACTS (1,000)
// contacts through Mailpit and checks every message Mailpit stored.
func TestMailpitExactlyOnce(t *testing.T) {
	n := envInt(t, "SOAK_CONTACTS", 1000)
	sum := newSummary(t, "mailpit")
	mp := startMailpit(t)
	db := newDB(t)
	srv := startCandor(t, serveEnv(t, db, secretKeys(t), "smtp://"+mp.smtp+"?tls=none", nil), "serve")
	a := signIn(t, srv.base)
	f := a.setup(t, n, func(i int) string { return fmt.Sprintf("mp%05d@soak.example.com", i) })

	start := time.Now()
	id := a.send(t, f)
	c := a.waitSent(t, id, 10*time.Minute)
	elapsed := time.Since(start)
	if !waitFor(time.Minute, 200*time.Millisecond, func() bool { return mp.total() >= n }) {
		t.Fatalf("Mailpit holds %d messages, want %d", mp.total(), n)
	}
	sum.add("contacts %d; campaign sent in %s: %.1f messages/s (CANDOR_MAIL_RATE=0, 4 workers)", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	if c.Counts.Sent != n || c.Counts.Failed != 0 || c.Counts.Bounced != 0 {
		t.Errorf("campaign counts %+v, want %d sent", c.Counts, n)
	}

	var all []mailpitSummary
	const page = 250
	for start := 0; ; start += page {
		var l mailpitList
		if err := mp.get(fmt.Sprintf("/api/v1/messages?start=%d&limit=%d", start, page), &l); err != nil {
			t.Fatal(err)
		}
		all = append(all, l.Messages...)
		if len(l.Messages) < page {
			break
		}
	}
	if len(all) != n {
		t.Errorf("Mailpit listed %d messages, want %d", len(all), n)
	}

	perAddr := map[string]int{}
	msgIDs := map[string]bool{}
	var example string
	for _, s := range all {
		for _, to := range s.To {
			perAddr[strings.ToLower(to.Address)]++
		}
		var msg struct {
			MessageID  string
			Text, HTML string
		}
		if err := mp.get("/api/v1/message/"+s.ID, &msg); err != nil {
			t.Fatal(err)
		}
		var hdr map[string][]string
		if err := mp.get("/api/v1/message/"+s.ID+"/headers", &hdr); err != nil {
			t.Fatal(err)
		}
		if msg.MessageID == "" || msgIDs[msg.MessageID] {
			t.Errorf("message %s: Message-ID %q empty or repeated", s.ID, msg.MessageID)
		}
		msgIDs[msg.MessageID] = true
		unsub := first(hdr["List-Unsubscribe"])
		if !strings.HasPrefix(unsub, "<"+srv.base+"/u/") || !strings.HasSuffix(unsub, ">") {
			t.Errorf("message %s: List-Unsubscribe %q, want <%s/u/...>", s.ID, unsub, srv.base)
		}
		if post := first(hdr["List-Unsubscribe-Post"]); post != "List-Unsubscribe=One-Click" {
			t.Errorf("message %s: List-Unsubscribe-Post %q", s.ID, post)
		}
		link := srv.base + "/s/"
		if !strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, link) {
			t.Errorf("message %s: the text (%d bytes) or HTML (%d bytes) part lacks a link %s...", s.ID, len(msg.Text), len(msg.HTML), link)
		}
		example = unsub
	}
	dups, missing := 0, 0
	for _, e := range f.emails {
		switch perAddr[e] {
		case 0:
			missing++
		case 1:
		default:
			dups += perAddr[e] - 1
		}
	}
	if missing != 0 || dups != 0 || len(perAddr) != n {
		t.Errorf("%d addresses got nothing, %d duplicate messages, %d distinct recipients of %d", missing, dups, len(perAddr), n)
	}
	sum.add("checked %d messages: %d distinct recipients, %d missing, %d duplicates, %d unique Message-IDs", len(all), len(perAddr), missing, dups, len(msgIDs))
	sum.add("List-Unsubscribe with an http base URL: %.60s...", example)
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
