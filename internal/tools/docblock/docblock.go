// Package docblock keeps generated blocks of the docs true: a test computes
// what a block between <!-- name --> and <!-- /name --> must say, and
// Check fails when the file says otherwise, or with CANDOR_UPDATE_DOCS=1
// rewrites it.
package docblock

import (
	"os"
	"strings"
	"testing"
)

// Check compares the block called name in the file at path with want.
func Check(t testing.TB, path, name, want string) {
	t.Helper()
	open, end := "<!-- "+name+" -->\n", "<!-- /"+name+" -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(doc), open)
	got, after, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("%s has no %q … %q block", path, open, end)
	}
	if got == want {
		return
	}
	if os.Getenv("CANDOR_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(before+open+want+end+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the %s block is not what the code says; run with CANDOR_UPDATE_DOCS=1, want:\n%s", path, name, want)
}
