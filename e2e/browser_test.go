//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one browser step (a navigation, a click and the page it
// leads to, a query). Generous: CI machines can be slow two-core boxes.
const stepTimeout = 60 * time.Second

// startBrowser starts one headless Chromium for the whole test; each person
// gets a tab in a browser context of their own (see newTab).
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.WindowSize(1280, 900))
	path := os.Getenv("CANDOR_E2E_CHROMIUM")
	if path == "" {
		found, err := exec.LookPath("chromium")
		if err != nil {
			t.Fatalf("no chromium on PATH (run .ci/chromium, or set CANDOR_E2E_CHROMIUM): %v", err)
		}
		path = found
	}
	opts = append(opts, chromedp.ExecPath(path))
	if os.Geteuid() == 0 {
		// Chromium refuses to run its sandbox as root (CI containers).
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it must have no timeout of its own,
	// or the browser would close when it ends.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// tab is one browser tab with its own cookies, acting for one person.
type tab struct {
	t         *testing.T
	name      string
	ctx       context.Context
	base      string // the server's URL
	artifacts string
	axe       string // the axe-core script (see shot)
	// What the tab emulates, for shot to restore.
	onPhone, scriptsOff bool
}

// newTab opens a tab in a fresh browser context (its own cookie jar), so
// that the admin, the manager, the analyst and respondents never share a
// session. When the test fails, the tab's page is saved as a screenshot.
func newTab(t *testing.T, browser context.Context, srv *server, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("%s: open a tab: %v", name, err)
	}
	tb := &tab{t: t, name: name, ctx: ctx, base: srv.URL, artifacts: artifactsDir(t), axe: srv.axe}
	// Cleanups run last-in first-out: the capture runs while the tab is open.
	t.Cleanup(cancel)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		defer cancel()
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("%s: no failure screenshot: %v", name, err)
			return
		}
		file := filepath.Join(tb.artifacts, "failure-"+name+".png")
		if err := os.WriteFile(file, buf, 0o644); err != nil {
			t.Logf("%s: %v", name, err)
			return
		}
		t.Logf("%s was at %s when the test failed: %s", name, loc, file)
	})
	return tb
}

// fatalf ends the test, naming the person whose step failed. The cleanups
// then save every tab's page and print the server's last log lines.
func (tb *tab) fatalf(format string, args ...any) {
	tb.t.Helper()
	tb.t.Fatalf("%s: %s", tb.name, fmt.Sprintf(format, args...))
}

// step runs actions that return nothing, within stepTimeout.
func (tb *tab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.fatalf("%s: %v", what, err)
	}
}

// value runs one action that returns a value, within stepTimeout.
func value[T any](tb *tab, what string, action chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		tb.fatalf("%s: %v", what, err)
	}
	return v
}

// open loads a page of the server and requires a 200.
func (tb *tab) open(path string) {
	tb.t.Helper()
	resp := value(tb, "open "+path, chromedp.NavigateResponse(tb.base+path))
	if resp.Status != 200 {
		tb.fatalf("open %s: status %d", path, resp.Status)
	}
	// A page that reloads itself could have replaced the one asked for.
	want := strings.SplitN(path, "?", 2)[0]
	if got := value(tb, "location of "+path, chromedp.Evaluate[string]("location.pathname")); got != want {
		tb.fatalf("open %s: the tab shows %s", path, got)
	}
}

// submit clicks a button (or link) that leads to another page, waits for
// that page to load and requires it to have come with a 2xx.
func (tb *tab) submit(what, sel string) {
	tb.t.Helper()
	if status := tb.send(what, sel); status < 200 || status > 299 {
		tb.fatalf("%s (%s): the page came with status %d", what, sel, status)
	}
}

// send clicks a button (or link) that loads a page, waits for that page
// and returns its status: a form refused comes back with a 4xx.
func (tb *tab) send(what, sel string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.fatalf("%s (%s): %v", what, sel, err)
	}
	return resp.Status
}

// text returns the visible text of the first element sel matches, waiting
// for it to be there.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.TrimSpace(value(tb, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// html returns the outer HTML of the first element sel matches. It reads
// the DOM through the protocol, so it works with scripts disabled.
func (tb *tab) html(sel string) string {
	tb.t.Helper()
	return value(tb, "read "+sel, chromedp.OuterHTML(chromedp.CSS(sel)))
}

// path is the path (and query) of the page the tab shows.
func (tb *tab) path() string {
	tb.t.Helper()
	loc := value(tb, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		tb.fatalf("location %q: %v", loc, err)
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// wantPath requires the tab to show a page whose path has prefix.
func (tb *tab) wantPath(prefix string) string {
	tb.t.Helper()
	p := tb.path()
	if !strings.HasPrefix(p, prefix) {
		tb.fatalf("on %s, want a page under %s", p, prefix)
	}
	return p
}

// count is the number of elements sel matches now (no waiting).
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	ids, err := chromedp.Run(ctx, chromedp.QueryNodeIDs(chromedp.CSSAll(sel), chromedp.AtLeast(0)))
	if err != nil {
		tb.fatalf("count %s: %v", sel, err)
	}
	return len(ids)
}

// fill types into an empty field.
func (tb *tab) fill(sel, v string) {
	tb.t.Helper()
	tb.step("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
}

// replace sets a field's value, whatever it held.
func (tb *tab) replace(sel, v string) {
	tb.t.Helper()
	tb.step("set "+sel, chromedp.SetValue(chromedp.CSS(sel), v))
}

// click clicks an element that does not leave the page.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.step("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// phone makes the tab a narrow touch screen, as most respondents see it.
func (tb *tab) phone() {
	tb.t.Helper()
	tb.step("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	tb.onPhone = true
}

// noScript turns off JavaScript in the tab's pages: respondent pages must
// work without it.
func (tb *tab) noScript() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		tb.fatalf("disable scripts: %v", err)
	}
	tb.scriptsOff = true
	// Make sure it took: a page's own script must not run.
	tb.step("load a page with a script", chromedp.Navigate(`data:text/html,<title>no</title><script>document.title="ran"</script>`))
	if title := value(tb, "title", chromedp.Title()); title != "no" {
		tb.fatalf("scripts still run after disabling them (title %q)", title)
	}
}

// requestLog records the URL of every request the tab's pages make.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

// recordRequests starts recording the tab's requests.
func (tb *tab) recordRequests() *requestLog {
	tb.t.Helper()
	rl := &requestLog{}
	err := chromedp.Listen(tb.ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && ev.Request != nil {
			rl.mu.Lock()
			rl.urls = append(rl.urls, ev.Request.URL)
			rl.mu.Unlock()
		}
	})
	if err != nil {
		tb.fatalf("listen to requests: %v", err)
	}
	return rl
}

// foreign returns the requests that did not go to origin, and how many
// requests there were in all.
func (rl *requestLog) foreign(origin string) (foreign []string, total int) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	for _, u := range rl.urls {
		if u != origin && !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") {
			foreign = append(foreign, u)
		}
	}
	return foreign, len(rl.urls)
}

// clickAll clicks every element sel matches (checkboxes of a list).
func (tb *tab) clickAll(sel string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(sel)))
	if err != nil {
		tb.fatalf("find %s: %v", sel, err)
	}
	for _, n := range nodes {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.NodeIDs([]cdp.NodeID{n.NodeID}))); err != nil {
			tb.fatalf("click %s: %v", sel, err)
		}
	}
	return len(nodes)
}
