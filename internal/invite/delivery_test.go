package invite_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/mail/smtptest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/store/storetest"
)

var surveyLink = regexp.MustCompile(`https://survey\.example\.com/s/[A-Za-z0-9_.-]+`)

// parts splits a received message into its text and HTML bodies.
func parts(t *testing.T, raw []byte) (header netmail.Header, text, html string) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			text = string(body)
		case "text/html":
			html = string(body)
		}
	}
	return m.Header, text, html
}

// TestCampaignDeliveredOnceWithHeaders sends a campaign to 50 contacts and
// checks every message: one per contact, multipart, a personal short link,
// one-click unsubscribe headers, unique Message-IDs, no tracking.
func TestCampaignDeliveredOnceWithHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.Workers = 3 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := append(e.contacts(a, "fin", 25, "fi"), e.contacts(a, "eng", 25, "en")...)
	byEmail := map[string]customer.Contact{}
	for _, c := range cs {
		byEmail[c.Email] = c
	}
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	run(t, e.dispatcher(smtpSender(t, e.smtp)))

	waitFor(t, 30*time.Second, "the campaign to be sent", func() bool {
		c, _ := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
		return c.State == store.CampaignSent
	})
	msgs := e.smtp.Messages()
	if len(msgs) != 50 {
		t.Fatalf("server accepted %d messages, want 50", len(msgs))
	}
	for addr, n := range recipients(msgs) {
		if n != 1 || byEmail[addr].ID == "" {
			t.Errorf("%s received %d messages", addr, n)
		}
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		h, text, html := parts(t, m.Raw)
		contact := byEmail[m.To[0]]
		if id := h.Get("Message-Id"); id == "" || ids[id] {
			t.Errorf("Message-ID %q missing or repeated", id)
		} else {
			ids[id] = true
		}
		if got := h.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", got)
		}
		unsub := h.Get("List-Unsubscribe")
		if !strings.HasPrefix(unsub, "<https://survey.example.com/u/") || !strings.HasSuffix(unsub, ">") {
			t.Fatalf("List-Unsubscribe = %q, want one https URL", unsub)
		}
		if sub, err := e.links.Parse(strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://survey.example.com/u/"), ">"), link.AudienceUnsubscribe); err != nil || sub != contact.ID {
			t.Errorf("unsubscribe token names %q (%v), want contact %s", sub, err, contact.ID)
		}
		from, _ := (&netmail.AddressParser{}).Parse(h.Get("From"))
		if from == nil || from.Name != "Acme Service" || from.Address != "surveys@acme.example" {
			t.Errorf("From = %q", h.Get("From"))
		}

		found := surveyLink.FindString(text)
		if found == "" || len(found) >= 180 {
			t.Fatalf("survey link %q missing or too long (%d characters)", found, len(found))
		}
		if !strings.Contains(html, `href="`+found+`"`) || !strings.Contains(text, found+"/privacy") {
			t.Errorf("the HTML lacks the link as a button, or the text the privacy link")
		}
		invID, err := e.links.Parse(strings.TrimPrefix(found, baseURL+"/s/"), link.AudienceSurvey)
		if err != nil {
			t.Fatalf("survey link does not verify: %v", err)
		}
		inv, err := e.st.Invitations.ByID(ctx, invID)
		if err != nil || inv.ContactID != contact.ID || inv.CampaignID != created.Campaign.ID {
			t.Errorf("link leads to invitation %+v (%v), want contact %s", inv, err, contact.ID)
		}
		if strings.Contains(strings.ToLower(html), "<img") {
			t.Error("the HTML has an image (a tracking pixel?)")
		}
		wantGreeting, wantSubject := "Dear "+contact.Name, "Survey: Customer survey 2026"
		if contact.Locale == "fi" {
			wantGreeting, wantSubject = "Hyvä "+contact.Name, "Kysely: Asiakaskysely 2026"
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		if !strings.Contains(text, wantGreeting) || subject != wantSubject {
			t.Errorf("%s email: subject %q, greeting missing from:\n%s", contact.Locale, subject, text)
		}
		if !strings.Contains(text, "onfidential") && !strings.Contains(text, "luottamuksellisia") {
			t.Errorf("no confidentiality line in:\n%s", text)
		}
	}

	c, _ := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
	if c.Counts.Sent != 50 || c.Counts.Failed+c.Counts.Bounced != 0 || c.Counts.Fed != 50 {
		t.Errorf("counts = %+v", c.Counts)
	}
	if got, _ := e.st.Contacts.ByID(ctx, cs[0].ID); got.LastSurveyedAt == nil {
		t.Error("a contact sent an invitation is not marked surveyed")
	}
	if n, _ := e.st.Outbox.Count(ctx); n != 0 {
		t.Errorf("%d messages left in the outbox", n)
	}
}

// secondProcess returns the Deps of another process on the same database:
// its own client, its own services.
func (e *env) secondProcess(t *testing.T) invite.Deps {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	st := store.New(client.Database(e.st.DB().Name()))
	d := e.deps()
	d.Stores = invite.StoresOf(st)
	d.Customers = customer.New(st.Accounts, st.Contacts, st.Users, seal.New(e.ring))
	return d
}

func TestTwoProcessesNeverDoubleSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.BatchSize = 5; c.Workers = 3 })
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 60, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})

	run(t, e.dispatcher(smtpSender(t, e.smtp)))
	run(t, e.dispatcherWith(e.secondProcess(t), smtpSender(t, e.smtp)))

	waitFor(t, 60*time.Second, "the campaign to be sent", func() bool {
		c, _ := e.st.Campaigns.ByID(context.Background(), created.Campaign.ID)
		return c.State == store.CampaignSent
	})
	got := recipients(e.smtp.Messages())
	if len(got) != 60 {
		t.Fatalf("%d contacts reached, want 60", len(got))
	}
	for addr, n := range got {
		if n != 1 {
			t.Errorf("%s received %d messages", addr, n)
		}
	}
	if sessions := e.smtp.Sessions(); sessions < 2 {
		t.Errorf("%d SMTP sessions; the two processes did not both send", sessions)
	}
}

var errKilled = errors.New("process killed")

// killSwitch stands for a process dying: once thrown, its database writes
// fail and it sends nothing more.
type killSwitch struct{ dead atomic.Bool }

type killableOutbox struct {
	invite.OutboxStore
	k *killSwitch
}

func (o killableOutbox) Delete(ctx context.Context, token string, ids []string) error {
	if o.k.dead.Load() {
		return errKilled
	}
	return o.OutboxStore.Delete(ctx, token, ids)
}

func (o killableOutbox) Release(ctx context.Context, token string, ids []string, next time.Time, lastError string, flags outbox.ReleaseFlags) error {
	if o.k.dead.Load() {
		return errKilled
	}
	return o.OutboxStore.Release(ctx, token, ids, next, lastError, flags)
}

func (o killableOutbox) Claim(ctx context.Context, token string, now time.Time, lease time.Duration) ([]outbox.Message, error) {
	if o.k.dead.Load() {
		return nil, errKilled
	}
	return o.OutboxStore.Claim(ctx, token, now, lease)
}

// killingSender delivers until after messages, then throws the switch:
// the group in flight is delivered but its process never records it.
type killingSender struct {
	inner invite.Sender
	k     *killSwitch
	after int64
	sent  atomic.Int64
}

func (s *killingSender) Send(ctx context.Context, msgs []mail.Message) []error {
	if s.k.dead.Load() {
		errs := make([]error, len(msgs))
		for i := range errs {
			errs[i] = errKilled
		}
		return errs
	}
	errs := s.inner.Send(ctx, msgs)
	for _, err := range errs {
		if err == nil && s.sent.Add(1) >= s.after {
			s.k.dead.Store(true)
		}
	}
	return errs
}

func TestKilledProcessIsResumedByAnother(t *testing.T) {
	t.Parallel()
	const lease = 400 * time.Millisecond
	e := newEnv(t, func(c *invite.Config) { c.Lease = lease })
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 45, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})

	kill := &killSwitch{}
	deps := e.deps()
	deps.Stores.Outbox = killableOutbox{OutboxStore: deps.Stores.Outbox, k: kill}
	doomed := e.dispatcherWith(deps, &killingSender{inner: smtpSender(t, e.smtp), k: kill, after: 15})
	ctx := context.Background()
	if err := doomed.Feed(ctx); err != nil {
		t.Fatal(err)
	}
	for !kill.dead.Load() {
		if _, err := doomed.Work(ctx); err != nil && !errors.Is(err, errKilled) {
			t.Fatal(err)
		}
	}
	before := e.smtp.Accepted()
	if before < 15 || before > 20 {
		t.Fatalf("the doomed process delivered %d before dying, want 15 to 20 (it dies in its second group of 10)", before)
	}

	// Another process takes over once the dead one's lease runs out.
	time.Sleep(lease)
	e.settle(e.dispatcher(smtpSender(t, e.smtp)), created.Campaign.ID)

	got := recipients(e.smtp.Messages())
	if len(got) != 45 {
		t.Fatalf("%d of 45 contacts reached", len(got))
	}
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	// Only the group in flight when the process died goes out twice.
	if dups < 1 || dups > e.cfg.BatchSize {
		t.Errorf("%d duplicates, want between 1 and the %d messages in flight", dups, e.cfg.BatchSize)
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*smtptest.Server)
	}{
		{"4xx after data", func(s *smtptest.Server) { s.FailNext(3, 451, "try later") }},
		{"4xx to RCPT", func(s *smtptest.Server) { s.FailNextAt(smtptest.StageRcpt, 2, 450, "mailbox busy") }},
		{"dropped connection", func(s *smtptest.Server) { s.DropNext(2) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.account(e.alice, "Acme", store.Segment{})
			e.contacts(a, "pat", 12, "en")
			created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
			tt.fault(e.smtp)
			deps := e.deps()
			seen := &outcomes{}
			deps.Observer = seen
			run(t, e.dispatcherWith(deps, smtpSender(t, e.smtp)))

			waitFor(t, 30*time.Second, "the campaign to be sent", func() bool {
				c, _ := e.st.Campaigns.ByID(context.Background(), created.Campaign.ID)
				return c.State == store.CampaignSent
			})
			got := recipients(e.smtp.Messages())
			for addr, n := range got {
				if n != 1 {
					t.Errorf("%s received %d", addr, n)
				}
			}
			c, _ := e.st.Campaigns.ByID(context.Background(), created.Campaign.ID)
			if len(got) != 12 || c.Counts.Sent != 12 || c.Counts.Failed+c.Counts.Bounced != 0 {
				t.Errorf("%d reached; counts %+v", len(got), c.Counts)
			}
			if o := seen.counts(); o[invite.OutcomeSent] != 12 || o[invite.OutcomeRetry]+o[invite.OutcomeDeferred] == 0 || o[invite.OutcomeFailed]+o[invite.OutcomeBounced] != 0 {
				t.Errorf("observed outcomes %v, want 12 sent after some retried or deferred", o)
			}
		})
	}
}

func TestPermanentRejectionBouncesAndSuppresses(t *testing.T) {
	t.Parallel()
	// No contact-frequency window, so that the second campaign below may
	// reach the contacts the first one just did.
	e := newEnv(t, func(c *invite.Config) { c.ContactFrequency = -1 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(a, "pat", 5, "en")
	gone := cs[2]
	var tries atomic.Int32
	e.smtp.SetRejectRecipient(func(addr string) int {
		if addr == gone.Email {
			tries.Add(1)
			return 550
		}
		return 0
	})
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	deps := e.deps()
	seen := &outcomes{}
	deps.Observer = seen
	d := e.dispatcherWith(deps, smtpSender(t, e.smtp))
	c := e.settle(d, created.Campaign.ID)
	for range 3 {
		step(t, d) // nothing must come back to try again
	}
	if got := seen.counts(); got[invite.OutcomeSent] != 4 || got[invite.OutcomeBounced] != 1 || got[invite.OutcomeRetry]+got[invite.OutcomeFailed] != 0 {
		t.Errorf("observed outcomes %v, want 4 sent and 1 bounced", got)
	}

	if tries.Load() != 1 {
		t.Errorf("the rejected address was tried %d times, want 1", tries.Load())
	}
	if c.Counts.Sent != 4 || c.Counts.Bounced != 1 {
		t.Errorf("counts = %+v", c.Counts)
	}
	got, _ := e.st.Contacts.ByID(ctx, gone.ID)
	if got.Status != contacts.Bounced {
		t.Errorf("contact status %q, want bounced", got.Status)
	}
	if s, err := e.st.Suppressions.Find(ctx, seal.New(e.ring).BlindIndexes(gone.Email)...); err != nil || s.Reason != store.SuppressedBounced {
		t.Errorf("suppression = %+v, %v", s, err)
	}
	dead, _ := e.st.Outbox.Dead(ctx, c.ID, 10)
	if len(dead) != 1 || dead[0].State != outbox.Bounced || dead[0].ContactID != gone.ID {
		t.Fatalf("dead letters = %+v", dead)
	}
	if strings.Contains(dead[0].LastError, "@") || !strings.Contains(dead[0].LastError, "550") {
		t.Errorf("stored error %q: want the reply code without the address", dead[0].LastError)
	}
	r, err := e.svc.Report(ctx, e.alice, c.ID)
	if err != nil || len(r.Failures) != 1 || r.Failures[0].Name != gone.Name {
		t.Errorf("report failures = %+v, %v", r.Failures, err)
	}

	// A later survey's campaign skips the address.
	e.survey = e.openSurvey(30)
	later := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	if len(later.Skipped) != 1 || later.Skipped[0].ContactID != gone.ID || later.Skipped[0].Reason != store.SkipBounced {
		t.Errorf("later campaign skipped %+v", later.Skipped)
	}
}

func TestRelayRefusingEveryoneIsNotABounce(t *testing.T) {
	t.Parallel()
	// Several attempts: retries come due one by one (backoff has jitter),
	// and a lone refusal must not be taken for a bounce either.
	e := newEnv(t, func(c *invite.Config) { c.MaxAttempts = 4 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(a, "pat", 6, "en")
	e.smtp.SetRejectRecipient(func(string) int { return 554 })
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	c := e.settle(e.dispatcher(smtpSender(t, e.smtp)), created.Campaign.ID)
	if c.Counts.Bounced != 0 || c.Counts.Failed != 6 {
		t.Errorf("counts = %+v; want every message failed, none bounced", c.Counts)
	}
	if got, _ := e.st.Contacts.ByID(ctx, cs[0].ID); got.Status != contacts.Active {
		t.Errorf("a contact became %s because the relay refused everyone", got.Status)
	}
}

// TestServerDownThenUp: while nothing listens, messages wait without using
// up their attempts; once the server is back they go out.
func TestServerDownThenUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.MaxAttempts = 2 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 8, "en")
	addr := e.smtp.Addr()
	sender := smtpSender(t, e.smtp)
	if err := e.smtp.Close(); err != nil {
		t.Fatal(err)
	}
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	run(t, e.dispatcher(sender))

	time.Sleep(500 * time.Millisecond) // several pauses and retries
	c, _ := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
	if c.Counts.Sent+c.Counts.Failed != 0 || c.State != store.CampaignSending {
		t.Fatalf("while the server is down: state %s, counts %+v", c.State, c.Counts)
	}

	srv, err := smtptest.New(addr)
	if err != nil {
		t.Fatalf("restart the server on %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	waitFor(t, 30*time.Second, "the campaign to be sent", func() bool {
		c, _ := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
		return c.State == store.CampaignSent
	})
	c, _ = e.st.Campaigns.ByID(ctx, created.Campaign.ID)
	if srv.Accepted() != 8 || c.Counts.Sent != 8 || c.Counts.Failed != 0 {
		t.Errorf("after the server returned: %d accepted, counts %+v", srv.Accepted(), c.Counts)
	}
}

func TestCancelStopsEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.FeedBelow = 15 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 30, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	d := e.dispatcher(smtpSender(t, e.smtp))

	// Two batches fed, one sent; the third still in the backlog.
	if err := d.Feed(ctx); err != nil {
		t.Fatal(err)
	}
	if worked, err := d.Work(ctx); !worked || err != nil {
		t.Fatalf("Work = %v, %v", worked, err)
	}
	if n := e.smtp.Accepted(); n != 10 {
		t.Fatalf("%d sent before cancelling, want 10", n)
	}
	r, err := e.svc.Cancel(ctx, e.alice, created.Campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Campaign.State != store.CampaignCancelled || r.Counts.Withdrawn != 20 || r.Counts.Queued != 0 || r.Counts.Sent != 10 {
		t.Errorf("after cancelling: state %s, counts %+v", r.Campaign.State, r.Counts)
	}
	for range 3 {
		step(t, d)
	}
	if n := e.smtp.Accepted(); n != 10 {
		t.Errorf("%d sent after cancelling, want still 10", n)
	}
	counts, _ := e.st.Invitations.CountByState(ctx, created.Campaign.ID)
	if counts[store.InvitationRevoked] != 20 || counts[store.InvitationPending] != 0 {
		t.Errorf("invitations by state = %v; want the 20 made revoked", counts)
	}
	if _, err := e.svc.Cancel(ctx, e.alice, created.Campaign.ID); err != nil {
		t.Errorf("cancelling again: %v", err)
	}
}

func TestScheduledCampaignWaits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 3, "en")
	at := e.clock.Now().Add(2 * time.Hour)
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}, SendAt: &at})
	if created.Campaign.State != store.CampaignScheduled {
		t.Fatalf("state %s, want scheduled", created.Campaign.State)
	}
	d := e.dispatcher(smtpSender(t, e.smtp))
	step(t, d)
	if n := e.smtp.Accepted(); n != 0 {
		t.Fatalf("%d sent before the scheduled time", n)
	}
	if counts, _ := e.st.Invitations.CountByState(ctx, created.Campaign.ID); len(counts) != 0 {
		t.Fatalf("invitations exist before the campaign started: %v", counts)
	}
	e.clock.Advance(2*time.Hour + time.Minute)
	c := e.settle(d, created.Campaign.ID)
	if e.smtp.Accepted() != 3 || c.StartedAt == nil {
		t.Errorf("after the time: %d sent, started %v", e.smtp.Accepted(), c.StartedAt)
	}
}

// TestRateLimit checks that the configured messages per second hold.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.Rate = 20; c.Workers = 4 })
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 30, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	start := time.Now()
	run(t, e.dispatcher(smtpSender(t, e.smtp)))
	waitFor(t, 30*time.Second, "the campaign to be sent", func() bool {
		c, _ := e.st.Campaigns.ByID(context.Background(), created.Campaign.ID)
		return c.State == store.CampaignSent
	})
	// A first group of 10 at once, then 20 more at 20 a second.
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond {
		t.Errorf("30 messages at 20/s took %v", elapsed)
	}
}

// outcomes counts what a dispatcher reports of its messages.
type outcomes struct {
	mu sync.Mutex
	n  map[invite.Outcome]int
}

func (o *outcomes) Delivered(out invite.Outcome, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = make(map[invite.Outcome]int)
	}
	o.n[out] += n
}

func (o *outcomes) counts() map[invite.Outcome]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.n)
}
