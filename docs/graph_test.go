package docs

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/tools/docblock"
)

const module = "github.com/candorhq/candor/"

// The package graph in architecture.md is what `go list` says: each
// package of the module and the module's packages it imports.
// CANDOR_UPDATE_DOCS=1 rewrites it from the code.
func TestArchitectureShowsThePackageGraph(t *testing.T) {
	t.Parallel()
	docblock.Check(t, "architecture.md", "graph", packageGraph(t))
}

// packageGraph is a fenced block, a line a package: its imports within the
// module, test-only and tool packages left out.
func packageGraph(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var lines []string
	width := 0
	type pkg struct {
		ImportPath string
		Imports    []string
	}
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		if name == p.ImportPath || strings.HasPrefix(name, "internal/tools") || name == "e2e" || name == "soak" {
			continue
		}
		p.ImportPath = name
		pkgs = append(pkgs, p)
		width = max(width, len(name))
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		var deps []string
		for _, imp := range p.Imports {
			if d, ok := strings.CutPrefix(imp, module); ok {
				deps = append(deps, strings.TrimPrefix(d, "internal/"))
			}
		}
		slices.Sort(deps)
		lines = append(lines, strings.TrimRight(fmt.Sprintf("%-*s → %s", width, p.ImportPath, strings.Join(deps, " ")), " →"))
	}
	slices.Sort(lines)
	return "```\n" + strings.Join(lines, "\n") + "\n```\n"
}
