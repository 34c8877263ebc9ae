package staff

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
)

const usersPerPage = 50

type usersPage struct {
	Users   []store.User
	Pager   pager.Pager
	Created bool
}

// AdminUsers lists staff users, a page at a time.
func (s *Pages) AdminUsers(c *fiber.Ctx) error {
	n := pager.Number(c)
	users, total, err := s.auth.ListUsers(c.UserContext(), store.Page{Offset: int64(n-1) * usersPerPage, Limit: usersPerPage})
	if err != nil {
		return err
	}
	page := usersPage{
		Users:   users,
		Pager:   pager.New("/admin/users", nil, n, usersPerPage, len(users), total),
		Created: c.Query("created") == "1",
	}
	return s.views.Render(c, fiber.StatusOK, "admin_users", "Users", page)
}

// userForm backs both the new-user and the edit-user page.
type userForm struct {
	Target    store.User // the user being edited; zero on the new-user page
	Email     string
	Name      string
	Role      store.Role
	Disabled  bool
	Errors    map[string]string // by field
	Error     string            // about the form as a whole
	Saved     bool
	ResetSent bool

	Roles       []store.Role
	MinPassword int
}

func newUserForm() userForm {
	return userForm{Role: store.RoleAnalyst, Roles: store.Roles, MinPassword: auth.MinPasswordLength}
}

// AdminUserNew shows the empty new-user form. Analyst is preselected, the
// role that can do least.
func (s *Pages) AdminUserNew(c *fiber.Ctx) error {
	return s.views.Render(c, fiber.StatusOK, "admin_user_new", "Add a user", newUserForm())
}

// AdminUserCreate adds a user, or shows the form again with what was typed
// (except the password) and a message by each invalid field.
func (s *Pages) AdminUserCreate(c *fiber.Ctx) error {
	in := auth.NewUser{
		Email:    strings.TrimSpace(input.Form(c, "email")),
		Name:     strings.TrimSpace(input.Form(c, "name")),
		Role:     store.Role(input.Form(c, "role")),
		Password: input.Form(c, "password"),
	}

	_, err := s.auth.CreateUser(c.UserContext(), in)
	if p := problem.WithFields(err); p != nil {
		form := newUserForm()
		form.Email, form.Name, form.Role, form.Errors = in.Email, in.Name, in.Role, p.Fields
		return s.views.Render(c, p.Status, "admin_user_new", "Add a user", form)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/users?created=1", fiber.StatusSeeOther)
}

// AdminUserEdit shows a user's edit form.
func (s *Pages) AdminUserEdit(c *fiber.Ctx) error {
	u, err := s.auth.User(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	form := editForm(u)
	form.Saved = c.Query("saved") == "1"
	form.ResetSent = c.Query("reset") == "1"
	return s.views.Render(c, fiber.StatusOK, "admin_user_edit", u.Name, form)
}

func editForm(u store.User) userForm {
	form := newUserForm()
	form.Target, form.Email, form.Name, form.Role, form.Disabled = u, u.Email, u.Name, u.Role, u.Disabled
	return form
}

// AdminUserSave applies an admin's changes. An empty password field keeps
// the current password.
func (s *Pages) AdminUserSave(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	name := input.Form(c, "name")
	role := store.Role(input.Form(c, "role"))
	password := input.Form(c, "password")
	var disabled bool
	switch c.FormValue("status") {
	case "active":
	case "disabled":
		disabled = true
	default:
		return problem.BadRequest("invalid input", map[string]string{"status": "must be active or disabled"})
	}
	change := auth.UserChange{Name: &name, Role: &role, Disabled: &disabled}
	if password != "" {
		change.Password = &password
	}

	actor, _ := identity.User(c)
	_, err := s.auth.UpdateUser(c.UserContext(), actor.ID, id, change)
	if err == nil {
		return c.Redirect("/admin/users/"+url.PathEscape(id)+"?saved=1", fiber.StatusSeeOther)
	}

	var fields map[string]string
	var formError string
	p := problem.Classify(err)
	switch {
	case len(p.Fields) > 0:
		fields = p.Fields
	case errors.Is(err, auth.ErrLastAdmin), errors.Is(err, auth.ErrSelf):
		formError = problem.Sentence(p.Msg)
	default:
		return err
	}
	status := p.Status
	current, err := s.auth.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	form := editForm(current)
	form.Name, form.Role, form.Disabled, form.Errors, form.Error = name, role, disabled, fields, formError
	return s.views.Render(c, status, "admin_user_edit", current.Name, form)
}

// AdminUserReset signs a user out everywhere and mails them a reset link.
func (s *Pages) AdminUserReset(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	err := s.auth.AdminResetPassword(c.UserContext(), id)
	if errors.Is(err, auth.ErrUserDisabled) {
		u, uerr := s.auth.User(c.UserContext(), id)
		if uerr != nil {
			return uerr
		}
		form := editForm(u)
		form.Error = "This user is disabled. Enable them before sending a reset link."
		return s.views.Render(c, problem.Classify(err).Status, "admin_user_edit", u.Name, form)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+url.PathEscape(id)+"?reset=1", fiber.StatusSeeOther)
}
