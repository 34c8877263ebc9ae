package followup_test

import (
	"context"
	"errors"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const baseURL = "https://candor.example"

// env is the respondent services wired with follow-ups, over a fresh
// database, with two managers and an analyst.
type env struct {
	w               *respondtest.World
	st              *store.Store
	fu              *followup.Service
	priv            *privacy.Service
	respond         *respond.Service
	sv              survey.Survey
	m1, m2, analyst store.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := store.New(storetest.DB(t))
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	e := &env{w: w, st: st}
	e.priv = privacy.New(privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: w.Customers, Eraser: st.Contacts,
		Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: w.Audit, Sealer: w.Sealer, Followups: st.Followups,
	}).WithClock(w.Now)
	e.fu = followup.New(followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys,
		Subjects: w.Customers, Named: e.priv, Audit: w.Audit, Sealer: w.Sealer,
		Users: st.Users, Sender: invite.NewDevOutbox(st.DevMails),
		From: netmail.Address{Name: "Candor", Address: "candor@example.com"}, BaseURL: baseURL + "/",
	}).WithClock(w.Now)
	e.respond = respond.New(respond.Deps{
		Signer: w.Signer, Keys: w.Ring, Sealer: w.Sealer, Invitations: st.Invitations, Surveys: st.Surveys,
		Contacts: st.Contacts, Accounts: st.Accounts, Responses: st.Responses, Consents: e.priv,
		Tally: report.New(st.Rollups), Followups: e.fu,
	}).WithClock(w.Now)
	e.sv = w.OpenSurvey(t, nil)
	for _, u := range []struct {
		dst  *store.User
		name string
		role store.Role
	}{{&e.m1, "mia", store.RoleManager}, {&e.m2, "max", store.RoleManager}, {&e.analyst, "ana", store.RoleAnalyst}} {
		*u.dst = store.User{ID: store.NewID(), Email: u.name + "@staff.example.com", Name: "Staff " + u.name, Role: u.role, PasswordHash: "x"}
		if err := st.Users.Insert(ctx, *u.dst); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// account stores a company managed by manager.
func (e *env) account(t *testing.T, manager store.User) store.Account {
	t.Helper()
	name := "Company " + store.NewID()[:8]
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := store.Account{ID: store.NewID(), Name: name, NameKey: store.FoldName(name), Country: "FI", Region: "EMEA",
		Industry: "Retail", Tier: "Gold", ManagerIDs: []string{manager.ID}, CreatedAt: now, UpdatedAt: now}
	if err := e.st.Accounts.Insert(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// answer has a new contact at a answer the survey with nps, named or not,
// and returns the contact and the response id.
func (e *env) answer(t *testing.T, a store.Account, name string, nps int, named bool) (customer.Contact, string) {
	t.Helper()
	ctx := context.Background()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@customer.example"
	c, err := e.w.Customers.CreateContact(ctx, e.w.Admin, customer.ContactInput{AccountID: a.ID, Name: name, Email: email, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.w.InviteContact(t, e.sv, c, a)
	l, err := e.respond.Resolve(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	values := respondtest.Answers()
	values["q.nps"] = []string{strconv.Itoa(nps)}
	if _, err := e.respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en", Named: named, ConsentVersion: e.sv.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	ids, err := respond.ResponseIDs(e.w.Ring, p.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c, ids[0]
}

func responseIDs(items []followup.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ResponseID)
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func TestManagersSeeTheirOwnNamedResponses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a1, a2 := e.account(t, e.m1), e.account(t, e.m2)
	_, detractor := e.answer(t, a1, "Dora Detractor", 3, true)
	_, promoter := e.answer(t, a1, "Pia Promoter", 10, true)
	_, anonymous := e.answer(t, a1, "Anna Anonymous", 2, false)
	_, other := e.answer(t, a2, "Otto Other", 5, true)

	mine, total, err := e.fu.List(ctx, e.m1, followup.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := responseIDs(mine), sorted(detractor, promoter); total != 2 || !slices.Equal(got, want) {
		t.Fatalf("manager 1 sees %v (total %d), want %v", got, total, want)
	}
	for _, it := range mine {
		switch it.ResponseID {
		case detractor:
			if it.Contact != "Dora Detractor" || it.Account != a1.Name || !it.Detractor || it.Score == nil || *it.Score != 3 || it.State != store.FollowupOpen {
				t.Errorf("detractor row = %+v", it)
			}
		case promoter:
			if it.Detractor || it.Score == nil || *it.Score != 10 {
				t.Errorf("promoter row = %+v", it)
			}
		}
	}
	all, _, err := e.fu.List(ctx, e.w.Admin, followup.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := responseIDs(all), sorted(detractor, promoter, other); !slices.Equal(got, want) {
		t.Errorf("admin sees %v, want %v", got, want)
	}
	if slices.Contains(responseIDs(all), anonymous) {
		t.Error("an anonymous response is a follow-up")
	}
	if _, _, err := e.fu.List(ctx, e.analyst, followup.Query{}); !errors.Is(err, followup.ErrForbidden) {
		t.Errorf("analyst List: %v, want ErrForbidden", err)
	}
	if _, err := e.fu.Open(ctx, e.analyst, detractor, "r0"); !errors.Is(err, followup.ErrForbidden) {
		t.Errorf("analyst Open: %v, want ErrForbidden", err)
	}
	if _, err := e.fu.Open(ctx, e.m2, detractor, "r1"); !errors.Is(err, followup.ErrNotFound) {
		t.Errorf("another manager's Open: %v, want ErrNotFound", err)
	}
	if err := e.fu.Resolve(ctx, e.m2, detractor, "Called.", "r1"); !errors.Is(err, followup.ErrNotFound) {
		t.Errorf("another manager's Resolve: %v, want ErrNotFound", err)
	}

	d, err := e.fu.Open(ctx, e.m1, detractor, "r2")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, a := range d.Answers {
		texts = append(texts, a.Answer)
	}
	if !slices.Contains(texts, "Faster repairs, please.") || !slices.Contains(texts, "Our site manager is hard to reach.") {
		t.Errorf("opened answers = %v, want the text and confidential answers opened", texts)
	}
	if _, err := e.fu.Open(ctx, e.m1, detractor, "r3"); err != nil {
		t.Fatal(err)
	}
	entries, _, err := e.w.Audit.List(ctx, store.AuditFilter{Target: d.Item.ResponseID}, store.Page{})
	if err != nil || len(entries) != 0 {
		t.Fatalf("audit by response id: %v %v", entries, err)
	}
	views := 0
	all2, _, _ := e.w.Audit.List(ctx, store.AuditFilter{}, store.Page{Limit: 100})
	for _, en := range all2 {
		if en.Action == string(audit.ViewNamed) && en.Detail == detractor {
			if en.ActorID != e.m1.ID {
				t.Errorf("view recorded for %s, want manager 1", en.ActorID)
			}
			views++
		}
	}
	if views != 2 {
		t.Errorf("%d views audit-logged, want 2 (one per opening)", views)
	}

	if err := e.fu.Resolve(ctx, e.m1, detractor, "  Called her; fixed the door.  ", "r4"); err != nil {
		t.Fatal(err)
	}
	done, total, err := e.fu.List(ctx, e.m1, followup.Query{States: []store.FollowupState{store.FollowupResolved}})
	if err != nil || total != 1 || done[0].ResponseID != detractor || done[0].ResolvedAt == nil {
		t.Fatalf("done list = %+v, %d, %v", done, total, err)
	}
	if d, err := e.fu.Open(ctx, e.m1, detractor, "r5"); err != nil || d.Note != "Called her; fixed the door." || d.ResolvedBy != e.m1.Name || d.State != store.FollowupResolved {
		t.Errorf("after done: note %q by %q state %s, %v", d.Note, d.ResolvedBy, d.State, err)
	}
	if f, _ := e.st.Followups.ByID(ctx, detractor); f.Note == nil || strings.Contains(string(f.Note.Data), "door") {
		t.Error("the note is not sealed")
	}
	long := strings.Repeat("x", followup.MaxNote+1)
	var ve *fault.Error
	if err := e.fu.Resolve(ctx, e.m1, promoter, long, "r6"); !errors.As(err, &ve) {
		t.Errorf("long note: %v, want field errors", err)
	}
	if err := e.fu.Reopen(ctx, e.m1, detractor, "r7"); err != nil {
		t.Fatal(err)
	}
	if open, total, _ := e.fu.List(ctx, e.m1, followup.Query{States: []store.FollowupState{store.FollowupOpen}}); total != 2 || len(open) != 2 {
		t.Errorf("after reopening, %d open, want 2", total)
	}
	if mine, _, _ := e.fu.List(ctx, e.m1, followup.Query{SurveyID: "no-such-survey"}); len(mine) != 0 {
		t.Errorf("filter by another survey lists %d", len(mine))
	}
}

func TestADetractorAlertIsSentOnceToTheManager(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a1 := e.account(t, e.m1)
	contact, detractor := e.answer(t, a1, "Dora Detractor", 6, true)
	e.answer(t, a1, "Pia Passive", 7, true)                   // named, not a detractor
	e.answer(t, a1, "Anna Anonymous", 0, false)               // a detractor who did not consent
	_, withdrawn := e.answer(t, a1, "Wim Withdraws", 1, true) // consent withdrawn before the alert goes

	if err := e.priv.Withdraw(ctx, e.contactOf(t, withdrawn), e.consentOf(t, withdrawn), privacy.Requester{Via: privacy.ViaThanksPage}); err != nil {
		t.Fatal(err)
	}
	sent, err := e.fu.SendAlerts(ctx)
	if err != nil || sent != 1 {
		t.Fatalf("SendAlerts = %d, %v; want 1", sent, err)
	}
	mails, total, err := e.st.DevMails.List(ctx, store.Page{})
	if err != nil || total != 1 {
		t.Fatalf("dev outbox holds %d, %v; want 1", total, err)
	}
	m := mails[0]
	if m.To != e.m1.Email || m.Subject != "Follow up: a detractor on Customer survey 2026" {
		t.Errorf("alert to %s, subject %q", m.To, m.Subject)
	}
	for _, want := range []string{contact.Name, baseURL + "/followups/" + detractor} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("alert lacks %q:\n%s", want, m.Text)
		}
	}
	for _, never := range []string{"Faster repairs", "hard to reach", "Anna", "Pia", "Wim"} {
		if strings.Contains(m.Raw, never) {
			t.Errorf("alert contains %q", never)
		}
	}

	// Nothing goes twice: not on the next round, not when the response is
	// recorded again by a resubmission.
	resp, err := e.st.Responses.ByID(ctx, detractor)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.fu.Record(ctx, resp, a1.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.fu.SendAlerts(ctx); err != nil || n != 0 {
		t.Errorf("second round sent %d, %v", n, err)
	}
	if _, total, _ := e.st.DevMails.List(ctx, store.Page{}); total != 1 {
		t.Errorf("dev outbox holds %d after a second round, want 1", total)
	}
	if f, _ := e.st.Followups.ByID(ctx, detractor); f.AlertedAt == nil {
		t.Error("the follow-up does not record that its alert was sent")
	}
}

// contactOf and consentOf read who a named response names, under which consent.
func (e *env) contactOf(t *testing.T, responseID string) string {
	t.Helper()
	r, err := e.st.Responses.ByID(context.Background(), responseID)
	if err != nil || r.Named == nil {
		t.Fatalf("response %s: %+v, %v", responseID, r.Named, err)
	}
	return r.Named.ContactID
}

func (e *env) consentOf(t *testing.T, responseID string) string {
	t.Helper()
	r, _ := e.st.Responses.ByID(context.Background(), responseID)
	return r.Named.ConsentID
}

func TestWithdrawalAndErasureRemoveTheFollowupAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a1 := e.account(t, e.m1)
	_, withdrawn := e.answer(t, a1, "Wim Withdraws", 2, true)
	erasedContact, erased := e.answer(t, a1, "Erik Erased", 4, true)
	_, kept := e.answer(t, a1, "Kai Kept", 9, true)
	if _, total, _ := e.fu.List(ctx, e.m1, followup.Query{}); total != 3 {
		t.Fatalf("%d follow-ups, want 3", total)
	}
	if n, _ := e.st.Followups.CountAlerts(ctx); n != 2 {
		t.Fatalf("%d alerts queued, want 2", n)
	}

	if err := e.priv.Withdraw(ctx, e.contactOf(t, withdrawn), e.consentOf(t, withdrawn), privacy.Requester{Via: privacy.ViaPrivacyPage}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Followups.ByID(ctx, withdrawn); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after withdrawal the follow-up is still there: %v", err)
	}
	if _, err := e.fu.Open(ctx, e.m1, withdrawn, "r1"); !errors.Is(err, followup.ErrNotFound) {
		t.Errorf("Open after withdrawal: %v, want ErrNotFound", err)
	}

	if err := e.priv.Erase(ctx, erasedContact.ID, privacy.Requester{Staff: &e.w.Admin, Via: privacy.ViaAdmin}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Followups.ByID(ctx, erased); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after erasure the follow-up is still there: %v", err)
	}
	if n, _ := e.st.Followups.CountAlerts(ctx); n != 0 {
		t.Errorf("%d alerts still queued for people who withdrew or were erased", n)
	}
	items, total, err := e.fu.List(ctx, e.m1, followup.Query{})
	if err != nil || total != 1 || items[0].ResponseID != kept {
		t.Errorf("after withdrawal and erasure: %v (%d), %v; want only %s", responseIDs(items), total, err, kept)
	}
	if n, err := e.fu.SendAlerts(ctx); err != nil || n != 0 {
		t.Errorf("SendAlerts = %d, %v; want nothing sent", n, err)
	}
}

func TestResealMovesNotesToTheCurrentKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, e.m1)
	_, id := e.answer(t, a, "Rita Reseal", 3, true)
	if err := e.fu.Resolve(ctx, e.m1, id, "Called back", "r1"); err != nil {
		t.Fatal(err)
	}
	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + e.w.Ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	fu := followup.New(followup.Deps{
		Store: e.st.Followups, Responses: e.st.Responses, Accounts: e.st.Accounts, Surveys: e.st.Surveys,
		Subjects: e.w.Customers, Named: e.priv, Audit: e.w.Audit, Sealer: seal.New(rotated), Users: e.st.Users,
	})
	if n, err := fu.Reseal(ctx); err != nil || n != 1 {
		t.Fatalf("Reseal = %d, %v; want 1 note", n, err)
	}
	if f, err := e.st.Followups.ByID(ctx, id); err != nil || f.Note == nil || f.Note.KeyID != "k2" {
		t.Fatalf("note after reseal: %+v, %v; want it under k2", f.Note, err)
	}
	if d, err := fu.Open(ctx, e.m1, id, "r2"); err != nil || d.Note != "Called back" {
		t.Errorf("note opens as %q, %v", d.Note, err)
	}
	if n, err := fu.Reseal(ctx); err != nil || n != 0 {
		t.Errorf("second Reseal = %d, %v; want nothing left", n, err)
	}
}
