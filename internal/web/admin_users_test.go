package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/store"
)

func TestAdminCreatesUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.admin)
	c.get("/admin/users/new")

	t.Run("without a CSRF token", func(t *testing.T) {
		r := c.post("/admin/users/new", url.Values{"_csrf": {""}, "email": {"new@example.com"}, "name": {"New"}, "role": {"analyst"}, "password": {testPassword}})
		wantStatus(t, r, http.StatusForbidden)
	})
	t.Run("invalid input is shown again with messages", func(t *testing.T) {
		r := c.post("/admin/users/new", url.Values{"email": {"not-an-email"}, "name": {"Grace Hopper"}, "role": {"manager"}, "password": {"short"}})
		wantStatus(t, r, http.StatusBadRequest)
		for _, want := range []string{
			`value="not-an-email"`, `value="Grace Hopper"`, `<option value="manager" selected>`,
			"Email address is not a valid email address.", "Password must be at least 12 characters.", `aria-invalid="true"`,
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if strings.Contains(r.body, `value="short"`) {
			t.Error("the password is echoed back")
		}
	})
	t.Run("valid input adds the user", func(t *testing.T) {
		r := c.post("/admin/users/new", url.Values{"email": {"grace@example.com"}, "name": {"Grace Hopper"}, "role": {"manager"}, "password": {testPassword}})
		wantStatus(t, r, http.StatusSeeOther)
		list := c.get(r.Header.Get("Location"))
		wantStatus(t, list, http.StatusOK)
		for _, want := range []string{"The user was added.", "grace@example.com", "Grace Hopper", "1–4 of 4"} {
			if !strings.Contains(list.body, want) {
				t.Errorf("list lacks %q", want)
			}
		}
	})
	t.Run("a taken email is a field error", func(t *testing.T) {
		r := c.post("/admin/users/new", url.Values{"email": {"Analyst@example.com"}, "name": {"Again"}, "role": {"analyst"}, "password": {testPassword}})
		wantStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.body, "Email address a user with this email already exists.") {
			t.Errorf("page lacks the duplicate message:\n%s", truncate(r.body))
		}
	})
	t.Run("a page past the end", func(t *testing.T) {
		r := c.get("/admin/users?page=3")
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, "No users on this page") {
			t.Error("page past the end lacks its empty state")
		}
	})
}

func TestAdminEditsUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.admin)
	edit := "/admin/users/" + f.manager.ID
	form := func(name, role, status, password string) url.Values {
		return url.Values{"name": {name}, "role": {role}, "status": {status}, "password": {password}}
	}

	r := c.get(edit)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, f.manager.Email) || !strings.Contains(r.body, `value="Test manager"`) {
		t.Fatalf("edit page lacks the user:\n%s", truncate(r.body))
	}

	r = c.post(edit, form("Mary Manager", "analyst", "disabled", ""))
	wantStatus(t, r, http.StatusSeeOther)
	r = c.get(r.Header.Get("Location"))
	if !strings.Contains(r.body, "Your changes were saved.") || !strings.Contains(r.body, `value="Mary Manager"`) {
		t.Errorf("saved page does not show the change:\n%s", truncate(r.body))
	}
	got, err := f.st.Users.ByID(context.Background(), f.manager.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Mary Manager" || got.Role != store.RoleAnalyst || !got.Disabled || got.PasswordHash != f.manager.PasswordHash {
		t.Errorf("stored user = %+v", got)
	}

	r = c.post(edit, form("", "boss", "active", "short"))
	wantStatus(t, r, http.StatusBadRequest)
	for _, want := range []string{"Name must be 1 to 100 characters.", "Role must be admin, manager or analyst.", "Password must be at least 12 characters."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	self := "/admin/users/" + f.admin.ID
	c.get(self)
	r = c.post(self, form("Test admin", "manager", "active", ""))
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "You cannot disable or demote yourself.") {
		t.Errorf("page lacks the conflict message:\n%s", truncate(r.body))
	}

	wantStatus(t, c.get("/admin/users/no-such-id"), http.StatusNotFound)
	wantStatus(t, c.post("/admin/users/no-such-id", form("X", "analyst", "active", "")), http.StatusNotFound)
}
