package privacy_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store/consents"
)

// pausingConsents is the real consent store, but the first ByContact holds
// its caller, with what it read, until resume is closed: the moment between
// a withdrawal's read of the history and its append.
type pausingConsents struct {
	*consents.Repo
	once   sync.Once
	paused chan struct{}
	resume chan struct{}
}

func (p *pausingConsents) ByContact(ctx context.Context, contactID string) ([]consents.Record, error) {
	recs, err := p.Repo.ByContact(ctx, contactID)
	p.once.Do(func() {
		close(p.paused)
		<-p.resume
	})
	return recs, err
}

// Two withdrawals of one consent from two processes (two tabs, a retry):
// the first is held between its read and its append while the second runs
// to the end. Exactly one withdrawal record may result.
func TestConcurrentWithdrawalsAppendOneRecord(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, responseID := answered(t, w, "Tabitha Twotabs", "tabitha@example.com", true)
	resp, err := w.Store.Responses.ByID(ctx, responseID)
	if err != nil || resp.Named == nil {
		t.Fatalf("response = %+v, %v; want named", resp, err)
	}
	consentID := resp.Named.ConsentID

	held := &pausingConsents{Repo: w.Store.Consents, paused: make(chan struct{}), resume: make(chan struct{})}
	first := privacy.New(privacy.Deps{
		Consents: held, Responses: w.Store.Responses, Subjects: w.Customers, Eraser: w.Store.Contacts,
		Accounts: w.Store.Accounts, Invitations: w.Store.Invitations, Suppressions: w.Store.Suppressions,
		Surveys: w.Store.Surveys, Audit: w.Audit, Sealer: w.Sealer,
	}).WithClock(w.Now)

	done := make(chan error, 1)
	go func() {
		done <- first.Withdraw(ctx, p.Contact.ID, consentID, privacy.Requester{Via: privacy.ViaThanksPage})
	}()
	select {
	case <-held.paused:
	case <-time.After(30 * time.Second):
		t.Fatal("the first withdrawal never read the history")
	}
	if err := w.Privacy.Withdraw(ctx, p.Contact.ID, consentID, privacy.Requester{Via: privacy.ViaPrivacyPage}); err != nil {
		t.Fatalf("second withdrawal: %v", err)
	}
	close(held.resume)
	if err := <-done; err != nil {
		t.Fatalf("first withdrawal: %v", err)
	}

	history, err := w.Store.Consents.ByContact(ctx, p.Contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	var withdrawals []consents.Record
	for _, h := range history {
		if h.Kind == consents.Withdrawn {
			withdrawals = append(withdrawals, h)
		}
	}
	if len(withdrawals) != 1 || withdrawals[0].Refers != consentID || withdrawals[0].Method != privacy.ViaPrivacyPage {
		t.Errorf("withdrawal records = %+v, want exactly the second request's", withdrawals)
	}
	if n, err := w.Privacy.VerifyChain(ctx); err != nil || n != len(history) {
		t.Errorf("verify = %d, %v; want %d records, sound", n, err, len(history))
	}
}
