package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/reports"
)

// reportFixture is a fixture whose survey was answered through the real
// respondent service, so that responses, rollups and their manager
// dimension are what production stores:
//
//	region  manager  nps answers                  csat answers
//	EMEA    manager  10 10 9 9 8 7 5 3  P4 Pa2 D2  5 5 4 4 3 2 1 5
//	AMER    other    10 9 8 6 6 2 0     P2 Pa1 D4  -
//	APAC    other    10 10 10           P3         -
//	all              18                 P9 Pa3 D6  8 answered, 5 satisfied
//
// k = 5. Overall NPS (9-6)/18 = 16.7, CSAT 5/8 = 62.5 %. By region, APAC
// (3) is under k and AMER (7), the next smallest, is hidden with it so
// that APAC cannot be worked out from the total. By manager: manager 8,
// other 10, both shown.
type reportFixture struct {
	*fixture
	survey   survey.Survey
	small    survey.Survey // three responses: everything suppressed
	other    store.User    // a second manager
	contacts []customer.Contact
}

// reportDay is when the fixture's respondents answer: a Wednesday in the
// middle of March 2026, so that every response falls in one week and one
// month whatever the day the tests run.
var reportDay = time.Date(2026, time.March, 11, 12, 0, 0, 0, time.UTC)

// reportRange is March 2026 as months go: the weeks whose Thursday is in
// it, 2 to 29 March (the 1st belongs to February's last week).
const reportRange = "from=2026-03-02&to=2026-03-29"

func newReportFixture(t *testing.T) *reportFixture {
	t.Helper()
	f := &reportFixture{fixture: newFixture(t)}
	f.useReports(reports.Deps{Reports: report.New(f.st.Rollups), Campaigns: f.st.Campaigns})
	ctx := context.Background()
	w := respondtest.New(t, f.st)
	w.Advance(time.Until(reportDay))
	f.other = f.user(t, "other.manager@example.com", "Olga Other", store.RoleManager)

	f.survey = w.OpenSurvey(t, nil)
	small := respondtest.Definition()
	small.Title = survey.Text{"en": "Small survey", "fi": "Pieni kysely"}
	f.small = w.OpenSurvey(t, &small)

	groups := []struct {
		region  string
		manager store.User
		nps     []int
		csat    []int
	}{
		{"EMEA", f.manager, []int{10, 10, 9, 9, 8, 7, 5, 3}, []int{5, 5, 4, 4, 3, 2, 1, 5}},
		{"AMER", f.other, []int{10, 9, 8, 6, 6, 2, 0}, nil},
		{"APAC", f.other, []int{10, 10, 10}, nil},
	}
	n := 0
	for _, g := range groups {
		now := w.Now().UTC().Truncate(time.Millisecond)
		name := "Company " + g.region
		acct := store.Account{ID: store.NewID(), Name: name, NameKey: store.FoldName(name), Country: "FI", Region: g.region,
			Industry: "Real estate", Tier: "Gold", ManagerIDs: []string{g.manager.ID}, CreatedAt: now, UpdatedAt: now}
		if err := f.st.Accounts.Insert(ctx, acct); err != nil {
			t.Fatal(err)
		}
		for i, score := range g.nps {
			n++
			c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{
				AccountID: acct.ID, Name: fmt.Sprintf("Zelda Quartermain%d", n), Email: fmt.Sprintf("zelda%d@quartermain.example", n), Locale: "en",
			})
			if err != nil {
				t.Fatal(err)
			}
			f.contacts = append(f.contacts, c)
			values := map[string][]string{
				survey.FormField("nps"):     {fmt.Sprint(score)},
				survey.FormField("channel"): {"email"},
				survey.FormField("comment"): {"Ask " + c.Name + " at " + c.Email},
			}
			if g.csat != nil {
				values[survey.FormField("csat")] = []string{fmt.Sprint(g.csat[i])}
			}
			f.answer(t, w, f.survey, c, acct, values, i%3 == 0)
			if g.region == "APAC" {
				f.answer(t, w, f.small, c, acct, values, false)
			}
		}
	}
	// Invitations sent for the response rate: 18 of 36 answered.
	if err := f.st.Campaigns.Create(ctx, store.Campaign{ID: store.NewID(), SurveyID: f.survey.ID, CreatedBy: f.admin.ID,
		State: store.CampaignSent, Counts: store.CampaignCounts{Invited: 36, Sent: 36}, CreatedAt: reportDay}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *reportFixture) user(t *testing.T, email, name string, role store.Role) store.User {
	t.Helper()
	u := store.User{ID: store.NewID(), Email: email, Name: name, Role: role, PasswordHash: "x"}
	if err := f.st.Users.Insert(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *reportFixture) answer(t *testing.T, w *respondtest.World, sv survey.Survey, c customer.Contact, acct store.Account, values map[string][]string, named bool) {
	t.Helper()
	ctx := context.Background()
	p := w.InviteContact(t, sv, c, acct)
	l, err := w.Respond.Resolve(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en", Named: named, ConsentVersion: sv.ConsentVersion})
	if err != nil || res.TallyErr != nil {
		t.Fatalf("Submit: %+v, %v", res, err)
	}
}

// elementText returns the text of the element with the given id.
func elementText(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no element with id %q in:\n%s", id, truncate(page))
	}
	return strings.TrimSpace(m[1])
}

// tableRow returns the cells of the row whose header is label, in the
// table with the given id.
func tableRow(t *testing.T, page, tableID, label string) string {
	t.Helper()
	start := strings.Index(page, `id="`+tableID+`"`)
	if start < 0 {
		t.Fatalf("no table %q", tableID)
	}
	table := page[start:]
	table = table[:strings.Index(table, "</table>")]
	m := regexp.MustCompile(`(?s)<th scope="row">` + regexp.QuoteMeta(label) + `</th>(.*?)</tr>`).FindStringSubmatch(table)
	if m == nil {
		t.Fatalf("no row %q in table %q:\n%s", label, tableID, table)
	}
	return m[1]
}

func TestReportPageShowsHandComputedNumbers(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	c := f.signIn(t, f.analyst)
	r := c.get("/surveys/" + f.survey.ID + "/report?by=region&period=month&" + reportRange)
	wantStatus(t, r, http.StatusOK)
	for id, want := range map[string]string{
		"overall-responses": "18", "overall-nps": "16.7", "overall-csat": "62.5%", "overall-ces": "—",
		// The rate needs every response: a range leaves it out.
		"overall-rate": "—",
	} {
		if got := elementText(t, r.body, id); got != want {
			t.Errorf("#%s = %q, want %q", id, got, want)
		}
	}
	emea := tableRow(t, r.body, "breakdown-table", "EMEA")
	for _, want := range []string{`<td class="num">8</td>`, `<td class="num">25</td>`, `<td class="num">62.5%</td>`} {
		if !strings.Contains(emea, want) {
			t.Errorf("EMEA row lacks %s: %s", want, emea)
		}
	}
	for region, why := range map[string]string{
		"APAC": "Suppressed — fewer than 5 responses",
		"AMER": "Suppressed — " + report.Complement.Text(5),
	} {
		row := tableRow(t, r.body, "breakdown-table", region)
		if !strings.Contains(row, `class="suppressed">`+why) || strings.Contains(row, `class="num"`) {
			t.Errorf("%s row = %s, want only %q", region, row, why)
		}
	}
	// The channel question: everybody answered email.
	if !strings.Contains(r.body, `<tr><th scope="row">Email</th><td class="num">18</td><td class="num">100%</td></tr>`) {
		t.Error("the channel distribution table is missing or wrong")
	}
	for _, want := range []string{"<svg class=\"chart chart-gauge\"", "chart-split", "chart-line", "chart-bars", `href="/surveys/` + f.survey.ID + `/comments"`,
		`href="/surveys/` + f.survey.ID + `/report.csv?period=month&amp;from=2026-03-02&amp;to=2026-03-29&amp;by=region"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Without a range, the response rate: 18 of 36 invited.
	r = c.get("/surveys/" + f.survey.ID + "/report")
	wantStatus(t, r, http.StatusOK)
	if got := elementText(t, r.body, "overall-rate"); got != "50%" {
		t.Errorf("response rate = %q, want 50%%", got)
	}
	// By manager, managers show by name.
	r = c.get("/surveys/" + f.survey.ID + "/report?by=manager&" + reportRange)
	wantStatus(t, r, http.StatusOK)
	if row := tableRow(t, r.body, "breakdown-table", "Olga Other"); !strings.Contains(row, `<td class="num">10</td>`) {
		t.Errorf("other manager's row = %s, want 10 responses", row)
	}
	if strings.Contains(r.body, f.other.ID) {
		t.Error("the page shows a manager's user id")
	}
}

func TestReportAPIShapeAndSuppression(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	c := f.client(t)
	r := c.api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?by=region&"+reportRange, f.token(t, f.analyst), "")
	wantStatus(t, r, http.StatusOK)
	var doc struct {
		Responses *int            `json:"responses"`
		Threshold int             `json:"threshold"`
		NPS       reports.NpsJSON `json:"nps"`
		Questions []struct {
			Key          string               `json:"key"`
			Distribution []reports.BucketJSON `json:"distribution"`
		} `json:"questions"`
		Breakdown []map[string]any     `json:"breakdown"`
		Trend     []reports.PeriodJSON `json:"trend"`
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Responses == nil || *doc.Responses != 18 || doc.Threshold != 5 {
		t.Errorf("responses, threshold = %v, %d; want 18, 5", doc.Responses, doc.Threshold)
	}
	if want := (reports.NpsJSON{Score: 100 * 3.0 / 18, Promoters: 9, Passives: 3, Detractors: 6, Answered: 18}); doc.NPS != want {
		t.Errorf("nps = %+v, want %+v", doc.NPS, want)
	}
	if len(doc.Trend) != 1 || doc.Trend[0].Label != "2026-03" || doc.Trend[0].Responses == nil || *doc.Trend[0].Responses != 18 {
		t.Errorf("trend = %+v, want March with 18", doc.Trend)
	}
	byValue := map[string]map[string]any{}
	for _, cell := range doc.Breakdown {
		byValue[cell["value"].(string)] = cell
	}
	if emea := byValue["EMEA"]; emea["n"] != 8.0 || emea["suppressed"] != nil {
		t.Errorf("EMEA = %v, want n 8", emea)
	}
	for region, reason := range map[string]report.Reason{"APAC": report.FewResponses, "AMER": report.Complement} {
		cell := byValue[region]
		if cell["suppressed"] != true || cell["reason"] != string(reason) || cell["reasonText"] != reason.Text(5) {
			t.Errorf("%s = %v, want suppressed for %s", region, cell, reason)
		}
		for _, number := range []string{"n", "nps", "csat", "ces"} {
			if _, ok := cell[number]; ok {
				t.Errorf("%s is suppressed yet carries %q: %v", region, number, cell)
			}
		}
	}

	// A survey of three shows nothing at all.
	r = c.api(http.MethodGet, "/api/v1/surveys/"+f.small.ID+"/report", f.token(t, f.admin), "")
	wantStatus(t, r, http.StatusOK)
	var small map[string]any
	if err := json.Unmarshal([]byte(r.body), &small); err != nil {
		t.Fatal(err)
	}
	if small["suppressed"] != true || small["reasonText"] != "fewer than 5 responses" {
		t.Errorf("small survey = %v, want suppressed", small)
	}
	for _, number := range []string{"responses", "nps", "csat", "ces", "responseRate"} {
		if _, ok := small[number]; ok {
			t.Errorf("the small survey's report carries %q: %s", number, r.body)
		}
	}
	if strings.Contains(r.body, `"count"`) || strings.Contains(r.body, `"answered"`) {
		t.Errorf("the small survey's report carries counts: %s", r.body)
	}
}

func TestReportSuppressesASmallSurveyOnThePage(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	r := f.signIn(t, f.analyst).get("/surveys/" + f.small.ID + "/report")
	wantStatus(t, r, http.StatusOK)
	if got := elementText(t, r.body, "overall-responses"); got != "Suppressed" {
		t.Errorf("#overall-responses = %q, want Suppressed", got)
	}
	if !strings.Contains(r.body, `class="tile-value suppressed" id="overall-responses"`) {
		t.Error("the suppressed number is not marked suppressed")
	}
	if strings.Contains(r.body, `<td class="num"`) {
		t.Error("a small survey's page shows numbers in a table")
	}
}

func TestReportCSV(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	for _, target := range []struct{ path, token string }{
		{"/surveys/" + f.survey.ID + "/report.csv?by=region&" + reportRange, ""},
		{"/api/v1/surveys/" + f.survey.ID + "/report.csv?by=region&" + reportRange, f.token(t, f.analyst)},
	} {
		c := f.client(t)
		if target.token == "" {
			c = f.signIn(t, f.analyst)
		}
		r := c.api(http.MethodGet, target.path, target.token, "")
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: Content-Type %q, Content-Disposition %q", target.path, ct, r.Header.Get("Content-Disposition"))
		}
		records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			reports.CSVHeader,
			{"overall", "all responses", "2026-03-01", "2026-03-31", "18", "16.67", "9", "3", "6", "62.50", "", "false", "", "", ""},
			{"breakdown:region", "AMER", "2026-03-01", "2026-03-31", "", "", "", "", "", "", "", "true", report.Complement.Text(5), "", ""},
			{"breakdown:region", "APAC", "2026-03-01", "2026-03-31", "", "", "", "", "", "", "", "true", "fewer than 5 responses", "", ""},
			{"breakdown:region", "EMEA", "2026-03-01", "2026-03-31", "8", "25.00", "4", "2", "2", "62.50", "", "false", "", "", ""},
			{"period:month", "2026-03", "2026-03-01", "2026-03-31", "18", "16.67", "9", "3", "6", "62.50", "", "false", "", "", ""},
		}
		// Each question over the range: answered of shown, every response
		// being shown every question of a survey without conditions.
		for _, q := range []struct{ key, answered string }{{"nps", "18"}, {"csat", "8"}, {"channel", "18"}, {"services", "0"}, {"effort", "0"}} {
			want = append(want, []string{"question", q.key, "2026-03-01", "2026-03-31", "", "", "", "", "", "", "", "false", "", q.answered, "18"})
		}
		if fmt.Sprint(records) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %q\nwant %q", target.path, records, want)
		}
	}
}

func TestReportManagerSeesOwnAccountsOnly(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	r := f.signIn(t, f.manager).get("/surveys/" + f.survey.ID + "/report?" + reportRange)
	wantStatus(t, r, http.StatusOK)
	if got := elementText(t, r.body, "overall-responses"); got != "8" {
		t.Errorf("manager's #overall-responses = %q, want 8 (EMEA only)", got)
	}
	if got := elementText(t, r.body, "overall-nps"); got != "25" {
		t.Errorf("manager's #overall-nps = %q, want 25", got)
	}
	if !strings.Contains(r.body, `name="by"`) || strings.Contains(r.body, `<option value="manager"`) {
		t.Error("a manager is not offered a breakdown of their accounts, or is offered one by manager")
	}

	c := f.client(t)
	r = c.api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?"+reportRange, f.token(t, f.manager), "")
	wantStatus(t, r, http.StatusOK)
	var doc reports.ReportJSON
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Responses == nil || *doc.Responses != 8 || doc.Filter == nil || doc.Filter.Value != f.manager.ID {
		t.Errorf("manager's report = %s", r.body)
	}
	// A manager breaks their own accounts down, and sees no other's.
	r = c.api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?by=region&"+reportRange, f.token(t, f.manager), "")
	wantStatus(t, r, http.StatusOK)
	doc = reports.ReportJSON{}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Breakdown) != 1 || doc.Breakdown[0].Value != "EMEA" || doc.Breakdown[0].N == nil || *doc.Breakdown[0].N != 8 {
		t.Errorf("manager's breakdown by region = %+v", doc.Breakdown)
	}
	for _, q := range []string{"by=manager", "filter=manager:" + f.other.ID, "filter=region:AMER"} {
		r = c.api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?"+q, f.token(t, f.manager), "")
		wantStatus(t, r, http.StatusBadRequest)
	}
}

func TestReportRejectsBadParameters(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	token := f.token(t, f.analyst)
	c := f.client(t)
	tests := []struct {
		query  string
		fields []string
	}{
		{"by=colour", []string{"by"}},
		{"period=day", []string{"period"}},
		{"from=2026-13-01", []string{"from"}},
		{"from=yesterday&to=2026-02-30", []string{"from", "to"}},
		{"from=2026-06-01&to=2026-01-01", []string{"to"}},
		{"from=1800-01-01", []string{"from"}},
		{"period=week&from=2000-01-01&to=2999-12-31", []string{"to"}},
		{"filter=region", []string{"filter"}},
		{"filter=colour:red", []string{"filter"}},
		{"by=region&filter=region:EMEA", []string{"filter"}},
	}
	for _, tt := range tests {
		r := c.api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?"+tt.query, token, "")
		wantStatus(t, r, http.StatusBadRequest)
		var body struct {
			Error  string            `json:"error"`
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error == "" {
			t.Fatalf("%s: body %s", tt.query, r.body)
		}
		if len(body.Fields) != len(tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.query, body.Fields, tt.fields)
		}
		for _, k := range tt.fields {
			if body.Fields[k] == "" {
				t.Errorf("%s: no message for %s: %v", tt.query, k, body.Fields)
			}
		}
	}
	r := c.api(http.MethodGet, "/api/v1/surveys/no-such-survey/report", token, "")
	wantStatus(t, r, http.StatusNotFound)
	r = c.api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report", "", "")
	wantStatus(t, r, http.StatusUnauthorized)

	// The page shows the form again with the values and what is wrong.
	page := f.signIn(t, f.analyst)
	r = page.get("/surveys/" + f.survey.ID + "/report?from=2026-06-01&to=2026-01-01&by=tier")
	wantStatus(t, r, http.StatusBadRequest)
	for _, want := range []string{"must not be before from", `value="2026-06-01"`, `value="2026-01-01"`, `<option value="tier" selected>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(r.body, `id="overall-responses"`) {
		t.Error("an invalid request shows numbers")
	}
	r = page.get("/surveys/no-such-survey/report")
	wantStatus(t, r, http.StatusNotFound)
}

// TestReportOutputsHoldNoPersonalData looks for every contact's name and
// email in every report output.
func TestReportOutputsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	page := f.signIn(t, f.admin)
	api := f.client(t)
	token := f.token(t, f.admin)
	var outputs []string
	for _, sv := range []survey.Survey{f.survey, f.small} {
		for _, q := range []string{"", "?by=region", "?by=manager&period=week", "?by=country&period=quarter", "?filter=region:EMEA&" + reportRange} {
			for _, r := range []response{
				page.get("/surveys/" + sv.ID + "/report" + q),
				page.get("/surveys/" + sv.ID + "/report.csv" + q),
				api.api(http.MethodGet, "/api/v1/surveys/"+sv.ID+"/report"+q, token, ""),
				api.api(http.MethodGet, "/api/v1/surveys/"+sv.ID+"/report.csv"+q, token, ""),
			} {
				wantStatus(t, r, http.StatusOK)
				outputs = append(outputs, r.body)
			}
		}
	}
	if len(f.contacts) != 18 {
		t.Fatalf("%d contacts seeded, want 18", len(f.contacts))
	}
	for _, c := range f.contacts {
		for _, needle := range []string{c.Name, c.Email, c.ID} {
			for i, out := range outputs {
				if strings.Contains(out, needle) {
					t.Errorf("output %d contains %q", i, needle)
				}
			}
		}
	}
	// The scan can see: the names are there to be found where they belong.
	if !strings.Contains(strings.Join(outputs, ""), "Olga Other") {
		t.Error("no manager name in any output; the scan would miss names too")
	}
}

func TestReportEmptyState(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.useReports(reports.Deps{Reports: report.New(f.st.Rollups)})
	w := respondtest.New(t, f.st)
	sv := w.OpenSurvey(t, nil)
	r := f.signIn(t, f.analyst).get("/surveys/" + sv.ID + "/report")
	wantStatus(t, r, http.StatusOK)
	if got := elementText(t, r.body, "overall-responses"); got != "0" {
		t.Errorf("#overall-responses = %q, want 0", got)
	}
	if !strings.Contains(r.body, "No responses yet") || strings.Contains(r.body, "<svg") {
		t.Error("want the empty state and no charts")
	}
	// The survey's overview links to its report.
	r = f.signIn(t, f.analyst).get("/surveys/" + sv.ID)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `href="/surveys/`+sv.ID+`/report"`) {
		t.Error("the survey overview does not link to the report")
	}
}
