package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/respondent"
)

// checkedRadio is a checked radio button: its name and value.
var checkedRadio = regexp.MustCompile(`<input type="radio" id="[^"]*" name="([^"]*)" value="([^"]*)" checked`)

// checkedRadios lists the checked radio buttons of a page: "q.nps=7".
func checkedRadios(body string) []string {
	var out []string
	for _, m := range checkedRadio.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+"="+m[2])
	}
	return out
}

func TestScoreLinkSelectsTheScore(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Pia Prefill", "pia@example.com", "en")
	c := f.client(t)
	tests := []struct {
		query   string
		checked string // "" when nothing is selected
		note    string // the sentence describing the selection
	}{
		{"?q=nps&v=7", "q.nps=7", "You chose 7 in the email"},
		{"?q=nps&v=0", "q.nps=0", "You chose 0 in the email"},
		{"?q=nps&v=10", "q.nps=10", "You chose 10 in the email"},
		{"?q=nps&v=7&lang=fi", "q.nps=7", "Valitsit sähköpostissa 7"},
		{"?lang=fi&q=nps&v=9", "q.nps=9", "Valitsit sähköpostissa 9"},
		{"?q=csat&v=4", "q.csat=4", "You chose 4 in the email"},
		{"?q=nps&v=11", "", ""},
		{"?q=nps&v=-1", "", ""},
		{"?q=nps&v=07", "", ""},
		{"?q=nps&v=7.5", "", ""},
		{"?q=nps&v=seven", "", ""},
		{"?q=nps&v=%00", "", ""},
		{"?q=nps&v=", "", ""},
		{"?q=nps", "", ""},
		{"?v=7", "", ""},
		{"?q=csat&v=6", "", ""},
		{"?q=effort&v=3", "", ""},  // confidential: never from a link
		{"?q=comment&v=3", "", ""}, // not a scale
		{"?q=channel&v=phone", "", ""},
		{"?q=nope&v=3", "", ""},
		{"?q=nps&v=" + strings.Repeat("9", 5000), "", ""},
	}
	for _, tt := range tests {
		r := c.get(respondentPath(p.Token, tt.query))
		wantStatus(t, r, http.StatusOK)
		got := strings.Join(checkedRadios(r.body), ",")
		if got != tt.checked {
			t.Errorf("%s: checked %q, want %q", tt.query, got, tt.checked)
		}
		hasNote := strings.Contains(r.body, "in the email") || strings.Contains(r.body, "sähköpostissa")
		if tt.note == "" {
			if hasNote {
				t.Errorf("%s: the page describes a selection it did not make", tt.query)
			}
			continue
		}
		// The note is the question's description, so a screen reader reads
		// it with the group; the language switcher keeps the selection.
		key := strings.TrimPrefix(strings.SplitN(tt.checked, "=", 2)[0], "q.")
		value := strings.SplitN(tt.checked, "=", 2)[1]
		pageHas(t, r, tt.note,
			`<p class="rq-hint" id="q-`+key+`-hint">`,
			`aria-describedby="q-`+key+`-anchors q-`+key+`-hint"`,
			html.EscapeString("&q="+key+"&v="+value))
	}
}

// TestOpeningScoreLinksStoresNothing sends a real invitation, opens each
// of its score links (as a mail scanner would) and finds nothing written:
// no response, the invitation pending, the report counters as they were.
// Only sending the form stores the answer.
func TestOpeningScoreLinksStoresNothing(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	deps := invite.Deps{
		Stores: invite.StoresOf(f.st), Customers: f.w.Customers, Links: f.w.Signer, Now: f.w.Now,
		Config: invite.Config{Rate: -1, BatchSize: 10, PollInterval: 10 * time.Millisecond},
	}
	campaigns, err := invite.NewService(deps)
	if err != nil {
		t.Fatal(err)
	}
	disp, err := invite.NewDispatcher(deps, invite.NewDevOutbox(f.st.DevMails))
	if err != nil {
		t.Fatal(err)
	}
	acct, err := f.w.Customers.CreateAccount(ctx, f.w.Admin, customer.AccountInput{Name: "Scanner Oy", Country: "FI", ManagerIDs: []string{f.w.Admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.Customers.CreateContact(ctx, f.w.Admin, customer.ContactInput{AccountID: acct.ID, Name: "Sami Scanner", Email: "sami@example.com", Locale: "fi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.Create(ctx, f.w.Admin, f.sv.ID, invite.Request{AccountIDs: []string{acct.ID}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		for _, step := range []func(context.Context) error{disp.Feed, disp.Sweep} {
			if err := step(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for worked := true; worked; {
			if worked, err = disp.Work(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	mails, _, err := f.st.DevMails.List(ctx, store.Page{Limit: 10})
	if err != nil || len(mails) != 1 {
		t.Fatalf("dev outbox = %d mails, %v", len(mails), err)
	}
	var links []string
	for _, m := range regexp.MustCompile(`href="([^"]*\?q=nps&amp;v=[0-9]+)"`).FindAllStringSubmatch(mails[0].HTML, -1) {
		links = append(links, strings.TrimPrefix(html.UnescapeString(m[1]), respondtest.BaseURL))
	}
	if len(links) != 11 {
		t.Fatalf("the email has %d score links, want 11:\n%s", len(links), mails[0].Text)
	}
	token := strings.TrimPrefix(strings.SplitN(links[0], "?", 2)[0], "/s/")
	inv, err := f.st.Invitations.ByID(ctx, mustSubject(t, f, token))
	if err != nil || inv.State != store.InvitationPending {
		t.Fatalf("invitation = %+v, %v", inv, err)
	}

	c := f.client(t)
	before := respondtest.Take(t, f.st.DB())
	for i, path := range links {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		if got := checkedRadios(r.body); len(got) != 1 || got[0] != "q.nps="+strconv.Itoa(i) {
			t.Errorf("GET %s: checked %v", path, got)
		}
		wantStatus(t, c.do(httptest.NewRequest(http.MethodHead, path, nil)), http.StatusOK)
	}
	if changes := respondtest.Diff(before, respondtest.Take(t, f.st.DB())); len(changes) != 0 {
		t.Errorf("opening the score links changed %+v", changes)
	}
	if got, _ := f.st.Invitations.ByID(ctx, inv.ID); got.State != store.InvitationPending {
		t.Errorf("invitation %s after the links were opened", got.State)
	}
	if ids, _ := respond.ResponseIDs(f.w.Ring, inv.ID); len(ids) > 0 {
		if _, err := f.st.Responses.ByID(ctx, ids[0]); err == nil {
			t.Error("a response exists before the form was sent")
		}
	}

	// Sending the form, selection changed or not, stores the answer.
	form := f.answerForm(false)
	form.Set("q.nps", "7")
	form.Set(respondent.LocaleField, "fi")
	wantSeeOther(t, c.post(respondentPath(token, "?lang=fi"), form), respondentPath(token, "/thanks?lang=fi"))
	changed := map[string]bool{}
	for _, ch := range respondtest.Diff(before, respondtest.Take(t, f.st.DB())) {
		changed[ch.Collection] = true
	}
	if !changed["responses"] || !changed["invitations"] || !changed["rollups"] {
		t.Errorf("sending the form changed %v, want the response, the invitation and the counters", changed)
	}
	if got, _ := f.st.Invitations.ByID(ctx, inv.ID); got.State != store.InvitationAnswered {
		t.Errorf("invitation %s after the answer", got.State)
	}
	// The links now show that the survey was answered, still storing nothing.
	after := respondtest.Take(t, f.st.DB())
	pageHas(t, c.get(links[3]), "Kiitos")
	if changes := respondtest.Diff(after, respondtest.Take(t, f.st.DB())); len(changes) != 0 {
		t.Errorf("opening a score link after answering changed %+v", changes)
	}
}

func mustSubject(t *testing.T, f *respondentFixture, token string) string {
	t.Helper()
	id, err := f.w.Signer.Parse(token, link.AudienceSurvey)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
