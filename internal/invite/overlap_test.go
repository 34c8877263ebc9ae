package invite_test

import (
	"context"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/store"
)

// Two campaigns of one survey over the same contacts, fed by two
// dispatchers; the first is held after writing its invitation keys and
// before its invitations while the second feeds the other campaign. Every
// contact gets one invitation, one outbox message and one email.
func TestOverlappingCampaignsFedAtOnceSendOneEmailPerContact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		freshIDs bool // the second campaign's invitation ids are its own, as campaigns made before ids were derived have
	}{
		{"derived ids", false},
		{"ids of older campaigns", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			a := e.account(e.alice, "Acme", store.Segment{})
			cs := e.contacts(a, "olga", 3, "en")
			first := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
			// A second campaign as a simultaneous Create makes it: both resolved
			// their audience before either was stored, so neither skipped the other's.
			second := first
			second.Campaign.ID = "second"
			var batches []store.CampaignBatch
			for seq := range first.Campaign.Batches {
				b, err := e.st.Campaigns.Batch(ctx, first.Campaign.ID, seq)
				if err != nil {
					t.Fatal(err)
				}
				b.ID, b.CampaignID = store.BatchID(second.Campaign.ID, seq), second.Campaign.ID
				if tc.freshIDs {
					for i := range b.Entries {
						b.Entries[i].InvitationID = link.NewID()
					}
				}
				batches = append(batches, b)
			}
			if err := e.st.Campaigns.Create(ctx, second.Campaign, batches, nil); err != nil {
				t.Fatal(err)
			}

			at, release := make(chan struct{}), make(chan struct{})
			var calls atomic.Int32
			e.st.Invitations.SetHooks(store.InvitationHooks{AfterKeys: func() {
				if calls.Add(1) == 1 {
					at <- struct{}{}
					<-release
				}
			}})
			d1, d2 := e.dispatcher(smtpSender(t, e.smtp)), e.dispatcher(smtpSender(t, e.smtp))
			fed := make(chan error, 1)
			go func() { fed <- d1.Feed(ctx) }()
			<-at // d1 wrote one campaign's keys and waits
			if err := d2.Feed(ctx); err != nil {
				t.Fatal(err)
			}
			close(release)
			if err := <-fed; err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				invs, err := e.st.Invitations.ByContact(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(invs) != 1 {
					t.Errorf("%s has %d invitations, want 1", c.ID, len(invs))
				}
				n, err := e.st.DB().Collection("outbox").CountDocuments(ctx, bson.D{{Key: "contactId", Value: c.ID}})
				if err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("%s has %d outbox messages, want 1", c.ID, n)
				}
			}
			e.settle(d1, first.Campaign.ID)
			e.settle(d1, second.Campaign.ID)
			for _, c := range cs {
				if n := recipients(e.smtp.Messages())[c.Email]; n != 1 {
					t.Errorf("%s got %d emails, want 1", c.Email, n)
				}
			}
			// The campaign that lost reports its contacts as invited already.
			var skipped int
			for _, id := range []string{first.Campaign.ID, second.Campaign.ID} {
				c, err := e.st.Campaigns.ByID(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				skipped += c.SkipReasons[store.SkipAlreadyInvited]
			}
			if skipped != len(cs) {
				t.Errorf("skipped as already invited: %d, want %d", skipped, len(cs))
			}

		})
	}
}
