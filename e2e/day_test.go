//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The demo's people (internal/demo), all with one password.
const demoPassword = "demo-password-e2e"

var (
	demoManager = person{"Helmi Lindqvist", "helmi.manager@demo.candor.example"}
	demoAdmin   = person{"Ada Admin", "admin@demo.candor.example"}
)

// TestManagersDay walks an account manager's day on the demo's data: the
// home page, a detractor's follow-up from due to resolved, one left to go
// overdue and escalate (the server's clock moved ahead), an account's
// relationship over two surveys, a recurring campaign, and a contacts file
// as Excel saves it in Finland, first with a broken quote. Every page is
// checked with axe-core and kept as screenshots at 1366 and 390 px.
func TestManagersDay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	started := time.Now()
	resetArtifacts(t)
	srv := startServer(t, []string{"demo", "--responses", "3000", "--password", demoPassword})
	browser := startBrowser(t)
	api := newClient(srv.URL)

	// 1. Sign in: the home page says what is under way and what is due.
	mgr := newTab(t, browser, srv, "manager")
	signIn(mgr, demoManager, demoPassword, "login")
	home := mgr.text("main")
	for _, want := range []string{"Follow-ups", "Your accounts", "Surveys at a glance", "Numbers of your accounts", "Customer survey 2026"} {
		if !strings.Contains(home, want) {
			mgr.fatalf("the home page lacks %q:\n%.800s", want, home)
		}
	}
	if nps := mgr.text(".glance-table tbody tr td:nth-of-type(3)"); nps == "" || nps == "Suppressed" {
		mgr.fatalf("the manager's accounts' NPS on the home page is %q, want a number", nps)
	}
	open := atoi(mgr, mgr.text("#followups-open"))
	if open == 0 {
		mgr.fatalf("the home page counts no open follow-ups on the demo")
	}
	if got := mgr.text("#followups-overdue"); got != "0" {
		mgr.fatalf("on the demo's first day %s follow-ups are overdue already", got)
	}
	mgr.shot("home")

	// 2. A detractor's follow-up: due in two business days; contacted, then
	// resolved with a note.
	mgr.open("/followups")
	if mgr.count("table.followup-table tbody tr") == 0 {
		mgr.fatalf("the worklist is empty")
	}
	mgr.shot("followups")
	detractors := detractorLinks(mgr)
	if len(detractors) < 2 {
		mgr.fatalf("the worklist lists %d detractors, want two to work on", len(detractors))
	}
	first, second := detractors[0], detractors[1]
	mgr.open(first)
	if due := mgr.text("#followup-due"); !strings.Contains(due, "Due in") {
		mgr.fatalf("the detractor's follow-up shows its due time as %q", due)
	}
	if mgr.count("#followup-email") != 1 {
		mgr.fatalf("the named answer's follow-up does not show how to reach the person")
	}
	mgr.shot("followup")
	mgr.submit("mark contacted", "#mark-contacted")
	if got := mgr.text(".alert-success"); got != "Marked as contacted." {
		mgr.fatalf("after marking contacted: %q", got)
	}
	mgr.fill("#note", "Called; a technician visits on Monday.")
	mgr.submit("resolve", "#resolve")
	if got := mgr.text("#followup-state"); got != "Resolved" {
		mgr.fatalf("after resolving, the state reads %q", got)
	}
	mgr.shot("followup-resolved")

	// 3. The other one is left alone: a week later it is overdue, the
	// admins get the escalation, and the home page counts it.
	srv.advance(t, 7*24*time.Hour)
	token, err := api.token(ctx, demoAdmin.email, demoPassword)
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	waitForSubject(ctx, t, api, token, "Overdue follow-up: ")
	mgr = newTab(t, browser, srv, "manager-a-week-later") // the old session has expired
	signIn(mgr, demoManager, demoPassword, "")
	if n := atoi(mgr, mgr.text("#followups-overdue")); n == 0 {
		mgr.fatalf("a week later the home page counts no overdue follow-up")
	}
	mgr.shot("home-overdue")
	mgr.open("/followups?overdue=1")
	if !strings.Contains(mgr.html("table.followup-table"), `href="`+second+`"`) {
		mgr.fatalf("the follow-up left alone is not listed as overdue")
	}
	if mgr.count("table.followup-table .due-overdue") == 0 {
		mgr.fatalf("no due cell is marked overdue")
	}
	mgr.shot("followups-overdue")

	// 4. An account's relationship: its NPS in both surveys, a trend.
	adm := newTab(t, browser, srv, "admin")
	signIn(adm, demoAdmin, demoPassword, "")
	account := demoTrendAccount(t)
	adm.open(account)
	if n := adm.count("table#relationship-surveys tbody tr"); n < 2 {
		adm.fatalf("the account page lists %d surveys, want both", n)
	}
	if adm.count("figure#relationship-trend svg") != 1 {
		adm.fatalf("the account page draws no NPS trend")
	}
	if adm.count("table#relationship-surveys td.suppressed") == adm.count("table#relationship-surveys tbody tr") {
		adm.fatalf("every survey's numbers are hidden on the demo's largest account")
	}
	adm.shot("account")

	// 5. A recurring campaign, every quarter, with its next run shown.
	scheduleCampaign(mgr)

	// 6. A contacts file as Excel saves it in Finland: semicolons and a
	// byte-order mark; first with a quote never closed.
	importBrokenThenFixed(mgr)

	// Nothing along the way was a server error.
	if errs := srv.log.Grep("level=ERROR"); len(errs) > 0 {
		t.Fatalf("the server logged %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
	t.Logf("the day took %s", time.Since(started).Round(time.Second))
}

var followupHrefRE = regexp.MustCompile(`<a href="(/followups/[^"]+)">[^<]+</a>(?s:.*?)</tr>`)

// detractorLinks returns the follow-up links of the worklist's detractors,
// soonest due first.
func detractorLinks(tb *tab) []string {
	tb.t.Helper()
	var out []string
	for _, m := range followupHrefRE.FindAllStringSubmatch(tb.html("table.followup-table tbody"), -1) {
		if strings.Contains(m[0], "badge-detractor") {
			out = append(out, m[1])
		}
	}
	return out
}

func atoi(tb *tab, s string) int {
	tb.t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		tb.fatalf("%q is not a count", s)
	}
	return n
}

// waitForSubject waits until the dev outbox holds a message whose subject
// starts with prefix.
func waitForSubject(ctx context.Context, t *testing.T, api *client, token, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	err := waitFor(ctx, "a message "+prefix+"…", func() (bool, error) {
		msgs, err := api.outbox(ctx, token)
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, prefix) {
				return true, nil
			}
		}
		return false, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var trendAccountRE = regexp.MustCompile(`An account answering both surveys: \S+(/accounts/\S+)`)

// demoTrendAccount is the path of the account the demo says answered both
// of its surveys.
func demoTrendAccount(t *testing.T) string {
	t.Helper()
	out, err := os.ReadFile(filepath.Join(artifactsDir(t), "candor-demo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := trendAccountRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("the demo names no account answering both surveys:\n%s", out)
	}
	return string(m[1])
}

// importBrokenThenFixed uploads a semicolon file with a BOM whose fourth
// line opens a quote it never closes: the preview names the line and
// offers no import. The corrected file then imports its rows.
func importBrokenThenFixed(tb *tab) {
	tb.t.Helper()
	tb.open("/accounts")
	accountName := tb.text("table tbody tr td a")
	const bom = "\ufeff"
	header := "name;email;account;locale;role\r\n"
	rows := []string{
		"Sanna Salo;sanna.salo@kone-demo.example;" + accountName + ";fi;decision maker\r\n",
		"Olli Oja;olli.oja@kone-demo.example;" + accountName + ";fi;user\r\n",
		"\"Pekka \"\"Pete\"\" Puro;pekka.puro@kone-demo.example;" + accountName + ";fi;influencer\r\n",
		"Riikka Rae;riikka.rae@kone-demo.example;" + accountName + ";fi;\r\n",
	}
	upload := func(name, content string) {
		file := filepath.Join(tb.t.TempDir(), name)
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			tb.fatalf("write %s: %v", name, err)
		}
		tb.open("/contacts/import")
		tb.step("choose "+name, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
		tb.submit("upload "+name, `form[action="/contacts/import"] button[type=submit]`)
		tb.wantPath("/contacts/import/")
	}

	upload("broken.csv", bom+header+strings.Join(rows, ""))
	if got := value(tb, "the error's line", chromedp.AttributeValue(chromedp.CSS("#import-file-error"), "data-line")).Value; got != "4" {
		tb.fatalf("the broken quote is reported on line %q, want 4 (%s)", got, tb.text("#import-file-error"))
	}
	if msg := tb.text("#import-file-error"); !strings.Contains(msg, "line 4: a quote opened here is never closed") {
		tb.fatalf("the broken file's error reads %q", msg)
	}
	if tb.count("form.confirm-bar") != 0 {
		tb.fatalf("a file that does not parse is offered for import")
	}
	if lines := tb.text("#import-line-count"); !strings.Contains(lines, "could not be read") {
		tb.fatalf("the line count does not say what could not be read: %q", lines)
	}
	tb.shot("import-broken")

	rows[2] = "\"Pekka \"\"Pete\"\" Puro\";pekka.puro@kone-demo.example;" + accountName + ";fi;influencer\r\n"
	upload("fixed.csv", bom+header+strings.Join(rows, ""))
	if got := value(tb, "delimiter", chromedp.AttributeValue(chromedp.CSS("#import-delimiter"), "data-delimiter")).Value; got != ";" {
		tb.fatalf("the delimiter was read as %q", got)
	}
	if enc := tb.text("#import-encoding"); !strings.Contains(enc, "byte-order mark") {
		tb.fatalf("the encoding reads %q, want UTF-8 with its byte-order mark", enc)
	}
	if lines := tb.text("#import-line-count"); lines != "4 lines hold 4 rows, one per line." {
		tb.fatalf("the line count reads %q", lines)
	}
	if got := tb.text(".stat-create .stat-value"); got != "4" {
		tb.fatalf("preview: %s contacts to add, want 4", got)
	}
	tb.shot("import-preview")
	tb.submit("confirm the import", `form.confirm-bar button[type=submit]`)
	waitForImport(tb)
	if got := tb.text(".stat-create .stat-value"); got != "4" {
		tb.fatalf("import: %s contacts added, want 4", got)
	}
	tb.shot("import-done")
}

var surveyReportRE = regexp.MustCompile(`href="/surveys/([^/"]+)/report">Customer survey 2026<`)

// scheduleCampaign schedules the demo's survey every quarter to the
// manager's own accounts and checks the next run on the campaigns page.
func scheduleCampaign(tb *tab) {
	tb.t.Helper()
	tb.open("/")
	m := surveyReportRE.FindStringSubmatch(tb.html("main"))
	if m == nil {
		tb.fatalf("the home page links to no report of the demo's survey")
	}
	id := m[1]
	tb.open("/surveys/" + id + "/campaigns")
	tb.submit("new schedule", `a[href="/surveys/`+id+`/schedules/new"]`)
	tb.click("#schedule-audience-accounts")
	if n := tb.clickAll(`input[name=accountIds]`); n == 0 {
		tb.fatalf("the schedule form offers no accounts")
	}
	tb.replace("#cadence", "quarterly")
	first := time.Now().Add(60*24*time.Hour).UTC().Format("2006-01-02") + "T08:00"
	tb.replace("#firstRunAt", first)
	tb.shot("schedule-new")
	tb.submit("create the schedule", "#schedule-submit")
	tb.wantPath("/surveys/" + id + "/campaigns")
	if got := tb.text(".campaign-schedules .alert-success"); got != "The schedule was created." {
		tb.fatalf("after creating the schedule: %q", got)
	}
	next := tb.text("#schedules-table tbody tr .schedule-next-run")
	if !strings.Contains(next, time.Now().Add(60*24*time.Hour).UTC().Format("2006")) {
		tb.fatalf("the schedule's next run reads %q, want the first run chosen (%s)", next, first)
	}
	tb.shot("campaigns-scheduled")
}
