//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// peakLimit is the most memory `candor serve`, with its embedded database,
// may hold while it is sent hostile bodies.
const peakLimit = 150 << 20

// TestHostileBodies sends compressed bombs, unknown and stacked codings,
// corrupt streams and oversized bodies to the routes that read a body
// before and after sign-in, several at once. Every answer must be the 4xx
// that names the problem, and the server must never inflate a bomb: its
// peak resident memory stays under peakLimit.
func TestHostileBodies(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := newClient(s.URL)
	token, err := c.token(ctx, adminEmail, adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	bearer := "Bearer " + token
	t.Logf("peak resident memory of candor serve after start: %d MB", s.peakRSS(t)>>20)

	// Each bomb inflates to 400 MB from a few hundred kilobytes on the wire:
	// under the 1 MB limit for what is received.
	const inflated = 400 << 20
	bombs := map[string][]byte{
		"gzip":    deflated(t, "gzip", inflated),
		"deflate": deflated(t, "deflate", inflated),
		"br":      deflated(t, "br", inflated),
	}
	for coding, b := range bombs {
		if len(b) >= 1<<20 {
			t.Fatalf("the %s bomb is %d bytes: it would be refused unread", coding, len(b))
		}
	}
	small := deflated(t, "gzip", 10)

	routes := []struct{ method, path, contentType, auth string }{
		{http.MethodPost, "/api/v1/auth/token", "application/json", ""},
		{http.MethodPost, "/login", "application/x-www-form-urlencoded", ""},
		{http.MethodPost, "/api/v1/accounts", "application/json", bearer},
		{http.MethodPost, "/api/v1/contacts/import", "text/csv", bearer},
		{http.MethodPost, "/contacts/import", "multipart/form-data; boundary=x", ""},
		{http.MethodPost, "/s/not-a-token", "application/x-www-form-urlencoded", ""},
		{http.MethodGet, "/healthz", "application/json", ""},
	}
	type shot struct {
		name, coding string
		body         []byte
		want         int
	}
	var shots []shot
	for coding, b := range bombs {
		shots = append(shots, shot{coding + " bomb", coding, b, http.StatusRequestEntityTooLarge})
	}
	shots = append(shots,
		shot{"stacked codings", "gzip, gzip", small, http.StatusUnsupportedMediaType},
		shot{"unknown coding", "compress", small, http.StatusUnsupportedMediaType},
		shot{"corrupt gzip", "gzip", []byte("\x1f\x8b\x08\x00not gzip at all"), http.StatusBadRequest},
		shot{"truncated gzip", "gzip", small[:len(small)-6], http.StatusBadRequest},
		shot{"plain 2 MB", "", bytes.Repeat([]byte("a"), 2<<20), http.StatusRequestEntityTooLarge},
	)

	var wg sync.WaitGroup
	sem := make(chan struct{}, 4) // several bombs in flight at once
	var mu sync.Mutex
	var failures []string
	for _, r := range routes {
		for _, sh := range shots {
			if sh.coding == "" && strings.HasSuffix(r.path, "/contacts/import") {
				continue // an upload may be 32 MB
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				h := http.Header{"Content-Type": {r.contentType}}
				if sh.coding != "" {
					h.Set("Content-Encoding", sh.coding)
				}
				if r.auth != "" {
					h.Set("Authorization", r.auth)
				}
				var resp *http.Response
				var body []byte
				var err error
				if sh.coding == "" {
					// Refused before it is read, on the headers alone: a
					// client still writing the body would see the reset.
					resp, body, err = announce(s.URL, r.method, r.path, h, len(sh.body))
				} else {
					resp, body, err = c.do(ctx, r.method, r.path, h, bytes.NewReader(sh.body))
				}
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					failures = append(failures, fmt.Sprintf("%s %s, %s: %v", r.method, r.path, sh.name, err))
				case resp.StatusCode != sh.want:
					failures = append(failures, fmt.Sprintf("%s %s, %s: status %d, want %d: %.200s", r.method, r.path, sh.name, resp.StatusCode, sh.want, body))
				}
			}()
		}
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}

	peak := s.peakRSS(t)
	if peak == 0 {
		t.Skip("no /proc here: peak memory unknown")
	}
	t.Logf("peak resident memory of candor serve: %d MB", peak>>20)
	if peak > peakLimit {
		t.Errorf("candor serve peaked at %d MB resident, over %d MB", peak>>20, peakLimit>>20)
	}

	// The server still works for an honest, compressed request.
	var login bytes.Buffer
	zw := gzip.NewWriter(&login)
	fmt.Fprintf(zw, `{"email":%q,"password":%q}`, adminEmail, adminPassword)
	zw.Close()
	resp, body, err := c.do(ctx, http.MethodPost, "/api/v1/auth/token",
		http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, &login)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"token"`) {
		t.Errorf("a gzip-compressed sign-in: %v %v %.200s", err, resp != nil && resp.StatusCode == http.StatusOK, body)
	}
}

// announce sends only the head of a request whose body would have size
// bytes and reads the answer.
func announce(base, method, path string, h http.Header, size int) (*http.Response, []byte, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil, err
	}
	conn, err := net.DialTimeout("tcp", u.Host, stepTimeout)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(stepTimeout)); err != nil {
		return nil, nil, err
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, u.Host, size)
	if err := h.Write(&head); err != nil {
		return nil, nil, err
	}
	head.WriteString("\r\n")
	if _, err := conn.Write(head.Bytes()); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// deflated compresses n zero bytes in the given content coding.
func deflated(t *testing.T, coding string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch coding {
	case "gzip":
		w, err = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	case "deflate":
		w, err = zlib.NewWriterLevel(&buf, zlib.BestCompression)
	case "br":
		w = brotli.NewWriterLevel(&buf, brotli.BestSpeed)
	}
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for left := n; left > 0; left -= len(zero) {
		if _, err := w.Write(zero[:min(left, len(zero))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
