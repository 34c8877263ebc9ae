package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/web/api"
)

// inboundFixture is a server taking signed bounce events, over a database
// holding one campaign with an invitation per contact.
type inboundFixture struct {
	*testServer
	st         *store.Store
	customers  *customer.Service
	campaignID string
	contacts   []customer.Contact
	returnPath []string // by contact
	secrets    []string
}

func newInboundFixture(t *testing.T, contacts int) *inboundFixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	admin := store.User{ID: "u-admin", Email: "admin@example.com", Name: "Ada Admin", Role: store.RoleAdmin}
	if err := st.Users.Insert(ctx, admin); err != nil {
		t.Fatal(err)
	}
	customers := customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
	paths := bounce.NewReturnPaths(ring, "bounces.candor.test")
	handler, err := bounce.NewHandler(bounce.Deps{ReturnPaths: paths, Invitations: st.Invitations, Recipients: customers,
		Suppressions: st.Suppressions, Contacts: st.Contacts, Campaigns: st.Campaigns, Events: st.Bounces, SoftLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := &inboundFixture{st: st, customers: customers, campaignID: "camp-1",
		secrets: []string{strings.Repeat("n", 32), strings.Repeat("o", 32)}}
	f.testServer = newTestServer(t, testOptions{users: st.Users, db: st, customers: customers, bounces: handler, bounceSecrets: f.secrets})
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.Campaigns.Create(ctx, store.Campaign{ID: f.campaignID, SurveyID: "sv-1", CreatedBy: admin.ID,
		State: store.CampaignSent, SendAt: now}, nil, nil); err != nil {
		t.Fatal(err)
	}
	acct, err := customers.CreateAccount(ctx, admin, customer.AccountInput{Name: "Customer Oy", Country: "FI", Region: "Nordics",
		Industry: "Retail", Tier: "A", ManagerIDs: []string{admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var invs []store.Invitation
	for i := range contacts {
		c, err := customers.CreateContact(ctx, admin, customer.ContactInput{AccountID: acct.ID,
			Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@customer.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		inv := store.Invitation{ID: link.NewID(), SurveyID: "sv-1", CampaignID: f.campaignID, ContactID: c.ID, AccountID: acct.ID,
			Locale: "en", State: store.InvitationPending, ExpiresAt: now.Add(30 * 24 * time.Hour), CreatedAt: now}
		invs = append(invs, inv)
		rp, err := paths.ReturnPath(inv.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.contacts = append(f.contacts, c)
		f.returnPath = append(f.returnPath, rp)
	}
	if _, err := st.Invitations.InsertBatch(ctx, invs); err != nil {
		t.Fatal(err)
	}
	return f
}

// sign returns the headers of a request signed with secret at ts.
func sign(secret string, ts time.Time, body string) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stamp + "." + body))
	return http.Header{"X-Candor-Timestamp": {stamp}, "X-Candor-Signature": {"v1=" + hex.EncodeToString(mac.Sum(nil))}}
}

func (f *inboundFixture) post(t *testing.T, contentType, body string, h http.Header) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/inbound/bounces", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, vs := range h {
		req.Header[k] = vs
	}
	return f.client(t).do(req)
}

func (f *inboundFixture) suppressed(t *testing.T, i int) store.SuppressionReason {
	t.Helper()
	r, err := f.customers.Recipient(context.Background(), f.contacts[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.st.Suppressions.Find(context.Background(), r.EmailIndexes...)
	if err != nil {
		return ""
	}
	return s.Reason
}

func (f *inboundFixture) counts(t *testing.T) store.CampaignCounts {
	t.Helper()
	c, err := f.st.Campaigns.ByID(context.Background(), f.campaignID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Counts
}

func bounceEvent(typ, returnPath string) string {
	return fmt.Sprintf(`{"type":%q,"returnPath":%q,"recipient":"someone@customer.example","messageId":"<x@candor.test>","status":"5.1.1","diagnostic":"550 5.1.1 user unknown"}`, typ, returnPath)
}

func TestInboundBouncesAct(t *testing.T) {
	t.Parallel()
	f := newInboundFixture(t, 4)
	now := time.Now()
	dsn := "From: MAILER-DAEMON@relay.example\r\nTo: " + f.returnPath[2] + "\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.example\r\n\r\n" +
		"Final-Recipient: rfc822; p2@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--x--\r\n"
	steps := []struct {
		name, contentType, body, secret string
		want                            api.InboundResult
	}{
		{"a bounce", "application/json", bounceEvent("bounce", f.returnPath[0]), f.secrets[0], api.InboundResult{Outcome: "handled", Kind: "bounce"}},
		{"the same bounce again", "application/json", bounceEvent("bounce", f.returnPath[0]), f.secrets[0], api.InboundResult{Outcome: "duplicate", Kind: "bounce"}},
		{"a complaint, signed with the second secret", "application/json; charset=utf-8", bounceEvent("complaint", f.returnPath[1]), f.secrets[1], api.InboundResult{Outcome: "handled", Kind: "complaint"}},
		{"a raw DSN", "message/rfc822", dsn, f.secrets[0], api.InboundResult{Outcome: "handled", Kind: "bounce"}},
		{"a soft bounce", "application/json", bounceEvent("soft_bounce", f.returnPath[3]), f.secrets[0], api.InboundResult{Outcome: "handled", Kind: "soft_bounce"}},
		{"a forged return path", "application/json", bounceEvent("bounce", "b-aaaaaaaaaaaaaaaaaaaa-0-aaaaaaaaaaaaaaaa@bounces.candor.test"), f.secrets[0],
			api.InboundResult{Outcome: "ignored", Kind: "bounce", Reason: "a return path that does not verify"}},
	}
	for _, s := range steps {
		r := f.post(t, s.contentType, s.body, sign(s.secret, now, s.body))
		wantStatus(t, r, http.StatusOK)
		want := fmt.Sprintf(`{"outcome":%q`, s.want.Outcome)
		if !strings.HasPrefix(r.body, want) || !strings.Contains(r.body, `"kind":"`+s.want.Kind+`"`) || !strings.Contains(r.body, s.want.Reason) {
			t.Errorf("%s: %s, want %+v", s.name, r.body, s.want)
		}
	}
	for i, want := range []store.SuppressionReason{store.SuppressedBounced, store.SuppressedComplained, store.SuppressedBounced, ""} {
		if got := f.suppressed(t, i); got != want {
			t.Errorf("contact %d: suppression %q, want %q", i, got, want)
		}
	}
	if c := f.counts(t); c.Bounced != 2 || c.Complained != 1 {
		t.Errorf("campaign counts bounced %d complained %d, want 2 and 1", c.Bounced, c.Complained)
	}
}

func TestInboundBouncesRefuse(t *testing.T) {
	t.Parallel()
	f := newInboundFixture(t, 1)
	now := time.Now()
	good := bounceEvent("bounce", f.returnPath[0])
	signed := sign(f.secrets[0], now, good)
	tests := []struct {
		name, contentType, body string
		header                  http.Header
		status                  int
		want                    string
	}{
		{"no signature", "application/json", good, http.Header{}, http.StatusUnauthorized, "X-Candor-Timestamp"},
		{"no signature header", "application/json", good, http.Header{"X-Candor-Timestamp": signed["X-Candor-Timestamp"]}, http.StatusUnauthorized, "X-Candor-Signature"},
		{"another secret", "application/json", good, sign(strings.Repeat("x", 32), now, good), http.StatusUnauthorized, "does not match"},
		{"a changed body", "application/json", strings.Replace(good, "bounce", "complaint", 1), signed, http.StatusUnauthorized, "does not match"},
		{"a replay", "application/json", good, sign(f.secrets[0], now.Add(-6*time.Minute), good), http.StatusUnauthorized, "5 minutes"},
		{"from the future", "application/json", good, sign(f.secrets[0], now.Add(6*time.Minute), good), http.StatusUnauthorized, "5 minutes"},
		{"not hex", "application/json", good, http.Header{"X-Candor-Timestamp": signed["X-Candor-Timestamp"], "X-Candor-Signature": {"v1=zz"}}, http.StatusUnauthorized, "X-Candor-Signature"},
		{"an unknown type", "application/json", bounceEvent("bounced", f.returnPath[0]), sign(f.secrets[0], now, bounceEvent("bounced", f.returnPath[0])), http.StatusBadRequest, `"type":"must be bounce, soft_bounce or complaint"`},
		{"no return path", "application/json", `{"type":"bounce"}`, sign(f.secrets[0], now, `{"type":"bounce"}`), http.StatusBadRequest, `"returnPath":"is required`},
		{"an unknown field", "application/json", `{"type":"bounce","email":"x"}`, sign(f.secrets[0], now, `{"type":"bounce","email":"x"}`), http.StatusBadRequest, `"email":"is not a known field"`},
		{"not JSON", "application/json", `{`, sign(f.secrets[0], now, `{`), http.StatusBadRequest, "not valid JSON"},
		{"another media type", "text/plain", good, signed, http.StatusUnsupportedMediaType, "message/rfc822"},
	}
	for _, tt := range tests {
		r := f.post(t, tt.contentType, tt.body, tt.header)
		if r.StatusCode != tt.status || !strings.Contains(r.body, tt.want) || !strings.HasPrefix(r.body, `{"error":`) {
			t.Errorf("%s: %d %s, want %d with %s", tt.name, r.StatusCode, r.body, tt.status, tt.want)
		}
	}
	if got := f.suppressed(t, 0); got != "" {
		t.Errorf("a refused request suppressed the address: %q", got)
	}
	if c := f.counts(t); c.Bounced != 0 || c.Complained != 0 {
		t.Errorf("a refused request counted: %+v", c)
	}

	// A body over 64 KB is refused before it is read.
	addr := listen(t, f.Server)
	resp, body := announce(t, addr, http.MethodPost, "/api/v1/inbound/bounces", http.Header{"Content-Type": {"message/rfc822"}}, api.MaxInboundBytes+1)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "the limit is 64 KB") {
		t.Errorf("an oversized body: %d %s", resp.StatusCode, body)
	}
}

// Without a secret the endpoint does not exist.
func TestInboundBouncesNeedASecret(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	r := s.client(t).api(http.MethodPost, "/api/v1/inbound/bounces", "", `{}`)
	wantStatus(t, r, http.StatusNotFound)
}
