package staff

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
)

type AccountsPage struct {
	Search   string
	Accounts []accountRow
	Pager    pager.Pager
	Deleted  bool
	OwnOnly  bool // the user sees only the accounts they are named on
	// SearchError says why the search was refused; nothing is listed then.
	SearchError string
}

type accountRow struct {
	store.Account
	Managers string // names
}

// AccountsPage lists the user's accounts by name, a page at a time.
func (s *Pages) AccountsPage(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	search := strings.TrimSpace(utils.CopyString(c.Query("search")))
	n := pager.Number(c)
	ownOnly := !policy.SeesAllAccounts(policy.Of(who))

	accounts, total, err := s.customers.ListAccounts(ctx, who, search,
		store.Page{Offset: int64(n-1) * AccountsPerPage, Limit: AccountsPerPage})
	if msg := fault.FieldsOf(err)["search"]; msg != "" {
		return s.views.Render(c, problem.Classify(err).Status, "accounts", "Accounts", AccountsPage{Search: search, OwnOnly: ownOnly, SearchError: "The search " + msg + "."})
	}
	if err != nil {
		return err
	}
	dir, err := s.staffDirectory(ctx)
	if err != nil {
		return err
	}

	page := AccountsPage{
		Search:   search,
		Accounts: make([]accountRow, len(accounts)),
		Pager:    pager.New("/accounts", url.Values{"search": {search}}, n, AccountsPerPage, len(accounts), total),
		Deleted:  c.Query("deleted") == "1",
		OwnOnly:  ownOnly,
	}
	for i, a := range accounts {
		page.Accounts[i] = accountRow{Account: a, Managers: dir.managerNames(a.ManagerIDs)}
	}
	return s.views.Render(c, fiber.StatusOK, "accounts", "Accounts", page)
}

// accountForm backs the new-account page and the account page, which
// shows the account's contacts under its form.
type accountForm struct {
	Account     store.Account // the account being edited; zero on the new-account page
	Name        string
	Country     string
	Region      string
	Industry    string
	Tier        string
	Managers    []managerOption
	Errors      map[string]string // by field
	Error       string            // about the form as a whole
	Created     bool
	Saved       bool
	Contacts    []contactRow
	Pager       pager.Pager
	IsManager   bool // the user sees only the accounts they are named on, so must stay among the responsible
	HasContacts bool
	// Relationship is the account's NPS and who was heard from, as the
	// release shows them; nil without the section.
	Relationship *relationshipSection
}

// managerOption is a user who may be made responsible for an account.
type managerOption struct {
	ID, Name, Email string
	Role            store.Role
	Selected        bool
	Ineligible      bool // responsible now, but disabled or an analyst: saving asks to replace them
}

// managerOptions offers every eligible user, and the account's current
// managers even when no longer eligible, so that saving never drops one
// silently.
func managerOptions(dir staffDirectory, selected []string, current []string) []managerOption {
	var out []managerOption
	listed := map[string]bool{}
	for _, u := range dir.eligible {
		listed[u.ID] = true
		out = append(out, managerOption{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Selected: slices.Contains(selected, u.ID)})
	}
	for _, id := range current {
		if !listed[id] {
			listed[id] = true
			name := dir.names[id]
			if name == "" {
				name = "Removed user"
			}
			out = append(out, managerOption{ID: id, Name: name, Selected: slices.Contains(selected, id), Ineligible: true})
		}
	}
	return out
}

func (s *Pages) newAccountForm(ctx context.Context, who store.User, in customer.AccountInput, current []string) (accountForm, error) {
	dir, err := s.staffDirectory(ctx)
	if err != nil {
		return accountForm{}, err
	}
	return accountForm{
		Name: in.Name, Country: in.Country, Region: in.Region, Industry: in.Industry, Tier: in.Tier,
		Managers:  managerOptions(dir, in.ManagerIDs, current),
		IsManager: !policy.SeesAllAccounts(policy.Of(who)),
	}, nil
}

// AccountNew shows the empty form. A manager, who sees only the accounts
// they are named on, is preselected as the one responsible; an admin
// chooses.
func (s *Pages) AccountNew(c *fiber.Ctx) error {
	who := identity.Actor(c)
	var in customer.AccountInput
	if !policy.SeesAllAccounts(policy.Of(who)) {
		in.ManagerIDs = []string{who.ID}
	}
	form, err := s.newAccountForm(c.UserContext(), who, in, nil)
	if err != nil {
		return err
	}
	return s.views.Render(c, fiber.StatusOK, "accounts_new", "New account", form)
}

// accountLabel names a field of the account form in messages.
func accountLabel(field string) string {
	switch field {
	case "name":
		return "Name"
	case "country":
		return "Country"
	case "region":
		return "Region"
	case "industry":
		return "Industry"
	case "tier":
		return "Tier"
	case "managerIds":
		return "Managers"
	}
	return ""
}

func accountInput(c *fiber.Ctx) customer.AccountInput {
	return customer.AccountInput{
		Name:       input.Form(c, "name"),
		Country:    input.Form(c, "country"),
		Region:     input.Form(c, "region"),
		Industry:   input.Form(c, "industry"),
		Tier:       input.Form(c, "tier"),
		ManagerIDs: input.Values(c, "managerIds"),
	}
}

// AccountCreate adds an account, or shows the form again with what was
// typed and a message by each invalid field.
func (s *Pages) AccountCreate(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	in := accountInput(c)

	a, err := s.customers.CreateAccount(ctx, who, in)
	if p := problem.WithFields(err); p != nil {
		form, ferr := s.newAccountForm(ctx, who, in, nil)
		if ferr != nil {
			return ferr
		}
		form.Errors = problem.FieldErrors(p.Fields, accountLabel)
		return s.views.Render(c, p.Status, "accounts_new", "New account", form)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/accounts/"+url.PathEscape(a.ID)+"?created=1", fiber.StatusSeeOther)
}

// AccountPage shows an account's form and its contacts.
func (s *Pages) AccountPage(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	a, err := s.customers.Account(ctx, who, input.Param(c, "id"))
	if err != nil {
		return err
	}
	in := customer.AccountInput{Name: a.Name, Country: a.Country, Region: a.Region, Industry: a.Industry, Tier: a.Tier, ManagerIDs: a.ManagerIDs}
	form, err := s.accountEditForm(c, a, in)
	if err != nil {
		return err
	}
	form.Created, form.Saved = c.Query("created") == "1", c.Query("saved") == "1"
	return s.views.Render(c, fiber.StatusOK, "accounts_edit", a.Name, form)
}

// accountEditForm is the account page with in in its form.
func (s *Pages) accountEditForm(c *fiber.Ctx, a store.Account, in customer.AccountInput) (accountForm, error) {
	ctx, who := c.UserContext(), identity.Actor(c)
	form, err := s.newAccountForm(ctx, who, in, a.ManagerIDs)
	if err != nil {
		return accountForm{}, err
	}
	form.Account = a
	n := pager.Number(c)
	contacts, total, err := s.customers.ListContacts(ctx, who, customer.ContactQuery{
		AccountID: a.ID, Page: store.Page{Offset: int64(n-1) * contactsPerPage, Limit: contactsPerPage},
	})
	if err != nil {
		return accountForm{}, err
	}
	names := map[string]string{a.ID: a.Name}
	form.Contacts = contactRows(contacts, names)
	form.Pager = pager.New("/accounts/"+url.PathEscape(a.ID), nil, n, contactsPerPage, len(contacts), total)
	form.Pager.Label = "Pages of contacts"
	form.HasContacts = total > 0
	if s.relations != nil {
		v, err := s.relations.AccountView(ctx, who, a.ID)
		if err != nil {
			return accountForm{}, err
		}
		form.Relationship = relationshipOf(v)
	}
	return form, nil
}

// AccountSave applies the form to an account.
func (s *Pages) AccountSave(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	id := input.Param(c, "id")
	in := accountInput(c)

	_, err := s.customers.UpdateAccount(ctx, who, id, customer.AccountPatch{
		Name: &in.Name, Country: &in.Country, Region: &in.Region, Industry: &in.Industry, Tier: &in.Tier, ManagerIDs: &in.ManagerIDs,
	})
	if err == nil {
		return c.Redirect("/accounts/"+url.PathEscape(id)+"?saved=1", fiber.StatusSeeOther)
	}
	p := problem.WithFields(err)
	if p == nil {
		return err
	}
	a, err := s.customers.Account(ctx, who, id)
	if err != nil {
		return err
	}
	form, err := s.accountEditForm(c, a, in)
	if err != nil {
		return err
	}
	form.Errors = problem.FieldErrors(p.Fields, accountLabel)
	return s.views.Render(c, p.Status, "accounts_edit", a.Name, form)
}

// accountDeletion is the confirmation step before deleting an account.
type accountDeletion struct {
	Account  store.Account
	Contacts int64
	Error    string
}

// AccountDeletePage asks to confirm, or explains why the account cannot
// be deleted yet.
func (s *Pages) AccountDeletePage(c *fiber.Ctx) error {
	page, err := s.accountDeletion(c)
	if err != nil {
		return err
	}
	return s.views.Render(c, fiber.StatusOK, "accounts_delete", "Delete "+page.Account.Name, page)
}

func (s *Pages) accountDeletion(c *fiber.Ctx) (accountDeletion, error) {
	ctx, who := c.UserContext(), identity.Actor(c)
	a, err := s.customers.Account(ctx, who, input.Param(c, "id"))
	if err != nil {
		return accountDeletion{}, err
	}
	_, n, err := s.customers.ListContacts(ctx, who, customer.ContactQuery{AccountID: a.ID, Page: store.Page{Limit: 1}})
	if err != nil {
		return accountDeletion{}, err
	}
	return accountDeletion{Account: a, Contacts: n}, nil
}

// AccountDelete deletes an account without contacts. One that gained
// contacts since the confirmation page is refused with the reason.
func (s *Pages) AccountDelete(c *fiber.Ctx) error {
	err := s.customers.DeleteAccount(c.UserContext(), identity.Actor(c), input.Param(c, "id"))
	if err == nil {
		return c.Redirect("/accounts?deleted=1", fiber.StatusSeeOther)
	}
	if !errors.Is(err, customer.ErrConflict) {
		return err
	}
	page, perr := s.accountDeletion(c)
	if perr != nil {
		return perr
	}
	p := problem.Classify(err)
	page.Error = problem.Sentence(p.Msg)
	return s.views.Render(c, p.Status, "accounts_delete", "Delete "+page.Account.Name, page)
}
