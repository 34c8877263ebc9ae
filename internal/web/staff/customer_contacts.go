package staff

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
)

// contactRow is a contact as lists show it.
type contactRow struct {
	customer.Contact
	AccountName string
	Language    string // in English
	RoleLabel   string // empty when not set
	StatusLabel string
	Surveyed    string // date last surveyed, or ""
}

func contactRows(contacts []customer.Contact, accountNames map[string]string) []contactRow {
	rows := make([]contactRow, len(contacts))
	for i, ct := range contacts {
		rows[i] = contactRow{Contact: ct, AccountName: accountNames[ct.AccountID], Language: cmp.Or(i18n.EnglishName(ct.Locale), ct.Locale),
			RoleLabel: customer.RoleLabel(ct.Role), StatusLabel: contactStatusLabel(ct.Status)}
		if ct.LastSurveyedAt != nil {
			rows[i].Surveyed = ct.LastSurveyedAt.UTC().Format("2 Jan 2006")
		}
	}
	return rows
}

// languageName names a locale for staff: in English, with the language's
// own name when that differs ("Finnish (Suomi)").
func languageName(code string) string {
	english, own := i18n.EnglishName(code), i18n.Name(code)
	switch {
	case english == "":
		return code
	case own == "" || own == english:
		return english
	}
	return english + " (" + own + ")"
}

func contactStatusLabel(st contacts.Status) string {
	switch st {
	case contacts.Active:
		return "Active"
	case contacts.Unsubscribed:
		return "Unsubscribed"
	case contacts.Bounced:
		return "Bounced"
	case contacts.Erased:
		return "Erased"
	}
	return string(st)
}

type ContactsPage struct {
	Search     string
	AccountID  string
	Role       string          // the role filter: a role, customer.RoleNotSet, or empty
	Roles      []roleOption    // for the filter
	Accounts   []store.Account // for the filter
	Contacts   []contactRow
	Pager      pager.Pager
	Filtered   bool
	NoAccounts bool
	// SearchError says why the search was refused; nothing is listed then.
	SearchError string
	RoleError   string // why the role filter was refused
}

// roleOption is a role as selects offer it.
type roleOption struct{ Value, Label string }

func roleOptions() []roleOption {
	out := []roleOption{}
	for _, r := range contacts.Roles() {
		out = append(out, roleOption{Value: string(r), Label: customer.RoleLabel(r)})
	}
	return out
}

// ContactsPage lists the user's contacts, a page at a time, optionally of
// one account or matching a search: an exact email, or part of a name.
func (s *Pages) ContactsPage(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	search := strings.TrimSpace(utils.CopyString(c.Query("search")))
	accountID := utils.CopyString(c.Query("account"))
	role := strings.TrimSpace(utils.CopyString(c.Query("role")))
	n := pager.Number(c)

	accounts, err := s.customers.VisibleAccounts(ctx, who)
	if err != nil {
		return err
	}
	contacts, total, err := s.customers.ListContacts(ctx, who, customer.ContactQuery{
		AccountID: accountID, Search: search, Role: role,
		Page: store.Page{Offset: int64(n-1) * contactsPerPage, Limit: contactsPerPage},
	})
	if fields := fault.FieldsOf(err); fields["search"] != "" || fields["role"] != "" {
		page := ContactsPage{Search: search, AccountID: accountID, Role: role, Roles: roleOptions(), Accounts: accounts, Filtered: true}
		if msg := fields["search"]; msg != "" {
			page.SearchError = "The search " + msg + "."
		}
		if msg := fields["role"]; msg != "" {
			page.RoleError = "The role " + msg + "."
		}
		return s.views.Render(c, problem.Classify(err).Status, "contacts", "Contacts", page)
	}
	if err != nil {
		return err
	}

	page := ContactsPage{
		Search: search, AccountID: accountID, Role: role, Roles: roleOptions(), Accounts: accounts,
		Contacts:   contactRows(contacts, accountNames(accounts)),
		Pager:      pager.New("/contacts", url.Values{"search": {search}, "account": {accountID}, "role": {role}}, n, contactsPerPage, len(contacts), total),
		Filtered:   search != "" || accountID != "" || role != "",
		NoAccounts: len(accounts) == 0,
	}
	return s.views.Render(c, fiber.StatusOK, "contacts", "Contacts", page)
}

func accountNames(accounts []store.Account) map[string]string {
	names := make(map[string]string, len(accounts))
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	return names
}

// contactForm backs the new-contact page and the contact page.
type contactForm struct {
	Contact   customer.Contact // the contact being edited; zero on the new-contact page
	AccountID string
	Name      string
	Email     string
	Locale    string
	Role      string
	Roles     []roleOption
	Accounts  []store.Account
	Locales   []localeOption
	Errors    map[string]string // by field
	Error     string            // about the form as a whole
	Created   bool
	Saved     bool
	Erased    bool
	Status    string
	Surveyed  string
}

// localeOption is a supported locale: Label for selects ("Finnish
// (Suomi)"), English where space is short.
type localeOption struct{ Code, Label, English string }

func localeOptions() []localeOption {
	codes := i18n.Supported()
	out := make([]localeOption, len(codes))
	for i, code := range codes {
		out[i] = localeOption{Code: code, Label: languageName(code), English: i18n.EnglishName(code)}
	}
	return out
}

func (s *Pages) newContactForm(ctx context.Context, who store.User, in customer.ContactInput) (contactForm, error) {
	accounts, err := s.customers.VisibleAccounts(ctx, who)
	if err != nil {
		return contactForm{}, err
	}
	if in.Locale == "" {
		in.Locale = customer.DefaultLocale
	}
	return contactForm{AccountID: in.AccountID, Name: in.Name, Email: in.Email, Locale: in.Locale, Role: in.Role,
		Accounts: accounts, Locales: localeOptions(), Roles: roleOptions()}, nil
}

// ContactNew shows the empty form; ?account= preselects the account.
func (s *Pages) ContactNew(c *fiber.Ctx) error {
	form, err := s.newContactForm(c.UserContext(), identity.Actor(c), customer.ContactInput{AccountID: utils.CopyString(c.Query("account"))})
	if err != nil {
		return err
	}
	return s.views.Render(c, fiber.StatusOK, "contacts_new", "Add a contact", form)
}

// contactLabel names a field of the contact form in messages.
func contactLabel(field string) string {
	switch field {
	case "accountId":
		return "Account"
	case "name":
		return "Name"
	case "email":
		return "Email address"
	case "locale":
		return "Language"
	case "role":
		return "Role"
	}
	return ""
}

func contactInput(c *fiber.Ctx) customer.ContactInput {
	return customer.ContactInput{
		AccountID: input.Form(c, "accountId"),
		Name:      input.Form(c, "name"),
		Email:     input.Form(c, "email"),
		Locale:    input.Form(c, "locale"),
		Role:      input.Form(c, "role"),
	}
}

// ContactCreate adds a contact, or shows the form again with what was
// typed and a message by each invalid field.
func (s *Pages) ContactCreate(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	in := contactInput(c)

	ct, err := s.customers.CreateContact(ctx, who, in)
	if p := problem.WithFields(err); p != nil {
		form, ferr := s.newContactForm(ctx, who, in)
		if ferr != nil {
			return ferr
		}
		form.Errors = problem.FieldErrors(p.Fields, contactLabel)
		return s.views.Render(c, p.Status, "contacts_new", "Add a contact", form)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/contacts/"+url.PathEscape(ct.ID)+"?created=1", fiber.StatusSeeOther)
}

// ContactPage shows a contact's form.
func (s *Pages) ContactPage(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	ct, err := s.customers.Contact(ctx, who, input.Param(c, "id"))
	if err != nil {
		return err
	}
	form, err := s.contactEditForm(ctx, who, ct, customer.ContactInput{AccountID: ct.AccountID, Name: ct.Name, Email: ct.Email, Locale: ct.Locale, Role: string(ct.Role)})
	if err != nil {
		return err
	}
	form.Created, form.Saved = c.Query("created") == "1", c.Query("saved") == "1"
	return s.views.Render(c, fiber.StatusOK, "contacts_edit", contactTitle(ct), form)
}

func contactTitle(ct customer.Contact) string {
	if ct.Status == contacts.Erased {
		return "Erased contact"
	}
	return ct.Name
}

func (s *Pages) contactEditForm(ctx context.Context, who store.User, ct customer.Contact, in customer.ContactInput) (contactForm, error) {
	form, err := s.newContactForm(ctx, who, in)
	if err != nil {
		return contactForm{}, err
	}
	form.Contact, form.Erased, form.Status = ct, ct.Status == contacts.Erased, contactStatusLabel(ct.Status)
	if ct.LastSurveyedAt != nil {
		form.Surveyed = ct.LastSurveyedAt.UTC().Format("2 Jan 2006")
	}
	return form, nil
}

// ContactSave applies the form to a contact.
func (s *Pages) ContactSave(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	id := input.Param(c, "id")
	in := contactInput(c)

	_, err := s.customers.UpdateContact(ctx, who, id, customer.ContactPatch{AccountID: &in.AccountID, Name: &in.Name, Email: &in.Email, Locale: &in.Locale, Role: &in.Role})
	if err == nil {
		return c.Redirect("/contacts/"+url.PathEscape(id)+"?saved=1", fiber.StatusSeeOther)
	}
	p := problem.Classify(err)
	var fields map[string]string
	var formError string
	switch {
	case len(p.Fields) > 0:
		fields = problem.FieldErrors(p.Fields, contactLabel)
	case errors.Is(err, customer.ErrConflict):
		formError = problem.Sentence(p.Msg)
	default:
		return err
	}
	ct, err := s.customers.Contact(ctx, who, id)
	if err != nil {
		return err
	}
	form, err := s.contactEditForm(ctx, who, ct, in)
	if err != nil {
		return err
	}
	form.Errors, form.Error = fields, formError
	return s.views.Render(c, p.Status, "contacts_edit", contactTitle(ct), form)
}
