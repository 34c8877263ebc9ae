package customer

import (
	"fmt"

	"github.com/candorhq/candor/internal/csvin"
)

// ImportFile is what an import found its file to be, and how its lines
// add up: Lines = Rows + ExtraLines + BlankLines + NotRead, so that no line
// goes unaccounted for.
type ImportFile struct {
	Encoding      string       `json:"encoding"`  // UTF-8, UTF-16LE, UTF-16BE or Windows-1252
	BOM           bool         `json:"bom"`       // it starts with a byte-order mark
	Delimiter     string       `json:"delimiter"` // ",", ";" or "\t"
	Lines         int          `json:"lines"`     // physical lines after the header; a final line break starts none
	Rows          int          `json:"rows"`      // rows holding something
	MultiLineRows int          `json:"multiLineRows"`
	ExtraLines    int          `json:"extraLines"` // lines that continue a row (a line break inside quotes)
	BlankLines    int          `json:"blankLines"`
	NotRead       int          `json:"notRead"`         // lines from where the file stopped parsing to its end
	Error         *ImportIssue `json:"error,omitempty"` // why it stopped; nothing can be imported from it then
}

func (f *ImportFile) read(cr *csvin.Reader) {
	format, c := cr.Format(), cr.Counts()
	f.Encoding, f.BOM, f.Delimiter = string(format.Encoding), format.BOM, string(rune(format.Delimiter))
	f.Lines, f.Rows, f.MultiLineRows, f.ExtraLines, f.BlankLines, f.NotRead = c.Lines, c.Rows, c.MultiLineRows, c.ExtraLines, c.BlankLines, c.NotRead
}

// Importable reports whether the file parsed to its end.
func (f ImportFile) Importable() bool { return f.Error == nil }

// DelimiterName names the delimiter for people.
func (f ImportFile) DelimiterName() string {
	switch f.Delimiter {
	case ",":
		return "comma (,)"
	case ";":
		return "semicolon (;)"
	case "\t":
		return "tab"
	}
	return fmt.Sprintf("%q", f.Delimiter)
}

// EncodingName names the encoding for people.
func (f ImportFile) EncodingName() string {
	if f.Encoding == string(csvin.Windows1252) {
		return "Read as Windows-1252: the file is not UTF-8"
	}
	if f.BOM {
		return f.Encoding + ", with a byte-order mark"
	}
	return f.Encoding
}

// LineSummary says how the lines of the file make its rows, and says so
// plainly when some were not read.
func (f ImportFile) LineSummary() string {
	s := fmt.Sprintf("%s %s", plural(f.Lines, "line holds", "lines hold"), plural(f.Rows, "row", "rows"))
	if f.Lines == f.Rows {
		return s + ", one per line."
	}
	var parts []string
	if f.MultiLineRows > 0 {
		parts = append(parts, fmt.Sprintf("%s several lines", plural(f.MultiLineRows, "row spans", "rows span")))
	}
	if f.BlankLines > 0 {
		parts = append(parts, fmt.Sprintf("%s skipped", plural(f.BlankLines, "blank line is", "blank lines are")))
	}
	if f.NotRead > 0 {
		parts = append(parts, fmt.Sprintf("%s from line %d on could not be read", plural(f.NotRead, "line", "lines"), f.Error.Line))
	}
	if lost := f.Lines - f.Rows - f.ExtraLines - f.BlankLines - f.NotRead; lost != 0 {
		parts = append(parts, fmt.Sprintf("%s unaccounted for", plural(lost, "line is", "lines are")))
	}
	for i, p := range parts {
		sep := ", "
		switch {
		case i == 0:
			sep = ": "
		case i == len(parts)-1:
			sep = " and "
		}
		s += sep + p
	}
	return s + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
