package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// staff signs in a new staff member with role to the respondent fixture.
func (f *respondentFixture) staff(t *testing.T, role store.Role) (store.User, *client) {
	t.Helper()
	u, err := f.auth.CreateUser(context.Background(), auth.NewUser{
		Email: string(role) + "@staff.example.com", Name: "Staff " + string(role), Role: role, Password: testPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	c.get("/login")
	wantSeeOther(t, c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}}), "/")
	return u, c
}

func TestAdminHandlesADataSubjectRequest(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	p := f.w.Invite(t, f.sv, "Walter Writes-In", "walter@example.com", "en")
	respondent := f.client(t)
	wantSeeOther(t, respondent.post(respondentPath(p.Token, ""), f.answerForm(true)), respondentPath(p.Token, "/thanks"))
	ids, _ := respond.ResponseIDs(f.w.Ring, p.Invitation.ID)
	admin, c := f.staff(t, store.RoleAdmin)

	pageHas(t, c.get("/admin/privacy"), "Privacy requests", `name="email"`)
	miss := c.post("/admin/privacy", url.Values{"email": {"nobody@example.com"}})
	wantStatus(t, miss, http.StatusOK)
	pageHas(t, miss, "No contact has this email address")

	found := c.post("/admin/privacy", url.Values{"email": {" Walter@Example.com "}})
	person := "/admin/privacy/" + p.Contact.ID
	wantSeeOther(t, found, person)
	page := c.get(person)
	wantStatus(t, page, http.StatusOK)
	pageHas(t, page, "Walter Writes-In", "walter@example.com", "Customer survey 2026", "View answers", "In force")
	if strings.Contains(page.body, "Faster repairs") {
		t.Error("the overview shows named answers without opening them")
	}
	pageHas(t, c.get(person+"/responses/"+ids[0]), "Faster repairs, please.", "recorded in the audit log")

	export := c.post(person+"/export", nil)
	wantStatus(t, export, http.StatusOK)
	var data privacy.Export
	if err := json.Unmarshal([]byte(export.body), &data); err != nil || data.Contact.Email != "walter@example.com" {
		t.Errorf("export = %+v, %v", data.Contact, err)
	}

	bad := c.post(person+"/rectify", url.Values{"name": {""}, "email": {"walter@example.com"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	pageHas(t, bad, "Name is required.")
	wantSeeOther(t, c.post(person+"/rectify", url.Values{"name": {"Walter W."}, "email": {"walter@example.com"}}), person+"?done=rectified")

	records, _ := f.st.Consents.ByContact(ctx, p.Contact.ID)
	wantSeeOther(t, c.post(person+"/withdraw", url.Values{"consent": {records[0].ID}}), person+"?done=withdrawn")
	if resp, _ := f.st.Responses.ByID(ctx, ids[0]); resp.Named != nil {
		t.Error("the admin's withdrawal left the name on the response")
	}

	pageHas(t, c.get(person+"/erase"), "Erase Walter W.?", "cannot be undone")
	wantSeeOther(t, c.post(person+"/erase", nil), person+"?done=erased")
	pageHas(t, c.get(person+"?done=erased"), "The person was erased.", "Erased person")
	if r := c.post(person+"/rectify", url.Values{"name": {"X"}, "email": {"x@example.com"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("rectify after erasure: %d, want 409", r.StatusCode)
	}
	if r := c.get("/admin/privacy/no-such-contact"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown person: %d, want 404", r.StatusCode)
	}

	// Every action is in the audit log, with the admin who took it.
	entries, _, err := f.w.Audit.List(ctx, store.AuditFilter{Target: p.Contact.ID}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.ActorID != admin.ID || e.ActorEmail != admin.Email || e.RequestID == "" {
			t.Errorf("entry = %+v, want the admin and a request id", e)
		}
		actions = append(actions, e.Action)
	}
	for _, want := range []audit.Action{audit.PrivacyView, audit.ViewNamed, audit.PrivacyAccess, audit.PrivacyRectify, audit.PrivacyWithdraw, audit.PrivacyErase} {
		if !slices.Contains(actions, string(want)) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
	log := c.get("/admin/audit")
	wantStatus(t, log, http.StatusOK)
	pageHas(t, log, "Audit log", admin.Email, "Erased person", "Viewed named response", p.Contact.ID)
	pageHas(t, c.get("/admin/audit?target="+p.Contact.ID), "Showing entries for contact")
}

func TestPrivacyAdminIsForAdminsOnly(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Mona Managed", "mona@example.com", "en")
	_, manager := f.staff(t, store.RoleManager)
	for _, path := range []string{"/admin/privacy", "/admin/audit", "/admin/privacy/" + p.Contact.ID} {
		if r := manager.get(path); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager GET %s: %d, want 403", path, r.StatusCode)
		}
	}
	if r := manager.post("/admin/privacy/"+p.Contact.ID+"/erase", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("manager erase: %d, want 403", r.StatusCode)
	}
	anonymous := f.client(t)
	if r := anonymous.get("/admin/privacy"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", r.StatusCode)
	}
	if c, _ := f.st.Contacts.ByID(context.Background(), p.Contact.ID); c.Status == contacts.Erased {
		t.Error("a manager erased a person")
	}
	// Without a CSRF token an admin's erasure is refused too.
	_, admin := f.staff(t, store.RoleAdmin)
	admin.get("/admin/privacy")
	if r := admin.post("/admin/privacy/"+p.Contact.ID+"/erase", url.Values{"_csrf": {"forged"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d, want 403", r.StatusCode)
	}
}
