//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const staffPassword = "e2e-staff-password"

type person struct{ name, email string }

var (
	manager = person{"Maria Manager", "maria.manager@example.com"}
	analyst = person{"Anton Analyst", "anton.analyst@example.com"}
)

// account is a customer company; region is what the dashboard breaks down by.
type account struct {
	name, country, region, industry, tier string
	contacts                              []person
}

// The audience: seven contacts in the North and two in the South, so that
// with every answer in, the survey as a whole is above the anonymity
// threshold (5) and the South stays below it.
var accounts = []account{
	{"Nordic Lifts Oy", "FI", "North", "Elevators", "Gold", []person{
		{"Aino Virtanen", "aino.virtanen@nordic-lifts.example"},
		{"Eero Nieminen", "eero.nieminen@nordic-lifts.example"},
		{"Liisa Mäkelä", "liisa.makela@nordic-lifts.example"},
		{"Ville Korhonen", "ville.korhonen@nordic-lifts.example"},
	}},
	{"Baltic Hoists AS", "EE", "North", "Hoists", "Silver", []person{
		{"Kadri Tamm", "kadri.tamm@baltic-hoists.example"},
		{"Mart Saar", "mart.saar@baltic-hoists.example"},
		{"Tiina Kask", "tiina.kask@baltic-hoists.example"},
	}},
	{"Iberia Ascensores SL", "ES", "South", "Elevators", "Silver", []person{
		{"Lucía García", "lucia.garcia@iberia-ascensores.example"},
		{"Javier Martín", "javier.martin@iberia-ascensores.example"},
	}},
}

// TestStory walks Candor as people use it, from the first admin's sign-in
// to the analyst's dashboard. Each step checks what the person would see.
func TestStory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	started := time.Now()
	resetArtifacts(t)
	srv := startServer(t)
	browser := startBrowser(t)
	api := newClient(srv.URL)
	t.Logf("server at %s, artifacts in %s", srv.URL, artifactsDir(t))

	// 1. The first admin signs in and adds a manager and an analyst.
	admin := newTab(t, browser, srv, "admin")
	signIn(admin, person{"Admin", adminEmail}, adminPassword, "login")
	addUser(admin, manager, "manager")
	addUser(admin, analyst, "analyst")

	// 2. The manager adds the accounts and imports their contacts from a file.
	mgr := newTab(t, browser, srv, "manager")
	signIn(mgr, manager, staffPassword, "")
	for _, a := range accounts {
		addAccount(mgr, a)
	}
	importContacts(mgr)

	// 3. … builds a survey with an NPS and a free-text question, and opens it.
	surveyID := buildSurvey(mgr)

	// 4. … and sends a campaign to every contact of the three accounts.
	campaign := sendCampaign(mgr, surveyID)

	// 5. The invitations arrive in the dev outbox; each carries a /s/ link.
	token, err := api.token(ctx, adminEmail, adminPassword)
	if err != nil {
		admin.fatalf("API token: %v", err)
	}
	contacts := allContacts()
	msgs, err := api.waitForMail(ctx, token, len(contacts))
	if err != nil {
		admin.fatalf("%v", err)
	}
	links := map[string]string{}      // email → /s/{token}
	scoreLinks := map[string]string{} // email → /s/{token}?q=…&v=6, the NPS question's 6
	var npsKey string
	for _, m := range msgs {
		l, ok := surveyLink(srv.URL, m)
		if !ok {
			admin.fatalf("message %q to %s has no %s/s/ link:\n%s", m.Subject, m.To, srv.URL, m.Text)
		}
		links[address(m.To)] = l
		if scoreLinks[address(m.To)], npsKey, ok = scoreLink(srv.URL, m, 6); !ok {
			admin.fatalf("message %q to %s has no score link for its first (NPS) question:\n%s", m.Subject, m.To, m.Text)
		}
	}
	for _, c := range contacts {
		if links[c.email] == "" {
			admin.fatalf("no invitation for %s in the outbox (got %d messages)", c.email, len(msgs))
		}
	}
	if len(links) != len(contacts) {
		admin.fatalf("%d distinct recipients in the outbox, want %d", len(links), len(contacts))
	}
	admin.open("/admin/outbox")
	if page := admin.html("main"); !strings.Contains(page, contacts[0].email) {
		admin.fatalf("the outbox page does not list %s", contacts[0].email)
	}
	admin.shot("outbox")
	// The retention page: the dev outbox's mail is recent, so the next run
	// removes none of it.
	admin.open("/admin/retention")
	if page := admin.html("main"); !strings.Contains(page, "What the next run removes") {
		admin.fatalf("the retention page lacks its preview")
	}
	admin.shot("retention")
	campaignSent(mgr, campaign, len(contacts))

	// 6. Respondents answer from their links.
	answered := 0
	north, south := accounts[0].contacts, accounts[2].contacts

	// On a phone, without JavaScript, without consent; nothing from elsewhere.
	answerAnonymously(t, browser, srv, links[north[0].email])
	answered++

	// With consent, then withdrawn from the thank-you page.
	answerNamedAndWithdraw(t, browser, srv, links[north[1].email])
	answered++

	// Opening a link (twice, as mail scanners do) or a HEAD changes nothing.
	link := links[south[0].email]
	viewer := newTab(t, browser, srv, "link-twice")
	for range 2 {
		viewer.open(link)
		if viewer.count("form.respondent-form[method=post]") != 1 {
			viewer.fatalf("opening %s again no longer shows the answer form", link)
		}
	}
	resp, _, err := api.do(ctx, http.MethodHead, link, nil, nil)
	if err != nil {
		viewer.fatalf("HEAD %s: %v", link, err)
	}
	if resp.StatusCode != http.StatusOK {
		viewer.fatalf("HEAD %s: status %d", link, resp.StatusCode)
	}
	// The email's score link opens the form with that score selected and
	// says so; opening it stores nothing either, so the answer below counts.
	viewer.open(scoreLinks[south[0].email])
	if viewer.count(`input[type=radio][name="q.`+npsKey+`"][value="6"]:checked`) != 1 || viewer.count(`input[type=radio]:checked`) != 1 {
		viewer.fatalf("the score link does not select 6, and only 6")
	}
	if hint := viewer.text("#q-" + npsKey + "-hint"); !strings.Contains(hint, "6") {
		viewer.fatalf("the form does not say the score came from the email: %q", hint)
	}
	viewer.shot("score-link")
	if err := api.answer(ctx, link, 6, "", false); err != nil {
		viewer.fatalf("answering after two views and a HEAD: %v", err)
	}
	answered++
	// Now the link is used: it says so, and offers no form.
	viewer.open(link)
	if viewer.count("form.respondent-form") != 0 {
		viewer.fatalf("an answered link still shows the answer form")
	}

	// 7. Everyone else answers, so that the survey is above the threshold
	// while the South (two answers) stays below it.
	scores := []int{10, 9, 3, 8, 7, 0}
	var named, namedDetractors []person // consented, in step 9's follow-ups
	i := 0
	for _, c := range contacts {
		if c == north[0] || c == north[1] || c == south[0] {
			continue
		}
		score, consent := scores[i%len(scores)], i%2 == 0
		if err := api.answer(ctx, links[c.email], score, "Service visits are on time.", consent); err != nil {
			viewer.fatalf("answer for %s: %v", c.email, err)
		}
		if consent {
			named = append(named, c)
			if score <= 6 {
				namedDetractors = append(namedDetractors, c)
			}
		}
		i++
		answered++
	}
	if answered != len(contacts) {
		t.Fatalf("answered %d of %d invitations", answered, len(contacts))
	}

	// 8. The analyst reads the dashboard: exact totals, small groups hidden.
	an := newTab(t, browser, srv, "analyst")
	signIn(an, analyst, staffPassword, "")
	checkDashboard(an, surveyID, answered)

	// 9. The manager follows up with the people who agreed to be named.
	followUp(mgr, named, namedDetractors, north[1])
	waitForAlert(ctx, t, api, token, manager.email, len(namedDetractors))

	// Nothing along the way was a server error.
	if errs := srv.log.Grep("level=ERROR"); len(errs) > 0 {
		t.Fatalf("the server logged %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
	t.Logf("the story took %s", time.Since(started).Round(time.Second))
}

func allContacts() []person {
	var out []person
	for _, a := range accounts {
		out = append(out, a.contacts...)
	}
	return out
}

// signIn signs a person in on the login page; shot names a screenshot of
// the filled-in page ("" for none).
func signIn(tb *tab, who person, password, shot string) {
	tb.t.Helper()
	tb.open("/login")
	if h := tb.text("#login-title"); h != "Sign in to Candor" {
		tb.fatalf("login page heading %q", h)
	}
	tb.fill("#email", who.email)
	tb.fill("#password", password)
	if shot != "" {
		tb.shot(shot)
	}
	tb.submit("sign in", `form[action="/login"] button[type=submit]`)
	tb.wantPath("/")
	if tb.count(".alert-error") != 0 {
		tb.fatalf("sign-in refused: %s", tb.text(".alert-error"))
	}
	if got := tb.text(".account-name"); got != who.name && who.email != adminEmail {
		tb.fatalf("signed in as %q, want %q", got, who.name)
	}
}

// addUser adds a staff user on the admin's user pages.
func addUser(tb *tab, who person, role string) {
	tb.t.Helper()
	tb.open("/admin/users/new")
	tb.fill("#email", who.email)
	tb.fill("#name", who.name)
	tb.replace("#role", role)
	tb.fill("#password", staffPassword)
	tb.submit("add "+role, `form[action="/admin/users/new"] button[type=submit]`)
	tb.wantPath("/admin/users")
	if got := tb.text(".alert-success"); got != "The user was added." {
		tb.fatalf("after adding %s: %q", who.email, got)
	}
	if !strings.Contains(tb.text("table"), who.email) {
		tb.fatalf("the user list does not show %s", who.email)
	}
}

// addAccount adds a customer account; the manager is its responsible manager.
func addAccount(tb *tab, a account) {
	tb.t.Helper()
	tb.open("/accounts/new")
	tb.fill("#name", a.name)
	tb.fill("#country", a.country)
	tb.fill("#region", a.region)
	tb.fill("#industry", a.industry)
	tb.fill("#tier", a.tier)
	if n := tb.count(`input[name=managerIds]:checked`); n != 1 {
		tb.fatalf("new account form: %d managers preselected, want the manager herself", n)
	}
	tb.submit("add account "+a.name, `form[action="/accounts/new"] button[type=submit]`)
	if p := tb.path(); p == "/accounts/new" || tb.count(".alert-error") != 0 {
		tb.fatalf("account %s not added (on %s)", a.name, p)
	}
	tb.open("/accounts")
	if !strings.Contains(tb.text("main"), a.name) {
		tb.fatalf("the accounts list does not show %s", a.name)
	}
}

// importContacts uploads a CSV of every contact, checks the preview and
// imports it, waiting for the background job to finish.
func importContacts(tb *tab) {
	tb.t.Helper()
	var csv strings.Builder
	csv.WriteString("name,email,account,locale\n")
	for _, a := range accounts {
		for _, c := range a.contacts {
			fmt.Fprintf(&csv, "%s,%s,%s,en\n", c.name, c.email, a.name)
		}
	}
	file := filepath.Join(tb.t.TempDir(), "contacts.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		tb.fatalf("write CSV: %v", err)
	}
	want := strconv.Itoa(len(allContacts()))

	tb.open("/contacts/import")
	tb.step("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	tb.submit("upload", `form[action="/contacts/import"] button[type=submit]`)
	tb.wantPath("/contacts/import/")
	if got := tb.text(".stat-create .stat-value"); got != want {
		tb.fatalf("preview: %s contacts to add, want %s", got, want)
	}
	if got := tb.text(".stat-reject .stat-value"); got != "0" {
		tb.fatalf("preview: %s rows rejected, want 0", got)
	}
	tb.shot("import-preview")
	tb.submit("confirm the import", `form.confirm-bar button[type=submit]`)

	waitForImport(tb)
	if got := tb.text(".stat-create .stat-value"); got != want {
		tb.fatalf("import: %s contacts added, want %s", got, want)
	}
}

var surveyPathRE = regexp.MustCompile(`^/surveys/([^/]+)$`)

// The keys the builder makes from the questions' wording (at most 40
// characters, cut at a word), which name the respondent form's fields.
const (
	npsKey     = "how_likely_are_you_to_recommend_us_to_a"
	commentKey = "what_is_the_one_thing_we_should_improve"
)

// buildSurvey builds a survey in the builder and opens it; it returns its id.
func buildSurvey(tb *tab) string {
	tb.t.Helper()
	tb.open("/surveys/new")
	tb.fill("#f-title-en", "Customer loyalty 2026")
	tb.fill("#f-intro-en", "Two questions, one minute. Your answers are anonymous unless you choose otherwise.")
	if got := value(tb, "first question type", chromedp.Value(chromedp.CSS("#f-questions-0-type"))); got != "nps" {
		tb.fatalf("the first question is %q, want nps", got)
	}
	tb.fill("#f-questions-0-prompt-en", "How likely are you to recommend us to a colleague?")
	tb.replace("#f-newType", "text")
	tb.submit("add a question", `button[name=action][value=add]`)
	tb.fill("#f-questions-1-prompt-en", "What is the one thing we should improve?")
	// Keys are made from the wording and kept out of the way, under Advanced.
	if tb.count("details#f-questions-0-advanced[open]") != 0 {
		tb.fatalf("a question's Advanced settings are open without asking")
	}
	tb.shot("survey-builder")
	tb.submit("save the draft", `.builder-bar button[name=action][value=save]`)
	p, _, _ := strings.Cut(tb.path(), "?")
	m := surveyPathRE.FindStringSubmatch(p)
	if m == nil {
		tb.fatalf("after saving, on %s, want the survey's page (problems: %q)", tb.path(), summary(tb))
	}
	id := m[1]
	if tb.count(".survey-status-draft") != 1 {
		tb.fatalf("a new survey is not a draft")
	}
	tb.submit("open survey…", `a[href="/surveys/`+id+`/open"]`)
	tb.submit("confirm opening", `form[action="/surveys/`+id+`/open"] button[type=submit]`)
	tb.wantPath("/surveys/" + id)
	if tb.count(".survey-status-open") != 1 {
		tb.fatalf("the survey did not open")
	}
	return id
}

// summary is the error summary of a form page, if any.
func summary(tb *tab) string {
	if tb.count(".alert-error") == 0 {
		return ""
	}
	return tb.text(".alert-error")
}

// sendCampaign invites every contact of the accounts; it returns the
// campaign page's path.
func sendCampaign(tb *tab, surveyID string) string {
	tb.t.Helper()
	tb.open("/surveys/" + surveyID + "/campaigns/new")
	tb.click("#audience-accounts")
	if n := tb.clickAll(`input[name=accountIds]`); n != len(accounts) {
		tb.fatalf("the campaign form offers %d accounts, want %d", n, len(accounts))
	}
	tb.submit("preview", `form.campaign-form .form-actions button[type=submit]`)
	want := fmt.Sprintf("Send %d invitations now", len(allContacts()))
	if got := tb.text(".campaign-confirm button[type=submit]"); got != want {
		tb.fatalf("preview offers %q, want %q (%s)", got, want, summary(tb))
	}
	tb.submit("send", `.campaign-confirm button[type=submit]`)
	return tb.wantPath("/campaigns/")
}

// sentCountJS reads the count labelled "Sent" on a campaign page.
const sentCountJS = `(() => {
	for (const d of document.querySelectorAll(".campaign-counts > div")) {
		if (d.querySelector("dt")?.textContent.trim() === "Sent") return d.querySelector("dd").textContent;
	}
	return "(no Sent count on the page)";
})()`

// campaignSent waits on the campaign page until every invitation counts as
// sent and the campaign has left "Sending", and keeps a screenshot. While
// sending, the page reloads itself every few seconds; waiting until it stops
// keeps that reload from racing the tab's next navigation.
func campaignSent(tb *tab, path string, want int) {
	tb.t.Helper()
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Minute)
	defer cancel()
	var sent, state string
	err := waitFor(ctx, "the campaign page to count every invitation sent", func() (bool, error) {
		qctx, qcancel := context.WithTimeout(ctx, 10*time.Second)
		defer qcancel()
		if _, err := chromedp.Run(qctx, chromedp.NavigateResponse(tb.base+path)); err != nil {
			return false, err
		}
		s, err := chromedp.Run(qctx, chromedp.Evaluate[string](sentCountJS))
		if err != nil {
			return false, err
		}
		sent = strings.TrimSpace(s)
		st, err := chromedp.Run(qctx, chromedp.Evaluate[string](`document.querySelector(".campaign-state")?.textContent.trim() ?? ""`))
		state = st
		return sent == strconv.Itoa(want) && state != "Sending", err
	})
	if err != nil {
		tb.fatalf("campaign: %s sent (state %q), want %d: %v", sent, state, want, err)
	}
	tb.shot("campaign")
}

// answerAnonymously answers on a phone-sized screen with JavaScript off,
// without ticking consent, and checks that the pages load nothing from
// another origin.
func answerAnonymously(t *testing.T, browser context.Context, srv *server, link string) {
	t.Helper()
	tb := newTab(t, browser, srv, "respondent-anonymous")
	tb.phone()
	tb.noScript()
	requests := tb.recordRequests()
	tb.open(link)
	form := tb.html("form.respondent-form")
	if !strings.Contains(form, `method="post"`) {
		tb.fatalf("the answer form does not post: %s", firstLine([]byte(form)))
	}
	if consent := tb.html("#consent"); strings.Contains(consent, "checked") {
		tb.fatalf("the consent box is ticked before the respondent ticks it: %s", consent)
	}
	tb.shot("respondent-form-phone")
	tb.click(`label[for="q-` + npsKey + `-8"]`)
	tb.fill("#q-"+commentKey, "Faster replies to service calls, please.")
	tb.submit("send answers (no JavaScript)", `form.respondent-form button[type=submit]`)
	tb.wantPath(link + "/thanks")
	page := tb.html("main")
	for _, want := range []string{"Thank you for your answers", "Your answers were recorded anonymously"} {
		if !strings.Contains(page, want) {
			tb.fatalf("the thank-you page does not say %q", want)
		}
	}
	if tb.count(`form[action*="/withdraw"]`) != 0 {
		tb.fatalf("an anonymous answer offers to withdraw a consent never given")
	}
	foreign, total := requests.foreign(srv.URL)
	if total < 2 {
		tb.fatalf("recorded %d requests; the request log is not working", total)
	}
	if len(foreign) > 0 {
		tb.fatalf("respondent pages requested other origins: %v", foreign)
	}
}

// answerNamedAndWithdraw answers with consent, withdraws it from the
// thank-you page and checks the privacy page shows the withdrawal.
func answerNamedAndWithdraw(t *testing.T, browser context.Context, srv *server, link string) {
	t.Helper()
	tb := newTab(t, browser, srv, "respondent-named")
	tb.open(link)
	tb.click(`label[for="q-` + npsKey + `-10"]`)
	tb.fill("#q-"+commentKey, "Keep the same technician on our site.")
	tb.click(`label[for="consent"]`)
	if !value(tb, "consent ticked", chromedp.JavascriptAttribute[bool](chromedp.CSS("#consent"), "checked")) {
		tb.fatalf("clicking the consent label did not tick the box")
	}
	tb.submit("send answers with consent", `form.respondent-form button[type=submit]`)
	tb.wantPath(link + "/thanks")
	if got := tb.text("#thanks-title"); got != "Thank you for your answers" {
		tb.fatalf("thank-you heading %q", got)
	}
	if got := tb.text(".respondent-message .lead"); !strings.HasPrefix(got, "Your name is attached to your answers") {
		tb.fatalf("after a named answer the thank-you page says %q", got)
	}
	tb.shot("thank-you")
	tb.submit("withdraw consent", `form[action*="/withdraw"] button[type=submit]`)
	tb.wantPath(link + "/thanks")
	if got := tb.text(".alert-success"); got != "Your name has been removed from your answers." {
		tb.fatalf("after withdrawing, the page says %q", got)
	}
	if tb.count(`form[action*="/withdraw"]`) != 0 {
		tb.fatalf("the thank-you page still offers to withdraw")
	}
	tb.submit("see my data", ".respondent-next a")
	tb.wantPath(link + "/privacy")
	if tb.count(".consent-state") != 1 || tb.count(".consent-active") != 0 {
		tb.fatalf("the privacy page does not show the one consent as withdrawn")
	}
	if got := tb.text(".consent-state"); !strings.HasPrefix(got, "Withdrawn") && !strings.Contains(strings.ToLower(got), "withdrawn") {
		tb.fatalf("consent state %q", got)
	}
	tb.shot("privacy")
}

var firstNumberRE = regexp.MustCompile(`\d[\d,.\s]*`)

// checkDashboard reads the survey's report as the analyst.
func checkDashboard(tb *tab, surveyID string, answered int) {
	tb.t.Helper()
	// Analysts see aggregates only, never a contact.
	resp := value(tb, "open /contacts", chromedp.NavigateResponse(tb.base+"/contacts"))
	if resp.Status != http.StatusForbidden {
		tb.fatalf("an analyst opening /contacts got %d, want 403", resp.Status)
	}

	tb.open("/surveys/" + surveyID + "/report")
	got := tb.text("#overall-responses")
	n := strings.NewReplacer(",", "", ".", "", " ", "", "\u00a0", "").Replace(firstNumberRE.FindString(got))
	if n != strconv.Itoa(answered) {
		tb.fatalf("#overall-responses shows %q, want %d answers", got, answered)
	}
	tb.shot("dashboard")

	tb.open("/surveys/" + surveyID + "/report?by=region")
	if tb.count(".suppressed") == 0 {
		tb.fatalf("by region, no cell is suppressed although the South has %d answers", len(accounts[2].contacts))
	}
	page := tb.text("main")
	for _, c := range allContacts() {
		if strings.Contains(page, c.email) || strings.Contains(page, c.name) {
			tb.fatalf("the dashboard names a respondent: %s", c.name)
		}
	}
	tb.shot("dashboard-by-region")
}

var followupLinkRE = regexp.MustCompile(`<a href="(/followups/[^"]+)">([^<]+)</a>`)

// followUp checks the manager's follow-up list (exactly the people who
// consented and did not withdraw, detractors marked), opens a detractor's
// named response, marks it contacted and resolves it with a note.
func followUp(tb *tab, named, detractors []person, withdrawn person) {
	tb.t.Helper()
	tb.open("/followups")
	if n := tb.count("table.followup-table tbody tr"); n != len(named) {
		tb.fatalf("%d follow-ups listed, want %d (one per consenting respondent)", n, len(named))
	}
	page := tb.html("main")
	for _, p := range named {
		if !strings.Contains(page, p.name) {
			tb.fatalf("the follow-ups do not list %s, who consented", p.name)
		}
	}
	if strings.Contains(page, withdrawn.name) {
		tb.fatalf("the follow-ups list %s, who withdrew consent", withdrawn.name)
	}
	if n := tb.count("table.followup-table .badge-detractor"); n != len(detractors) {
		tb.fatalf("%d detractors marked, want %d", n, len(detractors))
	}
	tb.shot("followups")
	if len(detractors) == 0 {
		tb.fatalf("the story needs a named detractor")
	}
	href := ""
	for _, m := range followupLinkRE.FindAllStringSubmatch(page, -1) {
		if m[2] == detractors[0].name {
			href = m[1]
		}
	}
	if href == "" {
		tb.fatalf("no link to %s's follow-up", detractors[0].name)
	}
	tb.open(href)
	if got := tb.text("main"); !strings.Contains(got, detractors[0].name) || !strings.Contains(got, "Detractor") {
		tb.fatalf("the follow-up page does not show %s as a detractor:\n%.400s", detractors[0].name, got)
	}
	if due := tb.text("#followup-due"); !strings.Contains(due, "Due in") {
		tb.fatalf("a new detractor follow-up shows its due time as %q", due)
	}
	tb.shot("followup")
	tb.submit("mark contacted", "#mark-contacted")
	if got := tb.text(".alert-success"); got != "Marked as contacted." {
		tb.fatalf("after marking contacted: %q", got)
	}
	tb.fill("#note", "Called back; the next visit is booked.")
	tb.submit("resolve the follow-up", "#resolve")
	if got := tb.text(".alert-success"); got != "Resolved." {
		tb.fatalf("after resolving: %q", got)
	}
	if got := tb.text("main"); !strings.Contains(got, "Called back; the next visit is booked.") {
		tb.fatalf("the note does not show after resolving")
	}
	if got := tb.text("#followup-state"); got != "Resolved" {
		tb.fatalf("the resolved follow-up's state reads %q", got)
	}
}

// waitForAlert waits until the dev outbox holds want detractor alerts for
// the manager, each linking to a follow-up.
func waitForAlert(ctx context.Context, t *testing.T, api *client, token, to string, want int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var alerts []mail
	err := waitFor(ctx, fmt.Sprintf("%d detractor alerts to %s", want, to), func() (bool, error) {
		msgs, err := api.outbox(ctx, token)
		alerts = alerts[:0]
		for _, m := range msgs {
			if address(m.To) == to && strings.HasPrefix(m.Subject, "Follow up:") {
				alerts = append(alerts, m)
			}
		}
		return len(alerts) >= want, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != want {
		t.Fatalf("%d detractor alerts to %s, want %d", len(alerts), to, want)
	}
	for _, m := range alerts {
		if !strings.Contains(m.Text, api.base+"/followups/") {
			t.Errorf("alert %q has no link to its follow-up:\n%s", m.Subject, m.Text)
		}
	}
}

// waitForImport waits on an import's job page, which reloads itself every
// two seconds while the import runs, until the import has finished.
func waitForImport(tb *tab) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Minute)
	defer cancel()
	var heading string
	err := waitFor(ctx, "the import to finish", func() (bool, error) {
		qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
		defer qcancel()
		h, err := chromedp.Run(qctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			return false, nil // between two loads of the page
		}
		heading = strings.TrimSpace(h)
		return heading != "Importing contacts…", nil
	})
	if err != nil {
		tb.fatalf("%v", err)
	}
	if heading != "Import finished" {
		tb.fatalf("import ended with %q", heading)
	}
}
