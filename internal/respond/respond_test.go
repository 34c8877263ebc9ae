package respond_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/keys/keystest"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newWorld(t *testing.T) *respondtest.World {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return respondtest.New(t, st)
}

func resolve(t *testing.T, w *respondtest.World, token string) respond.Link {
	t.Helper()
	l, err := w.Respond.Resolve(context.Background(), token)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return l
}

func submit(t *testing.T, w *respondtest.World, p respondtest.Person, named bool) respond.Result {
	t.Helper()
	l := resolve(t, w, p.Token)
	res, err := w.Respond.Submit(context.Background(), l, respond.Submission{
		Values: respondtest.Answers(), Locale: "en", Named: named, ConsentVersion: l.Survey.ConsentVersion,
	})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return res
}

func TestResolveSaysWhatALinkMayStillDo(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)

	closedDef := respondtest.Definition()
	closed := w.OpenSurvey(t, &closedDef)
	prev := closed.Revision
	if err := closed.Close(w.Now()); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.Surveys.Replace(ctx, closed, prev); err != nil {
		t.Fatal(err)
	}

	open := w.Invite(t, sv, "Olga Open", "olga@example.com", "fi")
	answered := w.Invite(t, sv, "Anna Answered", "anna@example.com", "en")
	submit(t, w, answered, true)
	revoked := w.Invite(t, sv, "Rami Revoked", "rami@example.com", "en")
	if _, err := w.Store.Invitations.Transition(ctx, revoked.Invitation.ID, store.InvitationPending, store.InvitationRevoked); err != nil {
		t.Fatal(err)
	}
	inClosed := w.Invite(t, closed, "Cecilia Closed", "cecilia@example.com", "en")
	erased := w.Invite(t, sv, "Erik Erased", "erik@example.com", "en")
	if err := w.Privacy.Erase(ctx, erased.Contact.ID, privacy.Requester{}); err != nil {
		t.Fatal(err)
	}
	expiredInv := w.Invite(t, sv, "Eeva Expired", "eeva@example.com", "en")
	expiredToken, err := w.Signer.Token(link.AudienceSurvey, expiredInv.Invitation.ID, w.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	unsubscribe, err := w.Signer.Token(link.AudienceUnsubscribe, open.Contact.ID, w.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := w.Signer.Token(link.AudienceSurvey, link.NewID(), w.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		token      string
		state      respond.State
		manage     bool
		named      bool
		invalidErr bool
	}{
		{name: "pending", token: open.Token, state: respond.StateOpen, manage: true},
		{name: "answered with consent", token: answered.Token, state: respond.StateAnswered, manage: true, named: true},
		{name: "revoked", token: revoked.Token, state: respond.StateRevoked, manage: true},
		{name: "survey closed", token: inClosed.Token, state: respond.StateClosed, manage: true},
		{name: "contact erased", token: erased.Token, state: respond.StateErased},
		{name: "token expired", token: expiredToken, state: respond.StateExpired, manage: true},
		{name: "tampered", token: keystest.Tamper(open.Token), invalidErr: true},
		{name: "garbage", token: "not-a-token", invalidErr: true},
		{name: "unsubscribe token", token: unsubscribe, invalidErr: true},
		{name: "unknown invitation", token: unknown, invalidErr: true},
	}
	for _, tt := range tests {
		l, err := w.Respond.Resolve(ctx, tt.token)
		if tt.invalidErr {
			if !errors.Is(err, respond.ErrInvalidLink) {
				t.Errorf("%s: err = %v, want ErrInvalidLink", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if l.State != tt.state || l.Manage != tt.manage || l.Named() != tt.named {
			t.Errorf("%s: state %s, manage %v, named %v; want %s, %v, %v", tt.name, l.State, l.Manage, l.Named(), tt.state, tt.manage, tt.named)
		}
	}

	// Past the grace period an expired link no longer opens the privacy page.
	w.Advance(7*24*time.Hour + respond.ManageGrace + time.Hour)
	if l := resolve(t, w, open.Token); l.State != respond.StateExpired || l.Manage {
		t.Errorf("a year after expiry: state %s, manage %v; want expired, false", l.State, l.Manage)
	}
}

var isoDay = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func TestAnonymousAnswerCannotBeJoinedToItsRespondent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Ann Onymous", "ann.onymous@example.com", "en")

	before := respondtest.Take(t, w.Store.DB())
	if res := submit(t, w, p, false); res.Named || res.Again {
		t.Fatalf("result = %+v, want a new anonymous response", res)
	}
	after := respondtest.Take(t, w.Store.DB())

	// The new response, the invitation's state, and report counters.
	changes := respondtest.Diff(before, after)
	var responseDoc string
	seen := map[string]bool{}
	for _, ch := range changes {
		seen[ch.Collection] = true
		switch ch.Collection {
		case "rollups":
			// Counters by week and segment: they must name no one.
			for what, needle := range map[string]string{"contact id": p.Contact.ID, "invitation id": p.Invitation.ID, "account id": p.Account.ID, "company": p.Account.Name} {
				if strings.Contains(ch.After, needle) {
					t.Errorf("a rollup holds the %s: %s", what, ch.After)
				}
			}
		case "responses":
			if ch.Before != "" {
				t.Errorf("a response was changed, not inserted: %s", ch.Before)
			}
			responseDoc = ch.After
		case "invitations":
			// Nothing but the state: no time, no reference to the response.
			want := strings.Replace(ch.Before, `"state":"pending"`, `"state":"answered"`, 1)
			if ch.After != want {
				t.Errorf("invitation changed beyond its state:\nbefore %s\nafter  %s", ch.Before, ch.After)
			}
		default:
			t.Errorf("unexpected change in %s: %+v", ch.Collection, ch)
		}
	}
	if !seen["responses"] || !seen["invitations"] || !seen["rollups"] {
		t.Fatalf("changed collections = %v, want responses, invitations and rollups", seen)
	}
	for what, needle := range map[string]string{
		"contact id": p.Contact.ID, "invitation id": p.Invitation.ID, "account id": p.Account.ID,
		"name": p.Contact.Name, "email": p.Contact.Email, "token": p.Token, "company": p.Account.Name,
	} {
		if strings.Contains(responseDoc, needle) {
			t.Errorf("the response holds the %s: %s", what, responseDoc)
		}
	}
	// The person's name and email are nowhere in plain text.
	for _, needle := range []string{p.Contact.Name, p.Contact.Email} {
		if found := after.Find(needle); len(found) > 0 {
			t.Errorf("%q found in %v", needle, found)
		}
	}
	// And the response id appears only in the response itself.
	ids, err := respond.ResponseIDs(w.Ring, p.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found := after.Find(ids[0]); len(found) != 1 || !strings.HasPrefix(found[0], "responses/") {
		t.Errorf("response id found in %v, want only the response", found)
	}

	var raw bson.Raw
	if err := w.Store.DB().Collection("responses").FindOne(ctx, bson.D{{Key: "_id", Value: ids[0]}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if respondtest.HasDateTime(raw) {
		t.Errorf("the response holds a date-time: %s", raw)
	}
	resp, err := w.Store.Responses.ByID(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if !isoDay.MatchString(resp.Date) || resp.Date != w.Now().UTC().Format(time.DateOnly) {
		t.Errorf("date = %q, want today's UTC day", resp.Date)
	}
	want := store.Segment{Region: "Nordics", Country: "FI", Industry: "Real estate", Tier: "Gold", ManagerID: w.Admin.ID}
	if resp.Named != nil || resp.Segment != want || resp.Classification != store.ClassificationConfidential || resp.SurveyID != sv.ID || resp.Locale != "en" {
		t.Errorf("response = %+v", resp)
	}
	// The reports count it for the account's manager.
	weeks, err := w.Store.Rollups.CurrentWeeks(ctx, sv.ID)
	if err != nil || len(weeks) != 1 {
		t.Fatalf("weeks = %v, %v", weeks, err)
	}
	for wk := range weeks {
		docs, err := w.Store.Rollups.Get(ctx, sv.ID, 0, "manager", wk)
		if err != nil || len(docs) != 1 {
			t.Fatalf("manager rollups = %v, %v", docs, err)
		}
		if _, ok := docs[0].Values[w.Admin.ID]; !ok || len(docs[0].Values) != 1 {
			t.Errorf("manager rollup values = %v, want only %s", docs[0].Values, w.Admin.ID)
		}
	}
}

func TestNamedAnswerHasACompleteConsentRecord(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Nina Named", "nina@example.com", "fi")

	l := resolve(t, w, p.Token)
	start := w.Now().UTC().Truncate(time.Millisecond)
	res, err := w.Respond.Submit(ctx, l, respond.Submission{
		Values: respondtest.Answers(), Locale: "fi", Named: true, ConsentVersion: sv.ConsentVersion,
	})
	if err != nil || !res.Named {
		t.Fatalf("Submit = %+v, %v", res, err)
	}
	ids, _ := respond.ResponseIDs(w.Ring, p.Invitation.ID)
	resp, err := w.Store.Responses.ByID(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if resp.Named == nil || resp.Named.ContactID != p.Contact.ID || resp.Named.ConsentID == "" {
		t.Fatalf("named = %+v", resp.Named)
	}
	rec, err := w.Store.Consents.ByID(ctx, resp.Named.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	text, version, hash := sv.ConsentFor("fi")
	if rec.Kind != consents.Given || rec.ContactID != p.Contact.ID || rec.SurveyID != sv.ID ||
		rec.TextVersion != version || rec.TextHash != hash || rec.TextHash != survey.ConsentHash(text) ||
		rec.Locale != "fi" || rec.Method != privacy.MethodSurveyForm || rec.At.Before(start) ||
		rec.Seq != 1 || rec.PrevHash != "" || rec.Hash != privacy.RecordHash(rec) || len(rec.ResponseRef) != 32 || rec.RefID == "" {
		t.Errorf("consent record = %+v", rec)
	}
	// The record names the response, for as long as the consent stands.
	o, err := w.Privacy.Overview(ctx, p.Contact.ID, "fi", privacy.Requester{})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Responses) != 1 || o.Responses[0].ID != ids[0] || len(o.Consents) != 1 || !o.Consents[0].Active() || o.Consents[0].Text != text {
		t.Errorf("overview = %+v", o)
	}
	if n, err := w.Privacy.VerifyChain(ctx); err != nil || n != 1 {
		t.Errorf("VerifyChain = %d, %v", n, err)
	}
	if l := resolve(t, w, p.Token); l.State != respond.StateAnswered || l.ConsentID != rec.ID {
		t.Errorf("after answering: %+v", l)
	}
}

func TestSubmittingTwiceStoresOneResponse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Dora Double", "dora@example.com", "en")

	// Both posts left the browser while the link was open.
	l := resolve(t, w, p.Token)
	sub := respond.Submission{Values: respondtest.Answers(), Locale: "en", Named: true, ConsentVersion: sv.ConsentVersion}
	first, err := w.Respond.Submit(ctx, l, sub)
	if err != nil || first.Again {
		t.Fatalf("first = %+v, %v", first, err)
	}
	second, err := w.Respond.Submit(ctx, l, sub)
	if err != nil || !second.Again {
		t.Fatalf("second = %+v, %v; want Again", second, err)
	}
	n, err := w.Store.DB().Collection("responses").CountDocuments(ctx, bson.D{})
	if err != nil || n != 1 {
		t.Fatalf("responses = %d, %v; want 1", n, err)
	}
	if records, _ := w.Store.Consents.ByContact(ctx, p.Contact.ID); len(records) != 1 {
		t.Errorf("consent records = %d, want 1: a repeated submission records nothing", len(records))
	}
	// The report counters count the response once, as it arrived.
	weeks, err := w.Store.Rollups.CurrentWeeks(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var counted int64
	for _, wk := range weeks {
		counted += wk.N
	}
	if counted != 1 {
		t.Fatalf("rollups count %d responses, want 1", counted)
	}
}

func TestConcurrentSubmissionsStoreOneResponse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Rita Race", "rita@example.com", "en")
	l := resolve(t, w, p.Token)

	const n = 6
	results := make([]respond.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = w.Respond.Submit(ctx, l, respond.Submission{
				Values: respondtest.Answers(), Locale: "en", Named: true, ConsentVersion: sv.ConsentVersion,
			})
		})
	}
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("submission %d: %v", i, errs[i])
		}
		if !results[i].Again {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d submissions stored a response, want 1", fresh)
	}
	count, _ := w.Store.DB().Collection("responses").CountDocuments(ctx, bson.D{})
	if count != 1 {
		t.Errorf("responses = %d, want 1", count)
	}
	// Consents recorded by the submissions that lost are withdrawn again.
	o, err := w.Privacy.Overview(ctx, p.Contact.ID, "en", privacy.Requester{})
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, c := range o.Consents {
		if c.Active() {
			active++
		}
	}
	if active != 1 || len(o.Responses) != 1 || o.Responses[0].ConsentID == "" {
		t.Errorf("%d active consents, %d named responses; want 1 and 1", active, len(o.Responses))
	}
	if _, err := w.Privacy.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
	if inv, _ := w.Store.Invitations.ByID(ctx, p.Invitation.ID); inv.State != store.InvitationAnswered {
		t.Errorf("invitation state = %s", inv.State)
	}
}

func TestInvalidAnswersAreRejectedAndNothingStored(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Ivan Invalid", "ivan@example.com", "en")
	l := resolve(t, w, p.Token)

	before := respondtest.Take(t, w.Store.DB())
	_, err := w.Respond.Submit(ctx, l, respond.Submission{
		Values: map[string][]string{"q.csat": {"9"}, "q.channel": {"fax"}, "q.nps": {""}},
		Locale: "en", Named: true, ConsentVersion: sv.ConsentVersion,
	})
	var invalid *respond.InvalidAnswers
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want *InvalidAnswers", err)
	}
	want := map[string]string{"nps": survey.CodeRequired, "csat": survey.CodeOutOfRange, "channel": survey.CodeUnknownOption}
	for key, code := range want {
		if invalid.Fields[key].Code != code {
			t.Errorf("%s: code %q, want %q", key, invalid.Fields[key].Code, code)
		}
	}
	if len(invalid.Fields) != len(want) {
		t.Errorf("fields = %v", invalid.Fields)
	}
	if changes := respondtest.Diff(before, respondtest.Take(t, w.Store.DB())); len(changes) != 0 {
		t.Errorf("an invalid submission changed %+v", changes)
	}
}

func TestConsentToAReplacedTextIsNotTaken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Vera Version", "vera@example.com", "en")
	l := resolve(t, w, p.Token)
	for _, version := range []int{0, sv.ConsentVersion + 1} {
		_, err := w.Respond.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en", Named: true, ConsentVersion: version})
		if !errors.Is(err, respond.ErrConsentChanged) {
			t.Errorf("version %d: err = %v, want ErrConsentChanged", version, err)
		}
	}
	// Without the box ticked, the version does not matter.
	if _, err := w.Respond.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en"}); err != nil {
		t.Errorf("anonymous: %v", err)
	}
}

func TestSubmitRefusesALinkThatIsNotOpen(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Stan Stale", "stan@example.com", "en")
	submit(t, w, p, false)
	l := resolve(t, w, p.Token)
	if _, err := w.Respond.Submit(context.Background(), l, respond.Submission{Values: respondtest.Answers()}); !errors.Is(err, respond.ErrNotOpen) {
		t.Errorf("err = %v, want ErrNotOpen", err)
	}
}

func TestFreeTextAndConfidentialAnswersAreSealed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Sam Sealed", "sam@example.com", "en")
	submit(t, w, p, false)

	snap := respondtest.Take(t, w.Store.DB())
	answers := respondtest.Answers()
	for _, secret := range []string{answers["q.comment"][0], answers["q.private"][0], "Faster repairs"} {
		if found := snap.Find(secret); len(found) > 0 {
			t.Errorf("%q stored in plain text in %v", secret, found)
		}
	}
	ids, _ := respond.ResponseIDs(w.Ring, p.Invitation.ID)
	resp, err := w.Store.Responses.ByID(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range resp.Answers {
		q, _ := sv.Question(a.Key)
		sealed := q.Type == survey.TypeText || q.Confidential
		if sealed != (a.Sealed != nil) || (sealed && (a.Score != nil || a.Choices != nil)) {
			t.Errorf("answer %s: sealed %v, stored %+v", a.Key, sealed, a)
		}
		if a.Sealed != nil && a.Sealed.KeyID != "k1" {
			t.Errorf("answer %s sealed with key %q", a.Key, a.Sealed.KeyID)
		}
	}
	opened, err := privacy.OpenAnswers(w.Sealer, resp)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := opened.Get("private"); a.Text != answers["q.private"][0] {
		t.Errorf("private opens as %q", a.Text)
	}
	if a, _ := opened.Get("effort"); a.Score == nil || *a.Score != 6 {
		t.Errorf("effort opens as %+v", a)
	}
	if a, _ := opened.Get("services"); strings.Join(a.Choices, ",") != "repair,maintenance" {
		t.Errorf("services = %v", a.Choices)
	}
	// A box moved to another response does not open there.
	moved := resp
	moved.ID = "another"
	if _, err := privacy.OpenAnswers(w.Sealer, moved); err == nil {
		t.Error("a sealed answer opened under another response id")
	}
}

func TestResponseIsFoundAfterAKeyRotation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Kai Key", "kai@example.com", "en")
	submit(t, w, p, true)
	// As if the process stopped between storing the response and marking
	// the invitation answered.
	if ok, err := w.Store.Invitations.Transition(ctx, p.Invitation.ID, store.InvitationAnswered, store.InvitationPending); !ok || err != nil {
		t.Fatalf("reset: %v, %v", ok, err)
	}

	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + w.Ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	w2 := respondtest.NewWithRing(t, w.Store, rotated)
	l, err := w2.Respond.Resolve(ctx, p.Token)
	if err != nil || l.State != respond.StateOpen {
		t.Fatalf("Resolve = %+v, %v", l, err)
	}
	res, err := w2.Respond.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en"})
	if err != nil || !res.Again {
		t.Fatalf("Submit after rotation = %+v, %v; want Again", res, err)
	}
	if n, _ := w.Store.DB().Collection("responses").CountDocuments(ctx, bson.D{}); n != 1 {
		t.Errorf("responses = %d, want 1", n)
	}
	if l := resolve(t, w2, p.Token); l.State != respond.StateAnswered || !l.Named() {
		t.Errorf("after rotation: %+v, want answered and named", l)
	}
}

func TestLocale(t *testing.T) {
	t.Parallel()
	available := []string{"en", "fi", "de"}
	tests := []struct {
		requested, contact, accept, want string
	}{
		{"fi", "de", "en", "fi"},
		{"FI-fi", "", "", "fi"},
		{"sv", "de", "fi", "de"},               // not available: the contact's own
		{"", "sv", "fi;q=0.8, de;q=0.9", "de"}, // contact's not available: the browser's best
		{"", "", "zh", "en"},                   // nothing matches: the fallback
		{"'><script>", "", "", "en"},
	}
	for _, tt := range tests {
		if got := respond.Locale(available, tt.requested, tt.contact, tt.accept, "en"); got != tt.want {
			t.Errorf("Locale(%q, %q, %q) = %q, want %q", tt.requested, tt.contact, tt.accept, got, tt.want)
		}
	}
}

// Each answered link counts once on its campaign, however many
// submissions of it race or come again.
func TestAnswersCountOnceOnTheirCampaign(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	if err := w.Store.Campaigns.Create(ctx, store.Campaign{ID: "campaign-1", SurveyID: sv.ID, State: store.CampaignSent,
		CreatedAt: w.Now()}, nil, nil); err != nil {
		t.Fatal(err)
	}
	people := []respondtest.Person{
		w.Invite(t, sv, "Ann One", "ann@example.com", "en"),
		w.Invite(t, sv, "Ben Two", "ben@example.com", "en"),
		w.Invite(t, sv, "Cy Three", "cy@example.com", "en"),
	}
	for _, tc := range []struct {
		name   string
		person respondtest.Person
		times  int // submissions at once
	}{
		{"one submission", people[0], 1},
		{"six at once", people[1], 6},
	} {
		l := resolve(t, w, tc.person.Token)
		var wg sync.WaitGroup
		for range tc.times {
			wg.Go(func() {
				if res, err := w.Respond.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en"}); err != nil || res.CountErr != nil {
					t.Errorf("%s: %+v, %v", tc.name, res, err)
				}
			})
		}
		wg.Wait()
		// And again later, as a retry after a lost reply.
		if res, err := w.Respond.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en"}); err != nil || !res.Again {
			t.Errorf("%s, again: %+v, %v", tc.name, res, err)
		}
	}
	camp, err := w.Store.Campaigns.ByID(ctx, "campaign-1")
	if err != nil {
		t.Fatal(err)
	}
	byState, err := w.Store.Invitations.CountByState(ctx, "campaign-1")
	if err != nil {
		t.Fatal(err)
	}
	if camp.Answered() != 2 || byState[store.InvitationAnswered] != 2 || byState[store.InvitationPending] != 1 {
		t.Errorf("campaign counts %d answered, invitations %v; want 2 answered, 1 pending", camp.Answered(), byState)
	}
}
