package invite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// unsubscribeToken is the token of the contact's unsubscribe link.
func (e *env) unsubscribeToken(contactID string, expires time.Time) string {
	e.t.Helper()
	u, err := e.links.UnsubscribeURL(contactID, expires)
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.TrimPrefix(u, baseURL+"/u/")
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.ContactFrequency = -1 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(a, "pat", 3, "de")
	token := e.unsubscribeToken(cs[0].ID, e.clock.Now().Add(time.Hour))

	// Reading the link, as a mail scanner does, changes nothing.
	for range 2 {
		sub, err := e.svc.Subscription(ctx, token)
		if err != nil || sub.Unsubscribed || sub.MaskedEmail != "p•••@customer.example" || sub.Locale != "de" {
			t.Fatalf("Subscription = %+v, %v", sub, err)
		}
	}
	if c, _ := e.st.Contacts.ByID(ctx, cs[0].ID); c.Status != contacts.Active {
		t.Fatalf("status after reading the link: %s", c.Status)
	}

	// A campaign queued before the unsubscribe does not reach them either.
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	d := e.dispatcher(smtpSender(t, e.smtp))
	if err := d.Feed(ctx); err != nil {
		t.Fatal(err)
	}

	for range 2 { // unsubscribing twice is harmless
		sub, err := e.svc.Unsubscribe(ctx, token)
		if err != nil || !sub.Unsubscribed {
			t.Fatalf("Unsubscribe = %+v, %v", sub, err)
		}
	}
	if c, _ := e.st.Contacts.ByID(ctx, cs[0].ID); c.Status != contacts.Unsubscribed {
		t.Errorf("status %s, want unsubscribed", c.Status)
	}
	if s, err := e.st.Suppressions.Find(ctx, seal.New(e.ring).BlindIndexes(cs[0].Email)...); err != nil || s.Reason != store.SuppressedUnsubscribed {
		t.Errorf("suppression = %+v, %v", s, err)
	}

	c := e.settle(d, created.Campaign.ID)
	if got := recipients(e.smtp.Messages()); got[cs[0].Email] != 0 || len(got) != 2 {
		t.Errorf("sent to %v after the unsubscribe", got)
	}
	if c.Counts.Suppressed != 1 || c.Counts.Sent != 2 {
		t.Errorf("counts %+v", c.Counts)
	}

	// A later campaign skips them, with the reason.
	e.survey = e.openSurvey(30)
	later := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	if len(later.Skipped) != 1 || later.Skipped[0].ContactID != cs[0].ID || later.Skipped[0].Reason != store.SkipUnsubscribed {
		t.Errorf("later campaign skipped %+v", later.Skipped)
	}
}

func TestUnsubscribeBadLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(a, "pat", 1, "en")
	good := e.unsubscribeToken(cs[0].ID, e.clock.Now().Add(time.Hour))
	expired := e.unsubscribeToken(cs[0].ID, e.clock.Now().Add(-time.Hour))
	surveyToken, err := e.links.Token(link.AudienceSurvey, cs[0].ID, e.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	unknown := e.unsubscribeToken("no-such-contact", e.clock.Now().Add(time.Hour))
	tampered := good[:len(good)-3] + flip(good[len(good)-3:])

	tests := []struct {
		name, token string
		want        error
	}{
		{"tampered", tampered, invite.ErrLinkInvalid},
		{"expired", expired, invite.ErrLinkExpired},
		{"survey link's token", surveyToken, invite.ErrLinkInvalid},
		{"unknown contact", unknown, invite.ErrLinkInvalid},
		{"garbage", "not-a-token", invite.ErrLinkInvalid},
		{"empty", "", invite.ErrLinkInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.svc.Subscription(ctx, tt.token); !errors.Is(err, tt.want) {
				t.Errorf("Subscription err = %v, want %v", err, tt.want)
			}
			if _, err := e.svc.Unsubscribe(ctx, tt.token); !errors.Is(err, tt.want) {
				t.Errorf("Unsubscribe err = %v, want %v", err, tt.want)
			}
		})
	}
	if c, _ := e.st.Contacts.ByID(ctx, cs[0].ID); c.Status != contacts.Active {
		t.Errorf("a bad link changed the contact to %s", c.Status)
	}
}

// flip changes every character of s.
func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}
