package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// assets serves the embedded static files. Each is also reachable under a
// name carrying a hash of its content, which pages link to: such a URL can
// be cached for good, and a new release links to new URLs.
type assets struct {
	byName   map[string]*asset // "css/candor.css"
	byHashed map[string]*asset // "css/candor.0123456789.css"
}

type asset struct {
	data   []byte
	hash   string
	mime   string
	hashed string // the content-hashed name
}

const (
	staticPrefix   = "/static/"
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheRevalid   = "no-cache" // may be stored, but checked with the ETag before each use
)

func loadAssets(fsys fs.FS) (*assets, error) {
	st := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".go") {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		a := &asset{data: data, hash: hex.EncodeToString(sum[:5]), mime: mime.TypeByExtension(ext)}
		if a.mime == "" {
			a.mime = fiber.MIMEOctetStream
		}
		a.hashed = strings.TrimSuffix(name, ext) + "." + a.hash + ext
		st.byName[name] = a
		st.byHashed[a.hashed] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return st, nil
}

// url is the template function {{asset "css/candor.css"}}.
func (st *assets) url(name string) (string, error) {
	a, ok := st.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return staticPrefix + a.hashed, nil
}

// serve answers /static/*. A content-hashed name is immutable; a plain name,
// or a hash from another release, gets the current file but must be
// revalidated.
func (st *assets) serve(c *fiber.Ctx) error {
	name := c.Params("*")
	a, immutable := st.byHashed[name]
	if !immutable {
		if a = st.byName[name]; a == nil {
			a = st.byName[stripHash(name)]
		}
	}
	if a == nil {
		return fiber.ErrNotFound
	}
	etag := `"` + a.hash + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderContentType, a.mime)
	if immutable {
		c.Set(fiber.HeaderCacheControl, cacheImmutable)
	} else {
		c.Set(fiber.HeaderCacheControl, cacheRevalid)
	}
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(a.data)
}

// stripHash turns "css/candor.<anything>.css" into "css/candor.css".
func stripHash(name string) string {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if i := strings.LastIndexByte(base, '.'); i > strings.LastIndexByte(base, '/') {
		return base[:i] + ext
	}
	return name
}
