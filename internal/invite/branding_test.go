package invite_test

import (
	"context"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// TestBrandedEmails sends an invitation and a reminder of a branded survey
// through a real SMTP server: the From name and Reply-To are the survey's,
// the From address stays the configured one, and the HTML shows the logo
// and the accent colour. An unbranded survey's mail is as before.
func TestBrandedEmails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	logoID := strings.Repeat("c0", 32)
	branded := e.survey.Clone()
	branded.Branding = survey.Branding{LogoID: logoID, Accent: "#7a1f5c", SenderName: "Acme Lifts Customer Care", ReplyTo: "care@acme-lifts.example"}
	if err := e.st.Surveys.Replace(ctx, branded, e.survey.Revision); err != nil {
		t.Fatal(err)
	}
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 2, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}, Reminders: &store.ReminderPlan{Count: 1, AfterDays: 7}})
	d := e.dispatcher(smtpSender(t, e.smtp))
	e.settle(d, created.Campaign.ID)
	e.clock.Advance(8 * day)
	step(t, d)
	step(t, d)

	msgs := e.smtp.Messages()
	if len(msgs) != 4 {
		t.Fatalf("server accepted %d messages, want 2 invitations and 2 reminders", len(msgs))
	}
	for _, m := range msgs {
		h, text, html := parts(t, m.Raw)
		from, err := netmail.ParseAddress(h.Get("From"))
		if err != nil || from.Name != "Acme Lifts Customer Care" || from.Address != "surveys@acme.example" {
			t.Errorf("From = %q (%v)", h.Get("From"), err)
		}
		if m.From != "surveys@acme.example" {
			t.Errorf("envelope sender = %q", m.From)
		}
		if got := h.Get("Reply-To"); got != "<care@acme-lifts.example>" {
			t.Errorf("Reply-To = %q", got)
		}
		logo := `<img src="` + baseURL + invite.LogoPath + logoID + `" alt="Acme Lifts Customer Care"`
		if !strings.Contains(html, logo) || !strings.Contains(html, "background:#7a1f5c") || strings.Contains(html, "#0b5cad") {
			t.Errorf("%s: the HTML lacks the logo or the accent colour:\n%s", h.Get("Subject"), html)
		}
		if !strings.Contains(text, "Acme Lifts Customer Care") {
			t.Errorf("the text is not signed with the sender name:\n%s", text)
		}
	}

	// Without branding: the configured sender, no Reply-To, no image.
	email, err := e.svc.PreviewEmail(ctx, e.alice, branded.ID, "en", outbox.Invitation)
	if err != nil || !strings.Contains(email.HTML, "<img") {
		t.Fatalf("branded preview: %v", err)
	}
	plain := e.openSurvey(30)
	email, err = e.svc.PreviewEmail(ctx, e.alice, plain.ID, "en", outbox.Invitation)
	if err != nil || strings.Contains(email.HTML, "<img") || !strings.Contains(email.HTML, "background:#0b5cad") || !strings.Contains(email.Text, "Acme Service") {
		t.Errorf("unbranded preview: %v\n%s", err, email.HTML)
	}
}
