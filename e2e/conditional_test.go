//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// conditionalCompany is the company the conditional survey's prompts name.
const conditionalCompany = "Fjord Elevators AS"

// conditionalSurvey is three steps: the score; why it is low (0–6) or what
// is liked (9–10); and, for those who blame support, a question piping
// the score, the reason and the company's name.
const conditionalSurvey = `{
  "title": {"en": "After your service visit"},
  "locales": ["en"],
  "questions": [
    {"key": "nps", "type": "nps", "required": true,
     "prompt": {"en": "How likely are you to recommend {{account}}'s service partner to a colleague?"}},
    {"key": "why_low", "type": "single", "required": true, "prompt": {"en": "What went wrong?"},
     "options": [{"key": "price", "label": {"en": "Price"}}, {"key": "support", "label": {"en": "Support"}}],
     "showIf": {"question": "nps", "op": "between", "min": 0, "max": 6}},
    {"key": "why_high", "type": "text", "prompt": {"en": "What do you like most?"},
     "showIf": {"question": "nps", "op": "between", "min": 9, "max": 10}},
    {"key": "fix", "type": "text",
     "prompt": {"en": "You scored {{answer:nps}} and chose {{answer:why_low}}. What should we fix first for {{account}}?"},
     "showIf": {"question": "why_low", "op": "any_of", "options": ["support"]}}
  ],
  "consentText": {"en": "Attach my name to my answers, so that my account manager can follow up."}
}`

// TestConditionalSurvey answers a survey of three conditional steps in
// Chromium, once without JavaScript (a page per step) and once with it
// (the steps in the browser), and checks that only the questions shown
// were stored.
func TestConditionalSurvey(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	srv := startServer(t)
	browser := startBrowser(t)
	api := newClient(srv.URL)
	token, err := api.token(ctx, adminEmail, adminPassword)
	if err != nil {
		t.Fatalf("API token: %v", err)
	}
	call := func(method, path, body string, want int) map[string]any {
		t.Helper()
		resp, b, err := api.do(ctx, method, path, http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}, strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		out := map[string]any{}
		_ = json.Unmarshal(b, &out)
		return out
	}
	me, _ := call(http.MethodGet, "/api/v1/me", "", http.StatusOK)["id"].(string)
	acct := call(http.MethodPost, "/api/v1/accounts", `{"name": "`+conditionalCompany+`", "country": "NO", "region": "North", "industry": "Elevators", "tier": "Gold", "managerIds": ["`+me+`"]}`, http.StatusCreated)
	accountID, _ := acct["id"].(string)
	for _, p := range []person{{"Nora Nojs", "nora.nojs@fjord.example"}, {"Jonas Js", "jonas.js@fjord.example"}} {
		body, _ := json.Marshal(map[string]string{"accountId": accountID, "name": p.name, "email": p.email, "locale": "en"})
		call(http.MethodPost, "/api/v1/contacts", string(body), http.StatusCreated)
	}
	sv := call(http.MethodPost, "/api/v1/surveys", conditionalSurvey, http.StatusCreated)
	surveyID, _ := sv["id"].(string)
	call(http.MethodPost, "/api/v1/surveys/"+surveyID+"/open", "", http.StatusOK)
	call(http.MethodPost, "/api/v1/surveys/"+surveyID+"/campaigns", `{"accountIds": ["`+accountID+`"]}`, http.StatusAccepted)
	msgs, err := api.waitForMail(ctx, token, 2)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for _, m := range msgs {
		if l, ok := surveyLink(srv.URL, m); ok {
			links[address(m.To)] = l
		}
	}

	answerStepsWithoutScript(t, browser, srv, links["nora.nojs@fjord.example"])
	answerStepsWithScript(t, browser, srv, links["jonas.js@fjord.example"])
}

// stepHeading is the step counter a page shows.
func (tb *tab) stepHeading() string {
	tb.t.Helper()
	return tb.text("#step-heading")
}

func (tb *tab) wantStep(want string) {
	tb.t.Helper()
	if got := tb.stepHeading(); got != want {
		tb.fatalf("the step says %q, want %q", got, want)
	}
}

// storedAnswers reads the answers the respondent's privacy page lists
// (theirs, named with their consent).
func (tb *tab) storedAnswers(link string) string {
	tb.t.Helper()
	tb.open(link + "/privacy")
	return tb.html(".privacy-answers")
}

func answerStepsWithoutScript(t *testing.T, browser context.Context, srv *server, link string) {
	t.Helper()
	tb := newTab(t, browser, srv, "respondent-steps-nojs")
	tb.noScript()
	tb.open(link)
	tb.wantStep("Step 1 of 3")
	if n := tb.count(`[name="q.why_low"]`); n != 0 {
		tb.fatalf("step 1 shows the follow-up (%d inputs)", n)
	}
	if prompt := tb.text(`[data-key="nps"] legend`); !strings.Contains(prompt, conditionalCompany+"'s service partner") {
		tb.fatalf("the score's prompt does not name the company: %q", prompt)
	}
	tb.shot("steps-nojs-1")
	tb.click(`label[for="q-nps-3"]`)
	tb.submit("next to step 2", `button[value="next"]`)
	tb.wantStep("Step 2 of 3")
	tb.shot("steps-nojs-2")
	tb.click(`label[for="q-why_low-support"]`)
	tb.submit("back to step 1", `button[value="back"]`)
	tb.wantStep("Step 1 of 3")
	if radio := tb.html("#q-nps-3"); !strings.Contains(radio, "checked") {
		tb.fatalf("back on step 1, the score given is not selected: %s", radio)
	}
	// A changed score keeps the follow-up, with the reason chosen.
	tb.click(`label[for="q-nps-2"]`)
	tb.submit("next to step 2 again", `button[value="next"]`)
	if radio := tb.html("#q-why_low-support"); !strings.Contains(radio, "checked") {
		tb.fatalf("the reason chosen before is not selected: %s", radio)
	}
	tb.submit("next to step 3", `button[value="next"]`)
	tb.wantStep("Step 3 of 3")
	want := "You scored 2 and chose Support. What should we fix first for " + conditionalCompany + "?"
	if prompt := tb.text(`label[for="q-fix"]`); !strings.Contains(prompt, want) {
		tb.fatalf("the piped prompt reads %q, want %q", prompt, want)
	}
	tb.shot("steps-nojs-3")
	tb.fill("#q-fix", "Answer the phone.")
	tb.click("#consent")
	tb.submit("send answers", `button[value="submit"]`)
	tb.wantPath(link + "/thanks")
	stored := tb.storedAnswers(link)
	for _, w := range []string{"2 (0–10)", "Support", "Answer the phone.", "You scored 2 and chose Support. What should we fix first for " + conditionalCompany + "?"} {
		if !strings.Contains(stored, w) {
			tb.fatalf("the stored answers lack %q: %s", w, stored)
		}
	}
	if strings.Contains(stored, "What do you like most?") {
		tb.fatalf("a question never shown was stored: %s", stored)
	}
}

func answerStepsWithScript(t *testing.T, browser context.Context, srv *server, link string) {
	t.Helper()
	tb := newTab(t, browser, srv, "respondent-steps-js")
	tb.open(link)
	tb.wantStep("Step 1 of 3")
	if n := tb.count(`[data-nojs]`); n != 0 {
		tb.fatalf("the script did not take over the steps")
	}
	tb.shot("steps-js-1")
	visible := func(sel string) bool {
		tb.t.Helper()
		return value(tb, "is "+sel+" shown", chromedp.Evaluate[bool](fmt.Sprintf(
			`(function(){var e=document.querySelector(%q);return !!e && e.getClientRects().length>0})()`, sel)))
	}
	// A promoter is asked what they like; Back, and as a detractor the
	// follow-up is the reason instead.
	tb.click(`label[for="q-nps-9"]`)
	tb.click(`[data-next]`)
	tb.wantStep("Step 2 of 2")
	if !visible(`[data-key="why_high"]`) || visible(`[data-key="why_low"]`) || !visible(`[data-submit]`) {
		tb.fatalf("a promoter's step 2 does not show just what they like, with the submit button")
	}
	tb.click(`[data-back]`)
	tb.wantStep("Step 1 of 2")
	tb.click(`label[for="q-nps-4"]`)
	tb.wantStep("Step 1 of 3")
	tb.click(`[data-next]`)
	if !visible(`[data-key="why_low"]`) || visible(`[data-key="why_high"]`) {
		tb.fatalf("a detractor's step 2 does not show just the reason")
	}
	focused := value(tb, "focus", chromedp.Evaluate[string](`document.activeElement && document.activeElement.id`))
	if focused != "step-heading" {
		tb.fatalf("focus is on %q after Next, want the step heading", focused)
	}
	// Price ends the survey here; support adds a step, in place.
	tb.click(`label[for="q-why_low-price"]`)
	tb.wantStep("Step 2 of 2")
	if !visible(`[data-submit]`) || visible(`[data-next]`) {
		tb.fatalf("with price chosen, step 2 is not the last")
	}
	tb.click(`label[for="q-why_low-support"]`)
	tb.wantStep("Step 2 of 3")
	tb.shot("steps-js-2")
	tb.click(`[data-next]`)
	tb.wantStep("Step 3 of 3")
	want := "You scored 4 and chose Support. What should we fix first for " + conditionalCompany + "?"
	if prompt := tb.text(`label[for="q-fix"]`); !strings.Contains(prompt, want) {
		tb.fatalf("the piped prompt reads %q, want %q", prompt, want)
	}
	tb.shot("steps-js-3")
	tb.fill("#q-fix", "Call back the same day.")
	tb.click("#consent")
	// A value for a question not shown, posted anyway, is not stored.
	value(tb, "add a hidden answer", chromedp.Evaluate[bool](`(function(){var i=document.createElement("input");i.type="hidden";i.name="q.why_high";i.value="sneaked in";document.querySelector("form[data-steps]").appendChild(i);return true})()`))
	tb.submit("send answers", `[data-submit]`)
	tb.wantPath(link + "/thanks")
	stored := tb.storedAnswers(link)
	for _, w := range []string{"4 (0–10)", "Support", "Call back the same day."} {
		if !strings.Contains(stored, w) {
			tb.fatalf("the stored answers lack %q: %s", w, stored)
		}
	}
	if strings.Contains(stored, "sneaked in") || strings.Contains(stored, "What do you like most?") {
		tb.fatalf("a question never shown was stored: %s", stored)
	}
}
