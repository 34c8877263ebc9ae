package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/reports"
)

// commentsFixture is a fixture whose surveys were answered through the
// real respondent service with quotes kept, as candor serve wires it:
//
//	survey  region  manager        comments
//	main    EMEA    f.manager      12
//	main    APAC    other manager  10
//	small   EMEA    f.manager      12
//	small   APAC    other manager   3
//
// Comment threshold 10. Every comment names its writer, their email and a
// phone number, and answers the confidential question with a marker.
type commentsFixture struct {
	*fixture
	main, small survey.Survey
	contacts    []customer.Contact
}

const confidentialMarker = "CONFIDENTIAL-MARKER"

func newCommentsFixture(t *testing.T) *commentsFixture {
	t.Helper()
	f := &commentsFixture{fixture: newFixture(t)}
	ctx := context.Background()
	w := respondtest.New(t, f.st)
	q := quotes.New(quotes.Deps{Store: f.st.Quotes, Sealer: w.Sealer, People: w.Customers, Accounts: f.st.Accounts, Users: f.st.Users})
	f.useReports(reports.Deps{Quotes: q})
	answering := respond.New(respond.Deps{
		Signer: w.Signer, Keys: w.Ring, Sealer: w.Sealer, Invitations: f.st.Invitations, Surveys: f.st.Surveys,
		Contacts: f.st.Contacts, Accounts: f.st.Accounts, Responses: f.st.Responses, Consents: w.Privacy,
		Tally: report.New(f.st.Rollups), Quotes: q,
	})
	other := store.User{ID: store.NewID(), Email: "olga.other@example.com", Name: "Olga Otherton", Role: store.RoleManager, PasswordHash: "x"}
	if err := f.st.Users.Insert(ctx, other); err != nil {
		t.Fatal(err)
	}
	f.main = w.OpenSurvey(t, nil)
	small := respondtest.Definition()
	small.Title = survey.Text{"en": "Small survey", "fi": "Pieni kysely"}
	f.small = w.OpenSurvey(t, &small)

	groups := []struct {
		region     string
		manager    store.User
		n, inSmall int
	}{
		{"EMEA", f.manager, 12, 12},
		{"APAC", other, 10, 3},
	}
	n := 0
	for _, g := range groups {
		name := "Company " + g.region
		acct := store.Account{ID: store.NewID(), Name: name, NameKey: store.FoldName(name), Country: "FI", Region: g.region,
			Industry: "Real estate", Tier: "Gold", ManagerIDs: []string{g.manager.ID}}
		if err := f.st.Accounts.Insert(ctx, acct); err != nil {
			t.Fatal(err)
		}
		for i := range g.n {
			n++
			c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{
				AccountID: acct.ID, Name: fmt.Sprintf("Quillon%c Brackenridge%c", 'a'+n, 'a'+n),
				Email: fmt.Sprintf("quillon%d@brackenridge.example", n), Locale: "en",
			})
			if err != nil {
				t.Fatal(err)
			}
			f.contacts = append(f.contacts, c)
			values := respondtest.Answers()
			values[survey.FormField("comment")] = []string{fmt.Sprintf(
				"This is %s (%s, +44 20 7946 %04d). %s thinks the lift in hall %d is slow; ask %s.",
				c.Name, c.Email, n, strings.Fields(c.Name)[0], n, g.manager.Name)}
			values[survey.FormField("private")] = []string{confidentialMarker + " from " + c.Name}
			surveys := []survey.Survey{f.main}
			if i < g.inSmall {
				surveys = append(surveys, f.small)
			}
			for _, sv := range surveys {
				p := w.InviteContact(t, sv, c, acct)
				l, err := answering.Resolve(ctx, p.Token)
				if err != nil {
					t.Fatal(err)
				}
				res, err := answering.Submit(ctx, l, respond.Submission{Values: values, Locale: "en", Named: i%2 == 0, ConsentVersion: sv.ConsentVersion})
				if err != nil || res.QuoteErr != nil {
					t.Fatalf("Submit: %+v, %v", res, err)
				}
			}
		}
	}
	return f
}

// commentsAPI fetches the comments API as u and decodes a 200 answer.
func (f *commentsFixture) commentsAPI(t *testing.T, u store.User, sv survey.Survey, query string) (reports.CommentsJSON, string) {
	t.Helper()
	r := f.client(t).api(http.MethodGet, "/api/v1/surveys/"+sv.ID+"/comments"+query, f.token(t, u), "")
	wantStatus(t, r, http.StatusOK)
	var got reports.CommentsJSON
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return got, r.body
}

func commentTexts(c reports.CommentsJSON) []string {
	out := make([]string, len(c.Comments))
	for i, x := range c.Comments {
		out[i] = x.Text
	}
	return out
}

// leaksPerson returns what of a contact's name or email out holds.
func leaksPerson(out string, c customer.Contact) string {
	lower := strings.ToLower(out)
	for _, s := range append(strings.Fields(c.Name), c.Name, c.Email, strings.Split(c.Email, "@")[0]) {
		if strings.Contains(lower, strings.ToLower(s)) {
			return s
		}
	}
	return ""
}

func TestCommentsShowRedactedQuotesWithoutPersonalData(t *testing.T) {
	t.Parallel()
	f := newCommentsFixture(t)

	page := f.signIn(t, f.analyst).get("/surveys/" + f.main.ID + "/comments")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "Showing 22 of 22 comments, in random order.") {
		t.Errorf("page does not show all 22 comments:\n%s", truncate(page.body))
	}
	got, body := f.commentsAPI(t, f.analyst, f.main, "?question=comment")
	if got.Question != "comment" || got.Threshold != 10 || got.Suppressed || got.Total != 22 || len(got.Comments) != 22 {
		t.Fatalf("API = %s", body)
	}
	filtered, filteredBody := f.commentsAPI(t, f.analyst, f.main, "?filter=region:EMEA")
	if filtered.Suppressed || filtered.Total != 12 || len(filtered.Comments) != 12 {
		t.Errorf("EMEA (12, complement 10) = %s", filteredBody)
	}

	for _, text := range commentTexts(got) {
		if !strings.Contains(text, "[email]") || !strings.Contains(text, "[phone]") || !strings.Contains(text, "[name]") || !strings.Contains(text, "is slow") {
			t.Errorf("comment %q: want its words kept and the person replaced", text)
		}
	}
	// Every output, scanned for every contact's name and email, the
	// account managers' names and the confidential answers.
	for _, out := range []struct{ name, body string }{{"page", page.body}, {"API", body}, {"filtered API", filteredBody}} {
		for _, c := range f.contacts {
			if leak := leaksPerson(out.body, c); leak != "" {
				t.Errorf("%s shows %q of contact %s", out.name, leak, c.ID)
			}
		}
		for _, s := range []string{"Otherton", "Test manager", confidentialMarker, "7946"} {
			if strings.Contains(out.body, s) {
				t.Errorf("%s shows %q", out.name, s)
			}
		}
	}
	// The JSON holds the documented fields only: no dates, no segments.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range raw {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"comments", "question", "suppressed", "themes", "themesComputed", "threshold", "total"}; !slices.Equal(keys, want) {
		t.Errorf("JSON fields %v, want %v", keys, want)
	}
	var items []map[string]any
	if err := json.Unmarshal(raw["comments"], &items); err != nil || len(items[0]) != 1 {
		t.Errorf("a comment is %v, want its text alone", items)
	}
}

func TestCommentsComeInRandomOrder(t *testing.T) {
	t.Parallel()
	f := newCommentsFixture(t)
	first, _ := f.commentsAPI(t, f.analyst, f.main, "")
	differed := false
	for range 5 {
		again, _ := f.commentsAPI(t, f.analyst, f.main, "")
		a, b := commentTexts(first), commentTexts(again)
		differed = differed || !slices.Equal(a, b)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Fatalf("two requests show different comments")
		}
	}
	if !differed {
		t.Errorf("22 comments came in the same order six times")
	}
}

func TestCommentsAreSuppressedForSmallGroups(t *testing.T) {
	t.Parallel()
	f := newCommentsFixture(t)
	tests := []struct {
		name   string
		sv     survey.Survey
		query  string
		reason quotes.Reason
		total  int
	}{
		{"whole small survey", f.small, "", "", 15},
		{"group of 12 beside 3", f.small, "?filter=region:EMEA", quotes.Complement, 0},
		{"group of 3", f.small, "?filter=region:APAC", quotes.FewComments, 0},
		{"nobody", f.main, "?filter=country:SE", quotes.FewComments, 0},
		{"group of 10 beside 12", f.main, "?filter=region:APAC", "", 10},
	}
	for _, tt := range tests {
		got, body := f.commentsAPI(t, f.analyst, tt.sv, tt.query)
		if got.Suppressed != (tt.reason != "") || got.Reason != tt.reason || got.Total != tt.total {
			t.Errorf("%s: %s; want reason %q, total %d", tt.name, body, tt.reason, tt.total)
		}
		if got.Suppressed && (len(got.Comments) != 0 || strings.Contains(body, "[email]")) {
			t.Errorf("%s: suppressed yet shows comments: %s", tt.name, body)
		}
	}
	page := f.signIn(t, f.analyst).get("/surveys/" + f.small.ID + "/comments?filter=region:APAC")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "Comments appear once at least 10 people in this group have written one.") || strings.Contains(page.body, "[email]") {
		t.Errorf("suppressed page:\n%s", truncate(page.body))
	}
}

func TestManagersSeeCommentsFromTheirOwnAccounts(t *testing.T) {
	t.Parallel()
	f := newCommentsFixture(t)
	got, body := f.commentsAPI(t, f.manager, f.main, "")
	if got.Suppressed || got.Total != 12 || got.Filter == nil || got.Filter.Dimension != report.Manager || got.Filter.Value != f.manager.ID {
		t.Errorf("manager sees %s, want their 12 (the complement, 10, shows too)", body)
	}
	r := f.client(t).api(http.MethodGet, "/api/v1/surveys/"+f.main.ID+"/comments?filter=region:APAC", f.token(t, f.manager), "")
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, `"filter"`) {
		t.Errorf("manager's own filter refused without saying why: %s", r.body)
	}
	page := f.signIn(t, f.manager).get("/surveys/" + f.main.ID + "/comments")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "Showing 12 of 12") || !strings.Contains(page.body, "your accounts only") {
		t.Errorf("manager page:\n%s", truncate(page.body))
	}
}

func TestCommentsRefuseBadQueries(t *testing.T) {
	t.Parallel()
	f := newCommentsFixture(t)
	token := f.token(t, f.analyst)
	for _, tt := range []struct{ query, field string }{
		{"?question=private", "question"}, // confidential
		{"?question=nps", "question"},     // not text
		{"?question=nope", "question"},
		{"?filter=colour:red", "filter"},
		{"?filter=region", "filter"},
	} {
		r := f.client(t).api(http.MethodGet, "/api/v1/surveys/"+f.main.ID+"/comments"+tt.query, token, "")
		wantStatus(t, r, http.StatusBadRequest)
		var e struct {
			Error  string            `json:"error"`
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Fields[tt.field] == "" {
			t.Errorf("%s: %s, want a message for %s", tt.query, r.body, tt.field)
		}
		if strings.Contains(r.body, confidentialMarker) {
			t.Errorf("%s shows a confidential answer", tt.query)
		}
	}
	c := f.signIn(t, f.analyst)
	page := c.get("/surveys/" + f.main.ID + "/comments?question=private&filter=" + url.QueryEscape("region:EMEA"))
	wantStatus(t, page, http.StatusBadRequest)
	if !strings.Contains(page.body, "not a quotable free-text question") || !strings.Contains(page.body, `value="region:EMEA"`) ||
		strings.Contains(page.body, confidentialMarker) || strings.Contains(page.body, "[email]") {
		t.Errorf("bad query page:\n%s", truncate(page.body))
	}
	wantStatus(t, c.get("/surveys/nope/comments"), http.StatusNotFound)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/surveys/nope/comments", token, ""), http.StatusNotFound)
	wantStatus(t, f.client(t).api(http.MethodGet, "/api/v1/surveys/"+f.main.ID+"/comments", "", ""), http.StatusUnauthorized)
}

func TestCommentsOfASurveyWithoutQuotableQuestions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.useReports(reports.Deps{Quotes: quotes.New(quotes.Deps{Store: f.st.Quotes})})
	def := respondtest.Definition()
	for i := range def.Questions {
		def.Questions[i].Quotable = false
	}
	sv, err := survey.New(def, store.NewID(), f.admin.ID, f.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Surveys.Insert(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	page := f.signIn(t, f.analyst).get("/surveys/" + sv.ID + "/comments")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "No quotable questions") || strings.Contains(page.body, "There is a problem") {
		t.Errorf("page:\n%s", truncate(page.body))
	}
	r := f.client(t).api(http.MethodGet, "/api/v1/surveys/"+sv.ID+"/comments", f.token(t, f.analyst), "")
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, `"question"`) {
		t.Errorf("API: %s", r.body)
	}
}
