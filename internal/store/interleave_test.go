package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
)

// pauser blocks the operation that calls it until release, after telling
// the test it got there: the embedded database serialises writes, so a
// race shows only when one side is held between its writes.
type pauser struct{ at, release chan struct{} }

func newPauser() pauser { return pauser{at: make(chan struct{}), release: make(chan struct{})} }

func (p pauser) pause() {
	p.at <- struct{}{}
	<-p.release
}

func TestTakeAndRevokeOneWins(t *testing.T) {
	t.Parallel()
	revocations := []struct {
		name   string
		revoke func(context.Context, *store.Store, string) (bool, error)
	}{
		{"campaign cancelled", func(ctx context.Context, st *store.Store, _ string) (bool, error) {
			n, err := st.Invitations.RevokeCampaign(ctx, "camp")
			return n == 1, err
		}},
		{"contact erased", func(ctx context.Context, st *store.Store, id string) (bool, error) {
			return st.Invitations.Transition(ctx, id, store.InvitationPending, store.InvitationRevoked)
		}},
	}
	for _, rv := range revocations {
		for _, revokeFirst := range []bool{true, false} {
			name := rv.name + ", taken first"
			if revokeFirst {
				name = rv.name + ", revoked while the take waits"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				st := newStore(t)
				ctx := context.Background()
				inv := store.Invitation{ID: "inv1", SurveyID: "s1", CampaignID: "camp", ContactID: "c1", State: store.InvitationPending,
					ExpiresAt: time.Now().Add(time.Hour)}
				if err := st.Invitations.Insert(ctx, inv); err != nil {
					t.Fatal(err)
				}
				p := newPauser()
				st.Invitations.SetHooks(store.InvitationHooks{BeforeAnswer: p.pause})
				type result struct {
					inv store.Invitation
					err error
				}
				done := make(chan result, 1)
				go func() {
					got, err := st.Invitations.Take(ctx, inv.ID)
					done <- result{got, err}
				}()
				<-p.at
				var res result
				revoked := false
				if revokeFirst {
					var err error
					if revoked, err = rv.revoke(ctx, st, inv.ID); err != nil {
						t.Fatal(err)
					}
					close(p.release)
					res = <-done
				} else {
					close(p.release)
					res = <-done
					var err error
					if revoked, err = rv.revoke(ctx, st, inv.ID); err != nil {
						t.Fatal(err)
					}
				}
				if res.err != nil {
					t.Fatal(res.err)
				}
				taken := res.inv.State == store.InvitationPending
				if taken == revoked {
					t.Fatalf("taken %v, revoked %v; want exactly one", taken, revoked)
				}
				if taken {
					if _, _, err := st.Invitations.FinishAnswer(ctx, inv.ID); err != nil {
						t.Fatal(err)
					}
				}
				got, err := st.Invitations.ByID(ctx, inv.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := store.InvitationRevoked
				if taken {
					want = store.InvitationAnswered
				}
				if got.State != want {
					t.Fatalf("state = %s, want %s", got.State, want)
				}
			})
		}
	}
}

func TestOverlappingFeedersCreateOneInvitationPerContact(t *testing.T) {
	t.Parallel()
	contacts := []string{"c1", "c2", "c3"}
	derived := func(_, contact string) string { return store.InvitationID("s1", contact) }
	for _, tc := range []struct {
		name string
		id   func(campaign, contact string) string
		// bLater is how long after A's feed B's runs; past the lease B
		// takes A's keys over, as after a crash.
		bLater time.Duration
		// winner is the campaign whose invitations exist afterwards.
		winner string
	}{
		{"derived ids, within the lease", derived, time.Second, "A"},
		{"random ids, within the lease", func(campaign, contact string) string { return campaign + "-" + contact }, time.Second, "A"},
		{"derived ids, A paused past its lease", derived, store.InvitationKeyLease + time.Minute, "B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newStore(t)
			ctx := context.Background()
			start := time.Now().UTC().Truncate(time.Millisecond)
			batch := func(campaign string, at time.Time) []store.Invitation {
				out := make([]store.Invitation, len(contacts))
				for i, c := range contacts {
					out[i] = store.Invitation{ID: tc.id(campaign, c), SurveyID: "s1", CampaignID: campaign, ContactID: c,
						State: store.InvitationPending, ExpiresAt: at.Add(time.Hour), CreatedAt: at}
				}
				return out
			}
			p := newPauser()
			st.Invitations.SetHooks(store.InvitationHooks{AfterKeys: p.pause})
			type result struct {
				taken []string
				err   error
			}
			doneA := make(chan result, 1)
			go func() {
				taken, err := st.Invitations.InsertBatch(ctx, batch("A", start))
				doneA <- result{taken, err}
			}()
			<-p.at // A wrote its keys and waits before its invitations
			st.Invitations.SetHooks(store.InvitationHooks{})
			takenB, err := st.Invitations.InsertBatch(ctx, batch("B", start.Add(tc.bLater)))
			if err != nil {
				t.Fatal(err)
			}
			close(p.release)
			resA := <-doneA
			if resA.err != nil {
				t.Fatal(resA.err)
			}
			// The feeder that lost reports every contact as invited, so
			// only the winner queues messages: one email per contact.
			wantTakenA, wantTakenB := len(contacts), 0
			if tc.winner == "A" {
				wantTakenA, wantTakenB = 0, len(contacts)
			}
			if len(resA.taken) != wantTakenA || len(takenB) != wantTakenB {
				t.Errorf("already invited: A %v, B %v; want %d and %d", resA.taken, takenB, wantTakenA, wantTakenB)
			}
			for _, c := range contacts {
				invs, err := st.Invitations.ByContact(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if len(invs) != 1 {
					t.Fatalf("%s has %d invitations, want 1: %+v", c, len(invs), invs)
				}
				if invs[0].CampaignID != tc.winner {
					t.Errorf("%s invited by %s, want %s", c, invs[0].CampaignID, tc.winner)
				}
			}
		})
	}
}

func TestInvitationKeyLeftByACrashIsTakenOverOnlyAfterItsLease(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	// Keys written by feeders that never wrote their invitations.
	for i, at := range []time.Time{now.Add(-time.Minute), now.Add(-store.InvitationKeyLease - time.Minute)} {
		key := bson.D{{Key: "_id", Value: fmt.Sprintf("s1|c%d", i)}, {Key: "invitationId", Value: store.InvitationID("s1", fmt.Sprintf("c%d", i))},
			{Key: "claimant", Value: "crashed"}, {Key: "claimedAt", Value: at}}
		if _, err := st.DB().Collection("invitation_keys").InsertOne(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	var invs []store.Invitation
	for i := range 2 {
		c := fmt.Sprintf("c%d", i)
		invs = append(invs, store.Invitation{ID: store.InvitationID("s1", c), SurveyID: "s1", CampaignID: "next", ContactID: c,
			State: store.InvitationPending, CreatedAt: now})
	}
	taken, err := st.Invitations.InsertBatch(ctx, invs)
	if err != nil {
		t.Fatal(err)
	}
	if len(taken) != 1 || taken[0] != "c0" {
		t.Fatalf("already invited = %v; want [c0], whose feeder may still be writing", taken)
	}
	if _, err := st.Invitations.ByID(ctx, invs[1].ID); err != nil {
		t.Fatalf("the stale key's invitation: %v", err)
	}
	// Fed again (a sweeper retrying the feed): nothing changes.
	if taken, err := st.Invitations.InsertBatch(ctx, invs[1:]); err != nil || len(taken) != 0 {
		t.Fatalf("refeed = %v, %v", taken, err)
	}
}
