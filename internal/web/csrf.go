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

	"github.com/candorhq/candor/internal/keys"
)

const (
	csrfCookie = "candor_csrf"
	csrfField  = "_csrf"
	csrfTTL    = 12 * time.Hour // a working day; the token is not a credential on its own
)

type (
	csrfTokenKey   struct{}
	csrfHandlerKey struct{}
)

// csrfProtection guards every staff form with Fiber's double-submit CSRF
// middleware: the token in the _csrf field must match the candor_csrf
// cookie. Fetch metadata adds a second check where browsers send it.
func (s *Server) csrfProtection(tokens *csrfTokens) fiber.Handler {
	protect := csrf.New(csrf.Config{
		KeyLookup:         "form:" + csrfField,
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
		if !safeMethod(c.Method()) {
			switch c.Get("Sec-Fetch-Site") {
			case "cross-site", "same-site":
				return errCSRF
			}
		}
		return protect(c)
	}
}

var errCSRF = &problem{
	status:  fiber.StatusForbidden,
	msg:     "invalid or missing CSRF token",
	heading: "This form has expired",
	detail:  "The form was open too long or did not come from Candor. Please go back, reload the page and try again.",
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions || m == fiber.MethodTrace
}

// csrfToken is the token for the hidden _csrf field; empty outside the
// staff routes.
func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfTokenKey{}).(string)
	return t
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
