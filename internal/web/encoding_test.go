package web

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/gofiber/fiber/v2"
)

func encode(t testing.TB, coding string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		t.Fatalf("no encoder for %q", coding)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeLimited(t *testing.T) {
	const limit = 1000
	exact := bytes.Repeat([]byte("x"), limit)
	over := append(bytes.Clone(exact), 'y')
	tests := []struct {
		name, coding string
		body         []byte
		want         []byte
		status       int // 0: decoded
	}{
		{"gzip", "gzip", encode(t, "gzip", []byte(`{"a":1}`)), []byte(`{"a":1}`), 0},
		{"x-gzip", "X-GZIP", encode(t, "gzip", []byte("a=b")), []byte("a=b"), 0},
		{"deflate", "deflate", encode(t, "deflate", []byte("a=b")), []byte("a=b"), 0},
		{"brotli", "br", encode(t, "br", []byte("a=b")), []byte("a=b"), 0},
		{"exactly the limit", "gzip", encode(t, "gzip", exact), exact, 0},
		{"one byte over", "gzip", encode(t, "gzip", over), nil, fiber.StatusRequestEntityTooLarge},
		{"brotli over", "br", encode(t, "br", over), nil, fiber.StatusRequestEntityTooLarge},
		{"not gzip", "gzip", []byte("plain text"), nil, fiber.StatusBadRequest},
		{"truncated", "gzip", encode(t, "gzip", exact)[:20], nil, fiber.StatusBadRequest},
		{"corrupt brotli", "br", []byte{0xff, 0xff, 0xff, 0xff}, nil, fiber.StatusBadRequest},
		{"unknown coding", "compress", []byte("x"), nil, fiber.StatusUnsupportedMediaType},
		{"zstd", "zstd", []byte("x"), nil, fiber.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeLimited([]byte(tt.coding), tt.body, limit)
			if tt.status == 0 {
				if err != nil || !bytes.Equal(got, tt.want) {
					t.Fatalf("decodeLimited = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if got := problem.Classify(err).Status; got != tt.status {
				t.Fatalf("decodeLimited error = %v, want status %d", err, tt.status)
			}
		})
	}
}

// FuzzDecodeLimited: whatever arrives, the decoded body never exceeds the
// limit and decoding ends in a body or a 4xx.
func FuzzDecodeLimited(f *testing.F) {
	f.Add("gzip", encode(f, "gzip", []byte("hello")))
	f.Add("deflate", encode(f, "deflate", bytes.Repeat([]byte("a"), 5000)))
	f.Add("br", encode(f, "br", []byte("hello")))
	f.Add("gzip", []byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, coding string, body []byte) {
		const limit = 4096
		got, err := decodeLimited([]byte(coding), body, limit)
		if err == nil {
			if len(got) > limit {
				t.Fatalf("decoded %d bytes past the limit %d", len(got), limit)
			}
			return
		}
		if got := problem.Classify(err).Status; got < 400 || got > 499 {
			t.Fatalf("decodeLimited error = %v, want a 4xx", err)
		}
	})
}
