package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
)

// TestFollowupsStoredAsDoneReadAsResolved stores a follow-up the way
// versions before "contacted" did and works with it as today.
func TestFollowupsStoredAsDoneReadAsResolved(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	if _, err := st.Followups.Collection().InsertOne(ctx, bson.D{
		{Key: "_id", Value: "old"}, {Key: "surveyId", Value: "s1"}, {Key: "contactId", Value: "c1"}, {Key: "accountId", Value: "a1"},
		{Key: "managerIds", Value: bson.A{"m1"}}, {Key: "date", Value: "2026-05-05"}, {Key: "detractor", Value: true},
		{Key: "state", Value: "done"}, {Key: "doneBy", Value: "m1"}, {Key: "doneAt", Value: at}, {Key: "createdAt", Value: at},
	}); err != nil {
		t.Fatal(err)
	}
	f, err := st.Followups.ByID(ctx, "old")
	if err != nil || f.State != store.FollowupResolved || f.ResolvedBy != "m1" || f.ResolvedAt == nil || !f.ResolvedAt.Equal(at) || f.DueAt != nil {
		t.Fatalf("old follow-up reads as %+v, %v", f, err)
	}
	for _, tc := range []struct {
		name   string
		filter store.FollowupFilter
		want   int64
	}{
		{"resolved", store.FollowupFilter{States: []store.FollowupState{store.FollowupResolved}}, 1},
		{"open or contacted", store.FollowupFilter{States: []store.FollowupState{store.FollowupOpen, store.FollowupContacted}}, 0},
		{"its manager's", store.FollowupFilter{ManagerID: "m1"}, 1},
		{"overdue", store.FollowupFilter{DueBefore: at.Add(time.Hour)}, 0}, // no due time: never overdue
	} {
		list, total, err := st.Followups.List(ctx, tc.filter, store.Page{})
		if err != nil || total != tc.want || int64(len(list)) != tc.want {
			t.Errorf("%s: %d (%d listed), %v; want %d", tc.name, total, len(list), err, tc.want)
		}
		if len(list) == 1 && list[0].State != store.FollowupResolved {
			t.Errorf("%s: listed as %s", tc.name, list[0].State)
		}
		if n, err := st.Followups.Count(ctx, tc.filter); err != nil || n != tc.want {
			t.Errorf("%s: count %d, %v", tc.name, n, err)
		}
	}
	reopen := store.FollowupChange{From: []store.FollowupState{store.FollowupResolved}, To: store.FollowupOpen, By: "m2", At: at.Add(time.Hour)}
	if err := st.Followups.Transition(ctx, "old", reopen); err != nil {
		t.Fatal(err)
	}
	if err := st.Followups.Transition(ctx, "old", reopen); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reopening twice: %v, want ErrConflict", err)
	}
	if err := st.Followups.Transition(ctx, "none", reopen); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reopening none: %v, want ErrNotFound", err)
	}
	f, _ = st.Followups.ByID(ctx, "old")
	if f.State != store.FollowupOpen || f.ResolvedAt != nil || len(f.History) != 1 || f.History[0].By != "m2" {
		t.Errorf("reopened: %+v", f)
	}
}

func TestFollowupNoticeClaims(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	past, future := now.Add(-time.Minute), now.Add(time.Hour)
	for _, f := range []store.Followup{
		{ID: "due", State: store.FollowupContacted, Reminder: store.FollowupNotice{At: &past}, Escalation: store.FollowupNotice{At: &future}},
		{ID: "resolved", State: store.FollowupResolved, Reminder: store.FollowupNotice{At: &past}},
		{ID: "later", State: store.FollowupOpen, Reminder: store.FollowupNotice{At: &future}},
	} {
		f.CreatedAt = now
		if err := st.Followups.Insert(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(kind store.NoticeKind) []string {
		list, err := st.Followups.DueNotices(ctx, kind, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range list {
			out = append(out, f.ID)
		}
		return out
	}
	if got := ids(store.NoticeReminder); !slices.Equal(got, []string{"due"}) {
		t.Fatalf("due reminders %v, want only the active one that is due", got)
	}
	if got := ids(store.NoticeEscalation); len(got) != 0 {
		t.Fatalf("due escalations %v, want none", got)
	}
	if _, ok, err := st.Followups.ClaimNotice(ctx, store.NoticeReminder, "due", now, now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if _, ok, err := st.Followups.ClaimNotice(ctx, store.NoticeReminder, "due", now, now.Add(time.Minute)); ok || err != nil {
		t.Fatalf("second claim while leased: %v %v", ok, err)
	}
	if got := ids(store.NoticeReminder); len(got) != 0 {
		t.Errorf("a leased reminder is due: %v", got)
	}
	if _, ok, _ := st.Followups.ClaimNotice(ctx, store.NoticeReminder, "resolved", now, now.Add(time.Minute)); ok {
		t.Error("claimed a resolved follow-up's reminder")
	}
	if err := st.Followups.NoticeSent(ctx, store.NoticeReminder, "due", now, []string{"u1"}); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Minute) // the lease has run out
	if _, ok, _ := st.Followups.ClaimNotice(ctx, store.NoticeReminder, "due", later, later.Add(time.Minute)); ok {
		t.Error("claimed a reminder that was sent")
	}
	if f, _ := st.Followups.ByID(ctx, "due"); f.Reminder.At != nil || f.Reminder.SentAt == nil || !slices.Equal(f.Reminder.To, []string{"u1"}) || len(f.History) != 1 {
		t.Errorf("sent reminder as stored: %+v, history %+v", f.Reminder, f.History)
	}
}
