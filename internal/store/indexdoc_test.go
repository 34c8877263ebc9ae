package store_test

import (
	"os"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/store"
)

// docs/operations.md lists the indexes migrate creates; this keeps the list
// true. CANDOR_UPDATE_DOCS=1 rewrites it from the code.
func TestOperationsDocListsEveryIndex(t *testing.T) {
	t.Parallel()
	const path, open, end = "../../docs/operations.md", "<!-- indexes -->\n", "<!-- /indexes -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(doc), open)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("%s has no %q … %q block", path, open, end)
	}
	want := store.New(newStore(t).DB()).IndexTable()
	if rest[:len(rest)-len(after)-len(end)] == want {
		return
	}
	if os.Getenv("CANDOR_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(before+open+want+end+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s lists other indexes than migrate creates; run with CANDOR_UPDATE_DOCS=1, want:\n%s", path, want)
}
