package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

func TestAPICampaignLifecycle(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	ctx := context.Background()
	acme, cs := f.account(t, f.manager, "Acme", 4)
	if err := f.st.Contacts.SetStatus(ctx, cs[3].ID, contacts.Unsubscribed, f.now()); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	token := f.token(t, f.manager)
	create := "/api/v1/surveys/" + f.survey.ID + "/campaigns"

	r := c.api(http.MethodPost, create, token, `{"accountIds":["`+acme.ID+`"],"reminders":{"count":1,"afterDays":7}}`)
	wantStatus(t, r, http.StatusAccepted)
	var created struct {
		ID      string `json:"id"`
		Queued  int    `json:"queued"`
		Skipped []struct {
			ContactID string `json:"contactId"`
			Reason    string `json:"reason"`
		} `json:"skipped"`
	}
	decodeBody(t, r, &created)
	if created.ID == "" || created.Queued != 3 || len(created.Skipped) != 1 ||
		created.Skipped[0].ContactID != cs[3].ID || created.Skipped[0].Reason != store.SkipUnsubscribed {
		t.Fatalf("created = %+v", created)
	}
	if loc := r.Header.Get("Location"); loc != "/api/v1/campaigns/"+created.ID {
		t.Errorf("Location = %q", loc)
	}

	var got struct {
		State  string         `json:"state"`
		Counts map[string]int `json:"counts"`
	}
	r = c.api(http.MethodGet, "/api/v1/campaigns/"+created.ID, token, "")
	wantStatus(t, r, http.StatusOK)
	decodeBody(t, r, &got)
	if got.State != "sending" || got.Counts["queued"] != 3 || got.Counts["skipped"] != 1 || got.Counts["sent"] != 0 {
		t.Fatalf("before delivery: %+v", got)
	}

	f.deliver(t)
	r = c.api(http.MethodGet, "/api/v1/campaigns/"+created.ID, token, "")
	decodeBody(t, r, &got)
	if got.State != "sent" || got.Counts["sent"] != 3 || got.Counts["queued"] != 0 {
		t.Fatalf("after delivery: %+v", got)
	}

	// Bounces and complaints reported after delivery show, in the API and
	// on the campaign's page.
	if err := f.st.Campaigns.AddCounts(ctx, created.ID, store.CountsDelta{SentBatch: -1, Bounced: 1, Complained: 2}); err != nil {
		t.Fatal(err)
	}
	r = c.api(http.MethodGet, "/api/v1/campaigns/"+created.ID, token, "")
	decodeBody(t, r, &got)
	if got.Counts["bounced"] != 1 || got.Counts["complained"] != 2 {
		t.Errorf("reported later: %+v", got.Counts)
	}
	page := f.signIn(t, f.manager).get("/campaigns/" + created.ID)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "<dt>Reported as spam</dt><dd>2</dd>") || !strings.Contains(page.body, "<dt>Bounced</dt><dd>1</dd>") {
		t.Errorf("the campaign page lacks the bounced and complained counts:\n%s", truncate(page.body))
	}

	// The dev outbox has the messages, for admins only.
	wantStatus(t, c.api(http.MethodGet, "/api/v1/outbox", token, ""), http.StatusForbidden)
	r = c.api(http.MethodGet, "/api/v1/outbox?limit=2", f.token(t, f.admin), "")
	wantStatus(t, r, http.StatusOK)
	var outbox struct {
		Items []struct {
			ID, To, Subject, Text, HTML string
			Headers                     map[string]string
		} `json:"items"`
		Total int `json:"total"`
	}
	decodeBody(t, r, &outbox)
	if outbox.Total != 3 || len(outbox.Items) != 2 {
		t.Fatalf("outbox = %d items of %d", len(outbox.Items), outbox.Total)
	}
	m := outbox.Items[0]
	if !strings.HasPrefix(m.Headers["List-Unsubscribe"], "<http://candor.test/u/") || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
		m.Subject != "Kysely: Palvelukysely" || !strings.Contains(m.Text, "http://candor.test/s/") || !strings.Contains(m.HTML, "<html") {
		t.Errorf("outbox message = %+v", m)
	}

	// Cancelling, twice.
	for range 2 {
		r = c.api(http.MethodPost, "/api/v1/campaigns/"+created.ID+"/cancel", token, "")
		wantStatus(t, r, http.StatusOK)
		decodeBody(t, r, &got)
		if got.State != "cancelled" {
			t.Fatalf("after cancel: %+v", got)
		}
	}
}

func TestAPICampaignRefusals(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	ctx := context.Background()
	mine, cs := f.account(t, f.manager, "Mine", 1)
	theirs, _ := f.account(t, f.admin, "Theirs", 1)
	if err := f.st.Contacts.SetStatus(ctx, cs[0].ID, contacts.Bounced, f.now()); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	create := "/api/v1/surveys/" + f.survey.ID + "/campaigns"

	tests := []struct {
		name   string
		user   store.User
		body   string
		status int
		want   string
	}{
		{"analyst", f.analyst, `{"accountIds":["` + mine.ID + `"]}`, http.StatusForbidden, "forbidden"},
		{"another manager's account", f.manager, `{"accountIds":["` + theirs.ID + `"]}`, http.StatusBadRequest, `"accountIds"`},
		{"everyone skipped", f.manager, `{"accountIds":["` + mine.ID + `"]}`, http.StatusUnprocessableEntity, "nobody in the audience can be invited: all 1 contacts were skipped (1 email bounced)"},
		{"no audience", f.manager, `{}`, http.StatusBadRequest, `"audience"`},
		{"unknown field", f.manager, `{"accounts":["x"]}`, http.StatusBadRequest, `"accounts"`},
		{"bad reminders", f.manager, `{"accountIds":["` + mine.ID + `"],"reminders":{"count":9,"afterDays":7}}`, http.StatusBadRequest, `"reminders.count"`},
		{"bad sendAt", f.manager, `{"accountIds":["` + mine.ID + `"],"sendAt":"tomorrow"}`, http.StatusBadRequest, `"sendAt":"must be an RFC 3339 time`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.api(http.MethodPost, create, f.token(t, tt.user), tt.body)
			wantStatus(t, r, tt.status)
			if !strings.Contains(r.body, tt.want) {
				t.Errorf("body lacks %s:\n%s", tt.want, r.body)
			}
		})
	}
	wantStatus(t, c.api(http.MethodPost, "/api/v1/surveys/nope/campaigns", f.token(t, f.manager), `{"accountIds":["`+mine.ID+`"]}`), http.StatusNotFound)
	wantStatus(t, c.api(http.MethodGet, "/api/v1/campaigns/nope", f.token(t, f.manager), ""), http.StatusNotFound)
	wantStatus(t, c.api(http.MethodPost, create, "", `{}`), http.StatusUnauthorized)
	if list, _ := f.st.Campaigns.ListBySurvey(ctx, f.survey.ID, ""); len(list) != 0 {
		t.Errorf("%d campaigns stored by refused requests", len(list))
	}
}

var framePattern = regexp.MustCompile(`<iframe class="email-frame" src="([^"]+)" sandbox`)

func TestCampaignPages(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	acme, _ := f.account(t, f.manager, "Acme", 3)
	base := "/surveys/" + f.survey.ID + "/campaigns"
	c := f.signIn(t, f.manager)

	r := c.get(base + "/new")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"New campaign", "Acme", `name="accountIds"`, `type="datetime-local"`, "in UTC", `name="reminders"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}

	form := url.Values{"audience": {"accounts"}, "accountIds": {acme.ID}, "reminders": {"1"}, "afterDays": {"7"}, "when": {"now"}}
	t.Run("nothing chosen", func(t *testing.T) {
		r := c.post(base+"/preview", url.Values{"audience": {"accounts"}})
		wantStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.body, "choose at least one account") {
			t.Errorf("page lacks the message:\n%s", truncate(r.body))
		}
	})
	t.Run("without a CSRF token", func(t *testing.T) {
		bad := url.Values{"_csrf": {""}}
		for k, v := range form {
			bad[k] = v
		}
		wantStatus(t, c.post(base, bad), http.StatusForbidden)
	})

	r = c.post(base+"/preview", form)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"Send 3 invitations now", "Finnish (3)", "Kysely: Palvelukysely", "Survey: Service survey", "Plain-text version"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	frame := framePattern.FindStringSubmatch(r.body)
	if frame == nil {
		t.Fatal("preview has no sandboxed email frame")
	}
	fr := c.get(strings.ReplaceAll(frame[1], "&amp;", "&"))
	wantStatus(t, fr, http.StatusOK)
	if csp := fr.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("email frame CSP = %q", csp)
	}
	if !strings.Contains(fr.body, "Alex Example") || strings.Contains(fr.body, "<img") {
		t.Errorf("email frame body:\n%s", truncate(fr.body))
	}
	wantScoreLinks(t, "campaign preview", fr.body)

	r = c.post(base, form)
	wantStatus(t, r, http.StatusSeeOther)
	loc, query, _ := strings.Cut(r.Header.Get("Location"), "?")
	if !strings.HasPrefix(loc, "/campaigns/") || query != "created=1" {
		t.Fatalf("created campaign at %q", r.Header.Get("Location"))
	}
	r = c.get(loc + "?" + query)
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("Refresh") != "3" || !strings.Contains(r.body, "<progress") || !strings.Contains(r.body, "the invitations are going out") {
		t.Errorf("a sending campaign's page: Refresh %q\n%s", r.Header.Get("Refresh"), truncate(r.body))
	}

	f.deliver(t)
	r = c.get(loc)
	if r.Header.Get("Refresh") != "" || strings.Contains(r.body, "<progress") || !strings.Contains(r.body, ">Sent</span>") {
		t.Errorf("a sent campaign's page still refreshes or lacks its state:\n%s", truncate(r.body))
	}
	// The manager reads, from the sent campaign's page, the emails it
	// sent: invitation and reminder, each language, HTML and text.
	for _, want := range []string{`id="campaign-emails"`, "Invitation · English", "Invitation · Finnish", "Reminder · English",
		"Reminder · Finnish", "Kysely: Palvelukysely", "Survey: Service survey", "Plain-text version", `data-kind="reminder"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("sent campaign's page lacks %q", want)
		}
	}
	frames := framePattern.FindAllStringSubmatch(r.body, -1)
	if len(frames) != 4 {
		t.Errorf("sent campaign's page has %d email frames, want 4", len(frames))
	}
	for _, fm := range frames {
		fr := c.get(strings.ReplaceAll(fm[1], "&amp;", "&"))
		wantStatus(t, fr, http.StatusOK)
		if !strings.Contains(fr.body, "Alex Example") {
			t.Errorf("frame %s:\n%s", fm[1], truncate(fr.body))
		}
	}
	list := c.get(base)
	wantStatus(t, list, http.StatusOK)
	if !strings.Contains(list.body, loc) {
		t.Error("the survey's campaign list lacks the campaign")
	}

	// Cancelling asks first.
	r = c.get(loc + "/cancel")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Cancel this campaign?") {
		t.Fatalf("no confirmation:\n%s", truncate(r.body))
	}
	r = c.post(loc+"/cancel", nil)
	wantStatus(t, r, http.StatusSeeOther)
	r = c.get(r.Header.Get("Location"))
	if !strings.Contains(r.body, "The campaign was cancelled") || strings.Contains(r.body, "Cancel campaign</a>") {
		t.Errorf("after cancelling:\n%s", truncate(r.body))
	}

	// An analyst may not; another manager does not see it.
	analyst := f.signIn(t, f.analyst)
	wantStatus(t, analyst.get(base+"/new"), http.StatusForbidden)
	wantStatus(t, analyst.get(loc), http.StatusForbidden)
}

func TestCampaignFormEmptyAudience(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, cs := f.account(t, f.manager, "Acme", 1)
	if err := f.st.Contacts.Erase(context.Background(), cs[0].ID, f.now()); err != nil {
		t.Fatal(err)
	}
	c := f.signIn(t, f.manager)
	c.get("/surveys/" + f.survey.ID + "/campaigns/new")
	r := c.post("/surveys/"+f.survey.ID+"/campaigns/preview", url.Values{"audience": {"contacts"}, "contactIds": {cs[0].ID}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Nobody in the audience can be invited") || !strings.Contains(r.body, "Data erased") {
		t.Errorf("page lacks the reason:\n%s", truncate(r.body))
	}
}

func TestAdminOutboxPages(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	acme, _ := f.account(t, f.manager, "Acme", 1)
	if _, err := f.campaigns.Create(context.Background(), f.manager, f.survey.ID, invite.Request{AccountIDs: []string{acme.ID}}); err != nil {
		t.Fatal(err)
	}
	f.deliver(t)
	c := f.signIn(t, f.admin)
	r := c.get("/admin/outbox")
	wantStatus(t, r, http.StatusOK)
	link := regexp.MustCompile(`href="(/admin/outbox/[0-9a-f]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("outbox lists no message:\n%s", truncate(r.body))
	}
	r = c.get(link[1])
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click", "Message-ID", `sandbox title="The email`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("message page lacks %q", want)
		}
	}
	h := c.get(link[1] + "/html")
	wantStatus(t, h, http.StatusOK)
	wantScoreLinks(t, "dev outbox HTML", h.body)
	wantScoreLinks(t, "dev outbox text", r.body) // the page shows the text part
	if csp := h.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || h.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("HTML part served with CSP %q, X-Frame-Options %q", csp, h.Header.Get("X-Frame-Options"))
	}
	raw := c.get(link[1] + "/raw")
	if !strings.HasPrefix(raw.Header.Get("Content-Type"), "text/plain") || !strings.Contains(raw.body, "multipart/alternative") {
		t.Errorf("raw message: %s\n%s", raw.Header.Get("Content-Type"), truncate(raw.body))
	}
	wantStatus(t, c.get("/admin/outbox/nope"), http.StatusNotFound)
	wantStatus(t, f.signIn(t, f.manager).get("/admin/outbox"), http.StatusForbidden)
}

// A manager creates a schedule from the campaigns page, sees its next run,
// pauses, resumes and deletes it; bad input comes back with its values
// and messages.
func TestSchedulePages(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	acme, _ := f.account(t, f.manager, "Acme", 2)
	base := "/surveys/" + f.survey.ID
	c := f.signIn(t, f.manager)

	r := c.get(base + "/campaigns")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `href="`+base+`/schedules/new"`) {
		t.Fatalf("campaigns page lacks New schedule:\n%s", truncate(r.body))
	}
	r = c.get(base + "/schedules/new?audience=accounts&accountIds=" + acme.ID)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{`name="cadence"`, `name="firstRunAt"`, `id="schedule-submit"`, `value="` + acme.ID + `" checked`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	for _, tc := range []struct {
		name  string
		form  url.Values
		wants []string
	}{
		{"no first run", url.Values{"audience": {"accounts"}, "accountIds": {acme.ID}, "cadence": {"quarterly"}},
			[]string{"choose the date and time of the first run", `value="` + acme.ID + `" checked`}},
		{"bad cadence", url.Values{"audience": {"accounts"}, "accountIds": {acme.ID}, "cadence": {"weekly"}, "firstRunAt": {"2099-01-01T09:00"}},
			[]string{"choose monthly, quarterly", `value="2099-01-01T09:00"`}},
		{"no accounts", url.Values{"audience": {"accounts"}, "cadence": {"monthly"}, "firstRunAt": {"2099-01-01T09:00"}},
			[]string{"choose at least one account"}},
	} {
		r := c.post(base+"/schedules", tc.form)
		if r.StatusCode < 400 || r.StatusCode >= 500 {
			t.Errorf("%s: status %d", tc.name, r.StatusCode)
		}
		for _, want := range tc.wants {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: page lacks %q", tc.name, want)
			}
		}
	}
	first := f.now().UTC().Add(48 * time.Hour).Format("2006-01-02T15:04")
	r = c.post(base+"/schedules", url.Values{"audience": {"accounts"}, "accountIds": {acme.ID}, "cadence": {"quarterly"}, "firstRunAt": {first},
		"reminders": {"1"}, "afterDays": {"7"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = c.get(r.Header.Get("Location"))
	wantStatus(t, r, http.StatusOK)
	nextRun, _ := time.Parse("2006-01-02T15:04", first)
	for _, want := range []string{"The schedule was created", `id="schedules-table"`, "Every quarter", `class="schedule-next-run"`,
		nextRun.Format("2 Jan 2006 15:04") + " UTC", "Not run yet"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("campaigns page lacks %q", want)
		}
	}
	id := regexp.MustCompile(`action="/schedules/([^/"]+)/pause"`).FindStringSubmatch(r.body)
	if id == nil {
		t.Fatalf("no pause button:\n%s", truncate(r.body))
	}
	wantStatus(t, c.post("/schedules/"+id[1]+"/pause", nil), http.StatusSeeOther)
	if r = c.get(base + "/campaigns"); !strings.Contains(r.body, `action="/schedules/`+id[1]+`/resume"`) {
		t.Error("a paused schedule offers no Resume")
	}
	wantStatus(t, f.signIn(t, f.analyst).post("/schedules/"+id[1]+"/resume", nil), http.StatusForbidden)
	wantStatus(t, c.post("/schedules/"+id[1]+"/resume", nil), http.StatusSeeOther)
	wantStatus(t, c.post("/schedules/"+id[1]+"/delete", nil), http.StatusSeeOther)
	if r = c.get(base + "/campaigns"); strings.Contains(r.body, id[1]) {
		t.Error("the deleted schedule is still listed")
	}
}

// wantScoreLinks checks that body (HTML) links each score of the survey's
// NPS question, 0 to 10, under the base URL.
func wantScoreLinks(t *testing.T, what, body string) {
	t.Helper()
	re := regexp.MustCompile(`http://candor\.test/s/[A-Za-z0-9_.-]+\?q=nps&amp;v=([0-9]+)`)
	var got []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		got = append(got, m[1])
	}
	if want := "0 1 2 3 4 5 6 7 8 9 10"; strings.Join(got, " ") != want {
		t.Errorf("%s: score links %v, want %s", what, got, want)
	}
	// The test requests come with Host example.com: links never follow it.
	if strings.Contains(body, "example.com/s/") {
		t.Errorf("%s: a link is built from the request's Host", what)
	}
}
