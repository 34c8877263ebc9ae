package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/respondent"
)

// respondentFixture is a server with the respondent services over a fresh
// database, and an open survey to invite people to.
type respondentFixture struct {
	*testServer
	w  *respondtest.World
	st *store.Store
	sv survey.Survey
}

func newRespondentFixture(t testing.TB) *respondentFixture {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	ts := newTestServer(t, testOptions{users: st.Users, db: st, now: w.Now, respondents: w.Respond, privacy: w.Privacy, accounts: st.Accounts})
	return &respondentFixture{testServer: ts, w: w, st: st, sv: w.OpenSurvey(t, nil)}
}

// answerForm is a complete answer form as the page posts it.
func (f *respondentFixture) answerForm(named bool) url.Values {
	form := url.Values(respondtest.Answers())
	form.Set(respondent.LocaleField, "en")
	form.Set(respondent.ConsentVersionField, strconv.Itoa(f.sv.ConsentVersion))
	if named {
		form.Set(respondent.ConsentField, "yes")
	}
	return form
}

func respondentPath(token, suffix string) string { return "/s/" + token + suffix }

func wantSeeOther(t *testing.T, r response, prefix string) {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, prefix) {
		t.Fatalf("Location = %q, want %s…", loc, prefix)
	}
}

func pageHas(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s %s: body lacks %q:\n%s", r.Request.Method, r.Request.URL.Path, p, truncate(r.body))
		}
	}
}

func TestOpeningALinkChangesNothing(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Sanna Scanner", "sanna@example.com", "fi")
	c := f.client(t)

	before := respondtest.Take(t, f.st.DB())
	r := c.get(respondentPath(p.Token, ""))
	wantStatus(t, r, http.StatusOK)
	pageHas(t, r, `lang="fi"`, "Asiakaskysely 2026", `name="q.nps"`, "Liitä nimeni vastauksiini")
	if strings.Contains(r.body, `id="consent" name="consent" value="yes" checked`) || strings.Contains(r.body, `value="yes" aria-describedby="consent-text consent-note" checked`) {
		t.Error("the consent box is ticked before the respondent ticks it")
	}
	wantStatus(t, c.get(respondentPath(p.Token, "")), http.StatusOK)
	head := c.do(httptest.NewRequest(http.MethodHead, respondentPath(p.Token, ""), nil))
	wantStatus(t, head, http.StatusOK)
	if head.body != "" {
		t.Errorf("HEAD returned a body of %d bytes", len(head.body))
	}
	for _, path := range []string{"/privacy", "/privacy/erase", "/thanks", "?lang=en"} {
		if r := c.get(respondentPath(p.Token, path)); r.StatusCode >= 400 {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
	if changes := respondtest.Diff(before, respondtest.Take(t, f.st.DB())); len(changes) != 0 {
		t.Errorf("opening the link changed %+v", changes)
	}
}

var foreignOrigin = regexp.MustCompile(`(?i)(src|href|action|srcset)\s*=\s*"(https?:)?//`)

func TestRespondentPagesAreSelfContainedAndCookieless(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	open := f.w.Invite(t, f.sv, "Petra Pages", "petra@example.com", "en")
	named := f.w.Invite(t, f.sv, "Nils Named", "nils@example.com", "sv")
	c := f.client(t)
	wantSeeOther(t, c.post(respondentPath(named.Token, ""), f.answerForm(true)), respondentPath(named.Token, "/thanks"))

	pages := []string{
		respondentPath(open.Token, ""), respondentPath(open.Token, "?lang=fi"), respondentPath(open.Token, "/privacy"),
		respondentPath(open.Token, "/privacy/erase"), respondentPath(named.Token, "/thanks"), respondentPath(named.Token, ""),
		respondentPath("tampered.token.here", ""),
	}
	for _, path := range pages {
		r := c.get(path)
		if r.StatusCode >= 500 {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
		if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("GET %s: Referrer-Policy %q", path, got)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", path, got)
		}
		if cookies := r.Header.Values("Set-Cookie"); len(cookies) > 0 {
			t.Errorf("GET %s set cookies: %v", path, cookies)
		}
		if m := foreignOrigin.FindString(r.body); m != "" {
			t.Errorf("GET %s refers to another origin: %s", path, m)
		}
		if strings.Contains(r.body, "<script") {
			t.Errorf("GET %s has a script", path)
		}
		if !strings.Contains(r.body, `<html lang="`) || !strings.Contains(r.body, `name="viewport"`) {
			t.Errorf("GET %s lacks its language or viewport", path)
		}
	}
	// The Swedish contact sees the survey's default language, English, as
	// the survey has no Swedish; the privacy page speaks Swedish.
	pageHas(t, c.get(respondentPath(named.Token, "/privacy")), `<html lang="sv">`, "Dina uppgifter")
}

func TestAnonymousAnswerThroughTheForm(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Alma Anon", "alma@example.com", "en")
	c := f.client(t)

	before := respondtest.Take(t, f.st.DB())
	r := c.post(respondentPath(p.Token, "?lang=en"), f.answerForm(false))
	wantSeeOther(t, r, respondentPath(p.Token, "/thanks?lang=en"))
	after := respondtest.Take(t, f.st.DB())

	changes := respondtest.Diff(before, after)
	seen := map[string]bool{}
	for _, ch := range changes {
		seen[ch.Collection] = true
		switch ch.Collection {
		case "responses", "invitations", "rollups": // rollups: the report counters
		default:
			t.Errorf("unexpected change in %s", ch.Collection)
		}
		if ch.Collection == "responses" || ch.Collection == "rollups" {
			for _, needle := range []string{p.Contact.ID, p.Invitation.ID, p.Contact.Name, p.Contact.Email, p.Token, p.Account.ID} {
				if strings.Contains(ch.After, needle) {
					t.Errorf("the response holds %q: %s", needle, ch.After)
				}
			}
		}
	}
	if !seen["responses"] || !seen["invitations"] {
		t.Fatalf("changed collections = %v, want the response and the invitation", seen)
	}
	for _, needle := range []string{p.Contact.Name, p.Contact.Email} {
		if found := after.Find(needle); len(found) > 0 {
			t.Errorf("%q in plain text in %v", needle, found)
		}
	}
	thanks := c.get(r.Header.Get("Location"))
	wantStatus(t, thanks, http.StatusOK)
	pageHas(t, thanks, "Thank you for your answers", "recorded anonymously")
	if strings.Contains(thanks.body, "Remove my name") {
		t.Error("an anonymous answer is offered a withdrawal")
	}
}

func TestNamedAnswerAndOneClickWithdrawal(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	p := f.w.Invite(t, f.sv, "Noora Nimi", "noora@example.com", "fi")
	c := f.client(t)

	form := f.answerForm(true)
	form.Set(respondent.LocaleField, "fi")
	r := c.post(respondentPath(p.Token, "?lang=fi"), form)
	wantSeeOther(t, r, respondentPath(p.Token, "/thanks?lang=fi"))
	thanks := c.get(r.Header.Get("Location"))
	pageHas(t, thanks, "Kiitos vastauksistasi", "Nimesi on liitetty", "Poista nimeni vastauksistani")

	ids, _ := respond.ResponseIDs(f.w.Ring, p.Invitation.ID)
	resp, err := f.st.Responses.ByID(ctx, ids[0])
	if err != nil || resp.Named == nil || resp.Named.ContactID != p.Contact.ID {
		t.Fatalf("response = %+v, %v; want it named", resp, err)
	}
	rec, err := f.st.Consents.ByID(ctx, resp.Named.ConsentID)
	text, version, hash := f.sv.ConsentFor("fi")
	if err != nil || rec.Locale != "fi" || rec.TextHash != hash || rec.TextVersion != version || rec.Method != privacy.MethodSurveyForm || text == "" {
		t.Fatalf("consent record = %+v, %v", rec, err)
	}

	w := c.post(respondentPath(p.Token, "/withdraw?lang=fi"), nil)
	wantSeeOther(t, w, respondentPath(p.Token, "/thanks?lang=fi"))
	after := c.get(w.Header.Get("Location"))
	pageHas(t, after, "Nimesi on poistettu vastauksistasi", "nimettöminä")
	if resp, _ := f.st.Responses.ByID(ctx, ids[0]); resp.Named != nil {
		t.Error("the name is still on the response")
	}
	history, _ := f.st.Consents.ByContact(ctx, p.Contact.ID)
	if len(history) != 2 || history[1].Kind != consents.Withdrawn || history[1].Method != privacy.ViaThanksPage {
		t.Errorf("history = %+v", history)
	}
	if n, err := f.w.Privacy.VerifyChain(ctx); n != 2 || err != nil {
		t.Errorf("VerifyChain = %d, %v", n, err)
	}
}

func TestSecondSubmissionShowsTheThankYouPage(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Dan Double", "dan@example.com", "en")
	c := f.client(t)
	wantSeeOther(t, c.post(respondentPath(p.Token, ""), f.answerForm(true)), respondentPath(p.Token, "/thanks"))
	again := c.post(respondentPath(p.Token, ""), f.answerForm(true))
	wantSeeOther(t, again, respondentPath(p.Token, "/thanks"))
	if loc := again.Header.Get("Location"); !strings.Contains(loc, "again=1") {
		t.Errorf("second submission sent to %q, want the thank-you page saying it was stored before", loc)
	}
	page := c.get(again.Header.Get("Location"))
	wantStatus(t, page, http.StatusOK)
	pageHas(t, page, `class="alert alert-info"`)
	if n, _ := f.st.DB().Collection("responses").CountDocuments(context.Background(), bson.D{}); n != 1 {
		t.Errorf("responses = %d, want 1", n)
	}
	if records, _ := f.st.Consents.ByContact(context.Background(), p.Contact.ID); len(records) != 1 {
		t.Errorf("consent records = %d, want 1", len(records))
	}
}

func TestInvalidAnswersAreShownAgainInTheRespondentsLanguage(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Ilona Invalid", "ilona@example.com", "fi")
	c := f.client(t)
	form := url.Values{
		"q.csat": {"9"}, "q.channel": {"phone"}, "q.services": {"repair", "modernisation"},
		"q.comment": {"Hyvä <palvelu> & nopea"}, respondent.ConsentVersionField: {strconv.Itoa(f.sv.ConsentVersion)}, respondent.ConsentField: {"yes"},
	}
	before := respondtest.Take(t, f.st.DB())
	r := c.post(respondentPath(p.Token, "?lang=fi"), form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	pageHas(t, r,
		`<html lang="fi">`, "Tarkista alla merkityt vastaukset.",
		`id="q-nps-error">Vastaa tähän kysymykseen.`, `id="q-csat-error">Valitse luku väliltä 1–5.`,
		`href="#q-nps-error"`,
		`Hyvä &lt;palvelu&gt; &amp; nopea</textarea>`,
		`value="phone" checked`, `value="repair" checked`, `value="modernisation" checked`,
		`value="yes" aria-describedby="consent-text consent-note" checked`,
	)
	if strings.Contains(r.body, `value="maintenance" checked`) {
		t.Error("an option the respondent did not choose is checked")
	}
	if changes := respondtest.Diff(before, respondtest.Take(t, f.st.DB())); len(changes) != 0 {
		t.Errorf("a rejected submission changed %+v", changes)
	}
}

func TestEveryLinkStateHasItsPage(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	c := f.client(t)

	answered := f.w.Invite(t, f.sv, "Aino Answered", "aino@example.com", "en")
	wantSeeOther(t, c.post(respondentPath(answered.Token, ""), f.answerForm(true)), respondentPath(answered.Token, "/thanks"))
	revoked := f.w.Invite(t, f.sv, "Reko Revoked", "reko@example.com", "en")
	if _, err := f.st.Invitations.Transition(ctx, revoked.Invitation.ID, store.InvitationPending, store.InvitationRevoked); err != nil {
		t.Fatal(err)
	}
	def := respondtest.Definition()
	closedSurvey := f.w.OpenSurvey(t, &def)
	prev := closedSurvey.Revision
	if err := closedSurvey.Close(f.w.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Surveys.Replace(ctx, closedSurvey, prev); err != nil {
		t.Fatal(err)
	}
	closed := f.w.Invite(t, closedSurvey, "Kaisa Closed", "kaisa@example.com", "en")
	erased := f.w.Invite(t, f.sv, "Eero Erased", "eero@example.com", "en")
	if err := f.w.Privacy.Erase(ctx, erased.Contact.ID, privacy.Requester{}); err != nil {
		t.Fatal(err)
	}
	expired := f.w.Invite(t, f.sv, "Elli Expired", "elli@example.com", "en")
	expiredToken, err := f.w.Signer.Token(link.AudienceSurvey, expired.Invitation.ID, f.w.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	open := f.w.Invite(t, f.sv, "Olli Open", "olli@example.com", "en")

	tests := []struct {
		name, token string
		status      int
		want        []string
	}{
		{"tampered", open.Token[:len(open.Token)-3] + "abc", http.StatusNotFound, []string{"This link does not work"}},
		{"garbage", "%00%ff", http.StatusNotFound, []string{"This link does not work"}},
		{"expired", expiredToken, http.StatusGone, []string{"This link has expired", "Your data and privacy"}},
		{"revoked", revoked.Token, http.StatusGone, []string{"no longer valid", "Your data and privacy"}},
		{"closed", closed.Token, http.StatusGone, []string{"This survey has closed", "Your data and privacy"}},
		{"answered", answered.Token, http.StatusOK, []string{"already answered", "Your data and privacy", "Remove my name from my answers"}},
		{"erased", erased.Token, http.StatusGone, []string{"Your data has been erased"}},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var r response
			if method == http.MethodGet {
				r = c.get(respondentPath(tt.token, ""))
			} else {
				r = c.post(respondentPath(tt.token, ""), f.answerForm(false))
			}
			want := tt.status
			if method == http.MethodPost && tt.name == "answered" {
				want = http.StatusSeeOther // to the thank-you page
			}
			if r.StatusCode != want {
				t.Errorf("%s %s: status %d, want %d", method, tt.name, r.StatusCode, want)
				continue
			}
			if want != http.StatusSeeOther {
				pageHas(t, r, tt.want...)
			}
		}
	}
	// Every page of the link answers for an erased person the same way.
	for _, suffix := range []string{"/privacy", "/thanks", "/privacy/erase"} {
		if r := c.get(respondentPath(erased.Token, suffix)); r.StatusCode != http.StatusGone {
			t.Errorf("GET erased %s: %d, want 410", suffix, r.StatusCode)
		}
	}
}

func TestPrivacyPageActions(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	ctx := context.Background()
	p := f.w.Invite(t, f.sv, "Pia Privacy", "pia@example.com", "de")
	other := f.w.Invite(t, f.sv, "Taken Person", "taken@example.com", "en")
	c := f.client(t)
	wantSeeOther(t, c.post(respondentPath(p.Token, ""), f.answerForm(true)), respondentPath(p.Token, "/thanks"))
	pending := f.w.InviteContact(t, f.w.OpenSurvey(t, nil), p.Contact, p.Account)

	page := c.get(respondentPath(p.Token, "/privacy"))
	wantStatus(t, page, http.StatusOK)
	pageHas(t, page, `<html lang="de">`, "Ihre Daten", "Pia Privacy", "pia@example.com", p.Account.Name,
		"Antworten mit Ihrem Namen", "Faster repairs, please.", "Diese Einwilligung widerrufen", "Customer survey 2026")

	// Access: a JSON download, by POST only.
	if r := c.get(respondentPath(p.Token, "/privacy/export")); r.StatusCode == http.StatusOK {
		t.Error("GET downloads the export")
	}
	export := c.post(respondentPath(p.Token, "/privacy/export"), nil)
	wantStatus(t, export, http.StatusOK)
	if cd := export.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	var data privacy.Export
	if err := json.Unmarshal([]byte(export.body), &data); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if data.Contact.Email != "pia@example.com" || len(data.NamedResponses) != 1 || len(data.NamedResponses[0].Answers) == 0 ||
		len(data.Consents) != 1 || len(data.Invitations) != 2 {
		t.Errorf("export = %+v", data)
	}

	// Rectification: problems in their language, what they typed kept.
	bad := c.post(respondentPath(p.Token, "/privacy/rectify?lang=de"), url.Values{"name": {""}, "email": {"pia-at-example"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	pageHas(t, bad, "Bitte geben Sie Ihren Namen ein", "Bitte geben Sie eine gültige E-Mail-Adresse ein", `value="pia-at-example"`)
	// An address another contact has is answered like any other (see
	// privacy_email_test.go); a new email applies once confirmed.
	taken := c.post(respondentPath(p.Token, "/privacy/rectify?lang=en"), url.Values{"name": {"Pia"}, "email": {other.Contact.Email}})
	wantSeeOther(t, taken, respondentPath(p.Token, "/privacy?lang=en&done=confirm"))
	good := c.post(respondentPath(p.Token, "/privacy/rectify?lang=en"), url.Values{"name": {"Pia Privat"}, "email": {"pia.privat@example.com"}})
	wantSeeOther(t, good, respondentPath(p.Token, "/privacy?lang=en&done=confirm"))
	pageHas(t, c.get(good.Header.Get("Location")), "We have sent a confirmation link to the new address.", "Pia Privat", "pia@example.com")
	wantStatus(t, c.post(f.confirmationPath(t, "pia.privat@example.com"), nil), http.StatusOK)
	pageHas(t, c.get(respondentPath(p.Token, "/privacy?lang=en")), "Pia Privat", "pia.privat@example.com")

	// Withdrawal of one consent.
	records, _ := f.st.Consents.ByContact(ctx, p.Contact.ID)
	wd := c.post(respondentPath(p.Token, "/privacy/withdraw?lang=en"), url.Values{"consent": {records[0].ID}})
	wantSeeOther(t, wd, respondentPath(p.Token, "/privacy?lang=en&done=withdrawn"))
	pageHas(t, c.get(wd.Header.Get("Location")), "Your consent was withdrawn", "None of your answers carries your name")

	// Erasure: a confirmation page, then the POST.
	pageHas(t, c.get(respondentPath(p.Token, "/privacy/erase?lang=en")), "Erase your data?", "cannot be undone", "Yes, erase my data")
	erase := c.post(respondentPath(p.Token, "/privacy/erase?lang=en"), nil)
	wantSeeOther(t, erase, respondentPath(p.Token, "/privacy?lang=en&done=erased"))
	done := c.get(erase.Header.Get("Location"))
	wantStatus(t, done, http.StatusOK)
	pageHas(t, done, "Your data has been erased")
	if r := c.get(respondentPath(p.Token, "")); r.StatusCode != http.StatusGone || !strings.Contains(r.body, "Your data has been erased") {
		t.Errorf("the link after erasure: %d", r.StatusCode)
	}
	contact, _ := f.st.Contacts.ByID(ctx, p.Contact.ID)
	if contact.Status != contacts.Erased || !contact.DataKey.IsZero() || contact.Name != nil {
		t.Errorf("contact = %+v, want shredded", contact)
	}
	if _, err := f.st.Suppressions.Find(ctx, f.w.Sealer.BlindIndexes("pia.privat@example.com")...); err != nil {
		t.Errorf("address not suppressed: %v", err)
	}
	if inv, _ := f.st.Invitations.ByID(ctx, pending.Invitation.ID); inv.State != store.InvitationRevoked {
		t.Errorf("pending invitation is %s, want revoked", inv.State)
	}
	history, _ := f.st.Consents.ByContact(ctx, p.Contact.ID)
	if last := history[len(history)-1]; last.Kind != consents.Erasure || last.Method != privacy.ViaPrivacyPage {
		t.Errorf("last consent record = %+v, want an erasure", last)
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	p := f.w.Invite(t, f.sv, "Xena Cross", "xena@example.com", "en")
	c := f.client(t)
	c.header.Set("Sec-Fetch-Site", "cross-site")
	before := respondtest.Take(t, f.st.DB())
	for _, path := range []string{"", "/privacy/erase", "/privacy/rectify", "/withdraw"} {
		r := c.post(respondentPath(p.Token, path), f.answerForm(true))
		wantStatus(t, r, http.StatusForbidden)
	}
	if changes := respondtest.Diff(before, respondtest.Take(t, f.st.DB())); len(changes) != 0 {
		t.Errorf("a cross-site post changed %+v", changes)
	}
	// The same form from the page itself goes through.
	c.header.Set("Sec-Fetch-Site", "same-origin")
	wantSeeOther(t, c.post(respondentPath(p.Token, ""), f.answerForm(false)), respondentPath(p.Token, "/thanks"))
}

// FuzzRespondentPost posts garbage forms to genuine and made-up links:
// nothing may answer with a server error.
func FuzzRespondentPost(f *testing.F) {
	fx := newRespondentFixture(f)
	p := fx.w.Invite(f, fx.sv, "Fuzz Person", "fuzz@example.com", "en")
	for _, seed := range []struct {
		token, body string
		genuine     bool
	}{
		{"", "q.nps=9&consent=yes&consentVersion=1", true},
		{"", "q.nps=99&q.csat=-1&q.channel=x&q.services=a&q.services=b&q.comment=%ff%fe", true},
		{"", "q.nps=1&consent=yes&consentVersion=99999999999999999999", true},
		{"", "%zz=%&&&=&q.nps", true},
		{"x", "q.nps=5", false},
		{"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "q.nps=5", false},
		{"a.b.c/privacy/erase", "", false},
	} {
		f.Add(seed.token, seed.body, seed.genuine)
	}
	f.Fuzz(func(t *testing.T, token, body string, genuine bool) {
		if genuine {
			token = p.Token
		}
		target := "/s/" + url.PathEscape(token)
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := fx.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("POST %q with %q: status %d", target, body, resp.StatusCode)
		}
	})
}

// TestPostsToALinkAreLimited: a link takes a person's few posts, then
// answers 429 with a respondent page, while other links still answer and
// reading pages is never limited.
func TestPostsToALinkAreLimited(t *testing.T) {
	t.Parallel()
	f := newRespondentFixture(t)
	hammered := f.w.Invite(t, f.sv, "Hal Hammer", "hal@example.com", "de")
	other := f.w.Invite(t, f.sv, "Olga Other", "olga@example.com", "en")
	c := f.client(t)
	for i := range respondent.LinkPostBurst {
		if r := c.post(respondentPath(hammered.Token, ""), f.answerForm(false)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %d: status %d, want 303", i+1, r.StatusCode)
		}
	}
	for _, path := range []string{"", "/withdraw", "/privacy/export"} {
		r := c.post(respondentPath(hammered.Token, path), f.answerForm(false))
		wantStatus(t, r, http.StatusTooManyRequests)
		pageHas(t, r, "Too many requests")
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("POST %s: no Retry-After", path)
		}
	}
	wantStatus(t, c.get(respondentPath(hammered.Token, "/thanks")), http.StatusOK)
	wantSeeOther(t, c.post(respondentPath(other.Token, ""), f.answerForm(false)), respondentPath(other.Token, "/thanks"))
	if n, _ := f.st.DB().Collection("responses").CountDocuments(context.Background(), bson.D{}); n != 2 {
		t.Errorf("responses = %d, want 2", n)
	}
}
