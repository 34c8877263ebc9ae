package staff

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/candorhq/candor/internal/web/respondent"
)

// Admins handle data-subject requests for people who write in instead of
// using their link: the same overview and actions, each audit-logged with
// the admin's id before it is carried out.

// staffRequester is the signed-in admin acting on someone's request.
func staffRequester(c *fiber.Ctx) privacy.Requester {
	u, _ := identity.User(c)
	return privacy.Requester{Staff: &u, Via: privacy.ViaAdmin, RequestID: problem.RequestID(c)}
}

type privacySearchPage struct {
	Email    string
	NotFound bool
	Erased   bool
}

// AdminPrivacy shows the search for a person by email.
func (s *Pages) AdminPrivacy(c *fiber.Ctx) error {
	return s.views.Render(c, fiber.StatusOK, "admin_privacy", "Privacy requests", privacySearchPage{Erased: c.Query("done") == "erased"})
}

// AdminPrivacySearch finds a person by their exact email address. It is a
// POST so that the address never appears in a URL, and so in no log.
func (s *Pages) AdminPrivacySearch(c *fiber.Ctx) error {
	email := strings.TrimSpace(input.Form(c, "email"))
	contact, err := s.privacy.FindByEmail(c.UserContext(), email)
	if errors.Is(err, privacy.ErrNotFound) {
		return s.views.Render(c, fiber.StatusOK, "admin_privacy", "Privacy requests", privacySearchPage{Email: email, NotFound: true})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/privacy/"+url.PathEscape(contact.ID), fiber.StatusSeeOther)
}

// adminPersonPage is admin_privacy_person.html.
type adminPersonPage struct {
	O           privacy.Overview
	Invitations []respondent.InvitationRow
	Base        string // /admin/privacy/<id>
	Language    string
	Done        string
	Form        respondent.RectifyForm
}

// AdminPrivacyPerson shows what Candor holds about a person, with the
// actions their request may ask for.
func (s *Pages) AdminPrivacyPerson(c *fiber.Ctx) error {
	return s.renderPerson(c, fiber.StatusOK, respondent.RectifyForm{})
}

func (s *Pages) renderPerson(c *fiber.Ctx, status int, form respondent.RectifyForm) error {
	id := input.Param(c, "id")
	o, err := s.privacy.Overview(c.UserContext(), id, "en", staffRequester(c))
	if err != nil {
		return err
	}
	if form.Name == "" && form.Email == "" {
		form.Name, form.Email = o.Contact.Name, o.Contact.Email
	}
	page := adminPersonPage{O: o, Base: "/admin/privacy/" + url.PathEscape(id), Language: i18n.EnglishName(o.Contact.Locale), Done: c.Query("done"), Form: form}
	for _, inv := range o.Invitations {
		page.Invitations = append(page.Invitations, respondent.InvitationRow{Survey: inv.SurveyTitle, State: staffInvitationState(inv.State), Sent: inv.SentAt.UTC().Format("2 Jan 2006")})
	}
	title := o.Contact.Name
	if o.Erased() {
		title = "Erased person"
	}
	return s.views.Render(c, status, "admin_privacy_person", title, page)
}

// adminResponsePage is admin_privacy_response.html.
type adminResponsePage struct {
	Person   string // back to the person
	Response privacy.NamedResponse
}

// AdminPrivacyResponse shows a response that carries the person's name;
// opening it is audit-logged.
func (s *Pages) AdminPrivacyResponse(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	r, err := s.privacy.NamedResponse(c.UserContext(), id, input.Param(c, "response"), "en", staffRequester(c))
	if err != nil {
		return err
	}
	page := adminResponsePage{Person: "/admin/privacy/" + url.PathEscape(id), Response: r}
	return s.views.Render(c, fiber.StatusOK, "admin_privacy_response", "Named response", page)
}

// AdminPrivacyExport downloads everything held about the person, for the
// admin to send them.
func (s *Pages) AdminPrivacyExport(c *fiber.Ctx) error {
	export, err := s.privacy.Export(c.UserContext(), input.Param(c, "id"), "en", staffRequester(c))
	if err != nil {
		return err
	}
	return respondent.SendPersonalData(c, export)
}

// AdminPrivacyRectify corrects the person's name and email.
func (s *Pages) AdminPrivacyRectify(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	form := respondent.RectifyForm{Name: strings.TrimSpace(input.Form(c, "name")), Email: strings.TrimSpace(input.Form(c, "email"))}
	_, err := s.privacy.Rectify(c.UserContext(), id, form.Name, form.Email, staffRequester(c))
	switch fields := fault.FieldsOf(err); {
	case fields != nil:
		form.Errors = map[string]string{}
		for field, msg := range fields {
			form.Errors[field] = problem.Sentence(field + " " + msg)
		}
		return s.renderPerson(c, fiber.StatusUnprocessableEntity, form)
	case errors.Is(err, customer.ErrEmailTaken):
		form.Errors = map[string]string{"email": "Another contact has this email address."}
		return s.renderPerson(c, problem.Classify(err).Status, form)
	case err != nil:
		return err
	}
	return c.Redirect("/admin/privacy/"+url.PathEscape(id)+"?done=rectified", fiber.StatusSeeOther)
}

// AdminPrivacyWithdraw withdraws one of the person's consents.
func (s *Pages) AdminPrivacyWithdraw(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	if err := s.privacy.Withdraw(c.UserContext(), id, input.Form(c, "consent"), staffRequester(c)); err != nil {
		return err
	}
	return c.Redirect("/admin/privacy/"+url.PathEscape(id)+"?done=withdrawn", fiber.StatusSeeOther)
}

// AdminPrivacyEraseConfirm explains what erasure does before the admin
// confirms it.
func (s *Pages) AdminPrivacyEraseConfirm(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	o, err := s.privacy.Overview(c.UserContext(), id, "en", staffRequester(c))
	if err != nil {
		return err
	}
	if o.Erased() {
		return privacy.ErrErased
	}
	return s.views.Render(c, fiber.StatusOK, "admin_privacy_erase", "Erase "+o.Contact.Name, adminPersonPage{O: o, Base: "/admin/privacy/" + url.PathEscape(id)})
}

// AdminPrivacyErase erases the person.
func (s *Pages) AdminPrivacyErase(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	if err := s.privacy.Erase(c.UserContext(), id, staffRequester(c)); err != nil {
		return err
	}
	return c.Redirect("/admin/privacy/"+url.PathEscape(id)+"?done=erased", fiber.StatusSeeOther)
}

// staffInvitationState is an invitation state for staff.
func staffInvitationState(st store.InvitationState) string {
	switch st {
	case store.InvitationPending:
		return "Not answered"
	case store.InvitationAnswered:
		return "Answered"
	case store.InvitationRevoked:
		return "Revoked"
	}
	return string(st)
}
