package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/candorhq/candor/public"
	"github.com/candorhq/candor/views"
)

// renderCall is a call that renders a page by name: render(c, status,
// "name", …), renderRespondent, RenderBlock and the like.
var renderCall = regexp.MustCompile(`(?:render|Render)\w*\(c, [^,()]+, "([a-z_]+)"`)

// Views are found by their folders, so nothing lists them; this keeps
// every page the handlers render backed by a template, and the embedded
// templates parsing, so that a missing one fails here rather than in a
// request.
func TestEveryRenderedViewExists(t *testing.T) {
	t.Parallel()
	st, err := loadAssets(public.FS)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := parseViews(views.FS, st)
	if err != nil {
		t.Fatalf("embedded views: %v", err)
	}
	rendered := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range renderCall.FindAllStringSubmatch(string(src), -1) {
			rendered++
			if !vs.Has(m[1]) {
				t.Errorf("%s renders %q, which no file under views/ defines", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rendered < 40 {
		t.Errorf("found %d rendered views; the pattern no longer matches how handlers render", rendered)
	}
}
