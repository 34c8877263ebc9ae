package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestStaticCacheBusting(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	page := s.client(t).get("/login").body
	m := regexp.MustCompile(`href="(/static/css/candor\.([0-9a-f]{10})\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("login page links no content-hashed stylesheet:\n%s", truncate(page))
	}
	hashed, hash := m[1], m[2]
	stale := strings.Replace(hashed, hash, "0000000000", 1)

	tests := []struct {
		name, path, wantCache string
		wantStatus            int
	}{
		{"current hash is immutable", hashed, cacheImmutable, http.StatusOK},
		{"another release's hash must revalidate", stale, cacheRevalid, http.StatusOK},
		{"plain name must revalidate", "/static/css/candor.css", cacheRevalid, http.StatusOK},
		{"favicon", "/static/img/favicon.svg", cacheRevalid, http.StatusOK},
		{"unknown file", "/static/css/other.css", "no-store", http.StatusNotFound},
		{"no path traversal", "/static/../embed.go", "no-store", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := s.client(t).get(tt.path)
			wantStatus(t, r, tt.wantStatus)
			if got := r.Header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if tt.wantStatus == http.StatusOK && strings.HasSuffix(tt.path, ".css") {
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
					t.Errorf("Content-Type = %q", ct)
				}
				if !strings.Contains(r.body, "--accent") {
					t.Error("body is not the stylesheet")
				}
			}
		})
	}

	t.Run("ETag answers 304", func(t *testing.T) {
		t.Parallel()
		c := s.client(t)
		etag := c.get("/static/css/candor.css").Header.Get("ETag")
		if etag != `"`+hash+`"` {
			t.Fatalf("ETag = %q, want the content hash %q", etag, hash)
		}
		c.header.Set("If-None-Match", etag)
		wantStatus(t, c.get("/static/css/candor.css"), http.StatusNotModified)
	})
}

func TestStripHash(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"css/candor.0123456789.css", "css/candor.css"},
		{"css/candor.css", "css/candor.css"},
		{"img/favicon.svg", "img/favicon.svg"},
		{"a.b/file", "a.b/file"},
	}
	for _, tt := range tests {
		if got := stripHash(tt.in); got != tt.want {
			t.Errorf("stripHash(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
