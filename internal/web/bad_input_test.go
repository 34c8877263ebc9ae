package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/customer"
)

// Renaming an account to a name another account has is a conflict the
// client is told about, never a server error.
func TestRenamingAnAccountToATakenName(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	ctx := context.Background()
	second, err := f.svc.CreateAccount(ctx, f.manager, customer.AccountInput{Name: "Second Lifts", Region: "Nordics"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t)

	t.Run("the API answers 409 with the field", func(t *testing.T) {
		for _, name := range []string{"Kone Oyj", "  KONE oyj", "Schindler AG"} { // mine, in other capitals, another manager's
			r := c.api(http.MethodPatch, "/api/v1/accounts/"+second.ID, f.managerToken, `{"name":"`+name+`"}`)
			wantStatus(t, r, http.StatusConflict)
			e := apiErrorOf(t, r)
			if e.Error == "" || e.Fields["name"] != "an account with this name already exists" {
				t.Errorf("%q: error = %+v", name, e)
			}
		}
		r := c.api(http.MethodPost, "/api/v1/accounts", f.managerToken, `{"name":"second LIFTS"}`)
		wantStatus(t, r, http.StatusConflict)
		if e := apiErrorOf(t, r); e.Fields["name"] == "" {
			t.Errorf("create: error = %+v", e)
		}
		if a, _ := f.svc.Account(ctx, f.manager, second.ID); a.Name != "Second Lifts" {
			t.Errorf("name = %q after refused renames", a.Name)
		}
	})

	t.Run("the form is shown again with the message and what was typed", func(t *testing.T) {
		b := f.signIn(t, f.manager)
		b.get("/accounts/" + second.ID)
		r := b.post("/accounts/"+second.ID, url.Values{"name": {"kone OYJ"}, "country": {"SE"}, "region": {"Baltics"},
			"industry": {"Escalators"}, "tier": {"silver"}, "managerIds": {f.manager.ID}})
		wantStatus(t, r, http.StatusConflict)
		wantContains(t, r, "An account with this name already exists.", `value="kone OYJ"`, `value="SE"`,
			`value="Baltics"`, `value="Escalators"`, `value="silver"`, `aria-invalid="true"`)
	})
}

// Every list that takes a search refuses what the database must not see:
// NUL and other control characters, invalid UTF-8, and over-long input.
func TestSearchInputIsValidated(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	f.contact(t, f.manager, f.mine.ID, "Kaisa Kone", "kaisa@kone.example")
	c := f.client(t)
	b := f.signIn(t, f.manager)

	bad := []struct{ name, search string }{
		{"a NUL", "\x00"},
		{"a NUL in a name", "Kai\x00sa"},
		{"a control character", "a\x01b"},
		{"a line break", "kai\nsa"},
		{"invalid UTF-8", "\xff\xfe"},
		{"10 KB", strings.Repeat("k", 10<<10)},
		{"one character too many", strings.Repeat("k", customer.MaxSearch+1)},
	}
	for _, tt := range bad {
		q := url.QueryEscape(tt.search)
		for _, path := range []string{"/api/v1/accounts", "/api/v1/contacts"} {
			r := c.api(http.MethodGet, path+"?search="+q, f.managerToken, "")
			wantStatus(t, r, http.StatusBadRequest)
			if e := apiErrorOf(t, r); e.Error == "" || e.Fields["search"] == "" {
				t.Errorf("%s %s: error = %+v", path, tt.name, e)
			}
		}
		for _, path := range []string{"/accounts", "/contacts"} {
			r := b.get(path + "?search=" + q)
			wantStatus(t, r, http.StatusBadRequest)
			wantContains(t, r, "The search must", `id="search-error"`)
			if strings.Contains(r.body, "Kaisa") || strings.Contains(r.body, "Kone Oyj</a>") {
				t.Errorf("%s %s: a refused search lists results", path, tt.name)
			}
		}
	}

	good := []struct{ search, want string }{
		{"kaisa", "Kaisa Kone"},
		{"kaisa@kone.example", "Kaisa Kone"},
		{"Käisä ünïcode 中文", "No contact matches"},
		{strings.Repeat("k", customer.MaxSearch), "No contact matches"},
		{`.*(a+)+$ [\`, "No contact matches"}, // regular-expression syntax is text
	}
	for _, tt := range good {
		r := b.get("/contacts?search=" + url.QueryEscape(tt.search))
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, tt.want)
		wantStatus(t, c.api(http.MethodGet, "/api/v1/accounts?search="+url.QueryEscape(tt.search), f.managerToken, ""), http.StatusOK)
	}
}

// The campaign form's contact search shows a refused search by its box.
func TestCampaignContactSearchIsValidated(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	f.account(t, f.manager, "Acme", 1)
	c := f.signIn(t, f.manager)
	base := "/surveys/" + f.survey.ID + "/campaigns/new?audience=contacts&q="
	for _, search := range []string{"\x00", strings.Repeat("x", 10<<10)} {
		r := c.get(base + url.QueryEscape(search))
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, "The search must", `id="search-error"`)
	}
	wantStatus(t, c.get(base+"acme"), http.StatusOK)
}

// A manager adding or editing a contact with an email another contact has
// gets one answer, whether that contact is on their own account or on one
// they cannot see: nothing tells them of other managers' contacts.
func TestTakenContactEmailsSayNothingOfTheirOwner(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	f.contact(t, f.manager, f.mine.ID, "Mine", "mine@kone.example")
	f.contact(t, f.other, f.theirs.ID, "Theirs", "theirs@schindler.example")
	edited := f.contact(t, f.manager, f.mine.ID, "Edited", "edited@kone.example")
	c := f.client(t)
	b := f.signIn(t, f.manager)

	answers := map[string]string{} // how each route answers, by route
	for _, email := range []string{"MINE@kone.example", "theirs@schindler.example"} {
		bodies := []string{
			c.api(http.MethodPost, "/api/v1/contacts", f.managerToken, `{"accountId":"`+f.mine.ID+`","name":"New","email":"`+email+`"}`).body,
			c.api(http.MethodPatch, "/api/v1/contacts/"+edited.ID, f.managerToken, `{"email":"`+email+`"}`).body,
		}
		for i, body := range bodies {
			key := []string{"create", "patch"}[i]
			if want, seen := answers[key]; seen && body != want {
				t.Errorf("%s with %s = %s, want the same as for the other owner: %s", key, email, body, want)
			}
			answers[key] = body
			if !strings.Contains(body, `"fields":{"email":"this email address cannot be used here; if it is right, ask an admin"}`) {
				t.Errorf("%s with %s = %s", key, email, body)
			}
		}
		for _, form := range []struct{ path, view string }{{"/contacts/new", "new"}, {"/contacts/" + edited.ID, "edit"}} {
			b.get(form.path)
			r := b.post(form.path, url.Values{"accountId": {f.mine.ID}, "name": {"New"}, "email": {email}, "locale": {"en"}})
			wantStatus(t, r, http.StatusConflict)
			wantContains(t, r, "This email address cannot be used here; if it is right, ask an admin.", `value="`+email+`"`)
			for _, leak := range []string{"Theirs", "Schindler", "Mine<", "another account", "do not manage"} {
				if strings.Contains(r.body, leak) {
					t.Errorf("%s with %s shows %q", form.path, email, leak)
				}
			}
		}
	}
}
