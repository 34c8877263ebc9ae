package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/reports"
)

// themesFixture is a survey whose comments fall into three topics: 14 on
// late deliveries and 12 on prices from EMEA, 12 on helpful support from
// APAC, and 4 more from APAC on prices; its themes are computed.
type themesFixture struct {
	*fixture
	sv, quiet survey.Survey
	quotes    *quotes.Service
}

func newThemesFixture(t *testing.T) *themesFixture {
	t.Helper()
	f := &themesFixture{fixture: newFixture(t)}
	ctx := context.Background()
	w := respondtest.New(t, f.st)
	f.quotes = quotes.New(quotes.Deps{Store: f.st.Quotes, Sealer: w.Sealer, People: w.Customers, Accounts: f.st.Accounts, Users: f.st.Users,
		Themes: f.st.QuoteThemes})
	f.useReports(reports.Deps{Quotes: f.quotes})
	f.sv = w.OpenSurvey(t, nil)
	f.quiet = w.OpenSurvey(t, nil)
	emea := report.Segment{Region: "EMEA", Country: "FI", Industry: "Retail", Tier: "Gold", ManagerID: f.manager.ID}
	apac := report.Segment{Region: "APAC", Country: "SG", Industry: "Retail", Tier: "Gold", ManagerID: "someone else"}
	add := func(sv survey.Survey, seg report.Segment, n int, phrases ...string) {
		for i := range n {
			sub := quotes.Submission{Survey: sv, Segment: seg, Locale: "en", Answers: survey.Answers{{Key: "comment", Text: phrases[i%len(phrases)]}}}
			if err := f.quotes.Add(ctx, sub); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(f.sv, emea, 14, "The delivery of spare parts was late again.", "Deliveries are always late, we waited two weeks.", "Late delivery of parts delayed our project.")
	add(f.sv, emea, 12, "The price of the maintenance contract is far too high.", "Prices went up again, the contract is expensive.", "Too expensive: the contract price keeps rising.")
	add(f.sv, apac, 12, "Support on the phone was friendly and helpful.", "The phone support answered quickly and was helpful.", "Friendly phone support, very helpful people.")
	add(f.sv, apac, 4, "The price of the maintenance contract is far too high.")
	add(f.quiet, emea, 6, "The delivery of spare parts was late again.")
	for _, sv := range []survey.Survey{f.sv, f.quiet} {
		if _, err := f.quotes.ComputeThemes(ctx, sv, "comment"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestCommentsPageShowsThemesAboveTheQuotes(t *testing.T) {
	t.Parallel()
	f := newThemesFixture(t)
	c := f.signIn(t, f.analyst)
	page := c.get("/surveys/" + f.sv.ID + "/comments")
	wantStatus(t, page, http.StatusOK)
	body := html.UnescapeString(page.body)
	themesAt, quotesAt := strings.Index(body, `id="themes-title"`), strings.Index(body, `id="comments-title"`)
	if themesAt < 0 || quotesAt < themesAt {
		t.Fatalf("the themes do not come before the comments:\n%s", truncate(page.body))
	}
	for _, want := range []string{"delivery", "price", "support", "negative", "positive", "English", "Show comments"} {
		if !strings.Contains(body[themesAt:quotesAt], want) {
			t.Errorf("the themes lack %q:\n%s", want, body[themesAt:quotesAt])
		}
	}

	got, _ := f.themesAPI(t, "?question=comment")
	if !got.ThemesComputed || len(got.Themes) != 3 {
		t.Fatalf("API themes = %+v", got.Themes)
	}
	for _, th := range got.Themes {
		if th.People < got.Threshold || th.Locale != "en" || len(th.Terms) < 2 {
			t.Errorf("theme %+v", th)
		}
	}
	// A theme's link shows its comments alone.
	var support reports.ThemeJSON
	for _, th := range got.Themes {
		if strings.Contains(strings.Join(th.Terms, " "), "support") {
			support = th
		}
	}
	linked := c.get("/surveys/" + f.sv.ID + "/comments?question=comment&theme=" + url.QueryEscape(support.ID))
	wantStatus(t, linked, http.StatusOK)
	if !strings.Contains(linked.body, `id="comments-theme"`) || !strings.Contains(linked.body, fmt.Sprintf("Showing %d of %d comments", support.People, support.People)) {
		t.Errorf("the theme's page does not show its %d comments:\n%s", support.People, truncate(linked.body))
	}
	if strings.Contains(linked.body, "delivery of spare parts") {
		t.Errorf("the support theme's page shows a delivery comment")
	}
	byTheme, _ := f.themesAPI(t, "?question=comment&theme="+url.QueryEscape(support.ID))
	if byTheme.Theme != support.ID || byTheme.Total != support.People || len(byTheme.Comments) != support.People {
		t.Errorf("API by theme: total %d, %d comments; want %d", byTheme.Total, len(byTheme.Comments), support.People)
	}

	// Filtered to EMEA (26 of 42): its two themes show with EMEA's counts;
	// support has no EMEA people; price has 4 outside EMEA, below 10, so
	// its EMEA count would give them away and is hidden.
	emea, _ := f.themesAPI(t, "?question=comment&filter=region:EMEA")
	if len(emea.Themes) != 1 || !strings.Contains(strings.Join(emea.Themes[0].Terms, " "), "deliver") || emea.Themes[0].People != 14 {
		t.Errorf("EMEA themes = %+v; want deliveries alone, 14", emea.Themes)
	}
}

func TestCommentsPageSaysWhenThereAreNoThemes(t *testing.T) {
	t.Parallel()
	f := newThemesFixture(t)
	c := f.signIn(t, f.analyst)
	page := c.get("/surveys/" + f.quiet.ID + "/comments")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, `id="themes-empty"`) || !strings.Contains(page.body, "Themes appear once at least 10 people have commented on similar topics.") {
		t.Errorf("no empty state:\n%s", truncate(page.body))
	}
	// An unknown theme is a mistake in the query: the form again, 400.
	bad := c.get("/surveys/" + f.sv.ID + "/comments?question=comment&theme=en-0000000000")
	wantStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.body, "is not one of this question&#39;s themes") {
		t.Errorf("no message for an unknown theme:\n%s", truncate(bad.body))
	}
	r := f.client(t).api(http.MethodGet, "/api/v1/surveys/"+f.sv.ID+"/comments?theme="+strings.Repeat("x", 100), f.token(t, f.analyst), "")
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, `"theme"`) {
		t.Errorf("API answer for a long theme: %s", r.body)
	}
}

func (f *themesFixture) themesAPI(t *testing.T, query string) (reports.CommentsJSON, string) {
	t.Helper()
	cf := &commentsFixture{fixture: f.fixture}
	return cf.commentsAPI(t, f.analyst, f.sv, query)
}
