package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/reports"

	"github.com/candorhq/candor/internal/relationship"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
)

// withRelationships gives account pages their Relationship section.
func withRelationships(o *testOptions) {
	st := o.db.(*store.Store)
	o.relationships = relationship.New(relationship.Deps{Accounts: o.customers, Invitations: st.Invitations, Surveys: st.Surveys,
		Reports: report.New(st.Rollups)}).WithClock(o.now)
}

// relationshipFixture is three accounts answering through the real
// respondent service, their contacts sealed with the server's keys:
//
//	account  manager  respondents  nps answers
//	EMEA     manager  8            10 10 9 9 8 7 5 3  (NPS 25)
//	AMER     admin    7            10 9 8 6 6 2 0
//	APAC     admin    3            10 10 10, and again in a second survey
//
// k = 5: APAC is hidden, and AMER with it, since every response less
// EMEA's would be APAC's.
type relationshipFixture struct {
	*fixture
	survey, second          survey.Survey
	emea, amer, apac, quiet string
}

func newRelationshipFixture(t *testing.T) *relationshipFixture {
	t.Helper()
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	f := &relationshipFixture{fixture: newFixtureWith(t, func(o *testOptions) {
		st := o.db.(*store.Store)
		o.customers = customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring))
		withRelationships(o)
	})}
	ctx := context.Background()
	w := respondtest.NewWithRing(t, f.st, ring)
	f.survey = w.OpenSurvey(t, nil)
	second := respondtest.Definition()
	second.Title = survey.Text{"en": "Second survey", "fi": "Toinen kysely"}
	f.second = w.OpenSurvey(t, &second)
	account := func(name string, manager store.User, nps []int) string {
		now := w.Now().UTC().Truncate(time.Millisecond)
		acct := store.Account{ID: store.NewID(), Name: name, NameKey: store.FoldName(name), Country: "FI", Region: name,
			Industry: "Real estate", Tier: "Gold", ManagerIDs: []string{manager.ID}, CreatedAt: now, UpdatedAt: now}
		if err := f.st.Accounts.Insert(ctx, acct); err != nil {
			t.Fatal(err)
		}
		for i, score := range nps {
			c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{
				AccountID: acct.ID, Name: fmt.Sprintf("%s Person %d", name, i), Email: fmt.Sprintf("p%d@%s.example", i, strings.ToLower(name)), Locale: "en",
			})
			if err != nil {
				t.Fatal(err)
			}
			surveys := []survey.Survey{f.survey}
			if name == "APAC" {
				surveys = append(surveys, f.second)
			}
			for _, sv := range surveys {
				p := w.InviteContact(t, sv, c, acct)
				l, err := w.Respond.Resolve(ctx, p.Token)
				if err != nil {
					t.Fatal(err)
				}
				values := respondtest.Answers()
				values["q.nps"] = []string{fmt.Sprint(score)}
				if res, err := w.Respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en"}); err != nil || res.TallyErr != nil {
					t.Fatalf("Submit: %+v, %v", res, err)
				}
			}
		}
		return acct.ID
	}
	f.emea = account("EMEA", f.manager, []int{10, 10, 9, 9, 8, 7, 5, 3})
	f.amer = account("AMER", f.admin, []int{10, 9, 8, 6, 6, 2, 0})
	f.apac = account("APAC", f.admin, []int{10, 10, 10})
	f.quiet = account("Quiet", f.admin, nil)
	return f
}

// TestAccountPageRelationship reads the fixture's accounts on their pages.
func TestAccountPageRelationship(t *testing.T) {
	t.Parallel()
	f := newRelationshipFixture(t)
	emea, amer, apac := f.emea, f.amer, f.apac
	admin := f.signIn(t, f.admin)
	sv := f.survey.ID

	tests := []struct {
		name, account string
		nps, heard    string // the cells' text
		hidden        string // the hidden marker's reason, if hidden
	}{
		{"shown", emea, "25", "8 of 8", ""},
		{"protecting one", amer, "Hidden — " + report.Complement.Text(5), "hidden, of 7", "complement"},
		{"few", apac, "Hidden — fewer than 5 responses", "fewer than 5 of 3", "few_responses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.get("/accounts/" + tt.account)
			wantStatus(t, r, http.StatusOK)
			page := r.body
			if !strings.Contains(page, `id="relationship"`) || !strings.Contains(page, `id="relationship-surveys"`) {
				t.Fatalf("no relationship section:\n%s", truncate(page))
			}
			if got := elementText(t, page, "nps-"+sv); got != tt.nps {
				t.Errorf("NPS cell %q, want %q", got, tt.nps)
			}
			if got := elementText(t, page, "heard-"+sv); got != tt.heard {
				t.Errorf("heard from %q, want %q", got, tt.heard)
			}
			marked := strings.Contains(page, `id="nps-`+sv+`" class="suppressed" data-hidden="`+tt.hidden+`"`)
			if tt.hidden != "" && !marked {
				t.Errorf("no hidden marker %q", tt.hidden)
			}
			if tt.hidden == "" && strings.Contains(page, `data-hidden=`) {
				t.Error("a hidden marker on a shown account")
			}
		})
	}
	// APAC answered two surveys: a trend, of hidden points only.
	if page := admin.get("/accounts/" + apac).body; !strings.Contains(page, `id="relationship-trend"`) || !strings.Contains(page, `id="nps-`+f.second.ID+`"`) {
		t.Errorf("no trend over APAC's two surveys:\n%s", truncate(page))
	}

	// Managers see their own accounts only, as every account page does.
	mine := f.signIn(t, f.manager)
	wantStatus(t, mine.get("/accounts/"+emea), http.StatusOK)
	wantStatus(t, mine.get("/accounts/"+amer), http.StatusNotFound)
}

func TestAccountPageNeverSurveyed(t *testing.T) {
	t.Parallel()
	f := newRelationshipFixture(t)
	page := f.signIn(t, f.admin).get("/accounts/" + f.quiet).body
	if !strings.Contains(page, `id="relationship-empty"`) || strings.Contains(page, `id="relationship-surveys"`) {
		t.Errorf("no empty state:\n%s", truncate(page))
	}
}

// TestReportByAccount: admins and analysts break a survey down by
// account, seeing the shown accounts by name and the hidden ones counted;
// managers see each of their accounts on its page instead.
func TestReportByAccount(t *testing.T) {
	t.Parallel()
	f := newRelationshipFixture(t)
	f.useReports(reports.Deps{Reports: report.New(f.st.Rollups), Accounts: f.st.Accounts})
	href := "/surveys/" + f.survey.ID + "/report?by=account"
	for _, u := range []store.User{f.admin, f.analyst} {
		r := f.signIn(t, u).get(href)
		wantStatus(t, r, http.StatusOK)
		if got := elementText(t, r.body, "breakdown-hidden"); got != "2 accounts hidden: fewer than 5 responses, or hidden to protect one that has." {
			t.Errorf("%s: hidden accounts %q", u.Role, got)
		}
		row := tableRow(t, r.body, "breakdown-table", "EMEA")
		if !strings.Contains(row, `<td class="num">8</td><td class="num">25</td>`) {
			t.Errorf("%s: EMEA's row %s", u.Role, row)
		}
		for _, name := range []string{"AMER", "APAC", f.amer, f.apac} {
			if strings.Contains(r.body, `<th scope="row">`+name) {
				t.Errorf("%s: hidden account %s listed", u.Role, name)
			}
		}
	}
	r := f.signIn(t, f.manager).get(href)
	wantStatus(t, r, http.StatusBadRequest)
	wantContains(t, r, "managers see each of their accounts on its own page")

	// The API: every account with its numbers or its reason.
	apiGet := func(q string) reports.ReportJSON {
		t.Helper()
		r := f.client(t).api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?"+q, f.token(t, f.admin), "")
		wantStatus(t, r, http.StatusOK)
		var doc reports.ReportJSON
		if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if doc := apiGet("by=account"); len(doc.Breakdown) != 3 {
		t.Errorf("breakdown %+v, want 3 accounts", doc.Breakdown)
	}
	if doc := apiGet("filter=account:" + f.emea); doc.Suppressed || doc.Responses == nil || *doc.Responses != 8 {
		t.Errorf("one account's report: %+v", doc)
	}
	if doc := apiGet("filter=account:" + f.apac); !doc.Suppressed || doc.Responses != nil {
		t.Errorf("a small account's report: %+v", doc)
	}
	r = f.client(t).api(http.MethodGet, "/api/v1/surveys/"+f.survey.ID+"/report?by=account", f.token(t, f.manager), "")
	wantStatus(t, r, http.StatusBadRequest)
}
