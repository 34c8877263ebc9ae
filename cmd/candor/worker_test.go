package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/bounce/imaptest"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestWorkerNeedsASharedDatabase(t *testing.T) {
	t.Parallel()
	out, err := runCandor(map[string]string{"CANDOR_DATA_DIR": t.TempDir()}, "worker")
	if err == nil || !strings.Contains(err.Error(), "CANDOR_MONGODB_URI") {
		t.Fatalf("worker on the embedded database: err = %v\n%s", err, out)
	}
}

// TestWorkerDelivers runs `candor worker` against a database holding a
// campaign and an SMTP server, and stops it once the mail is out and a
// bounce mailed back to one message's return path has been read.
func TestWorkerDelivers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.DB(t)
	st := store.New(db)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	admin := store.User{ID: "u-admin", Email: "admin@example.com", Role: store.RoleAdmin}
	if err := st.Users.Insert(ctx, admin); err != nil {
		t.Fatal(err)
	}
	customers := customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
	a, err := customers.CreateAccount(ctx, admin, customer.AccountInput{Name: "Acme", ManagerIDs: []string{admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := customers.CreateContact(ctx, admin, customer.ContactInput{AccountID: a.ID, Name: fmt.Sprint("Person ", i), Email: fmt.Sprintf("p%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	sv, err := survey.New(survey.Survey{
		Title:       survey.Text{"en": "Survey"},
		Questions:   []survey.Question{{Key: "nps", Type: survey.TypeNPS, Prompt: survey.Text{"en": "Recommend us?"}, Required: true}},
		ConsentText: survey.Text{"en": "Attach my name."},
	}, store.NewID(), admin.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Open(time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.Surveys.Insert(ctx, sv); err != nil {
		t.Fatal(err)
	}
	svc, err := invite.NewService(invite.Deps{Stores: invite.StoresOf(st), Customers: customers, Links: link.New(ring, "https://survey.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, admin, sv.ID, invite.Request{AccountIDs: []string{a.ID}}); err != nil {
		t.Fatal(err)
	}

	srv := smtptest.Start(t)
	mailbox := imaptest.Start(t)
	uri, err := url.Parse(storetest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	uri.Path = "/" + db.Name()
	env := map[string]string{
		"CANDOR_MONGODB_URI": uri.String(), "CANDOR_SECRET_KEYS": ring.Encode(), "CANDOR_DATA_DIR": t.TempDir(),
		"CANDOR_SMTP_URL":  fmt.Sprintf("smtp://%s?tls=none", srv.Addr()),
		"CANDOR_MAIL_FROM": "Acme Surveys <surveys@acme.example>", "CANDOR_BASE_URL": "https://survey.example.com",
		"CANDOR_BOUNCE_DOMAIN": "bounces.acme.example", "CANDOR_BOUNCE_IMAP_URL": mailbox.URL(), "CANDOR_BOUNCE_IMAP_INTERVAL": "5s",
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	var logs bytes.Buffer
	metricsAddr := freeAddr(t)
	go func() {
		done <- run(runCtx, []string{"worker", "--metrics-addr", metricsAddr}, strings.NewReader(""), &bytes.Buffer{}, &logs, func(k string) string { return env[k] })
	}()
	got := srv.WaitFor(3, 30*time.Second)
	// The outcome is counted once the group's sending is settled.
	var scraped string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if scraped = scrapeMetrics(t, metricsAddr); strings.Contains(scraped, `candor_mail_messages_total{outcome="sent"} 3`) {
			break
		}
	}
	if !strings.Contains(scraped, `candor_mail_messages_total{outcome="sent"} 3`) || !strings.Contains(scraped, "candor_outbox_messages 0") {
		t.Errorf("worker metrics lack 3 sent and an empty outbox:\n%.2000s", scraped)
	}
	if len(got) > 0 {
		// A bounce of the first message, to the return path it went out with.
		rp := got[0].From
		if !strings.HasPrefix(rp, "b-") || !strings.HasSuffix(rp, "@bounces.acme.example") {
			t.Errorf("MAIL FROM %q, want a return path of the bounce domain", rp)
		}
		report := "To: " + rp + "\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.acme.example\r\n\r\n" +
			"Final-Recipient: rfc822; " + got[0].To[0] + "\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
		if err := mailbox.Append([]byte(report)); err != nil {
			t.Fatal(err)
		}
		const handled = `candor_bounce_reports_total{kind="bounce",outcome="handled"} 1`
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !strings.Contains(scraped, handled); time.Sleep(100 * time.Millisecond) {
			scraped = scrapeMetrics(t, metricsAddr)
		}
		if !strings.Contains(scraped, handled) {
			t.Errorf("the worker did not read the bounce:\n%.3000s", scraped)
		}
		if c, err := st.Campaigns.ListBySurvey(ctx, sv.ID, ""); err != nil || len(c) != 1 || c[0].Counts.Bounced != 1 {
			t.Errorf("campaigns %+v, %v: want one with a bounce", c, err)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v\n%s", err, logs.String())
	}
	if len(got) != 3 {
		t.Fatalf("the worker delivered %d of 3\n%s", len(got), logs.String())
	}
	if from := got[0].Header.Get("From"); !strings.Contains(from, "surveys@acme.example") {
		t.Errorf("From = %q", from)
	}
	if !strings.Contains(logs.String(), "dispatcher stopped") {
		t.Errorf("the worker did not stop gracefully:\n%s", logs.String())
	}
}

// freeAddr returns a loopback address nothing listens on just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// scrapeMetrics reads http://addr/metrics; "" while nothing answers yet.
func scrapeMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
