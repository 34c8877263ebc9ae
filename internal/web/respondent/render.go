package respondent

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// respondentView is the state every respondent page is rendered in: the
// link it is for, the language, and the messages in it.
type respondentView struct {
	token     string
	locale    string
	available []string // the languages the switcher offers
	msg       i18n.Catalog
	suffix    string // the page's path after the token, for the switcher
	keep      string // query parameters the switcher keeps ("&q=…&v=…"), after lang
	brand     *Brand // the survey's branding; nil: Candor's
}

// newRespondentView picks the language from the URL (?lang=), the
// contact's own, the browser's, or fallback, among available.
func newRespondentView(c *fiber.Ctx, token string, available []string, contactLocale, fallback, suffix string) respondentView {
	// An answer form says which language it was shown in; other pages
	// carry it in the URL.
	requested := c.FormValue(LocaleField)
	if requested == "" {
		requested = c.Query("lang")
	}
	loc := respond.Locale(available, requested, contactLocale, c.Get(fiber.HeaderAcceptLanguage), fallback)
	return respondentView{token: token, locale: loc, available: available, msg: i18n.RespondentMessages(loc), suffix: suffix}
}

// surveyView is a view for a link's survey pages, in the survey's languages.
func surveyView(c *fiber.Ctx, token string, l respond.Link, suffix string) respondentView {
	v := newRespondentView(c, token, l.Survey.Locales, l.ContactLocale, l.Survey.DefaultLocale, suffix)
	v.brand = BrandOf(l.Survey.Branding)
	return v
}

// privacyView is a view for a link's privacy pages, in any language
// Candor speaks: a person's rights do not depend on a survey's languages.
func privacyView(c *fiber.Ctx, token string, l respond.Link, suffix string) respondentView {
	v := newRespondentView(c, token, i18n.Supported(), l.ContactLocale, l.Survey.DefaultLocale, suffix)
	v.brand = BrandOf(l.Survey.Branding)
	return v
}

// url is a path under the link, in the view's language.
func (v respondentView) url(suffix string) string {
	return "/s/" + url.PathEscape(v.token) + suffix + "?lang=" + url.QueryEscape(v.locale)
}

// respondentLayout is what respond_layout.html receives.
type respondentLayout struct {
	Lang    string
	Title   string
	Msg     i18n.Catalog
	Locales []respondentLocale
	Privacy string // the privacy page, linked from the footer; empty when not offered
	Brand   *Brand // the survey's logo and colour; nil: Candor's
	Script  string // a script of public/ the page is enhanced with; none without
	Page    any
}

// respondentLocale is one entry of the language switcher: this page in
// another language.
type respondentLocale struct {
	Code, Native, Href string
	Current            bool
}

func (v respondentView) layout(title string, page any) respondentLayout {
	l := respondentLayout{Lang: v.locale, Title: title, Msg: v.msg, Brand: v.brand, Page: page}
	if len(v.available) > 1 && v.token != "" {
		for _, code := range v.available {
			l.Locales = append(l.Locales, respondentLocale{
				Code: code, Native: i18n.Name(code), Current: code == v.locale,
				Href: "/s/" + url.PathEscape(v.token) + v.suffix + "?lang=" + url.QueryEscape(code) + v.keep,
			})
		}
	}
	return l
}

// renderRespondent renders a respondent page.
func (s *Pages) renderRespondent(c *fiber.Ctx, status int, name string, data respondentLayout) error {
	return s.views.Render(c, status, name, data)
}

// linkStatePage is respond_state.html: a heading, what happened, and what the
// respondent can still do.
type linkStatePage struct {
	Heading, Body string
	Manage        string // link to the privacy page; empty when not offered
	ManageText    string // what the privacy page offers them
	Withdraw      string // form action to remove their name; empty when not named
	Reference     string // request id of a failure
}

// renderState shows a page about a link's state with its status.
func (s *Pages) renderState(c *fiber.Ctx, v respondentView, status int, key string, p linkStatePage) error {
	p.Heading = v.msg.T("state." + key + ".title")
	if p.Body == "" {
		p.Body = v.msg.T("state." + key + ".body")
	}
	data := v.layout(p.Heading, p)
	data.Privacy = p.Manage
	return s.renderRespondent(c, status, "respond_state", data)
}

// linkState shows what a link that cannot be answered may still do.
func (s *Pages) linkState(c *fiber.Ctx, v respondentView, l respond.Link) error {
	p := linkStatePage{}
	if l.Manage {
		p.Manage, p.ManageText = v.url("/privacy"), v.msg.T("state.manage")
	}
	switch l.State {
	case respond.StateAnswered:
		if l.Named() {
			p.Withdraw = v.url("/withdraw")
		}
		return s.renderState(c, v, fiber.StatusOK, "answered", p)
	case respond.StateExpired:
		if !l.Manage {
			p.ManageText = v.msg.T("state.no_manage")
		}
		return s.renderState(c, v, fiber.StatusGone, "expired", p)
	case respond.StateRevoked:
		return s.renderState(c, v, fiber.StatusGone, "revoked", p)
	case respond.StateClosed:
		return s.renderState(c, v, fiber.StatusGone, "closed", p)
	case respond.StateErased:
		return s.renderState(c, v, fiber.StatusGone, "erased", linkStatePage{})
	}
	return fmt.Errorf("web: link in state %q has no page", l.State)
}

// invalidLink answers a token that is not genuine with a page that says
// only that the link does not work.
func (s *Pages) invalidLink(c *fiber.Ctx) error {
	v := newRespondentView(c, "", i18n.Supported(), "", "en", "")
	return s.renderState(c, v, fiber.StatusNotFound, "invalid", linkStatePage{})
}

// Guard applies to every respondent page: nothing is cached (the
// pages show personal data and depend on state), nothing is indexed, and
// a form posted from another site is refused, since there is no CSRF
// token without a cookie to bind it to.
func (s *Pages) Guard(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	if !input.SafeMethod(c.Method()) && c.Get("Sec-Fetch-Site") == "cross-site" {
		v := newRespondentView(c, "", i18n.Supported(), "", "en", "")
		return s.renderState(c, v, fiber.StatusForbidden, "forbidden", linkStatePage{})
	}
	return c.Next()
}

// ShowErrors runs the rest of a respondent route and shows any error it
// returns on a respondent page in the visitor's language, never a staff
// page.
func (s *Pages) ShowErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	if errors.Is(err, respond.ErrInvalidLink) || errors.Is(err, privacy.ErrNotFound) {
		return s.invalidLink(c)
	}
	p := problem.Classify(err)
	if p.Status < 500 {
		return err // the error handler's page fits: a 413, say
	}
	s.logFailure(c, p.Status, err)
	if p.Status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	v := newRespondentView(c, "", i18n.Supported(), "", "en", "")
	return s.renderState(c, v, p.Status, "error", linkStatePage{Reference: problem.RequestID(c)})
}

// invitationStateLabel is an invitation state in the respondent's words.
func invitationStateLabel(msg i18n.Catalog, st store.InvitationState) string {
	return msg.T("privacy.state." + string(st))
}
