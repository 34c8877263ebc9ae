package web

import (
	"context"
	"encoding/json"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/api"
	"github.com/candorhq/candor/internal/web/respondent"
)

// followupFixture is a server whose respondents' named answers become
// follow-ups, with two managers and an analyst signed in.
type followupFixture struct {
	*testServer
	w    *respondtest.World
	st   *store.Store
	sv   survey.Survey
	fu   *followup.Service
	priv *privacy.Service

	mia, max, ana    store.User
	miaC, maxC, anaC *client
}

func newFollowupFixture(t *testing.T) *followupFixture {
	t.Helper()
	st := store.New(storetest.DB(t))
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	f := &followupFixture{w: w, st: st}
	f.priv = privacy.New(privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: w.Customers, Eraser: st.Contacts,
		Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: w.Audit, Sealer: w.Sealer, Followups: st.Followups,
	}).WithClock(w.Now)
	f.fu = followup.New(followup.Deps{
		Store: st.Followups, Responses: st.Responses, Accounts: st.Accounts, Surveys: st.Surveys,
		Subjects: w.Customers, Named: f.priv, Audit: w.Audit, Sealer: w.Sealer, Users: st.Users,
		Sender: invite.NewDevOutbox(st.DevMails), From: netmail.Address{Address: "candor@example.com"}, BaseURL: "http://candor.test",
	}).WithClock(w.Now)
	resp := respond.New(respond.Deps{
		Signer: w.Signer, Keys: w.Ring, Sealer: w.Sealer, Invitations: st.Invitations, Surveys: st.Surveys,
		Contacts: st.Contacts, Accounts: st.Accounts, Responses: st.Responses, Consents: f.priv,
		Tally: report.New(st.Rollups), Followups: f.fu,
	}).WithClock(w.Now)
	f.testServer = newTestServer(t, testOptions{users: st.Users, db: st, now: w.Now, respondents: resp, privacy: f.priv, followups: f.fu,
		surveys: authoring.New(st.Surveys, st.Responses)})
	f.sv = w.OpenSurvey(t, nil)
	for _, u := range []struct {
		dst  *store.User
		c    **client
		name string
		role store.Role
	}{{&f.mia, &f.miaC, "mia", store.RoleManager}, {&f.max, &f.maxC, "max", store.RoleManager}, {&f.ana, &f.anaC, "ana", store.RoleAnalyst}} {
		created, err := f.auth.CreateUser(ctx, auth.NewUser{Email: u.name + "@staff.example.com", Name: "Staff " + u.name, Role: u.role, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		*u.dst = created
		c := f.client(t)
		c.get("/login")
		wantSeeOther(t, c.post("/login", url.Values{"email": {created.Email}, "password": {testPassword}}), "/")
		*u.c = c
	}
	return f
}

// answer has a new contact at an account of manager answer with nps,
// named or not, through the respondent page; it returns the response id.
func (f *followupFixture) answer(t *testing.T, manager store.User, name string, nps string, named bool) (customer.Contact, string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	company := "Company " + store.NewID()[:8]
	a := store.Account{ID: store.NewID(), Name: company, NameKey: store.FoldName(company), Region: "EMEA", Country: "DE",
		Industry: "Retail", Tier: "Gold", ManagerIDs: []string{manager.ID}, CreatedAt: now, UpdatedAt: now}
	if err := f.st.Accounts.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	email := strings.ToLower(strings.Fields(name)[0]) + "@customer.example"
	c, err := f.w.Customers.CreateContact(ctx, f.w.Admin, customer.ContactInput{AccountID: a.ID, Name: name, Email: email, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	p := f.w.InviteContact(t, f.sv, c, a)
	form := url.Values(respondtest.Answers())
	form.Set("q.nps", nps)
	form.Set(respondent.LocaleField, "en")
	form.Set(respondent.ConsentVersionField, "1")
	if named {
		form.Set(respondent.ConsentField, "yes")
	}
	wantSeeOther(t, f.client(t).post(respondentPath(p.Token, ""), form), respondentPath(p.Token, "/thanks"))
	ids, _ := respond.ResponseIDs(f.w.Ring, p.Invitation.ID)
	return c, ids[0]
}

func TestFollowupPagesShowManagersTheirOwnNamedResponses(t *testing.T) {
	t.Parallel()
	f := newFollowupFixture(t)
	ctx := context.Background()
	dora, doraID := f.answer(t, f.mia, "Dora Detractor", "3", true)
	f.answer(t, f.mia, "Anna Anonymous", "2", false)
	_, ottoID := f.answer(t, f.max, "Otto Other", "10", true)
	path := "/followups/" + doraID

	list := f.miaC.get("/followups")
	wantStatus(t, list, http.StatusOK)
	pageHas(t, list, "Follow-ups", "Dora Detractor", "Detractor", "Customer survey 2026", `href="/followups"`)
	for _, never := range []string{"Anna Anonymous", "Otto Other", "Faster repairs"} {
		if strings.Contains(list.body, never) {
			t.Errorf("manager's list shows %q", never)
		}
	}
	if r := f.maxC.get(path); r.StatusCode != http.StatusNotFound {
		t.Errorf("another manager opens the response: %d, want 404", r.StatusCode)
	}
	if r := f.maxC.get("/followups"); strings.Contains(r.body, "Dora Detractor") || !strings.Contains(r.body, "Otto Other") {
		t.Errorf("manager 2's list is not theirs alone")
	}
	for _, p := range []string{"/followups", path, "/followups/" + ottoID} {
		if r := f.anaC.get(p); r.StatusCode != http.StatusForbidden {
			t.Errorf("analyst GET %s: %d, want 403", p, r.StatusCode)
		}
	}
	if r := f.anaC.post(path+"/resolve", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("analyst marks done: %d, want 403", r.StatusCode)
	}
	if strings.Contains(f.anaC.get("/").body, `href="/followups"`) {
		t.Error("the analyst's navigation links to follow-ups")
	}

	page := f.miaC.get(path)
	wantStatus(t, page, http.StatusOK)
	pageHas(t, page, "Dora Detractor", "Faster repairs, please.", "Our site manager is hard to reach.", "recorded in the audit log", "Resolve", "dora@customer.example", `id="mark-contacted"`)
	entries, _, err := f.w.Audit.List(ctx, store.AuditFilter{Target: dora.ID}, store.Page{})
	if err != nil || len(entries) != 1 || entries[0].Action != string(audit.ViewNamed) || entries[0].ActorID != f.mia.ID || entries[0].Detail != doraID || entries[0].RequestID == "" {
		t.Fatalf("audit after one view = %+v, %v", entries, err)
	}

	long := f.miaC.post(path+"/resolve", url.Values{"note": {strings.Repeat("n", followup.MaxNote+1)}})
	wantStatus(t, long, http.StatusUnprocessableEntity)
	pageHas(t, long, "Note is longer than 2000 characters", strings.Repeat("n", 50))
	if r := f.miaC.post(path+"/resolve", url.Values{"_csrf": {"forged"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d, want 403", r.StatusCode)
	}
	wantSeeOther(t, f.miaC.post(path+"/resolve", url.Values{"note": {"Called Dora; a technician visits Monday."}}), path+"?done=resolved")
	done := f.miaC.get(path + "?done=resolved")
	pageHas(t, done, "Resolved.", "by Staff mia", "Called Dora; a technician visits Monday.", "Reopen")
	pageHas(t, f.miaC.get("/followups?state=done"), "Dora Detractor")
	if strings.Contains(f.miaC.get("/followups?state=open").body, "Dora Detractor") {
		t.Error("a done follow-up is listed as open")
	}
	if r := f.miaC.get("/followups?state=bogus"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown state: %d, want 400", r.StatusCode)
	}
	wantSeeOther(t, f.miaC.post(path+"/reopen", nil), path+"?done=reopened")
	pageHas(t, f.miaC.get("/followups?state=open"), "Dora Detractor")

	r := f.miaC.api(http.MethodGet, "/api/v1/followups", f.token(t, f.mia), "")
	wantStatus(t, r, http.StatusOK)
	var body struct {
		Items []api.FollowupJSON `json:"items"`
		Total int64              `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Total != 1 || body.Items[0].ResponseID != doraID || !body.Items[0].Detractor {
		t.Errorf("API = %s, %v", r.body, err)
	}
	if r := f.anaC.api(http.MethodGet, "/api/v1/followups", f.token(t, f.ana), ""); r.StatusCode != http.StatusForbidden {
		t.Errorf("analyst API: %d, want 403", r.StatusCode)
	}
	if r := f.miaC.api(http.MethodGet, "/api/v1/followups?state=x", f.token(t, f.mia), ""); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, `"state"`) {
		t.Errorf("API with a bad state: %d %s", r.StatusCode, r.body)
	}

	// Withdrawal takes the response off the list and the page at once.
	resp, _ := f.st.Responses.ByID(ctx, doraID)
	if err := f.priv.Withdraw(ctx, dora.ID, resp.Named.ConsentID, privacy.Requester{Via: privacy.ViaThanksPage}); err != nil {
		t.Fatal(err)
	}
	if r := f.miaC.get(path); r.StatusCode != http.StatusNotFound {
		t.Errorf("after withdrawal: %d, want 404", r.StatusCode)
	}
	if strings.Contains(f.miaC.get("/followups").body, "Dora Detractor") {
		t.Error("after withdrawal the list still names her")
	}
}

func (f *followupFixture) token(t *testing.T, u store.User) string {
	t.Helper()
	token, _, err := f.auth.IssueToken(u, auth.AudienceAPI)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestFollowupWorklistAndDeadlines walks a follow-up through its states
// and its due time on the pages, with bad input along the way.
func TestFollowupWorklistAndDeadlines(t *testing.T) {
	t.Parallel()
	f := newFollowupFixture(t)
	ctx := context.Background()
	_, doraID := f.answer(t, f.mia, "Dora Detractor", "3", true)
	_, piaID := f.answer(t, f.mia, "Pia Promoter", "10", true)
	path := "/followups/" + doraID

	list := f.miaC.get("/followups")
	wantStatus(t, list, http.StatusOK)
	pageHas(t, list, `class="badge badge-open state-badge">Open`, `<td class="owner">Staff mia</td>`, `class="due due-later"`, "Due in ")
	if i, j := strings.Index(list.body, "Dora Detractor"), strings.Index(list.body, "Pia Promoter"); i < 0 || j < 0 || i > j {
		t.Error("the list is not sorted by due time: the detractor is due first")
	}

	pageHas(t, f.miaC.get("/"), `<dd id="followups-open">2</dd>`, `<dd id="followups-overdue">0</dd>`,
		`<a href="`+path+`">Dora Detractor</a> <span class="badge badge-detractor">Detractor</span>`)
	if home := f.anaC.get("/"); strings.Contains(home.body, "followups-open") {
		t.Error("the analyst's home page counts follow-ups")
	}

	page := f.miaC.get(path)
	pageHas(t, page, `href="mailto:dora@customer.example"`, `id="mark-contacted"`, `id="resolve"`, `id="assign-owner"`, "Nothing done yet.", `id="followup-state">Open`)

	wantSeeOther(t, f.miaC.post(path+"/contacted", nil), path+"?done=contacted")
	page = f.miaC.get(path + "?done=contacted")
	pageHas(t, page, "Marked as contacted.", `id="followup-state">Contacted`, "Marked contacted by Staff mia")
	if strings.Contains(page.body, `id="mark-contacted"`) {
		t.Error("a contacted follow-up offers to mark it contacted")
	}
	again := f.miaC.post(path+"/contacted", nil)
	wantStatus(t, again, http.StatusConflict)
	pageHas(t, again, "The follow-up is contacted now.", `id="followup-problem"`)

	empty := f.miaC.post(path+"/resolve", url.Values{"note": {"  "}})
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	pageHas(t, empty, "Note is required to resolve a follow-up: say what was done.", `aria-invalid="true"`)

	notOwner := f.miaC.post(path+"/owner", url.Values{"owner": {f.max.ID}})
	wantStatus(t, notOwner, http.StatusUnprocessableEntity)
	pageHas(t, notOwner, "Owner must be one of the account&#39;s managers or an admin.", `id="owner-error"`)
	wantSeeOther(t, f.miaC.post(path+"/owner", url.Values{"owner": {f.w.Admin.ID}}), path+"?done=assigned")
	pageHas(t, f.miaC.get(path+"?done=assigned"), "Owner changed.", `<dd id="followup-owner">`+f.w.Admin.Name+`</dd>`, "Given to "+f.w.Admin.Name+" by Staff mia")
	if mine := f.miaC.get("/followups?owner=mine"); strings.Contains(mine.body, "Dora Detractor") || !strings.Contains(mine.body, "Pia Promoter") {
		t.Error("mia's own follow-ups are not those she owns")
	}

	fu, err := f.st.Followups.ByID(ctx, doraID)
	if err != nil {
		t.Fatal(err)
	}
	f.w.Advance(fu.DueAt.Add(3*time.Hour + time.Minute).Sub(f.w.Now()))
	// Days later the session is gone: sign in again.
	mia := f.client(t)
	mia.get("/login")
	wantSeeOther(t, mia.post("/login", url.Values{"email": {f.mia.Email}, "password": {testPassword}}), "/")
	overdue := mia.get("/followups?overdue=1")
	pageHas(t, overdue, "Dora Detractor", `class="due due-overdue"`, "Overdue by 3 hours", `id="overdue" name="overdue" value="1" checked`)
	if strings.Contains(overdue.body, "Pia Promoter") {
		t.Error("a follow-up not yet due is listed as overdue")
	}
	pageHas(t, mia.get("/"), `<dd id="followups-overdue">1</dd>`, `<p class="due-overdue">Overdue by 3 hours</p>`)
	pageHas(t, mia.get("/followups?state=contacted"), "Dora Detractor")
	pageHas(t, mia.get("/followups?state=resolved"), "Nothing matches")
	for _, bad := range []string{"state=bogus", "overdue=x", "owner=someone"} {
		if r := mia.get("/followups?" + bad); r.StatusCode != http.StatusBadRequest {
			t.Errorf("/followups?%s: %d, want 400", bad, r.StatusCode)
		}
	}

	wantSeeOther(t, mia.post(path+"/resolve", url.Values{"note": {"Called Dora back."}}), path+"?done=resolved")
	pageHas(t, mia.get(path+"?done=resolved"), "Resolved.", `id="followup-state">Resolved`, "Called Dora back.", `id="reopen"`)
	if strings.Contains(mia.get("/followups").body, "Dora Detractor") {
		t.Error("the default list shows a resolved follow-up")
	}
	pageHas(t, mia.get("/followups?state=all"), "Dora Detractor", `class="due due-closed"`, "Pia Promoter")

	r := mia.api(http.MethodGet, "/api/v1/followups?state=active&owner=me", f.token(t, f.mia), "")
	wantStatus(t, r, http.StatusOK)
	var body struct {
		Items []api.FollowupJSON `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || len(body.Items) != 1 || body.Items[0].ResponseID != piaID ||
		body.Items[0].OwnerID != f.mia.ID || body.Items[0].DueAt == nil || body.Items[0].Overdue {
		t.Errorf("API = %s, %v", r.body, err)
	}
	for _, bad := range []string{"overdue=soon", "owner=you", "state=closed"} {
		if r := mia.api(http.MethodGet, "/api/v1/followups?"+bad, f.token(t, f.mia), ""); r.StatusCode != http.StatusBadRequest {
			t.Errorf("API ?%s: %d, want 400", bad, r.StatusCode)
		}
	}
}
