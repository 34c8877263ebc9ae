package outbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store/mongodoc"
	"github.com/candorhq/candor/internal/store/outbox"
)

func TestDeleteMentioning(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Millisecond)
	mails := []outbox.DevMail{
		{ID: "to", To: "Dana@Example.com", Subject: "Survey", CreatedAt: now},
		{ID: "text", To: "m@example.com", Text: "dana dot answered", CreatedAt: now},
		{ID: "html", To: "m@example.com", HTML: "<b>Dana Dot</b>", CreatedAt: now},
		{ID: "raw", To: "m@example.com", Raw: "To: dana@example.com\r\n", CreatedAt: now},
		{ID: "header", To: "m@example.com", Headers: []outbox.MailHeader{{Name: "Reply-To", Value: "DANA@example.com"}}, CreatedAt: now},
		{ID: "other", To: "otto@example.com", Subject: "Dana's colleague", Text: "Hello Otto", CreatedAt: now},
	}
	for _, tc := range []struct {
		name    string
		needles []string
		gone    []string
	}{
		{"nothing to look for", []string{"", "  "}, nil},
		{"address, any case", []string{"dana@example.com"}, []string{"header", "raw", "to"}},
		{"name, any case", []string{"Dana Dot"}, []string{"html", "text"}},
		{"both", []string{"Dana Dot", "dana@example.com"}, []string{"header", "html", "raw", "text", "to"}},
		{"nobody's", []string{"nobody@example.com"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := newStore(t)
			if err := st.DevMails.Insert(ctx, mails); err != nil {
				t.Fatal(err)
			}
			n, err := st.DevMails.DeleteMentioning(ctx, tc.needles)
			if err != nil || n != int64(len(tc.gone)) {
				t.Fatalf("DeleteMentioning = %d, %v; want %d", n, err, len(tc.gone))
			}
			left, _, err := st.DevMails.List(ctx, mongodoc.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var gone []string
			for _, m := range mails {
				if !slices.ContainsFunc(left, func(l outbox.DevMail) bool { return l.ID == m.ID }) {
					gone = append(gone, m.ID)
				}
			}
			slices.Sort(gone)
			if !slices.Equal(gone, tc.gone) {
				t.Errorf("gone %v, want %v", gone, tc.gone)
			}
		})
	}
}

func TestForgetContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	msgs := queued("b", 3, now)
	msgs[1].ContactID = msgs[0].ContactID // two for one person
	if _, err := st.Outbox.Enqueue(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Collection("outbox_dead").InsertOne(ctx, outbox.Message{ID: "dead", ContactID: msgs[0].ContactID, State: outbox.Bounced, FinishedAt: &now}); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][2]int64{{2, 1}, {0, 0}} { // the second time finds nothing
		q, d, err := st.Outbox.ForgetContact(ctx, msgs[0].ContactID)
		if err != nil || q != want[0] || d != want[1] {
			t.Fatalf("round %d: ForgetContact = %d, %d, %v; want %v", i, q, d, err, want)
		}
	}
	if n, err := st.Outbox.Count(ctx); err != nil || n != 1 {
		t.Errorf("%d left queued, %v; want the other person's", n, err)
	}
	if n, err := st.Outbox.CountDeadBefore(ctx, now.Add(time.Second)); err != nil || n != 0 {
		t.Errorf("%d dead letters left, %v", n, err)
	}
}
