// Package respondtest builds, for tests, the services behind respondent
// links over a store, and seeds surveys, contacts and invitations to answer.
package respondtest

import (
	"context"
	"errors"
	netmail "net/mail"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// BaseURL is the origin links are built under.
const BaseURL = "http://candor.test"

// World is a store with the respondent services over it, an admin, and a
// clock tests can move.
type World struct {
	Store     *store.Store
	Ring      *keys.Ring
	Sealer    *seal.Sealer
	Signer    *link.Signer
	Customers *customer.Service
	Audit     *audit.Log
	Privacy   *privacy.Service
	Respond   *respond.Service
	Admin     store.User

	offset atomic.Int64 // added to the real time, in nanoseconds
}

// New wires the services over st (migrated already) with a fresh key ring.
func New(t testing.TB, st *store.Store) *World {
	t.Helper()
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	return NewWithRing(t, st, ring)
}

// NewWithRing wires the services over st with the given ring, as a
// process restarted with rotated keys would.
func NewWithRing(t testing.TB, st *store.Store, ring *keys.Ring) *World {
	t.Helper()
	w := &World{Store: st, Ring: ring, Sealer: seal.New(ring)}
	w.Signer = link.New(ring, BaseURL).WithClock(w.Now)
	w.Customers = customer.New(st.Accounts, st.Contacts, st.Users, w.Sealer)
	w.Audit = audit.New(st.Audit).WithClock(w.Now)
	w.Privacy = privacy.New(privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: w.Customers, Eraser: st.Contacts,
		Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: w.Audit, Sealer: w.Sealer,
		// Confirmation links go to the dev outbox, where tests read them.
		EmailChanges: st.EmailChanges, Mailer: invite.NewDevOutbox(st.DevMails),
		From: netmail.Address{Name: "Candor", Address: "candor@candor.test"}, BaseURL: BaseURL,
		Outbox: st.Outbox, DevMails: st.DevMails, Scrubber: st,
	}).WithClock(w.Now)
	w.Respond = respond.New(respond.Deps{
		Signer: w.Signer, Keys: ring, Sealer: w.Sealer, Invitations: st.Invitations, Surveys: st.Surveys,
		Contacts: st.Contacts, Accounts: st.Accounts, Responses: st.Responses, Consents: w.Privacy,
		Tally: report.New(st.Rollups), Campaigns: st.Campaigns,
	}).WithClock(w.Now)
	ctx := context.Background()
	admin, err := st.Users.ByEmail(ctx, "admin@example.com")
	if errors.Is(err, store.ErrNotFound) {
		admin = store.User{ID: store.NewID(), Email: "admin@example.com", Name: "Ada Admin", Role: store.RoleAdmin, PasswordHash: "x"}
		err = st.Users.Insert(ctx, admin)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Admin = admin
	return w
}

// Now is the world's clock.
func (w *World) Now() time.Time { return time.Now().Add(time.Duration(w.offset.Load())) }

// Advance moves the clock.
func (w *World) Advance(d time.Duration) { w.offset.Add(int64(d)) }

func bi(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }

// Definition is a survey in English and Finnish with a question of every
// type: nps (required), csat, channel (single), services (multi), comment
// (text), private (text, confidential) and effort (ces, confidential).
func Definition() survey.Survey {
	opt := func(key, en, fi string) survey.Option { return survey.Option{Key: key, Label: bi(en, fi)} }
	return survey.Survey{
		Title:         bi("Customer survey 2026", "Asiakaskysely 2026"),
		Intro:         bi("Five minutes about working with us.", "Viisi minuuttia yhteistyöstämme."),
		DefaultLocale: "en",
		Locales:       []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: bi("How likely are you to recommend us to a colleague?", "Kuinka todennäköisesti suosittelisit meitä kollegalle?"), Required: true},
			{Key: "csat", Type: survey.TypeCSAT, Prompt: bi("How satisfied are you with our service?", "Kuinka tyytyväinen olet palveluumme?")},
			{Key: "channel", Type: survey.TypeSingle, Prompt: bi("How do you usually reach us?", "Miten yleensä otat meihin yhteyttä?"), Options: []survey.Option{
				opt("email", "Email", "Sähköposti"), opt("phone", "Phone", "Puhelin"), opt("web", "Web portal", "Verkkopalvelu"),
			}},
			{Key: "services", Type: survey.TypeMulti, Prompt: bi("Which services do you use?", "Mitä palveluitamme käytät?"), Options: []survey.Option{
				opt("repair", "Repair", "Korjaus"), opt("maintenance", "Maintenance", "Huolto"), opt("modernisation", "Modernisation", "Modernisointi"),
			}},
			{Key: "comment", Type: survey.TypeText, Prompt: bi("What could we do better?", "Mitä voisimme tehdä paremmin?"), Quotable: true},
			{Key: "private", Type: survey.TypeText, Prompt: bi("Anything you want to tell us in confidence?", "Haluatko kertoa jotain luottamuksellisesti?"), Confidential: true},
			{Key: "effort", Type: survey.TypeCES, Prompt: bi("How easy is it to get help from us?", "Kuinka helppoa on saada meiltä apua?"), Confidential: true},
		},
		ConsentText: bi(
			"I agree that my name is attached to my answers, so that my account manager can follow up with me. I can withdraw this consent at any time.",
			"Hyväksyn, että nimeni liitetään vastauksiini, jotta asiakasvastaavani voi olla minuun yhteydessä. Voin perua suostumuksen milloin tahansa.",
		),
	}
}

// OpenSurvey stores def (Definition when nil), opened.
func (w *World) OpenSurvey(t testing.TB, def *survey.Survey) survey.Survey {
	t.Helper()
	d := Definition()
	if def != nil {
		d = *def
	}
	sv, err := survey.New(d, store.NewID(), w.Admin.ID, w.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Open(w.Now()); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.Surveys.Insert(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return sv
}

// Person is a seeded contact with an invitation.
type Person struct {
	Contact    customer.Contact
	Account    store.Account
	Invitation store.Invitation
	Token      string // the survey link's token
}

// Invite seeds a company, a contact at it with name and email, and an
// invitation to sv valid for a week.
func (w *World) Invite(t testing.TB, sv survey.Survey, name, email, locale string) Person {
	t.Helper()
	ctx := context.Background()
	now := w.Now().UTC().Truncate(time.Millisecond)
	company := "Company " + store.NewID()[:8]
	acct := store.Account{
		ID: store.NewID(), Name: company, NameKey: store.FoldName(company), Country: "FI",
		Region: "Nordics", Industry: "Real estate", Tier: "Gold", ManagerIDs: []string{w.Admin.ID}, CreatedAt: now, UpdatedAt: now,
	}
	if err := w.Store.Accounts.Insert(ctx, acct); err != nil {
		t.Fatal(err)
	}
	c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{AccountID: acct.ID, Name: name, Email: email, Locale: locale})
	if err != nil {
		t.Fatal(err)
	}
	return w.InviteContact(t, sv, c, acct)
}

// InviteContact invites an existing contact to sv.
func (w *World) InviteContact(t testing.TB, sv survey.Survey, c customer.Contact, acct store.Account) Person {
	t.Helper()
	now := w.Now().UTC().Truncate(time.Millisecond)
	inv := store.Invitation{
		ID: link.NewID(), SurveyID: sv.ID, CampaignID: "campaign-1", ContactID: c.ID, AccountID: acct.ID,
		Locale: c.Locale, State: store.InvitationPending, ExpiresAt: now.Add(7 * 24 * time.Hour), CreatedAt: now,
	}
	if err := w.Store.Invitations.Insert(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	token, err := w.Signer.Token(link.AudienceSurvey, inv.ID, inv.ExpiresAt)
	if err != nil {
		t.Fatal(err)
	}
	return Person{Contact: c, Account: acct, Invitation: inv, Token: token}
}

// Answers is a complete, valid answer form for Definition.
func Answers() map[string][]string {
	return map[string][]string{
		"q.nps":      {"9"},
		"q.csat":     {"4"},
		"q.channel":  {"phone"},
		"q.services": {"repair", "maintenance"},
		"q.comment":  {"Faster repairs, please."},
		"q.private":  {"Our site manager is hard to reach."},
		"q.effort":   {"6"},
	}
}
