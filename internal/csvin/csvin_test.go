package csvin_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/candorhq/candor/internal/csvin"
)

// fits is what a contacts file's header must name.
func fits(h []string) bool {
	return slices.Contains(h, "name") && slices.Contains(h, "email")
}

func utf16le(t *testing.T, s string) []byte {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cp1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type row struct {
	line, end int
	fields    []string
}

func readAll(t *testing.T, data []byte) (*csvin.Reader, []row, error) {
	t.Helper()
	r, err := csvin.Open(bytes.NewReader(data), fits)
	if err != nil {
		return nil, nil, err
	}
	var rows []row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, row{rec.Line, rec.EndLine, slices.Clone(rec.Fields)})
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		format csvin.Format
		rows   []row
		counts csvin.Counts
	}{
		{
			name: "semicolons with a UTF-8 BOM, as Excel saves CSV UTF-8 in Finland or Germany",
			data: func(*testing.T) []byte {
				return []byte("\xEF\xBB\xBFname;email;account;locale\r\nAino Virtanen;aino@kone.example;Kone Oyj;fi\r\n\"Müller; Hans\";hans@kone.example;Kone Oyj;de\r\n")
			},
			format: csvin.Format{Encoding: csvin.UTF8, BOM: true, Delimiter: ';'},
			rows: []row{
				{2, 2, []string{"Aino Virtanen", "aino@kone.example", "Kone Oyj", "fi"}},
				{3, 3, []string{"Müller; Hans", "hans@kone.example", "Kone Oyj", "de"}},
			},
			counts: csvin.Counts{Lines: 2, Rows: 2},
		},
		{
			name: "tabs in UTF-16LE, as Excel saves Unicode text",
			data: func(t *testing.T) []byte {
				return utf16le(t, "\uFEFFname\temail\taccount\r\nSøren Sørensen\tsoren@kone.example\tKone Oyj\r\n\"Zoë\r\nsecond line\"\tzoe@kone.example\tKone Oyj\r\n")
			},
			format: csvin.Format{Encoding: csvin.UTF16LE, BOM: true, Delimiter: '\t'},
			rows: []row{
				{2, 2, []string{"Søren Sørensen", "soren@kone.example", "Kone Oyj"}},
				{3, 4, []string{"Zoë\nsecond line", "zoe@kone.example", "Kone Oyj"}},
			},
			counts: csvin.Counts{Lines: 3, Rows: 2, MultiLineRows: 1, ExtraLines: 1},
		},
		{
			name: "Windows-1252, as older Excel saves plain CSV",
			data: func(t *testing.T) []byte {
				return cp1252(t, "name,email,account\nAda,ada@kone.example,Kone Oyj\n\nHans Müller,hans@kone.example,Kone Oyj\nSøren Sørensen,soren@kone.example,Kone Oyj\n,,\n")
			},
			format: csvin.Format{Encoding: csvin.Windows1252, Delimiter: ','},
			rows: []row{
				{2, 2, []string{"Ada", "ada@kone.example", "Kone Oyj"}},
				{3, 3, []string{""}},
				{4, 4, []string{"Hans Müller", "hans@kone.example", "Kone Oyj"}},
				{5, 5, []string{"Søren Sørensen", "soren@kone.example", "Kone Oyj"}},
				{6, 6, []string{"", "", ""}},
			},
			counts: csvin.Counts{Lines: 5, Rows: 3, BlankLines: 2},
		},
		{
			name: "UTF-16BE without a BOM",
			data: func(t *testing.T) []byte {
				b, _ := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte("name,email\nA,a@x.example"))
				return b
			},
			format: csvin.Format{Encoding: csvin.UTF16BE, Delimiter: ','},
			rows:   []row{{2, 2, []string{"A", "a@x.example"}}},
			counts: csvin.Counts{Lines: 1, Rows: 1},
		},
		{
			name:   "a semicolon inside a quoted header does not decide",
			data:   func(*testing.T) []byte { return []byte("\"name\",\"email\",\"a;b;c;d\"\nA,a@x.example,1;2\n") },
			format: csvin.Format{Encoding: csvin.UTF8, Delimiter: ','},
			rows:   []row{{2, 2, []string{"A", "a@x.example", "1;2"}}},
			counts: csvin.Counts{Lines: 1, Rows: 1},
		},
		{
			name:   "commas in names do not outvote the semicolons of the header",
			data:   func(*testing.T) []byte { return []byte("name;email\nLovelace, Ada;ada@x.example\n") },
			format: csvin.Format{Encoding: csvin.UTF8, Delimiter: ';'},
			rows:   []row{{2, 2, []string{"Lovelace, Ada", "ada@x.example"}}},
			counts: csvin.Counts{Lines: 1, Rows: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readAll(t, tt.data(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Format(); got != tt.format {
				t.Errorf("format = %+v, want %+v", got, tt.format)
			}
			if !slices.EqualFunc(rows, tt.rows, func(a, b row) bool {
				return a.line == b.line && a.end == b.end && slices.Equal(a.fields, b.fields)
			}) {
				t.Errorf("rows = %v, want %v", rows, tt.rows)
			}
			if got := r.Counts(); got != tt.counts {
				t.Errorf("counts = %+v, want %+v", got, tt.counts)
			}
		})
	}
}

func TestBrokenQuotes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		data   string
		line   int
		msg    string
		rows   int
		counts csvin.Counts
	}{
		{
			name:   "a quote in line 3 of 5 never closed",
			data:   "name,email\nAda,ada@x.example\n\"Grace,grace@x.example\nHans,hans@x.example\nSøren,soren@x.example\n",
			line:   3,
			msg:    "line 3: a quote opened here is never closed",
			rows:   1,
			counts: csvin.Counts{Lines: 4, Rows: 1, NotRead: 3},
		},
		{
			name:   "a quote never closed pairs with a later one",
			data:   "name,email\nAda,ada@x.example\n\"Grace,grace@x.example\nHans,\"hans@x.example\"\nSøren,soren@x.example\n",
			line:   3,
			msg:    "line 3: a quote opened here is never closed: the quote on line 4",
			rows:   1,
			counts: csvin.Counts{Lines: 4, Rows: 1, NotRead: 3},
		},
		{
			name:   "text after a closing quote",
			data:   "name,email\n\"Ada\" Lovelace,ada@x.example\nGrace,grace@x.example\n",
			line:   2,
			msg:    "line 2: text follows the closing quote",
			counts: csvin.Counts{Lines: 2, NotRead: 2},
		},
		{
			name:   "in a row that started on an earlier line",
			data:   "name,email\n\"two\nlines\",\"x@x.example\nA,a@x.example\n",
			line:   3,
			msg:    "line 3: a quote opened here is never closed",
			counts: csvin.Counts{Lines: 3, NotRead: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readAll(t, []byte(tt.data))
			var pe *csvin.ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line || !strings.HasPrefix(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want line %d: %q", err, tt.line, tt.msg)
			}
			if len(rows) != tt.rows {
				t.Errorf("%d rows before the error, want %d", len(rows), tt.rows)
			}
			if got := r.Counts(); got != tt.counts {
				t.Errorf("counts = %+v, want %+v", got, tt.counts)
			}
			if _, again := r.Read(); !errors.Is(again, err) {
				t.Errorf("reading on = %v, want the error again", again)
			}
		})
	}
	t.Run("a bare quote is a row's problem", func(t *testing.T) {
		r, err := csvin.Open(strings.NewReader("name,email\nAda \"the\" Countess,ada@x.example\nGrace,g@x.example\n"), fits)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.Read()
		if err != nil || rec.Problem == "" || rec.Line != 2 {
			t.Fatalf("row = %+v, %v", rec, err)
		}
		if rec, err = r.Read(); err != nil || rec.Problem != "" || rec.Fields[0] != "Grace" {
			t.Fatalf("next row = %+v, %v", rec, err)
		}
	})
	t.Run("an empty file", func(t *testing.T) {
		if _, err := csvin.Open(strings.NewReader(""), fits); !errors.Is(err, io.EOF) {
			t.Fatalf("err = %v, want io.EOF", err)
		}
	})
}

// A UTF-8 file that starts out ASCII is decided at its first other byte.
func TestEncodingDecidedLate(t *testing.T) {
	t.Parallel()
	ascii := "name,email\n" + strings.Repeat("Ada,ada@x.example\n", 10_000)
	for _, tt := range []struct {
		tail string
		enc  csvin.Encoding
		name string
	}{
		{"Jürgen,j@x.example\n", csvin.UTF8, "Jürgen"},
		{"J\xfcrgen,j@x.example\n", csvin.Windows1252, "Jürgen"},
	} {
		r, rows, err := readAll(t, []byte(ascii+tt.tail))
		if err != nil {
			t.Fatal(err)
		}
		if r.Format().Encoding != tt.enc || rows[len(rows)-1].fields[0] != tt.name {
			t.Errorf("%q: read as %s, last name %q", tt.tail, r.Format().Encoding, rows[len(rows)-1].fields[0])
		}
	}
}

// FuzzRead: any input reads without panicking, and every line after the
// header is accounted for as a row, a continuation of one, a blank line,
// or a line from where the file stopped parsing.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"name,email\nA,a@x\n",
		"\xEF\xBB\xBFname;email\r\nA;\"b\r\nc\"\r\n",
		"name\temail\n\"A\"\"\",x\n\"unclosed\n",
		"\xFF\xFEn\x00a\x00m\x00e\x00,\x00e\x00m\x00a\x00i\x00l\x00\n\x00",
		"name,email\nM\xfcller,m@x\n",
		"name,email\n\"a\"b\n,,\n\n",
		"\"",
		"\n\n\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := csvin.Open(bytes.NewReader(data), fits)
		if err != nil {
			return
		}
		rows := 0
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if rec.EndLine < rec.Line {
				t.Fatalf("record ends on line %d before it starts on %d", rec.EndLine, rec.Line)
			}
			if !rec.Blank() {
				rows++
			}
		}
		c := r.Counts()
		if c.Rows != rows || c.Lines != c.Rows+c.ExtraLines+c.BlankLines+c.NotRead {
			t.Fatalf("counts %+v do not add up (%d rows read)", c, rows)
		}
		if utf8.Valid(data) && !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) && !bytes.ContainsRune(data, 0) {
			lines := bytes.Count(data, []byte{'\n'})
			if len(data) > 0 && data[len(data)-1] != '\n' {
				lines++
			}
			if got := c.Lines + r.Header().EndLine; got != lines {
				t.Fatalf("%d lines counted, the input has %d", got, lines)
			}
		}
	})
}
