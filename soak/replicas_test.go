//go:build soak

package soak

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

// TestReplicas runs the production shape on one database: three `candor
// serve` and two `candor worker` processes. Two campaigns of the same
// survey to the same SOAK_REPLICA_CONTACTS (5,000) contacts are started at
// once through two servers, so that their feeds overlap; then
// SOAK_REPLICA_CLIENTS (200) respondents answer through all three servers
// for SOAK_REPLICA_DURATION (60s), one in four consenting to be named.
//
// It ends with every contact mailed exactly once, every answered link
// stored and counted exactly once without a rebuild, the consent chain
// verified, and named answers not much slower than anonymous ones.
func TestReplicas(t *testing.T) {
	n := envInt(t, "SOAK_REPLICA_CONTACTS", 5000)
	clients := envInt(t, "SOAK_REPLICA_CLIENTS", 200)
	duration := envDuration(t, "SOAK_REPLICA_DURATION", 60*time.Second)
	const namedEvery = 4
	sum := newSummary(t, "three serve and two worker processes")
	smtp := smtptest.Start(t)
	db := newDB(t)
	secret := secretKeys(t)
	var procs, servers []*candor
	for i := range 5 {
		kind := "serve"
		if i >= 3 {
			kind = "worker"
		}
		// The user name tells which process sent a message.
		url := fmt.Sprintf("smtp://%s%d:x@%s?tls=none", kind, i+1, smtp.Addr())
		p := startCandor(t, serveEnv(t, db, secret, url, nil), kind)
		procs = append(procs, p)
		if kind == "serve" {
			servers = append(servers, p)
		}
	}
	a := signIn(t, servers[0].base)
	f := a.setup(t, n, func(i int) string { return fmt.Sprintf("rep%05d@soak.example.com", i) })

	// Two feeds of one audience at once, through two processes.
	start := time.Now()
	ids := make([]string, 2)
	var wg sync.WaitGroup
	for i := range ids {
		c := signIn(t, servers[i].base)
		wg.Go(func() {
			var got campaign
			status, raw, err := c.do("POST", "/api/v1/surveys/"+f.surveyID+"/campaigns", map[string]any{"accountIds": []string{f.accountID}}, &got)
			if err != nil || status != http.StatusAccepted {
				t.Errorf("campaign %d: %d %.300s %v", i, status, raw, err)
				return
			}
			ids[i] = got.ID
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var sent int
	var counts []any
	for _, id := range ids {
		c := a.waitSent(t, id, 15*time.Minute)
		sent += c.Counts.Sent
		counts = append(counts, c.Counts)
	}
	elapsed := time.Since(start)
	time.Sleep(3 * time.Second) // a duplicate from a stale lease would arrive by now
	missing, dups := tally(perRecipient(smtp), f.emails)
	byProcess := map[string]int{}
	for _, m := range smtp.Messages() {
		byProcess[m.Username]++
	}
	sum.add("%d contacts, two campaigns fed at once: all sent in %s; messages by process %v; campaign counts %v",
		n, elapsed.Round(time.Millisecond), byProcess, counts)
	sum.add("missing %d, duplicate emails %d", missing, dups)
	if missing != 0 || dups != 0 {
		t.Errorf("%d contacts got nothing and %d got the survey twice; want 0 and 0", missing, dups)
	}
	if sent != n {
		t.Errorf("the campaigns sent %d between them, want %d", sent, n)
	}

	links := collectLinks(t, smtp, n)
	r := newRespondents(clients)
	lat := map[bool][]time.Duration{} // by named
	var (
		mu       sync.Mutex
		next     int
		fiveXX   int
		failures []string
		unsure   []string
	)
	take := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next == len(links) {
			return "", false
		}
		next++
		// Spread over the servers as a load balancer would.
		s := servers[next%len(servers)].base
		return s + links[next-1][strings.Index(links[next-1], "/s/"):], true
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				link, ok := take()
				if !ok {
					return
				}
				named := rand.IntN(namedEvery) == 0
				res := r.answer(link, rand.IntN(11), named)
				mu.Lock()
				if res.postStatus != 0 {
					lat[named] = append(lat[named], res.post)
				}
				if res.outcome != accepted {
					if res.getStatus >= 500 || res.postStatus >= 500 {
						fiveXX++
					}
					failures = append(failures, res.detail)
					unsure = append(unsure, link)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, link := range unsure {
		if res := r.answer(link, 5, false); res.outcome == failed {
			t.Errorf("answering again after a failure: %s", res.detail)
		}
	}
	answered := int64(next)

	// Counting converges by itself: no `candor rollup rebuild` here.
	cdb := db.client(t)
	var got stored
	converged := waitFor(3*time.Minute, time.Second, func() bool {
		got = countStored(t, cdb, f.surveyID)
		return got.rolledUp == got.responses && got.responses == answered
	})
	named, err := cdb.Collection("responses").CountDocuments(context.Background(),
		bson.D{{Key: "surveyId", Value: f.surveyID}, {Key: "named", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	verify := runCandorOnce(t, servers[0].env, "consent", "verify")
	p99 := map[bool]time.Duration{false: percentile(lat[false], 99), true: percentile(lat[true], 99)}
	sum.add("%d respondents for %s over 3 servers: %d links answered (%d named), %d failures (5xx %d) settled by answering again",
		clients, duration, answered, named, len(failures), fiveXX)
	sum.add("POST p50/p99 anonymous %s / %s (%d), named %s / %s (%d): named p99 = %.2f × anonymous",
		percentile(lat[false], 50).Round(time.Millisecond), p99[false].Round(time.Millisecond), len(lat[false]),
		percentile(lat[true], 50).Round(time.Millisecond), p99[true].Round(time.Millisecond), len(lat[true]),
		float64(p99[true])/float64(max(p99[false], time.Millisecond)))
	sum.add("stored: %d responses, %d answered invitations, rollups count %d (no rebuild); consent verify: %s",
		got.responses, got.answered, got.rolledUp, strings.TrimSpace(verify))
	for i, d := range failures {
		if i == 5 {
			break
		}
		t.Logf("failure: %s", d)
	}
	if fiveXX > 0 {
		t.Errorf("%d answers met a 5xx, want none", fiveXX)
	}
	if !converged {
		t.Errorf("%d links answered, stored %+v; want each stored, answered and counted exactly once", answered, got)
	}
	if got.answered != got.responses {
		t.Errorf("%d answered invitations for %d responses", got.answered, got.responses)
	}
	if p99[true] > 3*p99[false] {
		t.Errorf("named p99 %s is more than 3 × anonymous p99 %s", p99[true], p99[false])
	}
	for _, p := range procs {
		if p.exited() || p.contains("panic") {
			t.Errorf("%s exited or panicked: %v", p.name, p.err)
		}
	}
}

// collectLinks returns the survey link of each of the n messages received.
func collectLinks(t *testing.T, smtp *smtptest.Server, n int) []string {
	t.Helper()
	var links []string
	for _, m := range smtp.WaitFor(n, time.Minute) {
		text, _, _, err := mimeParts(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		link := linkRE.FindString(text)
		if link == "" {
			t.Fatalf("no survey link in the message to %v:\n%.2000s", m.To, text)
		}
		links = append(links, link)
	}
	return links
}
