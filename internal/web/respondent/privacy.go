package respondent

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// privacyOverviewPage is privacy.html: what Candor holds about the link's holder,
// in plain words, and what they can do about it.
type privacyOverviewPage struct {
	Name, Email, Company, Language, Since string

	Invitations []InvitationRow
	Responses   []privacyNamedRow
	Consents    []privacyConsentRow

	Done   string // the action just completed: "rectified", "confirm" (a link went to the new address) or "withdrawn"
	Form   RectifyForm
	Survey string // back to the survey, while it can be answered

	Export, Rectify, Withdraw, Erase string // where the actions post
}

type InvitationRow struct{ Survey, State, Sent string }

type privacyNamedRow struct {
	Survey, Date string
	Answers      []privacy.AnswerInfo
}

type privacyConsentRow struct {
	ID, Survey, Given, Ended, Text string
	Version                        int
	Active                         bool
}

// RectifyForm is the correction form as posted, with its problems.
type RectifyForm struct {
	Name, Email string
	Errors      map[string]string
}

// manageable resolves the link of a privacy page, or answers for it when
// it no longer opens one: after erasure, and a year after it expired.
func (s *Pages) manageable(c *fiber.Ctx, suffix string) (respond.Link, respondentView, bool, error) {
	token, l, err := s.resolveLink(c)
	if err != nil {
		return l, respondentView{}, false, err
	}
	v := privacyView(c, token, l, suffix)
	switch {
	case l.State == respond.StateErased:
		status := fiber.StatusGone
		if c.Query("done") == "erased" {
			status = fiber.StatusOK
		}
		return l, v, false, s.renderState(c, v, status, "erased", linkStatePage{})
	case !l.Manage:
		return l, v, false, s.renderState(c, v, fiber.StatusGone, "expired", linkStatePage{ManageText: v.msg.T("state.no_manage")})
	}
	return l, v, true, nil
}

// PrivacyPage shows the holder of a link their data.
func (s *Pages) PrivacyPage(c *fiber.Ctx) error {
	l, v, ok, err := s.manageable(c, "/privacy")
	if !ok {
		return err
	}
	return s.renderPrivacy(c, v, l, fiber.StatusOK, RectifyForm{})
}

func (s *Pages) renderPrivacy(c *fiber.Ctx, v respondentView, l respond.Link, status int, form RectifyForm) error {
	o, err := s.privacy.Overview(c.UserContext(), l.ContactID, v.locale, privacy.Requester{})
	if err != nil {
		return err
	}
	page := privacyOverviewPage{
		Name: o.Contact.Name, Email: o.Contact.Email, Company: o.Company,
		Language: i18n.Name(o.Contact.Locale), Since: i18n.FormatDate(v.locale, o.Contact.CreatedAt),
		Done: c.Query("done"), Form: form,
		Export: v.url("/privacy/export"), Rectify: v.url("/privacy/rectify"),
		Withdraw: v.url("/privacy/withdraw"), Erase: v.url("/privacy/erase"),
	}
	if page.Form.Name == "" && page.Form.Email == "" {
		page.Form.Name, page.Form.Email = o.Contact.Name, o.Contact.Email
	}
	if l.State == respond.StateOpen {
		page.Survey = v.url("")
	}
	for _, inv := range o.Invitations {
		page.Invitations = append(page.Invitations, InvitationRow{
			Survey: inv.SurveyTitle, State: invitationStateLabel(v.msg, inv.State), Sent: i18n.FormatDate(v.locale, inv.SentAt),
		})
	}
	for _, r := range o.Responses {
		page.Responses = append(page.Responses, privacyNamedRow{Survey: r.SurveyTitle, Date: respondentDay(v.locale, r.Date), Answers: r.Answers})
	}
	for _, ci := range o.Consents {
		row := privacyConsentRow{
			ID: ci.ID, Survey: ci.SurveyTitle, Given: i18n.FormatDate(v.locale, ci.GivenAt),
			Text: ci.Text, Version: ci.TextVersion, Active: ci.Active(),
		}
		if ci.EndedAt != nil {
			row.Ended = i18n.FormatDate(v.locale, *ci.EndedAt)
		}
		page.Consents = append(page.Consents, row)
	}
	data := v.layout(v.msg.T("privacy.title"), page)
	return s.renderRespondent(c, status, "privacy", data)
}

// respondentDay writes a stored day ("2026-11-25") the locale's way.
func respondentDay(locale, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return i18n.FormatDate(locale, t)
}

// PrivacyExport downloads everything held about the link's holder as JSON.
// A POST, never a GET: a link opened by a mail scanner must not produce a
// copy of someone's data.
func (s *Pages) PrivacyExport(c *fiber.Ctx) error {
	l, v, ok, err := s.manageable(c, "/privacy")
	if !ok {
		return err
	}
	if !s.allowRights(l) {
		return s.rightsLimited(c, v)
	}
	export, err := s.privacy.Export(c.UserContext(), l.ContactID, v.locale, privacy.Requester{})
	if err != nil {
		return err
	}
	return SendPersonalData(c, export)
}

// SendPersonalData answers with an export as a JSON file to save.
func SendPersonalData(c *fiber.Ctx, export privacy.Export) error {
	body, err := json.MarshalIndent(export, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="candor-personal-data-`+export.GeneratedAt.Format(time.DateOnly)+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusOK).Send(body)
}

// PrivacyRectify corrects the holder's name at once and asks the holder
// of a new email address to confirm it. Whether that address is another
// contact's makes no difference to the answer: a confirmation link goes to
// it either way, and only whoever opens it learns whether the change could
// be applied.
func (s *Pages) PrivacyRectify(c *fiber.Ctx) error {
	l, v, ok, err := s.manageable(c, "/privacy")
	if !ok {
		return err
	}
	if !s.allowRights(l) {
		return s.rightsLimited(c, v)
	}
	form := RectifyForm{Name: strings.TrimSpace(input.Form(c, "name")), Email: strings.TrimSpace(input.Form(c, "email"))}
	done, err := s.privacy.RequestCorrection(c.UserContext(), l.ContactID, form.Name, form.Email, v.locale)
	if fields := rectifyProblems(err, v.msg); fields != nil {
		form.Errors = fields
		return s.renderPrivacy(c, v, l, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	if done.EmailPending {
		return c.Redirect(v.url("/privacy")+"&done=confirm", fiber.StatusSeeOther)
	}
	return c.Redirect(v.url("/privacy")+"&done=rectified", fiber.StatusSeeOther)
}

// rectifyProblems turns a rejected correction into messages by field, in
// the respondent's language; nil for any other error.
func rectifyProblems(err error, msg i18n.Catalog) map[string]string {
	got := fault.FieldsOf(err)
	if got == nil {
		return nil
	}
	fields := map[string]string{}
	if got["name"] != "" {
		fields["name"] = msg.T("privacy.rectify.name_invalid")
	}
	if got["email"] != "" {
		fields["email"] = msg.T("privacy.rectify.email_invalid")
	}
	return fields
}

// Limits on a person's privacy requests: enough for someone using their
// rights, too few to probe addresses or flood a mailbox with links.
const (
	RightsBurst = 10
	rightsEvery = 2 * time.Minute
)

// allowRights takes one of the person's requests from the limiter. The key
// is the contact, so holding several links buys no more.
func (s *Pages) allowRights(l respond.Link) bool {
	return s.rights.Allow(l.ContactID, time.Now())
}

// rightsLimited answers a request over the limit.
func (s *Pages) rightsLimited(c *fiber.Ctx, v respondentView) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(rightsEvery/time.Second)))
	return s.renderState(c, v, fiber.StatusTooManyRequests, "limited", linkStatePage{Manage: v.url("/privacy")})
}

// privacyEmailPage is privacy_email.html: the new address, and the button
// that confirms it.
type privacyEmailPage struct {
	Email, Action string
}

// emailChangeView is the view of a confirmation page, in the language the
// change was asked for in unless the URL says otherwise.
func emailChangeView(c *fiber.Ctx, locale string) respondentView {
	return newRespondentView(c, "", i18n.Supported(), locale, "en", "")
}

// EmailChangePage shows what a confirmation link would change. It only
// reads: a mail scanner opening the link must not confirm anything.
func (s *Pages) EmailChangePage(c *fiber.Ctx) error {
	token := input.Param(c, "token")
	ch, err := s.privacy.PendingEmailChange(c.UserContext(), token)
	v := emailChangeView(c, ch.Locale)
	if err != nil {
		return s.emailChangeProblem(c, v, err)
	}
	page := privacyEmailPage{Email: ch.Email, Action: "/e/" + url.PathEscape(token) + "?lang=" + url.QueryEscape(v.locale)}
	return s.renderRespondent(c, fiber.StatusOK, "privacy_email", v.layout(v.msg.T("email_change.title"), page))
}

// EmailChangeConfirm applies the change, once.
func (s *Pages) EmailChangeConfirm(c *fiber.Ctx) error {
	ch, err := s.privacy.ConfirmEmailChange(c.UserContext(), input.Param(c, "token"))
	v := emailChangeView(c, ch.Locale)
	if err != nil {
		return s.emailChangeProblem(c, v, err)
	}
	return s.renderState(c, v, fiber.StatusOK, "email_changed", linkStatePage{})
}

// emailChangeProblem answers a confirmation link that cannot change the
// address, or returns err when it is not about the link.
func (s *Pages) emailChangeProblem(c *fiber.Ctx, v respondentView, err error) error {
	switch {
	case errors.Is(err, privacy.ErrEmailUnavailable):
		return s.renderState(c, v, problem.Classify(err).Status, "email_failed", linkStatePage{})
	case errors.Is(err, privacy.ErrLinkExpired), errors.Is(err, privacy.ErrNotFound):
		return s.renderState(c, v, problem.Classify(err).Status, "email_link", linkStatePage{})
	}
	return err
}

// PrivacyWithdraw withdraws one of the holder's consents.
func (s *Pages) PrivacyWithdraw(c *fiber.Ctx) error {
	l, v, ok, err := s.manageable(c, "/privacy")
	if !ok {
		return err
	}
	err = s.privacy.Withdraw(c.UserContext(), l.ContactID, input.Form(c, "consent"), privacy.Requester{Via: privacy.ViaPrivacyPage})
	if errors.Is(err, privacy.ErrNotFound) {
		return c.Redirect(v.url("/privacy"), fiber.StatusSeeOther) // nothing of theirs to withdraw
	}
	if err != nil {
		return err
	}
	return c.Redirect(v.url("/privacy")+"&done=withdrawn", fiber.StatusSeeOther)
}

// privacyErasePage is privacy_erase.html: the consequences, then the POST.
type privacyErasePage struct {
	Action, Back string
}

// PrivacyEraseConfirm explains what erasure does before the holder confirms.
func (s *Pages) PrivacyEraseConfirm(c *fiber.Ctx) error {
	_, v, ok, err := s.manageable(c, "/privacy/erase")
	if !ok {
		return err
	}
	page := privacyErasePage{Action: v.url("/privacy/erase"), Back: v.url("/privacy")}
	return s.renderRespondent(c, fiber.StatusOK, "privacy_erase", v.layout(v.msg.T("erase.title"), page))
}

// PrivacyErase erases the holder of the link.
func (s *Pages) PrivacyErase(c *fiber.Ctx) error {
	l, v, ok, err := s.manageable(c, "/privacy")
	if !ok {
		return err
	}
	if err := s.privacy.Erase(c.UserContext(), l.ContactID, privacy.Requester{Via: privacy.ViaPrivacyPage}); err != nil {
		return err
	}
	return c.Redirect(v.url("/privacy")+"&done=erased", fiber.StatusSeeOther)
}
