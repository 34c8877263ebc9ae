package respondent

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// Unsubscribe links (/u/{token}) are respondent pages: the token is the
// credential, there is no session, no cookie and no CSRF token. GET only
// asks, because mail scanners follow links; POST unsubscribes at once,
// which is what mail providers' one-click unsubscribe (RFC 8058) sends.

// UnsubscribeGuard keeps the pages out of caches and search engines.
func (s *Pages) UnsubscribeGuard(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return c.Next()
}

// unsubscribeView is what unsubscribe.html shows.
type unsubscribeView struct {
	Lang      string
	Title     string
	Msg       i18n.Catalog // the respondent pages' shared wording
	Text      unsubscribeText
	Heading   string
	Body      string
	Explain   string
	Action    string // the form's target; empty when there is nothing to confirm
	Reference string // request id of a failure
}

// UnsubscribePage asks whether to unsubscribe, and changes nothing.
func (s *Pages) UnsubscribePage(c *fiber.Ctx) error {
	token := input.Param(c, "token")
	sub, err := s.campaigns.Subscription(c.UserContext(), token)
	if err != nil {
		return s.unsubscribeFailure(c, err)
	}
	v := newUnsubscribeView(c, sub.Locale)
	if sub.Unsubscribed {
		return s.renderUnsubscribe(c, fiber.StatusOK, v.done(sub))
	}
	v.Heading = v.Text.QuestionNoEmail
	if sub.MaskedEmail != "" {
		v.Heading = fmt.Sprintf(v.Text.Question, sub.MaskedEmail)
	}
	v.Explain = v.Text.Explain
	v.Action = "/u/" + url.PathEscape(token)
	return s.renderUnsubscribe(c, fiber.StatusOK, v)
}

// UnsubscribeSubmit unsubscribes at once.
func (s *Pages) UnsubscribeSubmit(c *fiber.Ctx) error {
	sub, err := s.campaigns.Unsubscribe(c.UserContext(), input.Param(c, "token"))
	if err != nil {
		return s.unsubscribeFailure(c, err)
	}
	return s.renderUnsubscribe(c, fiber.StatusOK, newUnsubscribeView(c, sub.Locale).done(sub))
}

func (v unsubscribeView) done(sub invite.Subscription) unsubscribeView {
	v.Heading, v.Body = v.Text.DoneTitle, v.Text.DoneBodyNoEmail
	if sub.MaskedEmail != "" {
		v.Body = fmt.Sprintf(v.Text.DoneBody, sub.MaskedEmail)
	}
	return v
}

// unsubscribeFailure answers a link that does not work with a page in the
// visitor's language: never a staff page, never a 500 for a bad token.
func (s *Pages) unsubscribeFailure(c *fiber.Ctx, err error) error {
	v := newUnsubscribeView(c, "")
	switch {
	case errors.Is(err, invite.ErrLinkExpired):
		v.Heading, v.Body = v.Text.ExpiredTitle, v.Text.ExpiredBody
		return s.renderUnsubscribe(c, problem.Classify(err).Status, v)
	case errors.Is(err, invite.ErrLinkInvalid):
		v.Heading, v.Body = v.Text.InvalidTitle, v.Text.InvalidBody
		return s.renderUnsubscribe(c, problem.Classify(err).Status, v)
	}
	p := problem.Classify(err)
	s.logFailure(c, p.Status, err)
	if p.Status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	v.Heading, v.Body, v.Reference = v.Text.ErrorTitle, v.Text.ErrorBody, problem.RequestID(c)
	return s.renderUnsubscribe(c, p.Status, v)
}

// newUnsubscribeView picks the contact's language, or the browser's.
func newUnsubscribeView(c *fiber.Ctx, contactLocale string) unsubscribeView {
	locale, ok := i18n.Normalize(contactLocale)
	if !ok {
		locale = i18n.Negotiate(c.Get(fiber.HeaderAcceptLanguage), i18n.Supported(), "en")
	}
	text := unsubscribeTexts(locale)
	return unsubscribeView{Lang: locale, Title: text.Title, Msg: i18n.RespondentMessages(locale), Text: text}
}

// renderUnsubscribe renders unsubscribe.html's own document, not the staff
// layout.
func (s *Pages) renderUnsubscribe(c *fiber.Ctx, status int, v unsubscribeView) error {
	return s.views.RenderBlock(c, status, "unsubscribe", "unsubscribe-page", v)
}
