package contacts_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store/contacts"
)

func TestUnsurveyed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	cut := now.AddDate(-1, 0, 0)
	at := func(d time.Duration) *time.Time { v := cut.Add(d); return &v }
	for _, c := range []contacts.Contact{
		{ID: "surveyed-long-ago", LastSurveyedAt: at(-time.Hour), CreatedAt: cut.Add(-48 * time.Hour)},
		{ID: "surveyed-lately", LastSurveyedAt: at(time.Hour), CreatedAt: cut.Add(-48 * time.Hour)},
		{ID: "never-old", CreatedAt: cut.Add(-time.Hour)},
		{ID: "never-new", CreatedAt: cut.Add(time.Hour)},
		{ID: "at-the-cut", LastSurveyedAt: at(0), CreatedAt: cut.Add(-48 * time.Hour)},
		{ID: "erased-long-ago", Status: contacts.Erased, CreatedAt: cut.Add(-48 * time.Hour)},
		{ID: "unsubscribed-long-ago", Status: contacts.Unsubscribed, LastSurveyedAt: at(-time.Hour), CreatedAt: cut.Add(-48 * time.Hour)},
	} {
		c.AccountID, c.EmailIndex = "a1", "idx-"+c.ID
		if c.Status == "" {
			c.Status = contacts.Active
		}
		if err := st.Contacts.Insert(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"never-old", "surveyed-long-ago", "unsubscribed-long-ago"} // _id order
	for _, limit := range []int64{10, 2} {
		got, err := st.Contacts.Unsurveyed(ctx, cut, limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if w := want[:min(int(limit), len(want))]; !slices.Equal(ids, w) {
			t.Errorf("limit %d: %v, want %v", limit, ids, w)
		}
	}
	if n, err := st.Contacts.CountUnsurveyed(ctx, cut); err != nil || n != 3 {
		t.Errorf("CountUnsurveyed = %d, %v", n, err)
	}
}
