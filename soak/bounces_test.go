//go:build soak

package soak

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/bounce/imaptest"
)

// dsn is a Postfix-style delivery status notification about the message
// whose return path is returnPath, to recipient.
func dsn(returnPath, recipient, action, status string) []byte {
	return []byte("Return-Path: <>\r\nDelivered-To: " + returnPath + "\r\n" +
		"From: MAILER-DAEMON@relay.soak.example.com (Mail Delivery System)\r\n" +
		"To: " + returnPath + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn-boundary\"\r\n\r\n" +
		"--dsn-boundary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nYour message could not be delivered.\r\n\r\n" +
		"--dsn-boundary\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; relay.soak.example.com\r\n\r\n" +
		"Final-Recipient: rfc822; " + recipient + "\r\nAction: " + action + "\r\nStatus: " + status + "\r\n" +
		"Diagnostic-Code: smtp; 550 " + status + " mailbox unavailable\r\n\r\n" +
		"--dsn-boundary\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
		"Return-Path: <" + returnPath + ">\r\nFrom: Soak Surveys <surveys@soak.example.com>\r\nTo: " + recipient + "\r\n" +
		"Subject: Soak survey\r\n\r\n--dsn-boundary--\r\n")
}

// arf is an abuse feedback report about the message whose return path is
// returnPath.
func arf(returnPath, recipient string) []byte {
	return []byte("From: feedback@fbl.soak.example.net\r\nTo: " + returnPath + "\r\nSubject: FW: Soak survey\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n" +
		"--arf\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n\r\n" +
		"--arf\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: SoakFBL/1.0\r\nVersion: 1\r\n" +
		"Original-Mail-From: <" + returnPath + ">\r\nOriginal-Rcpt-To: <" + recipient + ">\r\n\r\n" +
		"--arf\r\nContent-Type: message/rfc822\r\n\r\nReturn-Path: <" + returnPath + ">\r\nFrom: Soak Surveys <surveys@soak.example.com>\r\n" +
		"To: " + recipient + "\r\nSubject: Soak survey\r\n\r\n[redacted]\r\n--arf--\r\n")
}

// TestBouncesAfterDelivery delivers a campaign to SOAK_BOUNCE_CONTACTS
// (300) contacts through Mailpit, then mails DSNs and complaints for some
// of the delivered messages, addressed to the VERP return path each
// message got, into a mailbox `candor serve` polls, and checks that those
// addresses end suppressed and counted on the campaign, once.
func TestBouncesAfterDelivery(t *testing.T) {
	n := envInt(t, "SOAK_BOUNCE_CONTACTS", 300)
	const domain = "bounces.soak.example.com"
	sum := newSummary(t, "bounces")
	mp := startMailpit(t)
	box := imaptest.Start(t)
	db := newDB(t)
	srv := startCandor(t, serveEnv(t, db, secretKeys(t), "smtp://"+mp.smtp+"?tls=none", map[string]string{
		"CANDOR_BOUNCE_DOMAIN":        domain,
		"CANDOR_BOUNCE_IMAP_URL":      box.URL(),
		"CANDOR_BOUNCE_IMAP_INTERVAL": "5s",
	}), "serve")
	a := signIn(t, srv.base)
	f := a.setup(t, n, func(i int) string { return fmt.Sprintf("bn%05d@soak.example.com", i) })
	id := a.send(t, f)
	a.waitSent(t, id, 5*time.Minute)
	if !waitFor(time.Minute, 200*time.Millisecond, func() bool { return mp.total() >= n }) {
		t.Fatalf("Mailpit holds %d messages, want %d", mp.total(), n)
	}

	// Every message's envelope sender, as Mailpit received it.
	returnPath := map[string]string{} // by recipient
	seen := map[string]bool{}
	for start := 0; start < n; start += 250 {
		var l mailpitList
		if err := mp.get(fmt.Sprintf("/api/v1/messages?start=%d&limit=250", start), &l); err != nil {
			t.Fatal(err)
		}
		for _, s := range l.Messages {
			var msg struct{ ReturnPath string }
			if err := mp.get("/api/v1/message/"+s.ID, &msg); err != nil {
				t.Fatal(err)
			}
			rp := strings.Trim(msg.ReturnPath, "<>")
			if !strings.HasPrefix(rp, "b-") || !strings.HasSuffix(rp, "@"+domain) || seen[rp] {
				t.Errorf("message %s: return path %q, want a unique b-…@%s", s.ID, rp, domain)
			}
			seen[rp] = true
			returnPath[strings.ToLower(s.To[0].Address)] = rp
		}
	}
	if len(returnPath) != n {
		t.Fatalf("%d return paths for %d messages", len(returnPath), n)
	}

	// Every 10th address bounces hard (its DSN arrives twice), every 25th
	// of the rest complains, every 30th of the rest is only delayed; one
	// forged DSN names an address that must stay untouched.
	var hard, complained, delayed []string
	var reports [][]byte
	for i, e := range f.emails {
		rp := returnPath[e]
		switch {
		case i%10 == 0:
			hard = append(hard, e)
			reports = append(reports, dsn(rp, e, "failed", "5.1.1"), dsn(rp, e, "failed", "5.1.1"))
		case i%25 == 1:
			complained = append(complained, e)
			reports = append(reports, arf(rp, e))
		case i%30 == 2:
			delayed = append(delayed, e)
			reports = append(reports, dsn(rp, e, "delayed", "4.4.1"))
		}
	}
	forgedFor := f.emails[3]
	forged := returnPath[forgedFor]
	at := strings.IndexByte(forged, '@')
	flip := "a"
	if forged[at-1] == 'a' {
		flip = "b"
	}
	forged = forged[:at-1] + flip + "@" + domain
	reports = append(reports, dsn(forged, forgedFor, "failed", "5.1.1"))
	start := time.Now()
	for _, r := range reports {
		if err := box.Append(r); err != nil {
			t.Fatal(err)
		}
	}

	var c campaign
	if !waitFor(2*time.Minute, 500*time.Millisecond, func() bool {
		var err error
		c, err = a.campaign(id)
		return err == nil && c.Counts.Bounced >= len(hard) && c.Counts.Complained >= len(complained)
	}) {
		t.Fatalf("campaign counts %+v after two minutes, want %d bounced and %d complained", c.Counts, len(hard), len(complained))
	}
	took := time.Since(start)
	// Another poll or two changes nothing.
	time.Sleep(12 * time.Second)
	c, err := a.campaign(id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Counts.Bounced != len(hard) || c.Counts.Complained != len(complained) {
		t.Errorf("campaign counts bounced %d complained %d, want exactly %d and %d", c.Counts.Bounced, c.Counts.Complained, len(hard), len(complained))
	}
	total, unseen, err := box.Count()
	if err != nil {
		t.Fatal(err)
	}
	if unseen != 0 {
		t.Errorf("%d reports left unread", unseen)
	}

	// The suppressions: one per bounced or complaining address, nobody else.
	mdb := db.client(t)
	ctx := context.Background()
	bounced, err := mdb.Collection("suppressions").CountDocuments(ctx, bson.D{{Key: "reason", Value: "bounced"}})
	if err != nil {
		t.Fatal(err)
	}
	complaints, err := mdb.Collection("suppressions").CountDocuments(ctx, bson.D{{Key: "reason", Value: "complained"}})
	if err != nil {
		t.Fatal(err)
	}
	if int(bounced) != len(hard) || int(complaints) != len(complained) {
		t.Errorf("suppressions: %d bounced, %d complained; want %d and %d", bounced, complaints, len(hard), len(complained))
	}
	marked, err := mdb.Collection("contacts").CountDocuments(ctx, bson.D{{Key: "status", Value: "bounced"}})
	if err != nil {
		t.Fatal(err)
	}
	if int(marked) != len(hard) {
		t.Errorf("%d contacts marked bounced, want %d", marked, len(hard))
	}
	sum.add("contacts %d; %d reports mailed (%d hard bounces, each twice; %d complaints; %d delays; 1 forged)",
		n, len(reports), len(hard), len(complained), len(delayed))
	sum.add("all counted %s after mailing them (poll every 5s); campaign bounced %d, complained %d; suppressions %d + %d; mailbox left with %d seen, %d unseen",
		took.Round(100*time.Millisecond), c.Counts.Bounced, c.Counts.Complained, bounced, complaints, total, unseen)
}
