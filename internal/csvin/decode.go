package csvin

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding is how a file's text was read.
type Encoding string

// Encodings a file is read in.
const (
	UTF8        Encoding = "UTF-8"
	UTF16LE     Encoding = "UTF-16LE"
	UTF16BE     Encoding = "UTF-16BE"
	Windows1252 Encoding = "Windows-1252"
)

const (
	rawBufferSize = 64 << 10
	// sniffWindow is how much text after the first non-ASCII byte decides
	// between UTF-8 and Windows-1252: enough for a few names.
	sniffWindow = 4 << 10
)

// decoder turns a file's bytes into UTF-8. A byte-order mark decides the
// encoding; so do the NUL bytes of UTF-16 text without one. Otherwise the
// file is read as UTF-8 until its first non-ASCII byte, where the text
// that follows decides: valid UTF-8 stays UTF-8, anything else is read as
// Windows-1252, as spreadsheet programs on Windows save CSV. Everything
// before that byte is ASCII, the same in both, so the file is still read
// once, as a stream.
type decoder struct {
	br      *bufio.Reader
	enc     Encoding
	bom     bool
	decided bool
	out     io.Reader // once decided
}

func newDecoder(r io.Reader) *decoder {
	d := &decoder{br: bufio.NewReaderSize(r, rawBufferSize), enc: UTF8}
	head, _ := d.br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = d.br.Discard(3)
		d.bom = true
		d.decide(UTF8)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		d.bom = true
		d.decide(UTF16LE)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		d.bom = true
		d.decide(UTF16BE)
	case len(head) == 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		d.decide(UTF16LE)
	case len(head) == 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		d.decide(UTF16BE)
	}
	return d
}

func (d *decoder) decide(enc Encoding) {
	d.enc, d.decided = enc, true
	switch enc {
	case UTF16LE:
		d.out = transform.NewReader(d.br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case UTF16BE:
		d.out = transform.NewReader(d.br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case Windows1252:
		d.out = transform.NewReader(d.br, charmap.Windows1252.NewDecoder())
	default:
		d.out = d.br
	}
}

func (d *decoder) Read(p []byte) (int, error) {
	if d.decided {
		return d.out.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if d.br.Buffered() == 0 {
		if _, err := d.br.Peek(1); err != nil {
			return 0, err
		}
	}
	b, _ := d.br.Peek(min(d.br.Buffered(), len(p)))
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		n := copy(p, b[:i])
		_, _ = d.br.Discard(n)
		return n, nil
	}
	win, err := d.br.Peek(sniffWindow)
	if err == nil {
		win = trimPartialRune(win)
	}
	if utf8.Valid(win) {
		d.decide(UTF8)
	} else {
		d.decide(Windows1252)
	}
	return d.out.Read(p)
}

// trimPartialRune drops a rune cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for j := len(b) - 1; j >= 0 && j >= len(b)-utf8.UTFMax; j-- {
		if utf8.RuneStart(b[j]) {
			if !utf8.FullRune(b[j:]) {
				return b[:j]
			}
			break
		}
	}
	return b
}
