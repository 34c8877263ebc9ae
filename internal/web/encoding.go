package web

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/gofiber/fiber/v2"
)

// errUnsupportedEncoding answers a body in a content coding Candor does not
// read, or in several: each layer could multiply the size again.
var errUnsupportedEncoding = &problem.Problem{Status: fiber.StatusUnsupportedMediaType,
	Msg: "unsupported Content-Encoding: send the body uncompressed, or in one of gzip, deflate, br"}

// decodeBody inflates a compressed request body before anything reads it,
// and stops at the route's body limit. Left to Fiber, c.Body() and form
// parsing would inflate the whole body in memory first: a few hundred
// kilobytes of gzip make gigabytes. Once decoded, the body is stored plain
// and the Content-Encoding header dropped, so no later reader decodes again.
func (s *Server) decodeBody(c *fiber.Ctx) error {
	h := &c.Request().Header
	var coding []byte
	lines := 0
	h.VisitAll(func(k, v []byte) {
		if bytes.EqualFold(k, []byte(fiber.HeaderContentEncoding)) {
			lines++
			coding = bytes.TrimSpace(v)
		}
	})
	if lines == 0 || (lines == 1 && (len(coding) == 0 || bytes.EqualFold(coding, []byte("identity")))) {
		h.Del(fiber.HeaderContentEncoding)
		return c.Next()
	}
	if lines > 1 {
		return errUnsupportedEncoding
	}
	limit := s.routeBodyLimit(h.Method(), c.Request().URI().Path())
	body, err := decodeLimited(coding, c.Request().Body(), limit)
	if err != nil {
		c.Locals(inflatedKey{}, true) // a 413 now is about the decoded size
		return err
	}
	c.Request().SetBodyRaw(body)
	h.Del(fiber.HeaderContentEncoding)
	h.SetContentLength(len(body))
	return c.Next()
}

// inflatedKey marks a request whose body was inflated.
type inflatedKey struct{}

// wireLimit is the largest body a request may send: a compressed one is
// refused on the wire past bodyLimit, whatever its route accepts decoded.
func (s *Server) wireLimit(c *fiber.Ctx) int {
	h := &c.Request().Header
	if ce := h.Peek(fiber.HeaderContentEncoding); len(ce) > 0 && !bytes.EqualFold(ce, []byte("identity")) && c.Locals(inflatedKey{}) == nil {
		return bodyLimit
	}
	return s.routeBodyLimit(h.Method(), c.Request().URI().Path())
}

// decodeLimited inflates body in the given content coding to at most limit
// bytes: fiber.ErrRequestEntityTooLarge past it, 400 for a corrupt stream.
// A first pass only counts, so a bomb costs time but never memory; the
// second keeps the body, in a buffer of its exact size.
func decodeLimited(coding, body []byte, limit int) ([]byte, error) {
	n, err := inflate(coding, body, io.Discard, limit)
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, n))
	if _, err := inflate(coding, body, out, limit); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// inflate decodes body into w and returns the decoded size.
func inflate(coding, body []byte, w io.Writer, limit int) (int64, error) {
	var r io.Reader
	var err error
	src := bytes.NewReader(body)
	switch {
	case bytes.EqualFold(coding, []byte("gzip")), bytes.EqualFold(coding, []byte("x-gzip")):
		r, err = gzip.NewReader(src)
	case bytes.EqualFold(coding, []byte("deflate")):
		r, err = zlib.NewReader(src)
	case bytes.EqualFold(coding, []byte("br")):
		r = brotli.NewReader(src)
	default:
		return 0, errUnsupportedEncoding
	}
	if err != nil {
		return 0, corruptBody(err)
	}
	n, err := io.Copy(w, io.LimitReader(r, int64(limit)+1))
	switch {
	case n > int64(limit):
		return n, fiber.ErrRequestEntityTooLarge
	case err != nil:
		return n, corruptBody(err)
	}
	return n, nil
}

func corruptBody(error) error {
	return problem.BadRequest("the request body could not be decoded: it does not match its Content-Encoding", nil)
}
