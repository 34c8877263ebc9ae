package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/respondent"
)

// adaptiveSurvey is three steps: the score; a follow-up only detractors
// (why_low) or only promoters (why_high) see; and a question piping the
// score, the reason and the company's name, shown to those who blame
// support.
func adaptiveSurvey() survey.Survey {
	bi := func(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }
	return survey.Survey{
		Title: bi("Follow-up", "Jatko"), DefaultLocale: "en", Locales: []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Required: true,
				Prompt: bi("How likely are you to recommend us to {{account}}?", "Suosittelisitko meitä yritykselle {{account}}?")},
			{Key: "why_low", Type: survey.TypeSingle, Required: true, Prompt: bi("What went wrong?", "Mikä meni vikaan?"),
				Options: []survey.Option{{Key: "price", Label: bi("Price", "Hinta")}, {Key: "support", Label: bi("Support", "Tuki")}},
				ShowIf:  &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)}},
			{Key: "why_high", Type: survey.TypeText, Prompt: bi("What do you like most?", "Mistä pidät eniten?"),
				ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(9), Max: new(10)}},
			{Key: "fix", Type: survey.TypeText,
				Prompt: bi("You scored {{answer:nps}} and chose {{answer:why_low}}. What should {{account}} fix first?", "Annoit {{answer:nps}}, valitsit {{answer:why_low}}. Mitä {{account}} korjaa ensin?"),
				ShowIf: &survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"support"}}},
		},
		ConsentText: bi("Attach my name to my answers.", "Liitä nimeni vastauksiini."),
	}
}

// stepsFixture is the respondent fixture with the adaptive survey open.
type stepsFixture struct {
	*respondentFixture
	adaptive survey.Survey
}

func newStepsFixture(t *testing.T) *stepsFixture {
	t.Helper()
	f := newRespondentFixture(t)
	def := adaptiveSurvey()
	return &stepsFixture{respondentFixture: f, adaptive: f.w.OpenSurvey(t, &def)}
}

var stepState = regexp.MustCompile(`name="step" value="([^"]+)"`)

// stepPage is a step's page: what a browser without scripts shows, apart
// from the template the script uses.
type stepPage struct {
	response
	shown string // the page without its <template>
	state string
}

func readStep(t *testing.T, r response) stepPage {
	t.Helper()
	shown, _, _ := strings.Cut(r.body, `<template id="steps-all"`)
	m := stepState.FindStringSubmatch(shown)
	if m == nil {
		t.Fatalf("%s: no step state in the page:\n%s", r.Request.URL, truncate(r.body))
	}
	return stepPage{response: r, shown: shown, state: m[1]}
}

// has checks what the step shows, and what it must not.
func (p stepPage) has(t *testing.T, want []string, not ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.shown, w) {
			t.Errorf("the step lacks %q:\n%s", w, truncate(p.shown))
		}
	}
	for _, n := range not {
		if strings.Contains(p.shown, n) {
			t.Errorf("the step shows %q:\n%s", n, truncate(p.shown))
		}
	}
}

// post sends a step: its state, the button pressed, and the answers.
func (f *stepsFixture) post(c *client, token string, p stepPage, action string, answers url.Values) stepPage {
	c.t.Helper()
	r := f.postRaw(c, token, p.state, action, answers)
	if r.StatusCode == http.StatusSeeOther {
		c.t.Fatalf("the step was submitted: %s", r.Header.Get("Location"))
	}
	return readStep(c.t, r)
}

func (f *stepsFixture) postRaw(c *client, token, state, action string, answers url.Values) response {
	form := url.Values{}
	for k, v := range answers {
		form[k] = v
	}
	form.Set(respondent.LocaleField, "en")
	form.Set(respondent.ConsentVersionField, strconv.Itoa(f.adaptive.ConsentVersion))
	form.Set(respondent.StepField, state)
	form.Set(respondent.ActionField, action)
	return c.post(respondentPath(token, "?lang=en"), form)
}

// storedAnswers returns the keys of the stored response's answers.
func (f *stepsFixture) storedAnswers(t *testing.T, p respondtest.Person) map[string]survey.Answer {
	t.Helper()
	ids, err := respond.ResponseIDs(f.w.Ring, p.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.st.Responses.FirstOf(context.Background(), ids...)
	if err != nil {
		t.Fatalf("no response stored: %v", err)
	}
	answers, err := privacy.OpenAnswers(f.w.Sealer, resp)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]survey.Answer{}
	for _, a := range answers {
		out[a.Key] = a
	}
	return out
}

func keysOf(m map[string]survey.Answer) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// nothingStored fails when the database changed since before.
func (f *stepsFixture) nothingStored(t *testing.T, before respondtest.Snapshot, when string) {
	t.Helper()
	if changes := respondtest.Diff(before, respondtest.Take(t, f.st.DB())); len(changes) != 0 {
		t.Errorf("%s: the database changed: %+v", when, changes)
	}
}

func TestStepsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	f := newStepsFixture(t)
	p := f.w.Invite(t, f.adaptive, "Stina Steps", "stina@example.com", "en")
	c := f.client(t)
	before := respondtest.Take(t, f.st.DB())

	first := readStep(t, c.get(respondentPath(p.Token, "?lang=en")))
	wantStatus(t, first.response, http.StatusOK)
	first.has(t, []string{"Step 1 of 3", `name="q.nps"`, "How likely are you to recommend us to " + p.Account.Name + "?",
		`value="next"`, "respond-steps"}, `name="q.why_low"`, `name="consent"`, `value="back"`, `value="submit"`)

	// Step 2 for a detractor: nothing stored, and required answers are
	// asked for on their own step only.
	second := f.post(c, p.Token, first, respondent.ActionNext, url.Values{"q.nps": {"3"}})
	f.nothingStored(t, before, "after step 1")
	second.has(t, []string{"Step 2 of 3", `name="q.why_low"`, `value="back"`, `value="next"`}, `name="q.nps"`, `name="q.why_high"`, `name="consent"`)
	refused := f.post(c, p.Token, second, respondent.ActionNext, nil)
	wantStatus(t, refused.response, http.StatusUnprocessableEntity)
	refused.has(t, []string{"Step 2 of 3", `id="q-why_low-error"`, `href="#q-why_low-error"`}, `q-nps-error`)
	f.nothingStored(t, before, "after a refused step 2")

	// Back keeps what was chosen here without requiring anything, and shows
	// the score given before.
	back := f.post(c, p.Token, refused, respondent.ActionBack, url.Values{"q.why_low": {"support"}})
	wantStatus(t, back.response, http.StatusOK)
	back.has(t, []string{"Step 1 of 3", `id="q-nps-3" name="q.nps" value="3" checked`}, `name="q.why_low"`)
	again := f.post(c, p.Token, back, respondent.ActionNext, url.Values{"q.nps": {"3"}})
	again.has(t, []string{`id="q-why_low-support" name="q.why_low" value="support" checked`})

	// A promoter now: the reason is dropped, and the step is the last.
	back = f.post(c, p.Token, again, respondent.ActionBack, url.Values{"q.why_low": {"support"}})
	promoter := f.post(c, p.Token, back, respondent.ActionNext, url.Values{"q.nps": {"10"}})
	promoter.has(t, []string{"Step 2 of 2", `name="q.why_high"`, `name="consent"`, `value="submit"`}, `name="q.why_low"`, `value="next"`)
	back = f.post(c, p.Token, promoter, respondent.ActionBack, url.Values{"q.why_high": {"Speed"}})
	detractor := f.post(c, p.Token, back, respondent.ActionNext, url.Values{"q.nps": {"3"}})
	detractor.has(t, []string{`name="q.why_low"`}, `value="support" checked`)

	third := f.post(c, p.Token, detractor, respondent.ActionNext, url.Values{"q.why_low": {"support"}})
	f.nothingStored(t, before, "after step 2")
	third.has(t, []string{"Step 3 of 3", "You scored 3 and chose Support. What should " + p.Account.Name + " fix first?",
		`name="q.fix"`, `name="consent"`, `value="submit"`, `value="back"`}, `name="q.why_low"`)

	// The final submission; a hidden question's value posted anyway is not stored.
	r := f.postRaw(c, p.Token, third.state, respondent.ActionSubmit, url.Values{"q.fix": {"Call back sooner"}, "q.why_high": {"sneaked in"}})
	wantSeeOther(t, r, respondentPath(p.Token, "/thanks"))
	stored := f.storedAnswers(t, p)
	if got := keysOf(stored); !slices.Equal(got, []string{"fix", "nps", "why_low"}) {
		t.Errorf("stored answers %v, want fix, nps, why_low", got)
	}
	if *stored["nps"].Score != 3 || stored["fix"].Text != "Call back sooner" {
		t.Errorf("stored %+v", stored)
	}
}

func TestStepsEndOnAFinishingPageWhenTheLastStepIsNotKnownInAdvance(t *testing.T) {
	t.Parallel()
	f := newStepsFixture(t)
	p := f.w.Invite(t, f.adaptive, "Paula Passive", "paula@example.com", "en")
	c := f.client(t)
	before := respondtest.Take(t, f.st.DB())
	first := readStep(t, c.get(respondentPath(p.Token, "?lang=en&q=nps&v=7")))
	first.has(t, []string{`value="7" checked`, "You chose 7 in the email"})
	// A passive is asked nothing more: the consent box comes on a page of
	// its own, which Back leaves.
	finish := f.post(c, p.Token, first, respondent.ActionNext, url.Values{"q.nps": {"7"}})
	finish.has(t, []string{"Almost done", `name="consent"`, `value="submit"`, `value="back"`}, `name="q.nps"`, `name="q.why_low"`)
	f.nothingStored(t, before, "on the finishing page")
	back := f.post(c, p.Token, finish, respondent.ActionBack, nil)
	back.has(t, []string{"Step 1 of 3", `value="7" checked`})
	finish = f.post(c, p.Token, back, respondent.ActionNext, url.Values{"q.nps": {"7"}})
	r := f.postRaw(c, p.Token, finish.state, respondent.ActionSubmit, url.Values{respondent.ConsentField: {"yes"}})
	wantSeeOther(t, r, respondentPath(p.Token, "/thanks"))
	if got := keysOf(f.storedAnswers(t, p)); !slices.Equal(got, []string{"nps"}) {
		t.Errorf("stored %v, want nps", got)
	}
	pageHas(t, c.get(r.Header.Get("Location")), "Remove my name")
	// Their privacy page lists the answer under the prompt as they read it.
	pageHas(t, c.get(respondentPath(p.Token, "/privacy?lang=en")), "How likely are you to recommend us to "+p.Account.Name+"?")
}

func TestStepsWholeSubmissionFromTheScript(t *testing.T) {
	t.Parallel()
	f := newStepsFixture(t)
	p := f.w.Invite(t, f.adaptive, "Jasmin Script", "jasmin@example.com", "en")
	c := f.client(t)
	form := url.Values{respondent.WholeField: {"1"}, respondent.LocaleField: {"en"},
		respondent.ConsentVersionField: {strconv.Itoa(f.adaptive.ConsentVersion)},
		"q.nps":                        {"2"}, "q.why_high": {"hidden, posted anyway"}, "q.fix": {"not shown either"}}
	// A required follow-up missing: its step, with its problem.
	refused := readStep(t, c.post(respondentPath(p.Token, "?lang=en"), form))
	wantStatus(t, refused.response, http.StatusUnprocessableEntity)
	refused.has(t, []string{"Step 2 of 3", `id="q-why_low-error"`}, `name="q.nps"`)

	form.Set("q.why_low", "price")
	wantSeeOther(t, c.post(respondentPath(p.Token, "?lang=en"), form), respondentPath(p.Token, "/thanks"))
	if got := keysOf(f.storedAnswers(t, p)); !slices.Equal(got, []string{"nps", "why_low"}) {
		t.Errorf("stored %v, want nps, why_low", got)
	}
}

func TestStepsRestartWhenTheirStateCannotBeUsed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		state  func(t *testing.T, f *stepsFixture, mine, other stepPage) string
		status int
		note   string
	}{
		{"tampered", func(t *testing.T, f *stepsFixture, mine, _ stepPage) string {
			b := []byte(mine.state)
			b[len(b)/2] ^= 0x01
			return string(b)
		}, http.StatusBadRequest, "could not be read"},
		{"garbage", func(*testing.T, *stepsFixture, stepPage, stepPage) string { return "<script>" }, http.StatusBadRequest, "could not be read"},
		{"another link's", func(_ *testing.T, _ *stepsFixture, _, other stepPage) string { return other.state }, http.StatusBadRequest, "could not be read"},
		{"expired", func(_ *testing.T, f *stepsFixture, mine, _ stepPage) string {
			f.w.Advance(respond.StepLife + time.Minute)
			return mine.state
		}, http.StatusConflict, "open for too long"},
		{"for an older revision", func(t *testing.T, f *stepsFixture, mine, _ stepPage) string {
			ctx := context.Background()
			sv, err := f.st.Surveys.ByID(ctx, f.adaptive.ID)
			if err != nil {
				t.Fatal(err)
			}
			sv.Title["en"] = "Follow-up, revised"
			sv.Revision++
			if err := f.st.Surveys.Replace(ctx, sv, sv.Revision-1); err != nil {
				t.Fatal(err)
			}
			return mine.state
		}, http.StatusConflict, "was updated while you were answering"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newStepsFixture(t)
			p := f.w.Invite(t, f.adaptive, "Rita Restart", "rita@example.com", "en")
			q := f.w.Invite(t, f.adaptive, "Olli Other", "olli@example.com", "en")
			c := f.client(t)
			mine := f.post(c, p.Token, readStep(t, c.get(respondentPath(p.Token, ""))), respondent.ActionNext, url.Values{"q.nps": {"3"}})
			other := f.post(c, q.Token, readStep(t, c.get(respondentPath(q.Token, ""))), respondent.ActionNext, url.Values{"q.nps": {"3"}})
			before := respondtest.Take(t, f.st.DB())
			r := f.postRaw(c, p.Token, tt.state(t, f, mine, other), respondent.ActionSubmit, url.Values{"q.why_low": {"price"}})
			page := readStep(t, r)
			wantStatus(t, r, tt.status)
			page.has(t, []string{tt.note, "Step 1 of 3", `name="q.nps"`}, `name="q.why_low"`, `value="3" checked`)
			if tt.name != "for an older revision" {
				f.nothingStored(t, before, "after a restart")
			}
		})
	}
}

func TestSingleStepSurveysShowNoSteps(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Sam Single", "sam@example.com", "en")
	r := f.client(t).get(respondentPath(p.Token, ""))
	wantStatus(t, r, http.StatusOK)
	for _, absent := range []string{`name="step"`, "<template", "<script", "Step 1"} {
		if strings.Contains(r.body, absent) {
			t.Errorf("a survey of one step shows %q", absent)
		}
	}
}

func TestSingleStepPromptsNameTheCompany(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	def := respondtest.Definition()
	def.Questions[0].Prompt = survey.Text{"en": "Would you recommend us to others at {{account}}?", "fi": "Suosittelisitko meitä muille yrityksessä {{account}}?"}
	sv := f.w.OpenSurvey(t, &def)
	p := f.w.Invite(t, sv, "Pia Pipe", "pia@example.com", "fi")
	// The name is text, never markup.
	acct := p.Account
	acct.Name, acct.NameKey = `<b>Acme</b> & Co`, "acme-"+acct.ID
	if err := f.st.Accounts.Replace(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	r := f.client(t).get(respondentPath(p.Token, ""))
	wantStatus(t, r, http.StatusOK)
	pageHas(t, r, "Suosittelisitko meitä muille yrityksessä &lt;b&gt;Acme&lt;/b&gt; &amp; Co?")
	if strings.Contains(r.body, `name="step"`) {
		t.Error("a survey of one step is answered in steps")
	}
}

func TestAStepOfASurveyNowOnOnePageStartsAgain(t *testing.T) {
	t.Parallel()
	f := newStepsFixture(t)
	p := f.w.Invite(t, f.adaptive, "Ulla Update", "ulla@example.com", "en")
	c := f.client(t)
	second := f.post(c, p.Token, readStep(t, c.get(respondentPath(p.Token, ""))), respondent.ActionNext, url.Values{"q.nps": {"3"}})
	ctx := context.Background()
	sv, err := f.st.Surveys.ByID(ctx, f.adaptive.ID)
	if err != nil {
		t.Fatal(err)
	}
	sv.Questions = sv.Questions[:1]
	sv.Revision++
	if err := f.st.Surveys.Replace(ctx, sv, sv.Revision-1); err != nil {
		t.Fatal(err)
	}
	before := respondtest.Take(t, f.st.DB())
	r := f.postRaw(c, p.Token, second.state, respondent.ActionNext, url.Values{"q.why_low": {"price"}})
	wantStatus(t, r, http.StatusConflict)
	pageHas(t, r, "was updated while you were answering", `name="q.nps"`)
	if strings.Contains(r.body, `name="step"`) {
		t.Error("the survey of one page is still shown in steps")
	}
	f.nothingStored(t, before, "after the survey changed")
}
