package privacy_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/contacts"
)

// answered seeds a person who answered sv, with their name attached when
// named, and returns them with their response id.
func answered(t *testing.T, w *respondtest.World, name, email string, named bool) (respondtest.Person, string) {
	t.Helper()
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, name, email, "en")
	l, err := w.Respond.Resolve(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Respond.Submit(ctx, l, respond.Submission{
		Values: respondtest.Answers(), Locale: "en", Named: named, ConsentVersion: sv.ConsentVersion,
	}); err != nil {
		t.Fatal(err)
	}
	ids, err := respond.ResponseIDs(w.Ring, p.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p, ids[0]
}

func TestWithdrawalRemovesTheNameAndAppendsARecord(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, responseID := answered(t, w, "Wilma Withdraw", "wilma@example.com", true)
	resp, err := w.Store.Responses.ByID(ctx, responseID)
	if err != nil || resp.Named == nil {
		t.Fatalf("response = %+v, %v; want named", resp, err)
	}
	consentID := resp.Named.ConsentID
	rec, _ := w.Store.Consents.ByID(ctx, consentID)

	for range 2 { // the second time changes nothing
		if err := w.Privacy.Withdraw(ctx, p.Contact.ID, consentID, privacy.Requester{Via: privacy.ViaThanksPage}); err != nil {
			t.Fatal(err)
		}
	}
	after, err := w.Store.Responses.ByID(ctx, responseID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Named != nil || len(after.Answers) != len(resp.Answers) {
		t.Errorf("after withdrawal: named %+v, %d answers (was %d)", after.Named, len(after.Answers), len(resp.Answers))
	}
	history, err := w.Store.Consents.ByContact(ctx, p.Contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[1].Kind != consents.Withdrawn || history[1].Refers != consentID ||
		history[1].Method != privacy.ViaThanksPage || history[1].SurveyID != rec.SurveyID {
		t.Fatalf("history = %+v, want the consent and one withdrawal", history)
	}
	// The record no longer says which answers were the person's.
	if _, err := w.Store.Consents.Ref(ctx, rec.RefID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("response reference err = %v, want it destroyed", err)
	}
	o, err := w.Privacy.Overview(ctx, p.Contact.ID, "en", privacy.Requester{})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Responses) != 0 || len(o.Consents) != 1 || o.Consents[0].Active() || o.Consents[0].EndedVia != privacy.ViaThanksPage {
		t.Errorf("overview after withdrawal = %+v", o)
	}
	if l, _ := w.Respond.Resolve(ctx, p.Token); l.Named() {
		t.Error("the link still reports a named response")
	}
	if _, err := w.Privacy.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
}

func TestWithdrawOnlyTheirOwnConsent(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, responseID := answered(t, w, "Owen Owner", "owen@example.com", true)
	other, _ := answered(t, w, "Otto Other", "otto@example.com", false)
	resp, _ := w.Store.Responses.ByID(ctx, responseID)
	for name, err := range map[string]error{
		"someone else's consent": w.Privacy.Withdraw(ctx, other.Contact.ID, resp.Named.ConsentID, privacy.Requester{}),
		"no such consent":        w.Privacy.Withdraw(ctx, p.Contact.ID, "000000009999", privacy.Requester{}),
	} {
		if !errors.Is(err, privacy.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	if after, _ := w.Store.Responses.ByID(ctx, responseID); after.Named == nil {
		t.Error("another person's withdrawal removed the name")
	}
}

func TestErasureShredsAndRecordsOnlyThatItHappened(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, responseID := answered(t, w, "Erna Erase", "erna@example.com", true)
	// A second, still pending invitation.
	sv2 := w.OpenSurvey(t, nil)
	pending := w.InviteContact(t, sv2, p.Contact, p.Account)
	before, _ := w.Store.Contacts.ByID(ctx, p.Contact.ID)
	history, _ := w.Store.Consents.ByContact(ctx, p.Contact.ID)

	for range 2 { // erasing again finishes nothing more and adds nothing
		if err := w.Privacy.Erase(ctx, p.Contact.ID, privacy.Requester{}); err != nil {
			t.Fatal(err)
		}
	}

	c, err := w.Store.Contacts.ByID(ctx, p.Contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != contacts.Erased || !c.DataKey.IsZero() || len(c.Name) != 0 || len(c.Email) != 0 || c.EmailIndex != "" {
		t.Errorf("contact after erasure = %+v", c)
	}
	if _, err := w.Sealer.UnwrapDataKey(c.DataKey, "contact:"+c.ID); !errors.Is(err, seal.ErrShredded) {
		t.Errorf("data key err = %v, want ErrShredded", err)
	}
	if _, err := w.Store.Contacts.ByEmailIndex(ctx, w.Sealer.BlindIndexes("erna@example.com")...); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the email still finds the contact: %v", err)
	}
	if len(before.Name) == 0 {
		t.Fatal("the contact had no sealed name before erasure")
	}
	if _, err := w.Store.Suppressions.Find(ctx, w.Sealer.BlindIndexes("erna@example.com")...); err != nil {
		t.Errorf("the address is not suppressed: %v", err)
	}
	if inv, _ := w.Store.Invitations.ByID(ctx, pending.Invitation.ID); inv.State != store.InvitationRevoked {
		t.Errorf("pending invitation is %s, want revoked", inv.State)
	}
	if inv, _ := w.Store.Invitations.ByID(ctx, p.Invitation.ID); inv.State != store.InvitationAnswered {
		t.Errorf("answered invitation is %s, want it left answered", inv.State)
	}
	if resp, _ := w.Store.Responses.ByID(ctx, responseID); resp.Named != nil || len(resp.Answers) == 0 {
		t.Errorf("response after erasure = %+v, want anonymous answers", resp)
	}
	for _, rec := range history {
		if _, err := w.Store.Consents.Ref(ctx, rec.RefID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("reference of consent %s survived: %v", rec.ID, err)
		}
	}
	after, _ := w.Store.Consents.ByContact(ctx, p.Contact.ID)
	if len(after) != len(history)+1 {
		t.Fatalf("records = %d, want %d + one erasure", len(after), len(history))
	}
	erasure := after[len(after)-1]
	if erasure.Kind != consents.Erasure || erasure.ContactID != p.Contact.ID || erasure.SurveyID != "" ||
		erasure.RefID != "" || erasure.ResponseRef != nil || erasure.Locale != "" || erasure.TextHash != "" {
		t.Errorf("erasure record = %+v, want nothing but the contact id", erasure)
	}
	o, err := w.Privacy.Overview(ctx, p.Contact.ID, "en", privacy.Requester{})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Erased() || o.ErasedAt == nil || o.Contact.Name != "" || o.Contact.Email != "" || o.HasActiveConsent() || len(o.Responses) != 0 {
		t.Errorf("overview after erasure = %+v", o)
	}
	if _, err := w.Privacy.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
	if _, err := w.Privacy.Rectify(ctx, p.Contact.ID, "New Name", "new@example.com", privacy.Requester{}); !errors.Is(err, privacy.ErrErased) {
		t.Errorf("rectify after erasure err = %v, want ErrErased", err)
	}
}

func TestRectification(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, _ := answered(t, w, "Rolf Rectify", "rolf@example.com", false)
	answered(t, w, "Tina Taken", "tina@example.com", false)

	tests := []struct {
		name, newName, email string
		wantFields           []string
		wantErr              error
	}{
		{"blank name", " ", "rolf@example.com", []string{"name"}, nil},
		{"bad email", "Rolf", "rolf-at-example", []string{"email"}, nil},
		{"taken email", "Rolf", "TINA@example.com", nil, customer.ErrEmailTaken},
	}
	for _, tt := range tests {
		_, err := w.Privacy.Rectify(ctx, p.Contact.ID, tt.newName, tt.email, privacy.Requester{})
		var ve *fault.Error
		switch {
		case tt.wantErr != nil:
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			}
		case !errors.As(err, &ve):
			t.Errorf("%s: err = %v, want a validation error", tt.name, err)
		default:
			for _, f := range tt.wantFields {
				if ve.Fields()[f] == "" {
					t.Errorf("%s: fields = %v, want %s", tt.name, ve.Fields(), f)
				}
			}
		}
	}
	c, err := w.Privacy.Rectify(ctx, p.Contact.ID, "  Rolf   Rectified ", "Rolf.R@Example.com", privacy.Requester{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Rolf Rectified" || c.Email != "rolf.r@example.com" {
		t.Errorf("rectified = %q <%s>", c.Name, c.Email)
	}
	found, err := w.Privacy.FindByEmail(ctx, "rolf.r@example.com")
	if err != nil || found.ID != p.Contact.ID {
		t.Errorf("FindByEmail(new) = %+v, %v", found, err)
	}
	if _, err := w.Privacy.FindByEmail(ctx, "rolf@example.com"); !errors.Is(err, privacy.ErrNotFound) {
		t.Errorf("FindByEmail(old) err = %v, want ErrNotFound", err)
	}
}

func TestStaffActionsAreAuditedFirst(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, responseID := answered(t, w, "Aldo Audit", "aldo@example.com", true)
	resp, _ := w.Store.Responses.ByID(ctx, responseID)
	staff := privacy.Requester{Staff: &w.Admin, RequestID: "req-1"}

	if o, err := w.Privacy.Overview(ctx, p.Contact.ID, "en", staff); err != nil || len(o.Responses) != 1 || o.Responses[0].Answers != nil {
		t.Errorf("staff overview = %+v, %v; want the named response listed without its answers", o, err)
	}
	if nr, err := w.Privacy.NamedResponse(ctx, p.Contact.ID, responseID, "en", staff); err != nil || len(nr.Answers) == 0 {
		t.Errorf("NamedResponse = %+v, %v", nr, err)
	}
	if _, err := w.Privacy.Export(ctx, p.Contact.ID, "en", staff); err != nil {
		t.Error(err)
	}
	if _, err := w.Privacy.Rectify(ctx, p.Contact.ID, "Aldo A.", "aldo@example.com", staff); err != nil {
		t.Error(err)
	}
	if err := w.Privacy.Withdraw(ctx, p.Contact.ID, resp.Named.ConsentID, staff); err != nil {
		t.Error(err)
	}
	if err := w.Privacy.Erase(ctx, p.Contact.ID, staff); err != nil {
		t.Error(err)
	}
	// The person acting on their own data is not audited.
	other, _ := answered(t, w, "Sofia Self", "sofia@example.com", false)
	if _, err := w.Privacy.Export(ctx, other.Contact.ID, "en", privacy.Requester{}); err != nil {
		t.Error(err)
	}

	entries, total, err := w.Audit.List(ctx, store.AuditFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.ActorID != w.Admin.ID || e.ActorEmail != w.Admin.Email || e.Target != p.Contact.ID || e.RequestID != "req-1" || e.At.IsZero() {
			t.Errorf("entry = %+v", e)
		}
		got = append(got, e.Action)
	}
	slices.Reverse(got) // newest first
	want := []string{
		string(audit.PrivacyView), string(audit.ViewNamed), string(audit.PrivacyAccess),
		string(audit.PrivacyRectify), string(audit.PrivacyWithdraw), string(audit.PrivacyErase),
	}
	if total != int64(len(want)) || !slices.Equal(got, want) {
		t.Errorf("audit log = %v (total %d), want %v", got, total, want)
	}
	// Erasure records the admin channel in the consent log.
	history, _ := w.Store.Consents.ByContact(ctx, p.Contact.ID)
	if last := history[len(history)-1]; last.Kind != consents.Erasure || last.Method != privacy.ViaAdmin {
		t.Errorf("last record = %+v, want an erasure via %s", last, privacy.ViaAdmin)
	}
}

func TestResealMovesBoxesToTheCurrentKey(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	w := respondtest.New(t, st)
	_, responseID := answered(t, w, "Rhea Reseal", "rhea@example.com", true)

	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + w.Ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	w2 := respondtest.NewWithRing(t, st, rotated)
	n, err := w2.Privacy.Reseal(ctx)
	if err != nil || n.Responses != 1 || n.ConsentRefs != 1 {
		t.Fatalf("Reseal = %+v, %v; want one response and one reference", n, err)
	}
	if again, err := w2.Privacy.Reseal(ctx); err != nil || again != (privacy.Resealed{}) {
		t.Errorf("second Reseal = %+v, %v; want nothing left to do", again, err)
	}
	resp, _ := st.Responses.ByID(ctx, responseID)
	for _, a := range resp.Answers {
		if a.Sealed != nil && a.Sealed.KeyID != "k2" {
			t.Errorf("answer %s still under %s", a.Key, a.Sealed.KeyID)
		}
	}
	// Readable with the new key alone: the old one may leave the ring.
	only := respondtest.NewWithRing(t, st, fresh)
	if _, err := privacy.OpenAnswers(only.Sealer, resp); err != nil {
		t.Errorf("open with the new key only: %v", err)
	}
	// The consent's response reference opens with the new key alone too.
	if err := only.Privacy.Withdraw(ctx, resp.Named.ContactID, resp.Named.ConsentID, privacy.Requester{}); err != nil {
		t.Fatal(err)
	}
	if after, _ := st.Responses.ByID(ctx, responseID); after.Named != nil {
		t.Error("withdrawal under the new key left the name on the response")
	}
}

// The right of access shows a contact's role, and a correction by the
// person keeps it.
func TestAccessShowsTheRole(t *testing.T) {
	t.Parallel()
	w := respondtest.New(t, newStore(t))
	ctx := context.Background()
	p, _ := answered(t, w, "Rita Role", "rita@example.com", false)
	role := "decision maker"
	if _, err := w.Customers.UpdateContact(ctx, w.Admin, p.Contact.ID, customer.ContactPatch{Role: &role}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Privacy.Rectify(ctx, p.Contact.ID, "Rita R. Role", "rita@example.com", privacy.Requester{}); err != nil {
		t.Fatal(err)
	}
	exp, err := w.Privacy.Export(ctx, p.Contact.ID, "en", privacy.Requester{})
	if err != nil || exp.Contact.Role != contacts.DecisionMaker || exp.Contact.Name != "Rita R. Role" {
		t.Fatalf("export contact = %+v, %v", exp.Contact, err)
	}
}
