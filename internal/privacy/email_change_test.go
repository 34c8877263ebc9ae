package privacy_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
)

var mailedToken = regexp.MustCompile(`/e/([A-Za-z0-9_-]{43})\?lang=`)

// A confirmation link is kept only as a hash, and applies once however
// many open it at the same time.
func TestEmailChangeIsSingleUseAndStoredHashed(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p := w.Invite(t, w.OpenSurvey(t, nil), "Eva Email", "eva@example.com", "sv")

	done, err := w.Privacy.RequestCorrection(ctx, p.Contact.ID, "Eva Email", "eva.new@example.com", "sv")
	if err != nil || !done.EmailPending || done.Contact.Email != "eva@example.com" {
		t.Fatalf("RequestCorrection = %+v, %v", done, err)
	}
	mails, _, err := w.Store.DevMails.List(ctx, store.Page{Limit: 10})
	if err != nil || len(mails) != 1 || mails[0].To != "eva.new@example.com" || !strings.HasPrefix(mails[0].Subject, "Bekräfta") {
		t.Fatalf("mails = %+v, %v", mails, err)
	}
	m := mailedToken.FindStringSubmatch(mails[0].Text)
	if m == nil || !strings.Contains(mails[0].Text, respondtest.BaseURL+"/e/") {
		t.Fatalf("no link in %q", mails[0].Text)
	}
	token := m[1]

	var doc bson.M
	if err := w.Store.DB().Collection("email_changes").FindOne(ctx, bson.D{}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if raw, _ := bson.MarshalExtJSON(doc, false, false); strings.Contains(string(raw), token) || strings.Contains(string(raw), "eva.new") {
		t.Errorf("the stored change holds the token or the address in plain text: %s", raw)
	}

	pending, err := w.Privacy.PendingEmailChange(ctx, token)
	if err != nil || pending.Email != "eva.new@example.com" || pending.Locale != "sv" {
		t.Fatalf("PendingEmailChange = %+v, %v", pending, err)
	}
	var mu sync.Mutex
	applied := 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			_, err := w.Privacy.ConfirmEmailChange(ctx, token)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				applied++
			case !errors.Is(err, privacy.ErrNotFound):
				t.Errorf("ConfirmEmailChange: %v", err)
			}
		})
	}
	wg.Wait()
	if applied != 1 {
		t.Errorf("the link applied %d times, want once", applied)
	}
	if c, _ := w.Customers.Subject(ctx, p.Contact.ID); c.Email != "eva.new@example.com" {
		t.Errorf("email = %s", c.Email)
	}
}
