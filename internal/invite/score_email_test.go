package invite_test

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

var (
	hrefAttr = regexp.MustCompile(`href="([^"]*)"`)
	// scoreLink is a survey link that selects a score: token, key, score.
	scoreLink = regexp.MustCompile(`^` + regexp.QuoteMeta(baseURL) + `/s/([A-Za-z0-9_.-]+)\?q=([a-z0-9_]+)&v=([0-9]+)$`)
	// scoreLine is a line of the text part: "7: https://…".
	scoreLine = regexp.MustCompile(`(?m)^([0-9]+): (\S+)$`)
)

// scoreLinks reads the score links of an email part in order, failing on
// a link that is not absolute under the base URL.
func scoreLinks(t *testing.T, what string, urls []string) (tokens []string, keys []string, scores []int) {
	t.Helper()
	for _, u := range urls {
		if !strings.HasPrefix(u, baseURL+"/") {
			t.Errorf("%s: link %q is not under %s", what, u, baseURL)
		}
		m := scoreLink.FindStringSubmatch(u)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[3])
		tokens, keys, scores = append(tokens, m[1]), append(keys, m[2]), append(scores, n)
	}
	return tokens, keys, scores
}

func htmlLinks(h string) []string {
	var out []string
	for _, m := range hrefAttr.FindAllStringSubmatch(h, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// textScoreLinks are the numbered links of the text part; it fails when a
// line's number is not the score its link selects.
func textScoreLinks(t *testing.T, what, text string) []string {
	t.Helper()
	var out []string
	for _, m := range scoreLine.FindAllStringSubmatch(text, -1) {
		if sm := scoreLink.FindStringSubmatch(m[2]); sm == nil || sm[3] != m[1] {
			t.Errorf("%s: text line %q: the number is not the link's score", what, m[0])
		}
		out = append(out, m[2])
	}
	return out
}

// TestScoreLinksInTheEmail sends a campaign to a contact in every language
// for surveys of several first questions, and checks that the score links
// are there when the first question is NPS or CSAT (and not confidential),
// each resolving to the recipient's own invitation, and absent otherwise.
func TestScoreLinksInTheEmail(t *testing.T) {
	t.Parallel()
	all := func(s string) survey.Text {
		text := survey.Text{}
		for _, l := range i18n.Supported() {
			text[l] = s + " (" + l + ")"
		}
		return text
	}
	q := func(key string, typ survey.QuestionType, confidential bool) survey.Question {
		return survey.Question{Key: key, Type: typ, Prompt: all("Question " + key), Confidential: confidential}
	}
	tests := []struct {
		name      string
		questions []survey.Question
		key       string // of the offered question; "" when none is
		lo, hi    int
	}{
		{"nps first", []survey.Question{q("nps", survey.TypeNPS, false), q("why", survey.TypeText, false)}, "nps", 0, 10},
		{"csat first", []survey.Question{q("sat", survey.TypeCSAT, false), q("nps", survey.TypeNPS, false)}, "sat", 1, 5},
		{"confidential nps first", []survey.Question{q("nps", survey.TypeNPS, true)}, "", 0, 0},
		{"ces first", []survey.Question{q("effort", survey.TypeCES, false), q("nps", survey.TypeNPS, false)}, "", 0, 0},
		{"text first", []survey.Question{q("why", survey.TypeText, false), q("nps", survey.TypeNPS, false)}, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			now := e.clock.Now()
			sv, err := survey.New(survey.Survey{
				Title: all("Service 2026"), Locales: i18n.Supported(), Questions: tt.questions, ConsentText: all("Attach my name."),
				Branding: survey.Branding{Accent: "#7a1fa2"},
			}, store.NewID(), e.alice.ID, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := sv.Open(now); err != nil {
				t.Fatal(err)
			}
			if err := e.st.Surveys.Insert(ctx, sv); err != nil {
				t.Fatal(err)
			}
			a := e.account(e.alice, "Acme "+tt.name, store.Segment{})
			contactOf := map[string]string{} // email → contact id
			for _, locale := range i18n.Supported() {
				for _, c := range e.contacts(a, "p"+locale, 1, locale) {
					contactOf[c.Email] = c.ID
				}
			}
			created, err := e.svc.Create(ctx, e.alice, sv.ID, invite.Request{AccountIDs: []string{a.ID}})
			if err != nil {
				t.Fatal(err)
			}
			e.settle(e.dispatcher(invite.NewDevOutbox(e.st.DevMails)), created.Campaign.ID)
			mails, _, err := e.st.DevMails.List(ctx, store.Page{Limit: 100})
			if err != nil || len(mails) != len(i18n.Supported()) {
				t.Fatalf("dev outbox has %d mails, %v", len(mails), err)
			}

			var want []int
			for n := tt.lo; tt.key != "" && n <= tt.hi; n++ {
				want = append(want, n)
			}
			for _, m := range mails {
				checkScoreEmail(t, e, m.To, invite.Email{Text: m.Text, HTML: m.HTML}, tt.key, want, func(token string) {
					invID, err := e.links.Parse(token, link.AudienceSurvey)
					if err != nil {
						t.Fatalf("%s: token: %v", m.To, err)
					}
					inv, err := e.st.Invitations.ByID(ctx, invID)
					if err != nil || inv.ContactID != contactOf[m.To] || inv.SurveyID != sv.ID {
						t.Errorf("%s: the links lead to invitation %+v, %v", m.To, inv, err)
					}
				})
			}
			// The reminder carries the same row; the staff preview shows it.
			for _, kind := range []outbox.Kind{outbox.Invitation, outbox.Reminder} {
				for _, locale := range []string{"en", "zh"} {
					email, err := e.svc.PreviewEmail(ctx, e.alice, sv.ID, locale, kind)
					if err != nil {
						t.Fatal(err)
					}
					checkScoreEmail(t, e, string(kind)+" "+locale, email, tt.key, want, func(string) {})
				}
			}
		})
	}
}

// checkScoreEmail checks one email's score links: want scores of question
// key in both parts (none when key is ""), the same token in each, passed
// to checkToken, and HTML that mail clients lay out alike.
func checkScoreEmail(t *testing.T, e *env, what string, email invite.Email, key string, want []int, checkToken func(string)) {
	t.Helper()
	lang := regexp.MustCompile(`<html lang="([a-z]+)">`).FindStringSubmatch(email.HTML)
	if lang == nil {
		t.Fatalf("%s: the HTML declares no language", what)
	}
	scale := i18n.Messages(lang[1])
	lower := strings.ToLower(email.HTML)
	for _, banned := range []string{"<svg", "<style", "class=", "<script", "<img", "<link"} {
		if strings.Contains(lower, banned) {
			t.Errorf("%s: the HTML has %q", what, banned)
		}
	}
	hrefs := htmlLinks(email.HTML)
	htmlTokens, htmlKeys, htmlScores := scoreLinks(t, what+" HTML", hrefs)
	textTokens, textKeys, textScores := scoreLinks(t, what+" text", textScoreLinks(t, what, email.Text))
	if !slices.Equal(htmlScores, want) || !slices.Equal(textScores, want) {
		t.Errorf("%s: scores HTML %v, text %v; want %v", what, htmlScores, textScores, want)
	}
	if strings.Contains(email.HTML, "?q=") || strings.Contains(email.Text, "?q=") {
		if key == "" {
			t.Errorf("%s: score links in an email without them:\n%s", what, email.Text)
		}
	}
	// The button, the privacy and the unsubscribe links stay.
	button := surveyLink.FindString(email.Text)
	if !slices.Contains(hrefs, button) || !slices.Contains(hrefs, button+"/privacy") || !strings.Contains(email.HTML, baseURL+"/u/") {
		t.Errorf("%s: lacks the button, privacy or unsubscribe link", what)
	}
	if key == "" {
		return
	}
	for i, token := range append(htmlTokens, textTokens...) {
		if baseURL+"/s/"+token != button {
			t.Errorf("%s: score link %d has another token than the button", what, i)
		}
	}
	for _, k := range append(htmlKeys, textKeys...) {
		if k != key {
			t.Errorf("%s: a score link names question %q, want %q", what, k, key)
		}
	}
	checkToken(htmlTokens[0])
	typ := "nps"
	if len(want) == 5 {
		typ = "csat"
	}
	low, high := scale.T("scale."+typ+".low"), scale.T("scale."+typ+".high")
	for part, body := range map[string]string{"HTML": email.HTML, "text": email.Text} {
		if !strings.Contains(body, html.EscapeString(low)) && !strings.Contains(body, low) || !strings.Contains(body, high) && !strings.Contains(body, html.EscapeString(high)) {
			t.Errorf("%s %s: lacks the end labels %q and %q", what, part, low, high)
		}
	}
	if !strings.Contains(email.Text, strconv.Itoa(want[0])+" = "+low+", "+strconv.Itoa(want[len(want)-1])+" = "+high) {
		t.Errorf("%s: the text part does not say what the ends mean:\n%s", what, email.Text)
	}
	// Each score is a coloured cell of the survey's accent, 30px wide at
	// least inside its 1px border.
	if got := strings.Count(email.HTML, `height="40" bgcolor="#7a1fa2" style="min-width:30px;background:#7a1fa2;border:1px solid #ffffff;`); got != len(want) {
		t.Errorf("%s: %d score cells in the accent colour, want %d", what, got, len(want))
	}
	if _, err := mail.Render(mail.Message{From: e.cfg.From, To: "x@example.com", Subject: "s", Text: email.Text, HTML: email.HTML}); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}
