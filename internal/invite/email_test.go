package invite_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// TestEmailInEveryLocale renders the invitation and the reminder in each
// supported language and checks each says what it must.
func TestEmailInEveryLocale(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	all := func(s string) survey.Text {
		text := survey.Text{}
		for _, l := range i18n.Supported() {
			text[l] = s + " (" + l + ")"
		}
		return text
	}
	now := e.clock.Now()
	sv, err := survey.New(survey.Survey{
		Title: all("Loyalty 2026"), Locales: i18n.Supported(),
		Questions:   []survey.Question{{Key: "nps", Type: survey.TypeNPS, Prompt: all("Recommend us?"), Required: true}},
		ConsentText: all("Attach my name."),
	}, store.NewID(), e.alice.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Surveys.Insert(ctx, sv); err != nil {
		t.Fatal(err)
	}

	seen := map[string]bool{}
	for _, locale := range i18n.Supported() {
		for _, kind := range []outbox.Kind{outbox.Invitation, outbox.Reminder} {
			email, err := e.svc.PreviewEmail(ctx, e.alice, sv.ID, locale, kind)
			if err != nil {
				t.Fatalf("%s %s: %v", locale, kind, err)
			}
			title := "Loyalty 2026 (" + locale + ")"
			link := surveyLink.FindString(email.Text)
			checks := map[string]bool{
				"subject names the survey":      strings.Contains(email.Subject, title),
				"greets the sample contact":     strings.Contains(email.Text, invite.SampleName),
				"link in the text":              link != "" && len(link) < 180,
				"link as a button":              strings.Contains(email.HTML, `href="`+link+`"`),
				"privacy link":                  strings.Contains(email.Text, link+"/privacy") && strings.Contains(email.HTML, link+"/privacy"),
				"unsubscribe link":              strings.Contains(email.Text, baseURL+"/u/") && strings.Contains(email.HTML, baseURL+"/u/"),
				"HTML declares the language":    strings.Contains(email.HTML, `<html lang="`+locale+`">`),
				"no images":                     !strings.Contains(strings.ToLower(email.HTML), "<img"),
				"signed with the sender's name": strings.Contains(email.Text, "Acme Service"),
			}
			for what, ok := range checks {
				if !ok {
					t.Errorf("%s %s: %s fails:\n%s\n%s", locale, kind, what, email.Subject, email.Text)
				}
			}
			if seen[email.Subject] {
				t.Errorf("%s %s: subject %q repeats another language's or kind's", locale, kind, email.Subject)
			}
			seen[email.Subject] = true
			// It renders as a valid message.
			msg := mail.Message{From: e.cfg.From, To: "alex@example.com", Subject: email.Subject, Text: email.Text, HTML: email.HTML}
			if _, err := mail.Render(msg); err != nil {
				t.Errorf("%s: %v", locale, err)
			}
		}
	}
	if _, err := e.svc.PreviewEmail(ctx, e.alice, e.survey.ID, "de", outbox.Invitation); !errors.Is(err, invite.ErrNotFound) {
		t.Errorf("preview in a language the survey lacks: %v", err)
	}
	if _, err := e.svc.PreviewEmail(ctx, e.anna, sv.ID, "en", outbox.Invitation); !errors.Is(err, invite.ErrForbidden) {
		t.Errorf("analyst preview: %v", err)
	}
}

func TestDevOutboxKeepsMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *invite.Config) { c.DevOutboxKeep = 2 })
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 3, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	d := e.dispatcher(invite.NewDevOutbox(e.st.DevMails))
	e.settle(d, created.Campaign.ID)

	if _, _, err := e.svc.OutboxMessages(ctx, e.alice, store.Page{}); !errors.Is(err, invite.ErrForbidden) {
		t.Errorf("a manager read the dev outbox: %v", err)
	}
	if err := d.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, total, err := e.svc.OutboxMessages(ctx, e.admin, store.Page{})
	if err != nil || total != 2 || len(msgs) != 2 {
		t.Fatalf("dev outbox = %d of %d, %v", len(msgs), total, err)
	}
	m, err := e.svc.OutboxMessage(ctx, e.admin, msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]string{}
	for _, h := range m.Headers {
		headers[h.Name] = h.Value
	}
	if !strings.HasPrefix(headers["List-Unsubscribe"], "<"+baseURL+"/u/") || headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
		headers["Message-ID"] == "" || !strings.HasSuffix(m.To, "@customer.example") || !strings.Contains(m.Raw, "multipart/alternative") ||
		!strings.Contains(m.HTML, baseURL+"/s/") || !strings.Contains(m.Text, baseURL+"/s/") {
		t.Errorf("dev outbox message = %+v", m)
	}
	c, _ := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
	if c.Counts.Sent != 3 {
		t.Errorf("sent %d through the dev outbox", c.Counts.Sent)
	}
	if _, err := e.svc.OutboxMessage(ctx, e.admin, "nope"); !errors.Is(err, invite.ErrNotFound) {
		t.Errorf("missing message: %v", err)
	}
}
