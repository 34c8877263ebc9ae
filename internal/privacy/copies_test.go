package privacy_test

import (
	"context"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store/outbox"
)

// TestErasureLeavesNoCopyOfTheirMail erases a person, on their own request
// and on an admin's, and checks that no mail of theirs stays: queued
// messages are withdrawn, dead letters deleted, and the dev outbox loses
// every message addressed to them or naming them, in any case, whoever it
// went to, and keeps the others.
func TestErasureLeavesNoCopyOfTheirMail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		by   func(w *respondtest.World) privacy.Requester
	}{
		{"self-service", func(*respondtest.World) privacy.Requester { return privacy.Requester{} }},
		{"admin request", func(w *respondtest.World) privacy.Requester { return privacy.Requester{Staff: &w.Admin} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := respondtest.New(t, newStore(t))
			st := w.Store
			p, _ := answered(t, w, "Erin O'Erase", "erin@example.com", true)
			other, _ := answered(t, w, "Otto Other", "otto@example.com", true)
			now := time.Now().UTC().Truncate(time.Millisecond)

			queued := []outbox.Message{
				{ID: "erin-reminder", Batch: "b", CampaignID: "c", InvitationID: p.Invitation.ID, ContactID: p.Contact.ID, Kind: outbox.Reminder, Round: 1, State: outbox.Queued, NextAttemptAt: now, CreatedAt: now},
				{ID: "otto-reminder", Batch: "b", CampaignID: "c", InvitationID: other.Invitation.ID, ContactID: other.Contact.ID, Kind: outbox.Reminder, Round: 1, State: outbox.Queued, NextAttemptAt: now, CreatedAt: now},
			}
			if _, err := st.Outbox.Enqueue(ctx, queued); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().Collection("outbox_dead").InsertMany(ctx, []any{
				outbox.Message{ID: "erin-bounce", CampaignID: "c", ContactID: p.Contact.ID, State: outbox.Bounced, LastError: "550 <erin@example.com>: no such user", FinishedAt: &now},
				outbox.Message{ID: "otto-bounce", CampaignID: "c", ContactID: other.Contact.ID, State: outbox.Bounced, FinishedAt: &now},
			}); err != nil {
				t.Fatal(err)
			}
			if err := st.DevMails.Insert(ctx, []outbox.DevMail{
				{ID: "to-erin", To: "ERIN@example.com", Subject: "Your survey", Text: "Dear customer", CreatedAt: now},
				{ID: "alert", To: "manager@example.com", Subject: "Follow up", Text: "Erin O'Erase answered 2.", CreatedAt: now},
				{ID: "alert-html", To: "manager@example.com", Subject: "Follow up", HTML: "<p>erin o&#39;erase answered</p>", CreatedAt: now},
				{ID: "to-otto", To: "otto@example.com", Subject: "Your survey", Text: "Dear Otto Other", CreatedAt: now},
			}); err != nil {
				t.Fatal(err)
			}

			if err := w.Privacy.Erase(ctx, p.Contact.ID, tc.by(w)); err != nil {
				t.Fatal(err)
			}
			for id, kept := range map[string]bool{"to-erin": false, "alert": false, "alert-html": false, "to-otto": true} {
				if _, err := st.DevMails.ByID(ctx, id); (err == nil) != kept {
					t.Errorf("dev mail %s: %v, want kept %v", id, err, kept)
				}
			}
			for id, kept := range map[string]bool{"erin-bounce": false, "otto-bounce": true} {
				if dead, err := st.Outbox.IsDead(ctx, id); err != nil || dead != kept {
					t.Errorf("dead letter %s: %v, %v; want kept %v", id, dead, err, kept)
				}
			}
			if n, err := st.Outbox.Count(ctx); err != nil || n != 1 {
				t.Errorf("%d messages queued (%v), want Otto's alone", n, err)
			}
		})
	}
}
