//go:build soak

package soak

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

// perRecipient counts the messages each address received.
func perRecipient(srv *smtptest.Server) map[string]int {
	out := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			out[strings.ToLower(to)]++
		}
	}
	return out
}

// tally compares what each address received with the addresses expected.
func tally(got map[string]int, emails []string) (missing, dups int) {
	for _, e := range emails {
		switch n := got[e]; {
		case n == 0:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	return missing, dups
}

// TestKillSenderMidCampaign kills `candor serve` with SIGKILL while it
// sends, starts it again, and checks that everyone got the survey and that
// only messages in flight at the kill went out twice.
func TestKillSenderMidCampaign(t *testing.T) {
	n := envInt(t, "SOAK_RESTART_CONTACTS", 600)
	const rate, workers, batch = 30, 4, 100
	sum := newSummary(t, "kill -9 mid-campaign")
	smtp := smtptest.Start(t)
	db := newDB(t)
	env := serveEnv(t, db, secretKeys(t), "smtp://"+smtp.Addr()+"?tls=none",
		map[string]string{"CANDOR_MAIL_RATE": fmt.Sprint(rate), "CANDOR_MAIL_WORKERS": fmt.Sprint(workers)})
	srv := startCandor(t, env, "serve")
	a := signIn(t, srv.base)
	f := a.setup(t, n, func(i int) string { return fmt.Sprintf("kill%05d@soak.example.com", i) })
	id := a.send(t, f)

	killAt := n / 4
	if !waitFor(5*time.Minute, 20*time.Millisecond, func() bool { return smtp.Accepted() >= killAt }) {
		t.Fatalf("only %d messages before the kill, want %d", smtp.Accepted(), killAt)
	}
	srv.kill()
	atKill := smtp.Accepted()
	if atKill >= n {
		t.Fatalf("all %d messages were out before the kill; raise SOAK_RESTART_CONTACTS", atKill)
	}
	start := time.Now()
	srv = srv.restart(t)
	a = signIn(t, srv.base)
	// The killed process's leases (2 minutes) must expire before its
	// claimed messages are sent again.
	if !waitFor(8*time.Minute, 200*time.Millisecond, func() bool {
		missing, _ := tally(perRecipient(smtp), f.emails)
		return missing == 0
	}) {
		missing, _ := tally(perRecipient(smtp), f.emails)
		t.Fatalf("%d of %d recipients got nothing after the restart", missing, n)
	}
	c := a.waitSent(t, id, 5*time.Minute)
	missing, dups := tally(perRecipient(smtp), f.emails)
	// A group is sent over one connection; each worker holds one group.
	inFlight := workers * int(math.Min(batch, rate))
	sum.add("contacts %d, killed after %d accepted; finished %s after the restart", n, atKill, time.Since(start).Round(time.Second))
	sum.add("duplicates %d (bound: %d workers x group %d = %d in flight), missing %d; campaign counts %+v",
		dups, workers, int(math.Min(batch, rate)), inFlight, missing, c.Counts)
	if missing != 0 {
		t.Errorf("%d recipients got nothing", missing)
	}
	if dups > inFlight {
		t.Errorf("%d duplicates, more than the %d messages that can be in flight", dups, inFlight)
	}
	if c.Counts.Failed != 0 || c.Counts.Bounced != 0 {
		t.Errorf("counts %+v: nothing should fail", c.Counts)
	}
}

// TestThreeServersOneDatabase runs three `candor serve` processes, each
// with its dispatcher, on one database during a campaign: nobody may get
// the survey twice.
func TestThreeServersOneDatabase(t *testing.T) {
	n := envInt(t, "SOAK_SHARED_CONTACTS", 1000)
	sum := newSummary(t, "three serve processes")
	smtp := smtptest.Start(t)
	db := newDB(t)
	secret := secretKeys(t)
	var servers []*candor
	for i := range 3 {
		// The user name tells which process sent a message.
		url := fmt.Sprintf("smtp://p%d:x@%s?tls=none", i+1, smtp.Addr())
		servers = append(servers, startCandor(t, serveEnv(t, db, secret, url, map[string]string{"CANDOR_MAIL_RATE": "100"}), "serve"))
	}
	a := signIn(t, servers[0].base)
	f := a.setup(t, n, func(i int) string { return fmt.Sprintf("three%05d@soak.example.com", i) })
	start := time.Now()
	id := a.send(t, f)
	c := a.waitSent(t, id, 10*time.Minute)
	elapsed := time.Since(start)
	// A duplicate could still arrive from a stale lease; give it a moment.
	time.Sleep(3 * time.Second)
	missing, dups := tally(perRecipient(smtp), f.emails)
	byProcess := map[string]int{}
	for _, m := range smtp.Messages() {
		byProcess[m.Username]++
	}
	sum.add("contacts %d over 3 processes in %s (%.1f messages/s); messages by process %v", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), byProcess)
	sum.add("missing %d, duplicates %d; campaign counts %+v", missing, dups, c.Counts)
	if missing != 0 || dups != 0 {
		t.Errorf("%d recipients got nothing and %d messages went out twice; want 0 and 0", missing, dups)
	}
	if c.Counts.Sent != n {
		t.Errorf("campaign counts %+v, want %d sent", c.Counts, n)
	}
	for _, s := range servers {
		if s.exited() {
			t.Errorf("%s exited: %v", s.name, s.err)
		}
	}
}

// TestSMTPFaults starts a campaign while the SMTP server is down, then
// brings it up answering 4xx to some commands, dropping some connections
// mid-message and rejecting some recipients with 5xx; a `candor worker`
// delivers beside `candor serve`. Everyone else gets the survey once; the
// rejected ones end bounced and suppressed; nothing is lost.
func TestSMTPFaults(t *testing.T) {
	n := envInt(t, "SOAK_FAULT_CONTACTS", 200)
	sum := newSummary(t, "SMTP faults")
	db := newDB(t)
	// Reserve an address for the SMTP server but do not listen yet.
	smtpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	env := serveEnv(t, db, secretKeys(t), "smtp://"+smtpAddr+"?tls=none", nil)
	srv := startCandor(t, env, "serve")
	workerEnv := map[string]string{}
	for k, v := range env {
		workerEnv[k] = v
	}
	workerEnv["CANDOR_DATA_DIR"] = t.TempDir()
	worker := startCandor(t, workerEnv, "worker")

	a := signIn(t, srv.base)
	bounce := func(e string) bool { return strings.HasPrefix(e, "bounce") }
	f := a.setup(t, n, func(i int) string {
		if i%20 == 7 {
			return fmt.Sprintf("bounce%05d@soak.example.com", i)
		}
		return fmt.Sprintf("fault%05d@soak.example.com", i)
	})
	id := a.send(t, f)
	const down = 10 * time.Second
	time.Sleep(down)
	if c, err := a.campaign(id); err != nil || c.Counts.Sent != 0 || c.Counts.Failed != 0 {
		t.Fatalf("with the SMTP server down: %+v, %v; want nothing sent and nothing failed", c.Counts, err)
	}

	smtp, err := smtptest.New(smtpAddr)
	if err != nil {
		t.Fatalf("smtptest on %s: %v", smtpAddr, err)
	}
	t.Cleanup(func() { _ = smtp.Close() })
	const tempFails, drops = 25, 4
	smtp.FailNextAt(smtptest.StageMail, tempFails, 451, "try again later")
	smtp.DropNext(drops)
	smtp.SetRejectRecipient(func(addr string) int {
		if bounce(addr) {
			return 550
		}
		return 0
	})
	up := time.Now()
	c := a.waitSent(t, id, 6*time.Minute)
	elapsed := time.Since(up)

	var good, bad []string
	for _, e := range f.emails {
		if bounce(e) {
			bad = append(bad, e)
		} else {
			good = append(good, e)
		}
	}
	got := perRecipient(smtp)
	missing, dups := tally(got, good)
	delivered := 0
	for _, e := range bad {
		delivered += got[e]
	}
	suppressed, err := db.client(t).Collection("suppressions").CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	sum.add("contacts %d (%d rejected with 550); SMTP down %s, then %d x 451 to MAIL, %d dropped connections", n, len(bad), down, tempFails, drops)
	sum.add("all done %s after the server came up; counts %+v; suppressions %d; missing %d, duplicates %d",
		elapsed.Round(time.Second), c.Counts, suppressed, missing, dups)
	if missing != 0 || dups != 0 {
		t.Errorf("%d recipients got nothing, %d duplicates; want 0 and 0", missing, dups)
	}
	if delivered != 0 {
		t.Errorf("%d messages reached rejected addresses", delivered)
	}
	if c.Counts.Sent != len(good) || c.Counts.Bounced != len(bad) || c.Counts.Failed != 0 {
		t.Errorf("counts %+v, want %d sent, %d bounced, 0 failed", c.Counts, len(good), len(bad))
	}
	if int(suppressed) != len(bad) {
		t.Errorf("%d suppressions, want %d", suppressed, len(bad))
	}
	for _, p := range []*candor{srv, worker} {
		if p.exited() {
			t.Errorf("%s exited: %v", p.name, p.err)
		}
	}
}
