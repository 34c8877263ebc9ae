package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/staff"
)

func TestAccountPages(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.signIn(t, f.manager)

	t.Run("the list", func(t *testing.T) {
		r := c.get("/accounts")
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, "Kone Oyj", "Elevators", "Nordics", f.manager.Name, "1–1 of 1", `href="/accounts/new"`)
		if strings.Contains(r.body, "Schindler") {
			t.Error("a manager sees another manager's account")
		}
		wantContains(t, c.get("/accounts?search=nothing"), "No account matches “nothing”")
		wantContains(t, f.signIn(t, f.admin).get("/accounts"), "Kone Oyj", "Schindler AG", "Olga Other", "1–2 of 2")
	})

	t.Run("a new account is shown again with messages", func(t *testing.T) {
		r := c.get("/accounts/new")
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, `value="`+f.manager.ID+`" checked`)

		r = c.post("/accounts/new", url.Values{"name": {"KONE oyj"}, "country": {"Suomi"}, "region": {"Nordics & Baltics"},
			"tier": {strings.Repeat("t", 101)}, "managerIds": {f.manager.ID, f.other.ID}})
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, "Please correct the fields marked below.",
			`value="KONE oyj"`, `value="Suomi"`, `value="Nordics &amp; Baltics"`,
			"Country must be a two-letter ISO 3166 country code such as FI or DE.",
			"Tier must be at most 100 characters.",
			`value="`+f.manager.ID+`" checked`, `value="`+f.other.ID+`" checked`, `aria-invalid="true"`)

		r = c.post("/accounts/new", url.Values{"name": {"KONE oyj"}, "managerIds": {f.manager.ID}})
		wantStatus(t, r, http.StatusConflict)
		wantContains(t, r, "An account with this name already exists.", `value="KONE oyj"`)
	})

	t.Run("without a CSRF token", func(t *testing.T) {
		r := c.post("/accounts/new", url.Values{"_csrf": {""}, "name": {"Forged Ltd"}, "managerIds": {f.manager.ID}})
		wantStatus(t, r, http.StatusForbidden)
		wantContains(t, r, "This form has expired")
		if _, total, _ := f.svc.ListAccounts(context.Background(), f.admin, "forged", store.Page{Limit: 10}); total != 0 {
			t.Error("a forged form added an account")
		}
	})

	var created string
	t.Run("a valid account is added", func(t *testing.T) {
		c.get("/accounts/new")
		r := c.post("/accounts/new", url.Values{"name": {"Otis Elevator"}, "country": {"us"}, "managerIds": {f.manager.ID, f.other.ID}})
		wantStatus(t, r, http.StatusSeeOther)
		created = strings.TrimPrefix(strings.TrimSuffix(r.Header.Get("Location"), "?created=1"), "/accounts/")
		r = c.get(r.Header.Get("Location"))
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, "The account was added.", "<h1>Otis Elevator</h1>", `value="US"`, "No contacts yet")
		a, err := f.svc.Account(context.Background(), f.other, created)
		if err != nil || len(a.ManagerIDs) != 2 {
			t.Errorf("stored account = %+v, %v", a, err)
		}
	})

	t.Run("an admin must choose a manager", func(t *testing.T) {
		admin := f.signIn(t, f.admin)
		admin.get("/accounts/new")
		r := admin.post("/accounts/new", url.Values{"name": {"Nobody's"}})
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, "Name at least one responsible manager.")
	})

	t.Run("editing", func(t *testing.T) {
		edit := "/accounts/" + f.mine.ID
		f.contact(t, f.manager, f.mine.ID, "Ville Virtanen", "ville@kone.example")
		r := c.get(edit)
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, `value="Kone Oyj"`, "Ville Virtanen", "ville@kone.example", "Active", `href="/contacts/new?account=`+f.mine.ID+`"`)

		r = c.post(edit, url.Values{"name": {"Kone Corporation"}, "country": {"FI"}, "region": {"Nordics"}, "industry": {"Elevators"}, "tier": {"platinum"}, "managerIds": {f.manager.ID}})
		wantStatus(t, r, http.StatusSeeOther)
		wantContains(t, c.get(r.Header.Get("Location")), "Your changes were saved.", `value="Kone Corporation"`, `value="platinum"`)

		r = c.post(edit, url.Values{"name": {""}, "country": {"FI"}, "managerIds": {f.other.ID}})
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, "Name is required.", `value=""`, "Ville Virtanen")

		wantStatus(t, c.get("/accounts/"+f.theirs.ID), http.StatusNotFound)
		wantStatus(t, c.post("/accounts/"+f.theirs.ID, url.Values{"name": {"Stolen"}, "managerIds": {f.manager.ID}}), http.StatusNotFound)
	})

	t.Run("deleting", func(t *testing.T) {
		// An account with contacts: the confirmation explains, the POST is refused.
		r := c.get("/accounts/" + f.mine.ID + "/delete")
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, "cannot be deleted yet", "still has 1 contact.")
		if strings.Contains(r.body, `action="/accounts/`+f.mine.ID+`/delete"`) {
			t.Error("the page offers to delete an account with contacts")
		}
		r = c.post("/accounts/"+f.mine.ID+"/delete", nil)
		wantStatus(t, r, http.StatusConflict)
		wantContains(t, r, "The account still has 1 contacts; erase or move them first.")

		r = c.get("/accounts/" + created + "/delete")
		wantContains(t, r, "Delete Otis Elevator?", `action="/accounts/`+created+`/delete"`)
		r = c.post("/accounts/"+created+"/delete", nil)
		wantStatus(t, r, http.StatusSeeOther)
		wantContains(t, c.get(r.Header.Get("Location")), "The account was deleted.")
		wantStatus(t, c.get("/accounts/"+created), http.StatusNotFound)
	})
}

func TestAccountListPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	r := c.get("/accounts")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "No accounts yet", `<a class="button button-primary" href="/accounts/new">New account</a>`)

	for i := range staff.AccountsPerPage + 3 {
		if _, err := f.customers.CreateAccount(context.Background(), f.manager, customer.AccountInput{Name: fmt.Sprintf("Account %03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	r = c.get("/accounts")
	wantContains(t, r, "1–50 of 53", "Account 000", "Account 049", `href="/accounts?page=2"`)
	if strings.Contains(r.body, "Account 050") {
		t.Error("the first page shows the 51st account")
	}
	r = c.get("/accounts?page=2")
	wantContains(t, r, "51–53 of 53", "Account 052", `href="/accounts" rel="prev"`)
	wantContains(t, c.get("/accounts?search=account+05"), "1–3 of 3")
	wantContains(t, c.get("/accounts?page=9"), "No accounts on this page")
}
