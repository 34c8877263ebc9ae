package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

const (
	csrfCookie = "candor_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	csrfTTL    = 12 * time.Hour // a working day; the token is not a credential on its own
	// presessionCookie binds the CSRF token of forms shown before sign-in
	// (sign-in, forgotten and reset password) to the browser.
	presessionCookie = "candor_presession"
)

type (
	csrfTokenKey   struct{}
	csrfHandlerKey struct{}
)

// csrfProtection guards every staff form with Fiber's double-submit CSRF
// middleware: the token in the _csrf body field (or the X-CSRF-Token
// header), never the query string, must match the candor_csrf cookie and
// be bound to the session it was shown in (see csrfExtractor). Fetch
// metadata adds a second check where browsers send it.
func (s *Server) csrfProtection(tokens *csrfTokens) fiber.Handler {
	protect := csrf.New(csrf.Config{
		Extractor:         s.csrfExtractor(tokens),
		CookieName:        csrfCookie,
		CookiePath:        "/",
		CookieSecure:      s.cfg.Secure(),
		CookieHTTPOnly:    true,
		CookieSameSite:    fiber.CookieSameSiteLaxMode,
		Expiration:        csrfTTL,
		KeyGenerator:      tokens.generate,
		Storage:           tokens,
		ContextKey:        csrfTokenKey{},
		HandlerContextKey: csrfHandlerKey{},
		ErrorHandler:      func(*fiber.Ctx, error) error { return errCSRF },
	})
	return func(c *fiber.Ctx) error {
		if !input.SafeMethod(c.Method()) {
			switch c.Get("Sec-Fetch-Site") {
			case "cross-site", "same-site":
				return errCSRF
			}
		}
		return protect(c)
	}
}

var errCSRF = &problem.Problem{
	Status:  fiber.StatusForbidden,
	Msg:     "invalid or missing CSRF token",
	Heading: "This form has expired",
	Detail:  "The form was open too long or did not come from Candor. Please go back, reload the page and try again.",
}

// csrfToken is the token for the hidden _csrf field: the middleware's
// token with a MAC binding it to this session; empty outside the staff
// routes.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfTokenKey{}).(string)
	if t == "" {
		return ""
	}
	return t + "~" + s.csrfTokens.bind(t, s.csrfBinding(c, true))
}

// csrfExtractor reads the submitted token from the form body or the
// header (Fiber's CsrfFromForm would also read the query string, where a
// token leaks into logs and Referer headers), checks its binding to this
// session and gives the middleware the part it compares with the cookie.
func (s *Server) csrfExtractor(tokens *csrfTokens) func(*fiber.Ctx) (string, error) {
	return func(c *fiber.Ctx) (string, error) {
		submitted := c.Get(csrfHeader)
		if submitted == "" {
			if vs := input.Values(c, csrfField); len(vs) > 0 {
				submitted = vs[0]
			}
		}
		base, mac, ok := strings.Cut(submitted, "~")
		if !ok || base == "" || mac == "" {
			return "", csrf.ErrTokenNotFound
		}
		if !hmac.Equal([]byte(mac), []byte(tokens.bind(base, s.csrfBinding(c, false)))) {
			return "", csrf.ErrTokenInvalid
		}
		return base, nil
	}
}

type presessionKey struct{}

// csrfBinding names what a form token is bound to: the signed-in user and
// their credential generation (stable while the session is renewed, and
// ended by "sign out everywhere"), or before sign-in the browser's
// pre-session cookie, which create sets when missing.
func (s *Server) csrfBinding(c *fiber.Ctx, create bool) string {
	if raw := c.Cookies(sessionCookie); raw != "" {
		if claims, err := s.auth.ParseToken(raw, auth.AudienceSession); err == nil {
			return "user|" + claims.Subject + "|" + strconv.FormatInt(claims.Gen, 10)
		}
	}
	pre := c.Cookies(presessionCookie)
	if pre == "" {
		pre, _ = c.Locals(presessionKey{}).(string)
	}
	if pre == "" && create {
		pre = rand.Text()
		c.Locals(presessionKey{}, pre)
		c.Cookie(&fiber.Cookie{Name: presessionCookie, Value: pre, Path: "/", Secure: s.cfg.Secure(),
			HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	}
	if pre == "" {
		return "none" // nothing to bind to: no token can match
	}
	return "pre|" + pre
}

// rotateCSRF expires the CSRF cookie, so that the next page gets a fresh
// token: a token known before sign-in is not used after it.
func rotateCSRF(c *fiber.Ctx) {
	if h, ok := c.Locals(csrfHandlerKey{}).(*csrf.CSRFHandler); ok {
		_ = h.DeleteToken(c) // fails only when there was no cookie to expire
	}
}

// csrfTokens issues tokens that verify themselves: "kid.expiry.nonce.mac",
// an HMAC under a key derived from the ring. As the middleware's Storage it
// keeps nothing, so every replica accepts a token another one issued and a
// restart invalidates no open form.
type csrfTokens struct {
	current string
	keys    map[string][]byte // by root key id, so rotated keys still verify
	now     func() time.Time
}

func newCSRFTokens(ring *keys.Ring) (*csrfTokens, error) {
	t := &csrfTokens{current: ring.CurrentID(), keys: map[string][]byte{}, now: time.Now}
	for _, id := range ring.IDs() {
		k, err := ring.Derive(id, keys.PurposeCSRF)
		if err != nil {
			return nil, fmt.Errorf("web: csrf key: %w", err)
		}
		t.keys[id] = k
	}
	return t, nil
}

func (t *csrfTokens) generate() string {
	nonce := make([]byte, 18)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	body := t.current + "." + strconv.FormatInt(t.now().Add(csrfTTL).Unix(), 36) + "." +
		base64.RawURLEncoding.EncodeToString(nonce)
	return body + "." + base64.RawURLEncoding.EncodeToString(t.mac(t.keys[t.current], body))
}

// bind is the MAC that ties token to binding, under the key of the
// token's own key id, so that rotated keys keep verifying.
func (t *csrfTokens) bind(token, binding string) string {
	kid, _, _ := strings.Cut(token, ".")
	key, ok := t.keys[kid]
	if !ok {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(t.mac(key, "bind|"+binding+"|"+token))
}

func (t *csrfTokens) mac(key []byte, body string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(body))
	return h.Sum(nil)
}

func (t *csrfTokens) valid(token string) bool {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return false
	}
	body, sig := token[:i], token[i+1:]
	parts := strings.Split(body, ".")
	if len(parts) != 3 {
		return false
	}
	key, ok := t.keys[parts[0]]
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, t.mac(key, body)) {
		return false
	}
	exp, err := strconv.ParseInt(parts[1], 36, 64)
	return err == nil && t.now().Unix() < exp
}

// Get, Set, Delete, Reset and Close make csrfTokens a fiber.Storage.

func (t *csrfTokens) Get(token string) ([]byte, error) {
	if t.valid(token) {
		return []byte{1}, nil
	}
	return nil, nil
}

func (*csrfTokens) Set(string, []byte, time.Duration) error { return nil } // the token carries its expiry
func (*csrfTokens) Delete(string) error                     { return nil }
func (*csrfTokens) Reset() error                            { return nil }
func (*csrfTokens) Close() error                            { return nil }

var _ fiber.Storage = (*csrfTokens)(nil)
