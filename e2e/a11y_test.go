//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// loadAxe reads the axe-core script that .ci/axe installs (make e2e passes
// its path in CANDOR_E2E_AXE).
func loadAxe(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CANDOR_E2E_AXE")
	if path == "" {
		path = filepath.Join(repoRoot(t), "e2e", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core: %v (run bash .ci/axe, or set CANDOR_E2E_AXE)", err)
	}
	return string(b)
}

// advance moves the server's clock d further into the future; the server
// reads the offset file again when it changes.
func (s *server) advance(t *testing.T, d time.Duration) {
	t.Helper()
	var current time.Duration
	if b, err := os.ReadFile(s.clock); err == nil {
		current, _ = time.ParseDuration(strings.TrimSpace(string(b)))
	}
	if err := os.WriteFile(s.clock, []byte((current+d).String()+"\n"), 0o644); err != nil {
		t.Fatalf("advance the clock: %v", err)
	}
}

// Widths every page is shown and checked at: a laptop and a phone.
var pageWidths = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"1366", 1366, 900, false}, {"390", 390, 844, true}}

// axeRun runs axe-core on the page and returns its serious and critical
// violations, one line each. Best practices are left out: they are
// advice, not WCAG failures.
const axeRun = `axe.run(document, {resultTypes: ["violations"], runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
	.then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`

// pageOverflow names the widest element sticking out past the viewport's
// right edge, or is empty when none does.
const pageOverflow = `(() => {
	const w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w) return "";
	let worst = null, right = w;
	const clipped = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== "visible") return true;
		}
		return false;
	};
	for (const el of document.body.querySelectorAll("*")) {
		if (clipped(el)) continue;
		const r = el.getBoundingClientRect().right;
		if (r > right + 1) { right = r; worst = el; }
	}
	return worst ? worst.tagName.toLowerCase() + (worst.className ? "." + String(worst.className).split(" ").join(".") : "") + " reaches " + Math.round(right) + " px" : "scroll width " + document.documentElement.scrollWidth;
})()`

// shot saves full-page screenshots of what the tab shows at each of
// pageWidths as name-<width>.png, and fails the test on any serious or
// critical axe-core violation at either width (the walk goes on). The tab's own viewport is
// restored afterwards.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 2*stepTimeout)
	defer cancel()
	if tb.scriptsOff {
		// axe runs as a script of the page; the page's own scripts have
		// already been (not) run, so enabling them now changes nothing.
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
			tb.fatalf("enable scripts for axe: %v", err)
		}
		defer chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}) //nolint:errcheck // best effort
	}
	var problems []string
	for _, w := range pageWidths {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if w.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height, opts...)); err != nil {
			tb.fatalf("viewport %s: %v", w.name, err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			tb.fatalf("screenshot %s at %s px: %v", name, w.name, err)
		}
		file := filepath.Join(tb.artifacts, name+"-"+w.name+".png")
		if err := os.WriteFile(file, buf, 0o644); err != nil {
			tb.fatalf("save screenshot: %v", err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](tb.axe+";\n"+axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			tb.fatalf("axe-core on %s at %s px: %v", name, w.name, err)
		}
		for _, p := range found {
			problems = append(problems, fmt.Sprintf("%s px: %s", w.name, p))
		}
		// Nothing may widen the page past the screen: wide tables scroll
		// in their own box, and the navigation wraps.
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageOverflow))
		if err != nil {
			tb.fatalf("measure %s at %s px: %v", name, w.name, err)
		}
		if overflow != "" {
			problems = append(problems, fmt.Sprintf("%s px: the page is wider than the screen: %s", w.name, overflow))
		}
	}
	tb.restoreViewport(ctx)
	tb.t.Logf("screenshots: %s-{1366,390}.png in %s", name, tb.artifacts)
	if len(problems) > 0 {
		// The walk goes on, so that one run lists the problems of every page.
		tb.t.Errorf("%s: axe-core finds %d serious or critical problems on %s:\n%s", tb.name, len(problems), name, strings.Join(problems, "\n"))
	}
}

// restoreViewport gives the tab back the viewport it had before shot.
func (tb *tab) restoreViewport(ctx context.Context) {
	tb.t.Helper()
	var err error
	if tb.onPhone {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	} else {
		err = chromedp.Do(ctx, chromedp.EmulateReset())
	}
	if err != nil {
		tb.fatalf("restore the viewport: %v", err)
	}
}
