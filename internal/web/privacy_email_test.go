package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/web/respondent"
)

var confirmationLink = regexp.MustCompile(`http://candor\.test(/e/[A-Za-z0-9_-]{43}\?lang=[a-z]+)`)

// mailsTo returns the messages in the dev outbox to address, newest first.
func (f *respondentFixture) mailsTo(t *testing.T, address string) []outbox.DevMail {
	t.Helper()
	all, _, err := f.st.DevMails.List(context.Background(), store.Page{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []outbox.DevMail
	for _, m := range all {
		if m.To == address {
			out = append(out, m)
		}
	}
	return out
}

// confirmationPath is the path of the newest confirmation link mailed to
// address.
func (f *respondentFixture) confirmationPath(t *testing.T, address string) string {
	t.Helper()
	mails := f.mailsTo(t, address)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", address)
	}
	m := confirmationLink.FindStringSubmatch(mails[0].Text)
	if m == nil {
		t.Fatalf("mail to %s has no confirmation link under the base URL:\n%s", address, mails[0].Text)
	}
	return m[1]
}

// emailOf is the email stored for a contact now.
func (f *respondentFixture) emailOf(t *testing.T, contactID string) string {
	t.Helper()
	c, err := f.w.Customers.Subject(context.Background(), contactID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Email
}

// A correction of the email answers the same whether or not the new
// address is another contact's; the name changes at once.
func TestEmailCorrectionAnswersAlike(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Pia Privacy", "pia@example.com", "en")
	other := f.w.Invite(t, f.sv, "Taken Person", "taken@example.com", "en")
	c := f.client(t)
	rectify := respondentPath(p.Token, "/privacy/rectify?lang=en")

	taken := c.post(rectify, url.Values{"name": {"Pia Neu"}, "email": {"TAKEN@example.com"}})
	free := c.post(rectify, url.Values{"name": {"Pia Neu"}, "email": {"pia.neu@example.com"}})
	wantSeeOther(t, taken, respondentPath(p.Token, "/privacy?lang=en&done=confirm"))
	if free.StatusCode != taken.StatusCode || free.Header.Get("Location") != taken.Header.Get("Location") || free.body != taken.body {
		t.Errorf("taken: %d %q %q; free: %d %q %q", taken.StatusCode, taken.Header.Get("Location"), taken.body,
			free.StatusCode, free.Header.Get("Location"), free.body)
	}
	page := c.get(taken.Header.Get("Location"))
	wantStatus(t, page, http.StatusOK)
	pageHas(t, page, "We have sent a confirmation link to the new address", "Pia Neu", "pia@example.com")
	if strings.Contains(page.body, "cannot be used") {
		t.Error("the page tells that the address is taken")
	}

	// Both addresses got the same mail, with a link under the base URL.
	for _, to := range []string{"taken@example.com", "pia.neu@example.com"} {
		mails := f.mailsTo(t, to)
		if len(mails) != 1 || mails[0].Subject != "Confirm your new email address" {
			t.Fatalf("mail to %s: %+v", to, mails)
		}
		f.confirmationPath(t, to)
	}
	// The name changed; the email waits for confirmation.
	got, _ := f.w.Customers.Subject(context.Background(), p.Contact.ID)
	if got.Name != "Pia Neu" || got.Email != "pia@example.com" {
		t.Errorf("contact = %q <%s>, want the new name and the old email", got.Name, got.Email)
	}
	if f.emailOf(t, other.Contact.ID) != "taken@example.com" {
		t.Error("the other contact's email changed")
	}

	// Invalid input is still shown at once: it says nothing about others.
	bad := c.post(rectify, url.Values{"name": {"Pia"}, "email": {"pia-at-example"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	pageHas(t, bad, "Please enter a valid email address", `value="pia-at-example"`)

	// Unchanged email: a plain correction, no mail.
	before := len(f.mailsTo(t, "pia@example.com"))
	wantSeeOther(t, c.post(rectify, url.Values{"name": {"Pia Privacy"}, "email": {"pia@example.com"}}),
		respondentPath(p.Token, "/privacy?lang=en&done=rectified"))
	if n := len(f.mailsTo(t, "pia@example.com")); n != before {
		t.Errorf("%d mails to the unchanged address", n-before)
	}
}

func TestEmailConfirmationLink(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	p := f.w.Invite(t, f.sv, "Pia Privacy", "pia@example.com", "de")
	c := f.client(t)
	request := func(email string) {
		t.Helper()
		r := c.post(respondentPath(p.Token, "/privacy/rectify?lang=de"), url.Values{"name": {"Pia Privacy"}, "email": {email}})
		wantSeeOther(t, r, respondentPath(p.Token, "/privacy?lang=de&done=confirm"))
	}

	t.Run("applies the change once", func(t *testing.T) {
		request("pia.neu@example.com")
		mails := f.mailsTo(t, "pia.neu@example.com")
		if len(mails) != 1 || mails[0].Subject != "Bestätigen Sie Ihre neue E-Mail-Adresse" || !strings.Contains(mails[0].Text, "24 Stunden") {
			t.Fatalf("mail = %+v", mails)
		}
		link := f.confirmationPath(t, "pia.neu@example.com")

		// Opening the link changes nothing.
		open := c.get(link)
		wantStatus(t, open, http.StatusOK)
		pageHas(t, open, `<html lang="de">`, "pia.neu@example.com", "Neue Adresse bestätigen", `action="`+strings.ReplaceAll(link, "&", "&amp;")+`"`)
		if f.emailOf(t, p.Contact.ID) != "pia@example.com" {
			t.Fatal("opening the link changed the address")
		}

		done := c.post(link, nil)
		wantStatus(t, done, http.StatusOK)
		pageHas(t, done, "Ihre E-Mail-Adresse wurde geändert")
		if got := f.emailOf(t, p.Contact.ID); got != "pia.neu@example.com" {
			t.Fatalf("email = %s after confirming", got)
		}
		if _, err := f.w.Customers.SubjectByEmail(ctx, "pia@example.com"); !errors.Is(err, customer.ErrNotFound) {
			t.Errorf("the old address still finds the contact: %v", err)
		}

		for _, r := range []response{c.post(link, nil), c.get(link)} {
			wantStatus(t, r, http.StatusNotFound)
			pageHas(t, r, "Dieser Bestätigungslink funktioniert nicht")
		}
	})

	t.Run("a newer request replaces an older one", func(t *testing.T) {
		request("first@example.com")
		first := f.confirmationPath(t, "first@example.com")
		request("second@example.com")
		wantStatus(t, c.post(first, nil), http.StatusNotFound)
		wantStatus(t, c.post(f.confirmationPath(t, "second@example.com"), nil), http.StatusOK)
		if got := f.emailOf(t, p.Contact.ID); got != "second@example.com" {
			t.Errorf("email = %s", got)
		}
	})

	t.Run("an expired link is refused", func(t *testing.T) {
		request("late@example.com")
		link := f.confirmationPath(t, "late@example.com")
		f.w.Advance(24*time.Hour + time.Minute)
		for _, r := range []response{c.get(link), c.post(link, nil)} {
			wantStatus(t, r, http.StatusGone)
			pageHas(t, r, "Dieser Bestätigungslink funktioniert nicht")
		}
		if got := f.emailOf(t, p.Contact.ID); got != "second@example.com" {
			t.Errorf("email = %s after an expired link", got)
		}
	})

	t.Run("tampered and foreign tokens", func(t *testing.T) {
		link := f.confirmationPath(t, "second@example.com")
		for _, path := range []string{"/e/" + strings.Repeat("A", 43), "/e/garbage", "/e/" + strings.Repeat("A", 2000), link[:len("/e/")+42] + "B"} {
			wantStatus(t, c.post(path, nil), http.StatusNotFound)
		}
	})
}

// An address that is another contact's when the link is opened is not
// taken from them: the change fails, and only the mailbox's holder sees it.
func TestEmailConfirmationNeverTakesAnAddress(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	p := f.w.Invite(t, f.sv, "Pia Privacy", "pia@example.com", "en")
	owner := f.w.Invite(t, f.sv, "Olli Owner", "olli@example.com", "en")
	c := f.client(t)
	rectify := respondentPath(p.Token, "/privacy/rectify?lang=en")

	// Taken when asked for.
	wantSeeOther(t, c.post(rectify, url.Values{"name": {"Pia Privacy"}, "email": {"olli@example.com"}}), respondentPath(p.Token, "/privacy?lang=en&done=confirm"))
	failed := c.post(f.confirmationPath(t, "olli@example.com"), nil)
	wantStatus(t, failed, http.StatusConflict)
	pageHas(t, failed, "The change could not be applied", "This address cannot be used here")

	// Free when asked for, taken by the time the link is opened.
	wantSeeOther(t, c.post(rectify, url.Values{"name": {"Pia Privacy"}, "email": {"new@example.com"}}), respondentPath(p.Token, "/privacy?lang=en&done=confirm"))
	link := f.confirmationPath(t, "new@example.com")
	late := f.w.Invite(t, f.sv, "Lena Late", "new@example.com", "en")
	wantStatus(t, c.post(link, nil), http.StatusConflict)

	for _, tt := range []struct{ contact, email string }{
		{p.Contact.ID, "pia@example.com"}, {owner.Contact.ID, "olli@example.com"}, {late.Contact.ID, "new@example.com"},
	} {
		if got := f.emailOf(t, tt.contact); got != tt.email {
			t.Errorf("contact %s has %s, want %s", tt.contact, got, tt.email)
		}
		found, err := f.w.Customers.SubjectByEmail(ctx, tt.email)
		if err != nil || found.ID != tt.contact {
			t.Errorf("%s finds %s (%v), want %s", tt.email, found.ID, err, tt.contact)
		}
	}

	// Erasure leaves no link that could bring an address back.
	wantSeeOther(t, c.post(rectify, url.Values{"name": {"Pia Privacy"}, "email": {"after@example.com"}}), respondentPath(p.Token, "/privacy?lang=en&done=confirm"))
	link = f.confirmationPath(t, "after@example.com")
	wantSeeOther(t, c.post(respondentPath(p.Token, "/privacy/erase?lang=en"), nil), respondentPath(p.Token, "/privacy?lang=en&done=erased"))
	wantStatus(t, c.get(link), http.StatusNotFound)
}

// The rights actions of one person are limited; one person's limit does
// not touch another's.
func TestPrivacyRequestsAreRateLimited(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Pia Privacy", "pia@example.com", "fi")
	second := f.w.InviteContact(t, f.w.OpenSurvey(t, nil), p.Contact, p.Account) // another link of hers
	q := f.w.Invite(t, f.sv, "Quinn Other", "quinn@example.com", "en")
	c := f.client(t)

	for i := range respondent.RightsBurst {
		if i%2 == 0 {
			wantStatus(t, c.post(respondentPath(p.Token, "/privacy/export"), nil), http.StatusOK)
		} else {
			wantSeeOther(t, c.post(respondentPath(p.Token, "/privacy/rectify?lang=fi"), url.Values{"name": {"Pia Privacy"}, "email": {"pia@example.com"}}),
				respondentPath(p.Token, "/privacy?lang=fi&done=rectified"))
		}
	}
	mails := len(f.mailsTo(t, "flood@example.com"))
	for _, r := range []response{
		c.post(respondentPath(p.Token, "/privacy/export?lang=fi"), nil),
		c.post(respondentPath(p.Token, "/privacy/rectify?lang=fi"), url.Values{"name": {"Pia"}, "email": {"flood@example.com"}}),
		c.post(respondentPath(second.Token, "/privacy/export?lang=fi"), nil),
	} {
		wantStatus(t, r, http.StatusTooManyRequests)
		pageHas(t, r, `<html lang="fi">`, "Liian monta pyyntöä")
		if r.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	}
	if n := len(f.mailsTo(t, "flood@example.com")); n != mails {
		t.Errorf("a limited request sent %d mails", n-mails)
	}
	// Reading the page and withdrawing or erasing are never limited.
	wantStatus(t, c.get(respondentPath(p.Token, "/privacy")), http.StatusOK)
	wantStatus(t, c.post(respondentPath(q.Token, "/privacy/export"), nil), http.StatusOK)
}
