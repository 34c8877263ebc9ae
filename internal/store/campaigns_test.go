package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/outbox"
)

func newCampaign(t *testing.T, st *store.Store, id string, batches int, now time.Time) store.Campaign {
	t.Helper()
	c := store.Campaign{
		ID: id, SurveyID: "s1", CreatedBy: "u1", State: store.CampaignSending, SendAt: now,
		Audience: store.CampaignAudience{Kind: store.AudienceAccounts, AccountIDs: []string{"a1"}, Contacts: batches * 2},
		Batches:  batches, Counts: store.CampaignCounts{Invited: batches * 2},
		CreatedAt: now, ActiveUntil: now.Add(time.Hour),
	}
	var bs []store.CampaignBatch
	for seq := range batches {
		bs = append(bs, store.CampaignBatch{ID: store.BatchID(id, seq), CampaignID: id, Seq: seq, Entries: []store.BatchEntry{
			{InvitationID: fmt.Sprintf("%s-%d-a", id, seq), ContactID: "ca", AccountID: "a1", Locale: "en"},
			{InvitationID: fmt.Sprintf("%s-%d-b", id, seq), ContactID: "cb", AccountID: "a1", Locale: "fi"},
		}})
	}
	skips := make([]store.Skip, 1500)
	for i := range skips {
		skips[i] = store.Skip{ContactID: fmt.Sprintf("s%04d", i), Reason: store.SkipUnsubscribed}
	}
	if err := st.Campaigns.Create(context.Background(), c, bs, skips); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCampaignCreateAndRead(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	newCampaign(t, st, "c1", 3, now)

	got, err := st.Campaigns.ByID(ctx, "c1")
	if err != nil || got.Batches != 3 || got.State != store.CampaignSending || got.Audience.Segment.IsZero() == false {
		t.Fatalf("ByID = %+v, %v", got, err)
	}
	b, err := st.Campaigns.Batch(ctx, "c1", 2)
	if err != nil || len(b.Entries) != 2 || b.Entries[1].Locale != "fi" {
		t.Fatalf("Batch = %+v, %v", b, err)
	}
	if _, err := st.Campaigns.Batch(ctx, "c1", 3); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("batch past the end err = %v", err)
	}
	skips, err := st.Campaigns.Skips(ctx, "c1", 1200)
	if err != nil || len(skips) != 1200 || skips[0].ContactID != "s0000" || skips[1199].ContactID != "s1199" {
		t.Fatalf("Skips = %d, %v", len(skips), err)
	}
	list, err := st.Campaigns.ListBySurvey(ctx, "s1", "")
	if err != nil || len(list) != 1 {
		t.Fatalf("ListBySurvey = %d, %v", len(list), err)
	}
	if mine, _ := st.Campaigns.ListBySurvey(ctx, "s1", "someone-else"); len(mine) != 0 {
		t.Fatalf("someone else's list has %d", len(mine))
	}
	active, err := st.Campaigns.Active(ctx, now)
	if err != nil || len(active) != 1 {
		t.Fatalf("Active = %d, %v", len(active), err)
	}
	if later, _ := st.Campaigns.Active(ctx, now.Add(2*time.Hour)); len(later) != 0 {
		t.Fatalf("Active after activeUntil = %d", len(later))
	}
}

// TestCampaignFeedClaimsAreExclusive races dispatchers for the same batch:
// exactly one may feed it.
func TestCampaignFeedClaimsAreExclusive(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	newCampaign(t, st, "c1", 2, now)

	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ok, err := st.Campaigns.ClaimFeed(ctx, "c1", "nextBatch", 0, store.FeedKey(0, 0), now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d dispatchers claimed batch 0", wins.Load())
	}
	c, _ := st.Campaigns.ByID(ctx, "c1")
	if c.NextBatch != 1 || !c.Feeding["i0"].Equal(now.Add(time.Minute)) {
		t.Fatalf("after the claim: nextBatch %d, feeding %v", c.NextBatch, c.Feeding)
	}

	// A crashed feeder's claim is taken over once, then finished.
	if ok, _ := st.Campaigns.RenewFeed(ctx, "c1", "i0", now, now.Add(2*time.Minute)); ok {
		t.Fatal("RenewFeed with a stale deadline succeeded")
	}
	if ok, _ := st.Campaigns.RenewFeed(ctx, "c1", "i0", now.Add(time.Minute), now.Add(2*time.Minute)); !ok {
		t.Fatal("RenewFeed with the current deadline failed")
	}
	if err := st.Campaigns.AddCounts(ctx, "c1", store.CountsDelta{Fed: 2, SentBatch: -1, FinishFeed: "i0"}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Campaigns.ByID(ctx, "c1")
	if _, ok := c.Feeding["i0"]; ok || c.Counts.Fed != 2 {
		t.Fatalf("after finishing: feeding %v, fed %d", c.Feeding, c.Counts.Fed)
	}
	if _, err := st.Campaigns.ClaimFeed(ctx, "c1", "nextSomething", 0, "x", now); err == nil {
		t.Fatal("an unknown cursor was accepted")
	}
}

func TestFeedKeys(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ round, seq int }{{0, 0}, {0, 17}, {1, 0}, {3, 250}} {
		key := store.FeedKey(tt.round, tt.seq)
		round, seq, ok := store.ParseFeedKey(key)
		if !ok || round != tt.round || seq != tt.seq {
			t.Errorf("ParseFeedKey(%q) = %d, %d, %v", key, round, seq, ok)
		}
	}
	for _, bad := range []string{"", "x1", "i", "i-1", "r1", "r0-1", "r1-x", "r1.2", "ix"} {
		if _, _, ok := store.ParseFeedKey(bad); ok {
			t.Errorf("ParseFeedKey(%q) accepted", bad)
		}
	}
}

func TestCampaignStatesAndCounts(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := newCampaign(t, st, "c1", 1, now)

	if ok, _ := st.Campaigns.Start(ctx, c.ID, now); ok {
		t.Fatal("Start moved a campaign that was not scheduled")
	}
	err := st.Campaigns.AddCounts(ctx, c.ID, store.CountsDelta{Sent: 2, Bounced: 1, Skipped: 1,
		SkipReasons: map[string]int{store.SkipAlreadyInvited: 1}, SentBatch: 0, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Campaigns.AddCounts(ctx, c.ID, store.CountsDelta{Sent: 1, SentBatch: 0, Now: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Campaigns.ByID(ctx, c.ID)
	if got.Counts.Sent != 3 || got.Counts.Bounced != 1 || got.Skipped != 1 || got.SkipReasons[store.SkipAlreadyInvited] != 1 {
		t.Fatalf("counts = %+v, skipped %d %v", got.Counts, got.Skipped, got.SkipReasons)
	}
	if !got.BatchSentAt["0"].Equal(now) {
		t.Fatalf("batchSentAt = %v; want the latest time kept", got.BatchSentAt)
	}

	if ok, err := st.Campaigns.Finish(ctx, c.ID, now, now.Add(24*time.Hour)); !ok || err != nil {
		t.Fatalf("Finish = %v, %v", ok, err)
	}
	if ok, _ := st.Campaigns.Cancel(ctx, c.ID, now); !ok {
		t.Fatal("Cancel of a sent campaign failed")
	}
	if ok, _ := st.Campaigns.Cancel(ctx, c.ID, now); ok {
		t.Fatal("second Cancel reported a change")
	}
	if ok, _ := st.Campaigns.ClaimFeed(ctx, c.ID, "nextReminder", 0, store.FeedKey(1, 0), now); ok {
		t.Fatal("a cancelled campaign's feed was claimed")
	}
	if active, _ := st.Campaigns.Active(ctx, now); len(active) != 0 {
		t.Fatalf("a cancelled campaign is active")
	}
}

func invitation(id, survey, campaign, contact string) store.Invitation {
	return store.Invitation{ID: id, SurveyID: survey, CampaignID: campaign, ContactID: contact,
		State: store.InvitationPending, ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()}
}

func TestInvitationBatches(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	if err := st.Invitations.Insert(ctx, invitation("old", "s1", "c0", "k2")); err != nil {
		t.Fatal(err)
	}
	// A key a crash left without its invitation.
	if _, err := st.DB().Collection("invitation_keys").InsertOne(ctx, map[string]string{"_id": "s1|k3", "invitationId": "ghost"}); err != nil {
		t.Fatal(err)
	}
	batch := []store.Invitation{
		invitation("i1", "s1", "c1", "k1"),
		invitation("i2", "s1", "c1", "k2"), // invited by campaign c0
		invitation("i3", "s1", "c1", "k3"),
	}
	dups, err := st.Invitations.InsertBatch(ctx, batch)
	if err != nil || !slices.Equal(dups, []string{"k2"}) {
		t.Fatalf("InsertBatch = %v, %v; want k2 already invited", dups, err)
	}
	// Feeding the same batch again (after a crash) creates nothing new and
	// reports no one as already invited.
	dups, err = st.Invitations.InsertBatch(ctx, batch)
	if err != nil || !slices.Equal(dups, []string{"k2"}) {
		t.Fatalf("InsertBatch again = %v, %v", dups, err)
	}
	for _, id := range []string{"i1", "i3"} {
		if _, err := st.Invitations.ByID(ctx, id); err != nil {
			t.Errorf("invitation %s: %v", id, err)
		}
	}
	if _, err := st.Invitations.ByID(ctx, "i2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a duplicate invitation was stored: %v", err)
	}

	invited, err := st.Invitations.InvitedContacts(ctx, "s1")
	if err != nil || len(invited) != 3 || !invited["k1"] || !invited["k2"] || !invited["k3"] {
		t.Fatalf("InvitedContacts = %v, %v", invited, err)
	}
	if other, _ := st.Invitations.InvitedContacts(ctx, "s"); len(other) != 0 {
		t.Fatalf("a survey id prefix matched: %v", other)
	}

	if ok, _ := st.Invitations.Transition(ctx, "i1", store.InvitationPending, store.InvitationAnswered); !ok {
		t.Fatal("answer failed")
	}
	counts, err := st.Invitations.CountByState(ctx, "c1")
	if err != nil || counts[store.InvitationPending] != 1 || counts[store.InvitationAnswered] != 1 {
		t.Fatalf("CountByState = %v, %v", counts, err)
	}
	if n, err := st.Invitations.RevokeCampaign(ctx, "c1"); err != nil || n != 1 {
		t.Fatalf("RevokeCampaign = %d, %v; want only the pending one", n, err)
	}
	if inv, _ := st.Invitations.ByID(ctx, "i1"); inv.State != store.InvitationAnswered {
		t.Fatalf("answered invitation became %s", inv.State)
	}
	if inv, _ := st.Invitations.ByID(ctx, "old"); inv.State != store.InvitationPending {
		t.Fatalf("another campaign's invitation became %s", inv.State)
	}

	for range 2 {
		if err := st.Invitations.RecordReminder(ctx, "i3", 1); err != nil {
			t.Fatal(err)
		}
	}
	if inv, _ := st.Invitations.ByID(ctx, "i3"); inv.RemindersSent != 1 {
		t.Fatalf("remindersSent = %d after recording reminder 1 twice", inv.RemindersSent)
	}
}

func TestSuppressionsAll(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	for id, reason := range map[string]store.SuppressionReason{"h1": store.SuppressedBounced, "h2": store.SuppressedUnsubscribed} {
		if err := st.Suppressions.Add(ctx, store.Suppression{ID: id, Reason: reason, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.Suppressions.All(ctx)
	if err != nil || len(all) != 2 || all["h1"] != store.SuppressedBounced {
		t.Fatalf("All = %v, %v", all, err)
	}
}

func TestDevMails(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Millisecond)
	var msgs []outbox.DevMail
	for i := range 7 {
		msgs = append(msgs, outbox.DevMail{ID: fmt.Sprintf("m%d", i), To: "a@example.com", Subject: fmt.Sprint(i),
			Headers: []outbox.MailHeader{{Name: "X-N", Value: fmt.Sprint(i)}}, CreatedAt: base.Add(time.Duration(i) * time.Second)})
	}
	if err := st.DevMails.Insert(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	page, total, err := st.DevMails.List(ctx, store.Page{Offset: 1, Limit: 2})
	if err != nil || total != 7 || len(page) != 2 || page[0].ID != "m5" || page[1].ID != "m4" {
		t.Fatalf("List = %v, %d, %v", page, total, err)
	}
	if n, err := st.DevMails.Trim(ctx, 3); err != nil || n != 4 {
		t.Fatalf("Trim = %d, %v", n, err)
	}
	if _, err := st.DevMails.ByID(ctx, "m3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("trimmed message still there: %v", err)
	}
	if m, err := st.DevMails.ByID(ctx, "m6"); err != nil || m.Headers[0].Value != "6" {
		t.Fatalf("ByID = %+v, %v", m, err)
	}
	if n, _ := st.DevMails.Trim(ctx, 3); n != 0 {
		t.Fatalf("second Trim removed %d", n)
	}

	// Messages sent together share their time; the cut still keeps keep.
	same := base.Add(time.Minute)
	var batch []outbox.DevMail
	for i := range 4 {
		batch = append(batch, outbox.DevMail{ID: fmt.Sprintf("s%d", i), CreatedAt: same})
	}
	if err := st.DevMails.Insert(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DevMails.Trim(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if left, total, _ := st.DevMails.List(ctx, store.Page{}); total != 2 || left[0].ID != "s0" || left[1].ID != "s1" {
		t.Fatalf("after trimming ties: %d left: %+v", total, left)
	}
}

func TestMarkSurveyedMany(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var ids []string
	for i := range 60 { // more than one bulk write
		c := contacts.Contact{ID: fmt.Sprintf("c%02d", i), AccountID: "a1", Name: []byte("n"), Email: []byte("e"),
			EmailIndex: fmt.Sprintf("idx%02d", i), Status: contacts.Active, CreatedAt: now}
		if err := st.Contacts.Insert(ctx, c); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			ids = append(ids, c.ID)
		}
	}
	at := now.Add(time.Minute)
	// A contact gone meanwhile is no error.
	if err := st.Contacts.MarkSurveyedMany(ctx, append(ids, "gone"), at); err != nil {
		t.Fatal(err)
	}
	if err := st.Contacts.MarkSurveyedMany(ctx, nil, at); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		got, err := st.Contacts.ByID(ctx, fmt.Sprintf("c%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i%2 == 0 && (got.LastSurveyedAt == nil || !got.LastSurveyedAt.Equal(at)):
			t.Errorf("contact %s: lastSurveyedAt = %v, want %v", got.ID, got.LastSurveyedAt, at)
		case i%2 == 1 && got.LastSurveyedAt != nil:
			t.Errorf("contact %s not in the list marked surveyed at %v", got.ID, got.LastSurveyedAt)
		}
	}
}

// Of any number of calls answering one invitation, exactly one is told it
// answered it; the live count and the census together never count more
// than there are, and a count lost between the two writes is made up by
// the next census.
func TestAnsweredCountsOnceAndTheCensusMakesUpALostOne(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.Campaigns.Create(ctx, store.Campaign{ID: "camp", SurveyID: "s1", State: store.CampaignSent, CreatedAt: now}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"i1", "i2"} {
		if err := st.Invitations.Insert(ctx, store.Invitation{ID: id, SurveyID: "s1", CampaignID: "camp", ContactID: "c-" + id,
			State: store.InvitationPending, ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	const racers = 8
	var wg sync.WaitGroup
	var winners atomic.Int32
	for range racers {
		wg.Go(func() {
			before, answered, err := st.Invitations.FinishAnswer(ctx, "i1")
			if err != nil {
				t.Error(err)
				return
			}
			if answered {
				winners.Add(1)
				if before.CampaignID != "camp" {
					t.Errorf("before = %+v", before)
				}
				if err := st.Campaigns.CountAnswered(ctx, before.CampaignID); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if winners.Load() != 1 {
		t.Fatalf("%d calls answered i1, want 1", winners.Load())
	}
	// i2 is answered but its count is lost, as by a crash in between.
	if _, answered, err := st.Invitations.FinishAnswer(ctx, "i2"); err != nil || !answered {
		t.Fatalf("FinishAnswer(i2) = %v, %v", answered, err)
	}
	if _, _, err := st.Invitations.FinishAnswer(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishAnswer(missing) = %v, want ErrNotFound", err)
	}
	camp, err := st.Campaigns.ByID(ctx, "camp")
	if err != nil || camp.Answered() != 1 {
		t.Fatalf("answered = %d, %v; want 1 before the census", camp.Answered(), err)
	}
	for _, census := range []store.CampaignCensus{
		{Answered: 2, At: now},
		{Answered: 1, Pending: 1, At: now.Add(time.Second)}, // read earlier, written later
	} {
		if err := st.Campaigns.SetCensus(ctx, "camp", census); err != nil {
			t.Fatal(err)
		}
	}
	camp, err = st.Campaigns.ByID(ctx, "camp")
	if err != nil || camp.Answered() != 2 || camp.Counts.Answered != 1 || camp.Census.Pending != 1 {
		t.Fatalf("after the census: answered %d (live %d, census %+v), %v; want 2", camp.Answered(), camp.Counts.Answered, camp.Census, err)
	}
}

// A sender that records late leaves the newer time a contact was surveyed.
func TestMarkSurveyedKeepsTheLatest(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.Contacts.Insert(ctx, contacts.Contact{ID: "c1", AccountID: "a1", Name: []byte("n"), Email: []byte("e"),
		EmailIndex: "idx", Status: contacts.Active, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, mark := range []func() error{
		func() error { return st.Contacts.MarkSurveyedMany(ctx, []string{"c1"}, now.Add(time.Hour)) },
		func() error { return st.Contacts.MarkSurveyed(ctx, "c1", now) },
		func() error {
			return st.Contacts.MarkSurveyedEach(ctx, []contacts.Surveyed{{ID: "c1", At: now.Add(time.Minute)}})
		},
	} {
		if err := mark(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Contacts.ByID(ctx, "c1")
	if err != nil || got.LastSurveyedAt == nil || !got.LastSurveyedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("lastSurveyedAt = %v, %v; want %s", got.LastSurveyedAt, err, now.Add(time.Hour))
	}
}
