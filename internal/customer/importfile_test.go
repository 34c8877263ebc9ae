package customer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
)

// TestImportFiles reads files as spreadsheet programs save them, byte for
// byte (testdata), and checks what the preview says of each.
func TestImportFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Acme Oy")
	tests := []struct {
		file      string
		encoding  string
		bom       bool
		delimiter string
		names     []string
		summary   string
		broken    string // the file error, if it does not parse
	}{
		{
			file: "excel-fi-semicolon-bom.csv", encoding: "UTF-8", bom: true, delimiter: ";",
			names:   []string{"Aino Virtanen", "Müller; Hans", "Sørensen, Søren"},
			summary: "3 lines hold 3 rows, one per line.",
		},
		{
			file: "excel-unicode-text-utf16le.txt", encoding: "UTF-16LE", bom: true, delimiter: "\t",
			names:   []string{"Zoë Çelik", "Jürgen Müller"},
			summary: "3 lines hold 2 rows: 1 row spans several lines.",
		},
		{
			file: "windows-1252.csv", encoding: "Windows-1252", delimiter: ",",
			names:   []string{"Hans Müller", "Søren Sørensen"},
			summary: "2 lines hold 2 rows, one per line.",
		},
		{
			file: "broken-quote-line-3.csv", encoding: "UTF-8", delimiter: ",",
			names:   []string{"Ada Lovelace"},
			summary: "4 lines hold 1 row: 3 lines from line 3 on could not be read.",
			broken:  "line 3: a quote opened here is never closed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Import(ctx, f.alice, bytes.NewReader(data), customer.ImportOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			file := res.File
			if file.Encoding != tt.encoding || file.BOM != tt.bom || file.Delimiter != tt.delimiter {
				t.Errorf("read as %s (BOM %v) with %q, want %s (BOM %v) with %q", file.Encoding, file.BOM, file.Delimiter, tt.encoding, tt.bom, tt.delimiter)
			}
			var names []string
			for _, p := range res.Preview {
				names = append(names, strings.ReplaceAll(p.Name, "\n", " "))
			}
			if !slices.Equal(names, tt.names) || len(res.Errors) != 0 {
				t.Errorf("preview names %q, errors %+v; want %q", names, res.Errors, tt.names)
			}
			if got := file.LineSummary(); got != tt.summary {
				t.Errorf("summary = %q, want %q", got, tt.summary)
			}
			if tt.broken == "" {
				if !file.Importable() {
					t.Fatalf("file error %+v", file.Error)
				}
				real, err := f.svc.Import(ctx, f.alice, bytes.NewReader(data), customer.ImportOptions{})
				if err != nil || real.Created != len(tt.names) {
					t.Fatalf("import = %+v, %v", real.ImportProgress, err)
				}
				return
			}
			if file.Importable() || file.Error.Error != tt.broken {
				t.Errorf("file error = %+v, want %q", file.Error, tt.broken)
			}
			_, err = f.svc.Import(ctx, f.alice, bytes.NewReader(data), customer.ImportOptions{})
			var ve *fault.Error
			if !errors.As(err, &ve) || !strings.HasPrefix(ve.Fields()["file"], tt.broken) {
				t.Fatalf("import of a broken file = %v", err)
			}
			if found, _, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: "ada@acme.example"}); len(found) != 0 {
				t.Errorf("the row before the broken one was imported")
			}
		})
	}
}
