// Package csvin reads CSV files as spreadsheet programs write them: it
// finds the encoding (UTF-8 or UTF-16 by byte-order mark, else UTF-8 or
// Windows-1252 by what the bytes allow) and the delimiter (comma,
// semicolon or tab, from the header row), numbers every physical line,
// and stops at a quote that is never closed instead of reading the rest of
// the file into one field. It streams: one record is held at a time.
package csvin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Delimiters a header row may use, in the order a tie is decided.
var delimiters = []byte{',', ';', '\t'}

// MaxRecordBytes bounds one record, so that a broken file cannot make a
// reader hold all of it.
const MaxRecordBytes = 1 << 20

// Format is what a file was found to be.
type Format struct {
	Encoding  Encoding
	BOM       bool // the file starts with a byte-order mark
	Delimiter byte
}

// Record is one row of the file and the physical lines it came from.
type Record struct {
	Fields  []string // valid until the next Read
	Line    int      // where it starts, 1 for the header
	EndLine int      // where it ends; greater than Line when a quoted field holds a line break
	// Problem says why the row cannot be trusted although the file goes
	// on (a quote inside an unquoted field); empty for a good row.
	Problem string
}

// Blank reports whether the record holds nothing but spaces: an empty
// line, or a row of empty cells as spreadsheets save below a table.
func (r Record) Blank() bool {
	for _, f := range r.Fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// Counts account for every line after the header: Lines = Rows +
// ExtraLines + BlankLines + NotRead.
type Counts struct {
	Lines         int // physical lines after the header; a line break at the very end starts none
	Rows          int // records holding something
	MultiLineRows int // rows spanning more than one line
	ExtraLines    int // lines those rows continue onto
	BlankLines    int
	NotRead       int // lines from where the file stopped parsing to its end
}

// ParseError is a file that stops parsing at Line: nothing after it can
// be read reliably.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Reader reads the records of one file.
type Reader struct {
	dec    *decoder
	br     *bufio.Reader
	delim  byte
	header Record
	line   int // physical lines read
	start  int // where the record being read starts
	counts Counts
	failed error

	long   []byte // a physical line longer than the buffer
	buf    []byte // the fields of the current record, end to end
	ends   []int
	fields []string
}

// Open reads the header row of r. The delimiter is the one of comma,
// semicolon and tab whose split of the header fits (names the columns
// the caller needs); failing that, the one the header uses most. An
// empty file is io.EOF.
func Open(r io.Reader, fits func(header []string) bool) (*Reader, error) {
	dec := newDecoder(r)
	cr := &Reader{dec: dec, br: bufio.NewReaderSize(dec, rawBufferSize), delim: ','}
	if _, err := cr.br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("csvin: %w", err)
	}
	cr.delim = pickDelimiter(cr.peekHeader(), fits)
	h, err := cr.record()
	if err != nil {
		return nil, err
	}
	h.Fields = slices.Clone(h.Fields)
	cr.header = h
	return cr, nil
}

// Header is the first record.
func (r *Reader) Header() Record { return r.header }

// Format is what the file was found to be so far: a file read as UTF-8
// may turn out to be Windows-1252 at its first non-ASCII byte.
func (r *Reader) Format() Format {
	return Format{Encoding: r.dec.enc, BOM: r.dec.bom, Delimiter: r.delim}
}

// Counts are the lines read so far; complete once Read returned io.EOF or
// a *ParseError.
func (r *Reader) Counts() Counts { return r.counts }

// Read returns the next record; io.EOF at the end. A *ParseError stops
// the file: later calls return it again.
func (r *Reader) Read() (Record, error) {
	if r.failed != nil {
		return Record{}, r.failed
	}
	rec, err := r.record()
	if err != nil {
		return rec, r.fail(err)
	}
	span := rec.EndLine - rec.Line + 1
	if rec.Blank() {
		r.counts.BlankLines += span
	} else {
		r.counts.Rows++
		if span > 1 {
			r.counts.MultiLineRows++
			r.counts.ExtraLines += span - 1
		}
	}
	r.counts.Lines = r.line - r.header.EndLine
	return rec, nil
}

// fail settles the counts at the end of the file or where it stops parsing.
func (r *Reader) fail(err error) error {
	var pe *ParseError
	switch {
	case errors.As(err, &pe):
		r.failed = err
		if cerr := r.countRest(); cerr != nil {
			return cerr
		}
		r.counts.Lines = r.line - r.header.EndLine
		r.counts.NotRead = max(r.line-r.start+1, 0)
	case errors.Is(err, io.EOF):
		r.counts.Lines = r.line - r.header.EndLine
	}
	return err
}

// countRest counts the lines after a parse error, so that every line of
// the file is accounted for.
func (r *Reader) countRest() error {
	var tail byte = '\n'
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.br.Read(chunk)
		if n > 0 {
			if tail == '\n' {
				r.line++ // a line starts
			}
			r.line += bytes.Count(chunk[:n-1], []byte{'\n'})
			tail = chunk[n-1]
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("csvin: %w", err)
		}
	}
}

// peekHeader returns the start of the file up to its first line break
// outside quotes, without consuming it.
func (r *Reader) peekHeader() []byte {
	for n := 512; ; n *= 2 {
		b, err := r.br.Peek(min(n, rawBufferSize))
		if end := headerEnd(b); end >= 0 {
			return b[:end]
		}
		if err != nil || n >= rawBufferSize {
			return b
		}
	}
}

func headerEnd(b []byte) int {
	quoted := false
	for i, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			return i
		}
	}
	return -1
}

func pickDelimiter(header []byte, fits func([]string) bool) byte {
	count := map[byte]int{}
	quoted := false
	for _, c := range header {
		if c == '"' {
			quoted = !quoted
		} else if !quoted {
			count[c]++
		}
	}
	order := append([]byte(nil), delimiters...)
	// Most used first; a stable sort keeps the tie order.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && count[order[j]] > count[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	if fits != nil {
		for _, d := range order {
			if count[d] == 0 && d != ',' {
				continue
			}
			if fits(splitHeader(header, d)) {
				return d
			}
		}
	}
	return order[0]
}

// splitHeader splits a header line for pickDelimiter; the record parser
// reads it properly once the delimiter is known.
func splitHeader(line []byte, delim byte) []string {
	var out []string
	var field []byte
	quoted := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"' && quoted && i+1 < len(line) && line[i+1] == '"':
			field = append(field, '"')
			i++
		case c == '"':
			quoted = !quoted
		case c == delim && !quoted:
			out = append(out, string(field))
			field = field[:0]
		case c == '\r' && !quoted && i == len(line)-1:
		default:
			field = append(field, c)
		}
	}
	return append(out, string(field))
}

// readLine returns the next physical line with its line break, or what is
// left at the end; empty at the end of the file. The slice is valid until
// the next call.
func (r *Reader) readLine() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(r.long) > MaxRecordBytes {
				return nil, &ParseError{Line: r.line + 1, Msg: fmt.Sprintf("the line is longer than %d MB; is this a CSV file?", MaxRecordBytes>>20)}
			}
			b, err = r.br.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	if len(b) > 0 {
		r.line++
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("csvin: %w", err)
	}
	return b, nil
}

// record parses the next record: RFC 4180 with the file's delimiter, a
// line break of LF or CRLF, and a doubled quote for a quote in a quoted
// field.
func (r *Reader) record() (Record, error) {
	r.start = r.line + 1
	line, err := r.readLine()
	if err != nil {
		return Record{}, err
	}
	if len(line) == 0 {
		return Record{}, io.EOF
	}
	rec := Record{Line: r.line}
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	pos := 0
fields:
	for {
		if pos < len(line) && line[pos] == '"' {
			start := r.line
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					// The field goes on past the line break.
					r.buf = appendText(r.buf, line[pos:])
					if len(r.buf) > MaxRecordBytes {
						return Record{}, &ParseError{Line: start, Msg: fmt.Sprintf("a quote opened here is never closed: the field runs on for more than %d MB", MaxRecordBytes>>20)}
					}
					if line, err = r.readLine(); err != nil {
						return Record{}, err
					}
					if len(line) == 0 {
						return Record{}, &ParseError{Line: start, Msg: "a quote opened here is never closed"}
					}
					pos = 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				rest := line[pos:]
				switch {
				case len(rest) == 0 || rest[0] == '\n' || (rest[0] == '\r' && (len(rest) == 1 || rest[1] == '\n')):
					r.ends = append(r.ends, len(r.buf))
					break fields
				case rest[0] == r.delim:
					r.ends = append(r.ends, len(r.buf))
					pos++
					continue fields
				case start < r.line:
					return Record{}, &ParseError{Line: start, Msg: fmt.Sprintf("a quote opened here is never closed: the quote on line %d that would close it is followed by more text", r.line)}
				default:
					return Record{}, &ParseError{Line: start, Msg: "text follows the closing quote of a field; a quote inside a quoted field is written twice (\"\")"}
				}
			}
		}
		end := bytes.IndexByte(line[pos:], r.delim)
		last := end < 0
		if last {
			end = len(line) - pos
		}
		field := line[pos : pos+end]
		if last {
			field = bytes.TrimSuffix(bytes.TrimSuffix(field, []byte{'\n'}), []byte{'\r'})
		}
		if rec.Problem == "" && bytes.IndexByte(field, '"') >= 0 {
			rec.Problem = "a quote inside a field that does not start with one; put the field in quotes and write the quote twice (\"\")"
		}
		r.buf = append(r.buf, field...)
		r.ends = append(r.ends, len(r.buf))
		if last {
			break
		}
		pos += end + 1
	}
	rec.EndLine = r.line
	s := string(r.buf)
	r.fields = r.fields[:0]
	from := 0
	for _, to := range r.ends {
		r.fields = append(r.fields, s[from:to])
		from = to
	}
	rec.Fields = r.fields
	return rec, nil
}

// appendText appends the rest of a line inside a quoted field, its CRLF
// read as LF.
func appendText(dst, line []byte) []byte {
	if bytes.HasSuffix(line, []byte("\r\n")) {
		return append(append(dst, line[:len(line)-2]...), '\n')
	}
	return append(dst, line...)
}
