package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestContactPages(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.signIn(t, f.manager)

	t.Run("empty list", func(t *testing.T) {
		wantContains(t, c.get("/contacts"), "No contacts yet", `href="/contacts/import"`, `href="/contacts/export.csv"`)
	})

	t.Run("a new contact is shown again with messages", func(t *testing.T) {
		r := c.get("/contacts/new?account=" + f.mine.ID)
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, `<option value="`+f.mine.ID+`" selected>Kone Oyj</option>`, `<option value="fi">Finnish (Suomi)</option>`)
		if strings.Contains(r.body, "Schindler") {
			t.Error("the form offers another manager's account")
		}

		r = c.post("/contacts/new", url.Values{"accountId": {f.mine.ID}, "name": {"Aino Virtanen"}, "email": {"aino@"}, "locale": {"fi"}})
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, `value="Aino Virtanen"`, `value="aino@"`, `<option value="fi" selected>`,
			"Email address is not a valid email address.", `aria-invalid="true"`)

		r = c.post("/contacts/new", url.Values{"accountId": {f.theirs.ID}, "name": {""}, "email": {"x@kone.example"}, "locale": {"en"}})
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, "Name is required.", "No such account.")
	})

	var id string
	t.Run("a valid contact is added and edited", func(t *testing.T) {
		r := c.post("/contacts/new", url.Values{"accountId": {f.mine.ID}, "name": {"Aino Virtanen"}, "email": {"Aino@Kone.example"}, "locale": {"fi"}})
		wantStatus(t, r, http.StatusSeeOther)
		loc := r.Header.Get("Location")
		id = strings.TrimSuffix(strings.TrimPrefix(loc, "/contacts/"), "?created=1")
		r = c.get(loc)
		wantContains(t, r, "The contact was added.", "<h1>Aino Virtanen</h1>", `value="aino@kone.example"`, "never surveyed")

		r = c.post("/contacts/"+id, url.Values{"accountId": {f.mine.ID}, "name": {"Aino Laine"}, "email": {"aino.laine@kone.example"}, "locale": {"sv"}})
		wantStatus(t, r, http.StatusSeeOther)
		wantContains(t, c.get(r.Header.Get("Location")), "Your changes were saved.", `value="Aino Laine"`, `<option value="sv" selected>`)

		f.contact(t, f.manager, f.mine.ID, "Taken", "taken@kone.example")
		r = c.post("/contacts/"+id, url.Values{"accountId": {f.mine.ID}, "name": {"Aino Laine"}, "email": {"taken@kone.example"}, "locale": {"sv"}})
		wantStatus(t, r, http.StatusConflict)
		wantContains(t, r, "This email address cannot be used here; if it is right, ask an admin.", `value="taken@kone.example"`)
	})

	t.Run("the list filters and searches", func(t *testing.T) {
		r := c.get("/contacts")
		wantContains(t, r, "Aino Laine", "aino.laine@kone.example", "Kone Oyj", "<td>Swedish</td>", "Active", "Never", "1–2 of 2")
		wantContains(t, c.get("/contacts?search=laine"), "Aino Laine", "1–1 of 1")
		wantContains(t, c.get("/contacts?search=TAKEN%40kone.example"), "taken@kone.example", "1–1 of 1")
		wantContains(t, c.get("/contacts?search=nobody"), "No contact matches")
		wantContains(t, c.get("/contacts?account="+f.mine.ID), `<option value="`+f.mine.ID+`" selected>`, "1–2 of 2")
		wantStatus(t, c.get("/contacts?account="+f.theirs.ID), http.StatusNotFound)
	})

	t.Run("an erased contact cannot be changed", func(t *testing.T) {
		if err := f.st.Contacts.Erase(context.Background(), id, time.Now()); err != nil {
			t.Fatal(err)
		}
		r := c.get("/contacts/" + id)
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, "This person's data was erased")
		if strings.Contains(r.body, "Aino") {
			t.Error("the page of an erased contact names them")
		}
		r = c.post("/contacts/"+id, url.Values{"accountId": {f.mine.ID}, "name": {"Back Again"}, "email": {"back@kone.example"}, "locale": {"en"}})
		wantStatus(t, r, http.StatusConflict)
	})

	t.Run("another manager's contact", func(t *testing.T) {
		theirs := f.contact(t, f.other, f.theirs.ID, "Hans Huber", "hans@schindler.example")
		wantStatus(t, c.get("/contacts/"+theirs.ID), http.StatusNotFound)
		wantStatus(t, c.post("/contacts/"+theirs.ID, url.Values{"accountId": {f.mine.ID}, "name": {"Stolen"}, "email": {"hans@schindler.example"}}), http.StatusNotFound)
	})
}

func TestContactRolePages(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.signIn(t, f.manager)

	r := c.get("/contacts/new?account=" + f.mine.ID)
	wantContains(t, r, `<label for="role">Role</label>`, `<select id="role" name="role"`, `<option value="" selected>Not set</option>`,
		`<option value="decision_maker">Decision maker</option>`, `<option value="influencer">Influencer</option>`, `<option value="user">User</option>`)

	// A role the form does not offer comes back with the values typed.
	r = c.post("/contacts/new", url.Values{"accountId": {f.mine.ID}, "name": {"Aino Virtanen"}, "email": {"aino@kone.example"}, "locale": {"fi"}, "role": {"boss"}})
	wantStatus(t, r, http.StatusBadRequest)
	wantContains(t, r, `value="Aino Virtanen"`, `value="aino@kone.example"`, `<option value="fi" selected>`,
		`Role must be decision maker, influencer or user, or empty, not &#34;boss&#34;.`, `id="role-error"`)

	r = c.post("/contacts/new", url.Values{"accountId": {f.mine.ID}, "name": {"Aino Virtanen"}, "email": {"aino@kone.example"}, "locale": {"fi"}, "role": {"decision_maker"}})
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	wantContains(t, c.get(loc), `<option value="decision_maker" selected>Decision maker</option>`)
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/contacts/"), "?created=1")

	r = c.post("/contacts/"+id, url.Values{"accountId": {f.mine.ID}, "name": {"Aino Virtanen"}, "email": {"aino@kone.example"}, "locale": {"fi"}, "role": {"influencer"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, c.get(r.Header.Get("Location")), `<option value="influencer" selected>Influencer</option>`)
	r = c.post("/contacts/"+id, url.Values{"accountId": {f.mine.ID}, "name": {"Aino Renamed"}, "email": {"aino@kone.example"}, "locale": {"fi"}, "role": {"chief"}})
	wantStatus(t, r, http.StatusBadRequest)
	wantContains(t, r, `value="Aino Renamed"`, "Role must be decision maker, influencer or user, or empty, not &#34;chief&#34;.")

	f.contact(t, f.manager, f.mine.ID, "Ville Virtanen", "ville@kone.example")
	r = c.get("/contacts")
	wantContains(t, r, `<th scope="col">Role</th>`, "<td>Influencer</td>", "<td>—</td>", `<option value="none">Not set</option>`, "1–2 of 2")
	r = c.get("/contacts?role=influencer")
	wantContains(t, r, "Aino Virtanen", `<option value="influencer" selected>Influencer</option>`, "1–1 of 1")
	if strings.Contains(r.body, "Ville") {
		t.Error("the role filter lists a contact without the role")
	}
	r = c.get("/contacts?role=none")
	wantContains(t, r, "Ville Virtanen", `<option value="none" selected>Not set</option>`, "1–1 of 1")
	wantContains(t, c.get("/contacts?role=user"), "No contact matches")
	r = c.get("/contacts?role=boss")
	wantStatus(t, r, http.StatusBadRequest)
	wantContains(t, r, `id="role-error"`, "The role must be decision maker, influencer or user, or none for contacts without one, not &#34;boss&#34;.")

	r = c.get("/contacts/import/template.csv")
	wantContains(t, r, "name,email,account,locale,role\n", "decision maker")
}
