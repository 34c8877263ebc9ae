package respondent

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/input"
)

// Where a survey's branding is served from, for respondent pages, the
// builder's preview and emails alike. Both are named by their content (a
// logo by its hash, a stylesheet by its colour), so they never change and
// can be cached for good; and neither names the survey, so they tell
// nobody which survey a page belongs to.
const (
	LogoPath       = "/brand/logo/"   // + the logo's id
	AccentCSSPath  = "/brand/accent/" // + "rrggbb.css"
	brandCacheLife = "public, max-age=31536000, immutable"
)

// LogoSource finds uploaded logos (*authoring.Service).
type LogoSource interface {
	Logo(ctx context.Context, id string) (store.Logo, error)
}

var _ LogoSource = (*authoring.Service)(nil)

// Brand is a survey's branding as a page shows it; nil is Candor's own.
//
// The accent colour reaches the page as a stylesheet of its own, since the
// Content-Security-Policy allows no inline styles: a stylesheet per colour
// rather than per survey, built from the colour in its URL, so that it
// needs no database look-up and serves every survey of that colour.
type Brand struct {
	LogoURL, LogoAlt string
	Stylesheet       string // sets --brand on .branded; "" without an accent
}

// BrandOf is how a page shows b; a colour that is not valid, or too light
// for white text, is left out (the builder says why).
func BrandOf(b survey.Branding) *Brand {
	br := &Brand{}
	if b.LogoID != "" {
		br.LogoURL, br.LogoAlt = LogoPath+url.PathEscape(b.LogoID), b.SenderName
	}
	if c, ok := survey.ParseColour(strings.TrimSpace(b.Accent)); ok && survey.ContrastWithWhite(c) >= survey.MinAccentContrast {
		br.Stylesheet = AccentCSSPath + c.String()[1:] + ".css"
	}
	if *br == (Brand{}) {
		return nil
	}
	return br
}

// Logo serves an uploaded logo to anyone: respondents have no session, and
// mail clients fetch it too. Its type is the one its content was checked to
// be when uploaded and again now (nosniff is set for every response).
func (s *Pages) Logo(c *fiber.Ctx) error {
	if s.logos == nil {
		return fiber.ErrNotFound
	}
	l, err := s.logos.Logo(c.UserContext(), input.Param(c, "id"))
	if errors.Is(err, authoring.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, l.ContentType)
	c.Set(fiber.HeaderCacheControl, brandCacheLife)
	c.Set(fiber.HeaderContentDisposition, "inline")
	return c.Send(l.Data)
}

// AccentStylesheet serves the stylesheet of one accent colour:
// /brand/accent/0b5cad.css. Only colours that white text can be read on
// are served.
func (s *Pages) AccentStylesheet(c *fiber.Ctx) error {
	hex, ok := strings.CutSuffix(input.Param(c, "file"), ".css")
	colour, valid := survey.ParseColour("#" + hex)
	if !ok || !valid || hex != strings.ToLower(hex) || survey.ContrastWithWhite(colour) < survey.MinAccentContrast {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, brandCacheLife)
	return c.SendString(accentCSS(colour))
}

// accentCSS sets the custom properties candor.css colours .branded pages
// with.
func accentCSS(c survey.RGB) string {
	return ".branded{--brand:" + c.String() + ";--brand-hover:" + c.Hover().String() + "}\n"
}
