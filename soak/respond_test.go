//go:build soak

package soak

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/store"
)

// invited is a running service with a sent campaign and everyone's link.
type invited struct {
	db    *database
	srv   *candor
	smtp  *smtptest.Server
	f     fixture
	links []string
}

// invite sends a campaign to n contacts and collects the survey links
// from the messages.
func invite(t *testing.T, n int, prefix string) *invited {
	t.Helper()
	smtp := smtptest.Start(t)
	db := newDB(t)
	srv := startCandor(t, serveEnv(t, db, secretKeys(t), "smtp://"+smtp.Addr()+"?tls=none", nil), "serve")
	a := signIn(t, srv.base)
	f := a.setup(t, n, func(i int) string { return fmt.Sprintf("%s%05d@soak.example.com", prefix, i) })
	a.waitSent(t, a.send(t, f), 15*time.Minute)
	msgs := smtp.WaitFor(n, time.Minute)
	inv := &invited{db: db, srv: srv, smtp: smtp, f: f}
	for _, m := range msgs {
		text, _, _, err := mimeParts(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		link := linkRE.FindString(text)
		if link == "" {
			t.Fatalf("no survey link in the message to %v:\n%.2000s", m.To, text)
		}
		inv.links = append(inv.links, link)
	}
	if len(inv.links) != n {
		t.Fatalf("%d links from %d contacts", len(inv.links), n)
	}
	return inv
}

// outcome is what a respondent saw.
type outcome int

const (
	accepted outcome = iota // 303 to the thank-you page: stored now
	again                   // 303 to the thank-you page with again=1: stored before
	limited                 // 429: the link was posted to more often than a person does
	failed                  // anything else
)

// respondent is a browser without JavaScript: it opens the link, then posts
// the form.
type respondent struct{ hc *http.Client }

func newRespondents(conns int) respondent {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns, conns
	return respondent{hc: &http.Client{
		Transport: tr,
		// Generous, as a browser is: a slow answer is measured, not cut off.
		Timeout:       2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// result is one answer's page load and submission.
type result struct {
	outcome      outcome
	getStatus    int
	postStatus   int // 0: no answer (transport error)
	post         time.Duration
	detail       string // body or error of a failure
	transportErr bool
}

// answer opens link and submits an NPS score; named ticks the consent box.
func (r respondent) answer(link string, score int, named bool) result {
	var res result
	resp, err := r.hc.Get(link)
	if err != nil {
		return result{outcome: failed, detail: err.Error(), transportErr: true}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res.getStatus = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		res.outcome, res.detail = failed, "GET "+resp.Status
		return res
	}
	form := url.Values{"q.nps": {fmt.Sprint(score)}}
	if named {
		form.Set("consent", "on")
		form.Set("consentVersion", "1")
	}
	start := time.Now()
	resp, err = r.hc.Post(link, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	res.post = time.Since(start)
	if err != nil {
		return result{outcome: failed, getStatus: res.getStatus, detail: err.Error(), transportErr: true}
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res.postStatus = resp.StatusCode
	loc := resp.Header.Get("Location")
	switch {
	case resp.StatusCode == http.StatusSeeOther && strings.Contains(loc, "/thanks") && strings.Contains(loc, "again=1"):
		res.outcome = again
	case resp.StatusCode == http.StatusSeeOther && strings.Contains(loc, "/thanks"):
		res.outcome = accepted
	case resp.StatusCode == http.StatusTooManyRequests:
		res.outcome, res.detail = limited, fmt.Sprintf("POST %d %.200s", resp.StatusCode, body)
	default:
		res.outcome, res.detail = failed, fmt.Sprintf("POST %d %.200s", resp.StatusCode, body)
	}
	return res
}

// stored counts what the database holds for the survey: responses,
// answered invitations, and the responses the report rollups count.
type stored struct{ responses, answered, rolledUp int64 }

func countStored(t *testing.T, db *mongo.Database, surveyID string) stored {
	t.Helper()
	ctx := context.Background()
	var s stored
	var err error
	if s.responses, err = db.Collection("responses").CountDocuments(ctx, bson.D{{Key: "surveyId", Value: surveyID}}); err != nil {
		t.Fatal(err)
	}
	if s.answered, err = db.Collection("invitations").CountDocuments(ctx, bson.D{{Key: "surveyId", Value: surveyID}, {Key: "state", Value: "answered"}}); err != nil {
		t.Fatal(err)
	}
	// Read as reports read them: the current generation, every shard.
	weeks, err := store.New(db).Rollups.CurrentWeeks(ctx, surveyID)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range weeks {
		s.rolledUp += w.N
	}
	return s
}

// TestDatabaseDownUnderLoad kills `candor db` while respondents answer,
// keeps them going while it is down, starts it again on the same files and
// address, and checks that requests failed cleanly, the service recovered
// and nothing is half-written.
func TestDatabaseDownUnderLoad(t *testing.T) {
	n := envInt(t, "SOAK_DBDOWN_INVITES", 600)
	clients := envInt(t, "SOAK_DBDOWN_CLIENTS", 16)
	downFor := envDuration(t, "SOAK_DBDOWN_FOR", 5*time.Second)
	sum := newSummary(t, "database stopped under load")
	inv := invite(t, n, "down")
	r := newRespondents(clients)

	var (
		mu        sync.Mutex
		fresh     = inv.links
		retry     []string
		everFail  = map[string]bool{}
		acc, agn  = map[string]bool{}, map[string]bool{}
		statuses  = map[string]int{} // failures by kind, for the summary
		bad       []string           // failures other than a clean 503
		recovered atomic.Bool
		afterUp   atomic.Int64 // answers accepted once healthy again
	)
	take := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(retry) > 0 && recovered.Load() {
			l := retry[0]
			retry = retry[1:]
			return l, true
		}
		if len(fresh) == 0 {
			return "", false
		}
		l := fresh[0]
		fresh = fresh[1:]
		return l, true
	}
	record := func(link string, res result) {
		mu.Lock()
		defer mu.Unlock()
		switch res.outcome {
		case accepted:
			acc[link] = true
			if recovered.Load() {
				afterUp.Add(1)
			}
		case again:
			agn[link] = true
		default:
			everFail[link] = true
			retry = append(retry, link)
			key := fmt.Sprintf("GET %d POST %d", res.getStatus, res.postStatus)
			if res.transportErr {
				key = "transport error"
			}
			statuses[key]++
			if res.transportErr || (res.getStatus != http.StatusOK && res.getStatus != http.StatusServiceUnavailable) ||
				(res.getStatus == http.StatusOK && res.postStatus != http.StatusServiceUnavailable) {
				bad = append(bad, res.detail)
			}
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				link, ok := take()
				if !ok {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				res := r.answer(link, rand.IntN(11), rand.IntN(4) == 0)
				record(link, res)
				if res.outcome == failed {
					time.Sleep(100 * time.Millisecond) // as a person would before trying again
				}
			}
		})
	}

	time.Sleep(5 * time.Second)
	before := len(acc)
	inv.db.kill()
	killed := time.Now()
	time.Sleep(downFor)
	if inv.srv.exited() {
		t.Fatalf("candor serve exited with the database down: %v", inv.srv.err)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	var downHealth int
	if resp, err := hc.Get(inv.srv.base + "/healthz"); err == nil {
		downHealth = resp.StatusCode
		resp.Body.Close()
	}
	inv.db = inv.db.restart(t)
	restarted := time.Now()
	inv.srv.waitHealthy(t, 2*time.Minute)
	recovered.Store(true)
	healthyAfter := time.Since(restarted)
	if !waitFor(time.Minute, 100*time.Millisecond, func() bool { return afterUp.Load() >= int64(clients) }) {
		t.Errorf("only %d answers accepted in the minute after recovery", afterUp.Load())
	}
	time.Sleep(5 * time.Second)
	cancel()
	wg.Wait()

	// Whoever still saw an error answers once more, as they would.
	for _, link := range retry {
		res := r.answer(link, 5, false)
		record(link, res)
		if res.outcome == failed {
			t.Errorf("after recovery %s still fails: %s", link, res.detail)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	answeredLinks := map[string]bool{}
	storedEarlier := 0
	for l := range acc {
		answeredLinks[l] = true
	}
	for l := range agn {
		if !acc[l] {
			answeredLinks[l] = true
			if everFail[l] {
				storedEarlier++ // the failed request had stored the answer
			}
		}
	}
	got := countStored(t, inv.db.client(t), inv.f.surveyID)
	sum.add("%d clients; %d accepted before the kill; database down %s (healthz then %d); healthy %s after the restart",
		clients, before, restarted.Sub(killed).Round(time.Millisecond), downHealth, healthyAfter.Round(time.Millisecond))
	sum.add("failures by status %v; %d not a clean 503", statuses, len(bad))
	sum.add("links answered %d (accepted %d, stored by a request that had failed %d); stored: %d responses, %d answered invitations, rollups count %d",
		len(answeredLinks), len(acc), storedEarlier, got.responses, got.answered, got.rolledUp)
	for i, b := range bad {
		if i == 5 {
			break
		}
		t.Errorf("not a clean 503: %s", b)
	}
	if downHealth != http.StatusServiceUnavailable {
		t.Errorf("/healthz with the database down: %d, want 503", downHealth)
	}
	if inv.srv.exited() || inv.srv.contains("panic") {
		t.Errorf("candor serve crashed or panicked: exited %v", inv.srv.exited())
	}
	if got.responses != int64(len(answeredLinks)) || got.answered != int64(len(answeredLinks)) {
		t.Errorf("stored %d responses and %d answered invitations for %d answered links", got.responses, got.answered, len(answeredLinks))
	}
	// An answer stored just before the database went away may miss its
	// counter writes; its intent stays, and the sweeper (at start and every
	// minute) counts it. No `candor rollup rebuild` here.
	if got.rolledUp != got.responses {
		before := got.rolledUp
		converged := waitFor(3*time.Minute, time.Second, func() bool {
			got = countStored(t, inv.db.client(t), inv.f.surveyID)
			return got.rolledUp == got.responses
		})
		sum.add("rollups counted %d of %d at first, %d after the sweeper (no rebuild)", before, got.responses, got.rolledUp)
		if !converged {
			t.Errorf("the report rollups count %d responses, the database holds %d, three minutes on", got.rolledUp, got.responses)
		}
	}
}

// runCandorOnce runs a one-shot `candor` command with env and returns its
// standard output; it fails the test when the command fails.
func runCandorOnce(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	cmd := exec.Command(candorBin(), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CANDOR_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("candor %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// TestConcurrentRespondents holds SOAK_CLIENTS (200) respondents for
// SOAK_DURATION (60s), each opening a link of its own and answering; one in
// SOAK_NAMED_EVERY (4) consents to be named. Once the fresh links run out
// they answer used ones again, which must store nothing.
func TestConcurrentRespondents(t *testing.T) {
	n := envInt(t, "SOAK_INVITES", 1500)
	clients := envInt(t, "SOAK_CLIENTS", 200)
	duration := envDuration(t, "SOAK_DURATION", 60*time.Second)
	namedEvery := envInt(t, "SOAK_NAMED_EVERY", 4)
	sum := newSummary(t, "concurrent respondents")
	inv := invite(t, n, "load")
	r := newRespondents(clients)

	var (
		mu       sync.Mutex
		next     int
		posts    []time.Duration
		acc      int
		againN   int
		limitedN int // repeats refused by the per-link post limit
		freshBad int // fresh links answered as if stored before
		usedBad  int // used links stored again
		failures []string
		fiveXX   int
		unsure   []string // fresh links whose answer failed: stored or not?
		done     []string // links whose answer is stored
	)
	take := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next < len(inv.links) {
			next++
			return inv.links[next-1], true
		}
		// Only links whose answer is stored: one still in flight would
		// race its first answer, and either could win.
		if len(done) == 0 {
			return "", false
		}
		return done[rand.IntN(len(done))], false
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				link, isFresh := take()
				if link == "" {
					time.Sleep(10 * time.Millisecond) // every link is being answered; wait for one
					continue
				}
				res := r.answer(link, rand.IntN(11), rand.IntN(namedEvery) == 0)
				mu.Lock()
				if res.postStatus != 0 {
					posts = append(posts, res.post)
				}
				switch res.outcome {
				case accepted:
					acc++
					if !isFresh {
						usedBad++
					} else {
						done = append(done, link)
					}
				case again:
					againN++
					if isFresh {
						freshBad++
					}
				case limited:
					// A used link answered again and again at random meets
					// the per-link post limit, as a script would: that is
					// the limit working. A fresh link never should.
					if !isFresh {
						limitedN++
						break
					}
					failures = append(failures, res.detail)
					unsure = append(unsure, link)
				default:
					if res.getStatus >= 500 || res.postStatus >= 500 {
						fiveXX++
					}
					failures = append(failures, res.detail)
					if isFresh {
						unsure = append(unsure, link)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	// A failed answer may still have been stored; answering again settles
	// it, as the respondent would.
	settled := 0
	for _, link := range unsure {
		if res := r.answer(link, 5, false); res.outcome != failed {
			settled++
		} else {
			t.Errorf("answering again after a failure: %s", res.detail)
		}
	}
	got := countStored(t, inv.db.client(t), inv.f.surveyID)
	answered := int64(min(next, n))

	sum.add("%d clients for %s, one in %d named; %d fresh links of %d used", clients, duration, namedEvery, answered, n)
	sum.add("answers accepted %d (%.1f/s); repeats answered as stored before %d, refused by the per-link limit %d; submissions %d (%.1f/s)",
		acc, float64(acc)/elapsed.Seconds(), againN, limitedN, len(posts), float64(len(posts))/elapsed.Seconds())
	sum.add("POST latency p50 %s, p99 %s, max %s; failures %d (5xx %d), settled by answering again %d",
		percentile(posts, 50).Round(time.Millisecond), percentile(posts, 99).Round(time.Millisecond),
		percentile(posts, 100).Round(time.Millisecond), len(failures), fiveXX, settled)
	sum.add("stored: %d responses, %d answered invitations, rollups count %d", got.responses, got.answered, got.rolledUp)
	for i, d := range failures {
		if i == 5 {
			break
		}
		t.Errorf("failure: %s", d)
	}
	if fiveXX > 0 {
		t.Errorf("%d answers met a 5xx, want none", fiveXX)
	}
	if freshBad > 0 || usedBad > 0 {
		t.Errorf("%d fresh links answered as stored before, %d used links stored again", freshBad, usedBad)
	}
	if got.responses != answered || got.answered != answered {
		t.Errorf("%d links answered, stored %+v; want each exactly once", answered, got)
	}
	if got.rolledUp != got.responses {
		t.Errorf("report rollups count %d responses, the database holds %d", got.rolledUp, got.responses)
	}
	if acc == 0 {
		t.Error("no answer was accepted")
	}
}
