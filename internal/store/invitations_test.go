package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestInvitationsAreUniquePerSurveyAndContact(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	inv := store.Invitation{ID: "inv1", SurveyID: "s1", ContactID: "c1", State: store.InvitationPending, ExpiresAt: time.Now().Add(time.Hour)}
	if err := st.Invitations.Insert(ctx, inv); err != nil {
		t.Fatal(err)
	}
	again := inv
	again.ID = "inv2"
	if err := st.Invitations.Insert(ctx, again); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second invitation err = %v, want ErrDuplicate", err)
	}
	other := inv
	other.ID, other.SurveyID = "inv3", "s2"
	if err := st.Invitations.Insert(ctx, other); err != nil {
		t.Fatalf("invitation to another survey: %v", err)
	}
	if ok, _ := st.Invitations.Exists(ctx, "s1", "c1"); !ok {
		t.Fatal("Exists = false for an invited contact")
	}
	if ok, _ := st.Invitations.Exists(ctx, "s1", "c2"); ok {
		t.Fatal("Exists = true for a contact never invited")
	}
	// Answering moves pending → answered exactly once.
	first, err := st.Invitations.Transition(ctx, "inv1", store.InvitationPending, store.InvitationAnswered)
	if err != nil || !first {
		t.Fatalf("first transition = %v, %v", first, err)
	}
	second, err := st.Invitations.Transition(ctx, "inv1", store.InvitationPending, store.InvitationAnswered)
	if err != nil || second {
		t.Fatalf("second transition = %v, %v; want false", second, err)
	}
	list, err := st.Invitations.ByContact(ctx, "c1")
	if err != nil || len(list) != 2 {
		t.Fatalf("ByContact = %d, %v", len(list), err)
	}
}

func TestInvitationKeyLeftByACrashIsReclaimed(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	// A key without its invitation, as a crash between the two inserts leaves.
	if _, err := st.DB().Collection("invitation_keys").InsertOne(ctx, map[string]string{"_id": "s1|c1", "invitationId": "ghost"}); err != nil {
		t.Fatal(err)
	}
	inv := store.Invitation{ID: "inv1", SurveyID: "s1", ContactID: "c1", State: store.InvitationPending}
	if err := st.Invitations.Insert(ctx, inv); err != nil {
		t.Fatalf("stale key blocked a new invitation: %v", err)
	}
	if _, err := st.Invitations.ByID(ctx, "inv1"); err != nil {
		t.Fatal(err)
	}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.Suppressions.Find(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty Find err = %v", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.Suppressions.Add(ctx, store.Suppression{ID: "h1", Reason: store.SuppressedUnsubscribed, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.Suppressions.Add(ctx, store.Suppression{ID: "h1", Reason: store.SuppressedErased, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Suppressions.Find(ctx, "h0", "h1")
	if err != nil || got.Reason != store.SuppressedUnsubscribed {
		t.Fatalf("Find = %+v, %v; want the first reason kept", got, err)
	}
}

func TestAnsweringLeavesOtherStatesAlone(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	next := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
	for i, state := range []store.InvitationState{store.InvitationPending, store.InvitationAnswered, store.InvitationRevoked} {
		inv := store.Invitation{ID: fmt.Sprintf("inv%d", i), SurveyID: "s1", ContactID: fmt.Sprintf("c%d", i), State: state, NextReminderAt: &next}
		if err := st.Invitations.Insert(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		id    string
		moved bool
		want  store.InvitationState
	}{
		{"inv0", true, store.InvitationAnswered},
		{"inv0", false, store.InvitationAnswered}, // again: nothing changes
		{"inv1", false, store.InvitationAnswered},
		{"inv2", false, store.InvitationRevoked},
		{"missing", false, ""},
	} {
		moved, err := st.Invitations.Transition(ctx, tc.id, store.InvitationPending, store.InvitationAnswered)
		if err != nil || moved != tc.moved {
			t.Errorf("%s: Transition = %v, %v; want %v", tc.id, moved, err, tc.moved)
		}
		if tc.want == "" {
			continue
		}
		got, err := st.Invitations.ByID(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != tc.want {
			t.Errorf("%s: state = %s, want %s", tc.id, got.State, tc.want)
		}
		if tc.id == "inv0" && got.NextReminderAt != nil {
			t.Errorf("answered invitation keeps its next reminder %v", got.NextReminderAt)
		}
	}
}
