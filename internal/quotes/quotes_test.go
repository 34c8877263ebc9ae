package quotes_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a world of respondents with the quotes service wired into
// answering, as candor serve wires it.
type env struct {
	w       *respondtest.World
	quotes  *quotes.Service
	respond *respond.Service
}

func newEnv(t *testing.T) *env { return newBenchEnv(t) }

func newBenchEnv(t testing.TB) *env {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newEnvWithRing(t, st, nil)
}

func newEnvWithRing(t testing.TB, st *store.Store, ring *keys.Ring) *env {
	t.Helper()
	var w *respondtest.World
	if ring == nil {
		w = respondtest.New(t, st)
	} else {
		w = respondtest.NewWithRing(t, st, ring)
	}
	q := quotes.New(quotes.Deps{Store: st.Quotes, Sealer: w.Sealer, People: w.Customers, Accounts: st.Accounts, Users: st.Users,
		Themes: st.QuoteThemes})
	r := respond.New(respond.Deps{
		Signer: w.Signer, Keys: w.Ring, Sealer: w.Sealer, Invitations: st.Invitations, Surveys: st.Surveys,
		Contacts: st.Contacts, Accounts: st.Accounts, Responses: st.Responses, Consents: w.Privacy,
		Tally: report.New(st.Rollups), Quotes: q,
	})
	return &env{w: w, quotes: q, respond: r}
}

// answer submits the answer form of Definition with the given comments.
func (e *env) answer(t *testing.T, p respondtest.Person, comment, private string, named bool) {
	t.Helper()
	ctx := context.Background()
	l, err := e.respond.Resolve(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	values := respondtest.Answers()
	values["q.comment"] = []string{comment}
	values["q.private"] = []string{private}
	res, err := e.respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en", Named: named, ConsentVersion: l.Survey.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	if res.QuoteErr != nil || res.TallyErr != nil {
		t.Fatalf("Submit: quotes %v, tally %v", res.QuoteErr, res.TallyErr)
	}
}

func TestSubmittedCommentsAreRedactedAndConfidentialOnesNeverKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sv := e.w.OpenSurvey(t, nil)
	var people []respondtest.Person
	for i := range 12 {
		name := fmt.Sprintf("Henrikki%c Väisänen%c", 'a'+i, 'a'+i)
		email := fmt.Sprintf("henrikki.vaisanen%d@kiinteisto.example", i)
		people = append(people, e.w.Invite(t, sv, name, email, "en"))
	}
	for i, p := range people {
		comment := fmt.Sprintf("I am %s, mail %s or call +358 40 123 45%02d. Ask Ada about the lift in hall B.", p.Contact.Name, p.Contact.Email, i)
		e.answer(t, p, comment, "SECRET-"+p.Contact.Name, i%2 == 0)
	}

	got, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Suppressed || got.Total != 12 || len(got.Texts) != 12 || got.Threshold != survey.DefaultCommentThreshold {
		t.Fatalf("Comments = %+v, want all 12 shown at threshold 10", got)
	}
	for _, text := range got.Texts {
		for _, p := range people {
			first := strings.Fields(p.Contact.Name)[0]
			if strings.Contains(text, first) || strings.Contains(text, p.Contact.Email) || strings.Contains(text, "henrikki") {
				t.Errorf("comment %q names %s", text, p.Contact.Name)
			}
		}
		// "Ada" is the account's manager (the seeded admin, Ada Admin).
		if strings.Contains(text, "Ada") || strings.Contains(text, "358") {
			t.Errorf("comment %q keeps a manager's name or a phone number", text)
		}
		if !strings.Contains(text, "[email]") || !strings.Contains(text, "[phone]") || !strings.Contains(text, "[name]") || !strings.Contains(text, "lift in hall B") {
			t.Errorf("comment %q: want its words kept and what identifies replaced", text)
		}
	}

	// The confidential question's answers are never kept for quoting.
	if _, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "private"}); !isInvalid(err, "question") {
		t.Errorf("Comments on a confidential question: %v, want a validation error", err)
	}
	c, err := e.w.Store.Quotes.Counts(ctx, sv.ID, "private")
	if err != nil || c.N != 0 {
		t.Errorf("confidential answers kept as quotes: %+v, %v", c, err)
	}
	if _, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "nope"}); !errors.Is(err, quotes.ErrNotFound) {
		t.Errorf("Comments on an unknown question: %v", err)
	}
}

func TestNonQuotableQuestionsAreNeverKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	def := respondtest.Definition()
	for i := range def.Questions {
		if def.Questions[i].Key == "comment" {
			def.Questions[i].Quotable = false
		}
	}
	sv := e.w.OpenSurvey(t, &def)
	for i := range 11 {
		p := e.w.Invite(t, sv, fmt.Sprintf("Person %c", 'a'+i), fmt.Sprintf("p%d@example.com", i), "en")
		e.answer(t, p, "Not for quoting.", "Nor this.", false)
	}
	if _, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment"}); !isInvalid(err, "question") {
		t.Errorf("Comments on a question that is not quotable: %v, want a validation error", err)
	}
	for _, key := range []string{"comment", "private"} {
		c, err := e.w.Store.Quotes.Counts(ctx, sv.ID, key)
		if err != nil || c.N != 0 {
			t.Errorf("question %s: %+v kept (%v)", key, c, err)
		}
	}
}

func isInvalid(err error, field string) bool {
	var ve *fault.Error
	return errors.As(err, &ve) && ve.Fields()[field] != ""
}

// group is n comments from companies with one segment.
type group struct {
	n   int
	seg report.Segment
}

// seed adds comments straight to the quotes service, numbered per group.
func seed(t *testing.T, e *env, sv survey.Survey, groups ...group) {
	t.Helper()
	for gi, g := range groups {
		for i := range g.n {
			sub := quotes.Submission{Survey: sv, Segment: g.seg, Answers: survey.Answers{{Key: "comment", Text: fmt.Sprintf("g%d-%d", gi, i)}}}
			if err := e.quotes.Add(context.Background(), sub); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCommentsShowOnlyForGroupsAtTheThreshold(t *testing.T) {
	t.Parallel()
	emea := report.Segment{Region: "EMEA", Country: "FI", Tier: "Gold", ManagerID: "m1"}
	apac := report.Segment{Region: "APAC", Country: "JP", Tier: "Gold", ManagerID: "m2"}
	silver := report.Segment{Region: "EMEA", Country: "FI", Tier: "Silver", ManagerID: "m1"}
	tests := []struct {
		name   string
		groups []group
		filter report.Filter
		reason quotes.Reason // "" when shown
		total  int
		shown  int
	}{
		{"nine comments", []group{{9, emea}}, report.Filter{}, quotes.FewComments, 0, 0},
		{"ten comments", []group{{10, emea}}, report.Filter{}, "", 10, 10},
		{"filtered group below k", []group{{15, emea}, {9, apac}}, report.Filter{Dimension: report.Region, Value: "APAC"}, quotes.FewComments, 0, 0},
		{"complement below k", []group{{15, emea}, {5, apac}}, report.Filter{Dimension: report.Region, Value: "EMEA"}, quotes.Complement, 0, 0},
		{"unfiltered over a small group", []group{{15, emea}, {5, apac}}, report.Filter{}, "", 20, 20},
		{"group and complement at k", []group{{15, emea}, {10, apac}}, report.Filter{Dimension: report.Region, Value: "EMEA"}, "", 15, 15},
		{"no complement", []group{{12, emea}}, report.Filter{Dimension: report.Manager, Value: "m1"}, "", 12, 12},
		{"value nobody has", []group{{12, emea}}, report.Filter{Dimension: report.Country, Value: "SE"}, quotes.FewComments, 0, 0},
		// A comment whose whole company profile fewer than k share is left
		// out of filtered views, so intersecting filters cannot single it out.
		{"rare profile left out of a filter", []group{{11, emea}, {1, silver}, {10, apac}}, report.Filter{Dimension: report.Region, Value: "EMEA"}, "", 12, 11},
		{"rare profile in the whole survey", []group{{11, emea}, {1, silver}}, report.Filter{}, "", 12, 12},
		{"at most MaxShown", []group{{quotes.MaxShown + 7, emea}}, report.Filter{}, "", quotes.MaxShown + 7, quotes.MaxShown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			sv := e.w.OpenSurvey(t, nil)
			seed(t, e, sv, tt.groups...)
			got, err := e.quotes.Comments(context.Background(), sv, quotes.Query{Question: "comment", Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if got.Suppressed != (tt.reason != "") || got.Reason != tt.reason || got.Total != tt.total || len(got.Texts) != tt.shown {
				t.Errorf("Comments = suppressed %v (%q), total %d, %d shown; want reason %q, total %d, %d shown",
					got.Suppressed, got.Reason, got.Total, len(got.Texts), tt.reason, tt.total, tt.shown)
			}
			if tt.filter.Dimension == report.Region && tt.filter.Value == "EMEA" {
				for _, text := range got.Texts {
					if !strings.HasPrefix(text, "g0-") {
						t.Errorf("filtered view shows %q from another group", text)
					}
				}
			}
		})
	}
}

func TestCommentsComeInRandomOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sv := e.w.OpenSurvey(t, nil)
	seed(t, e, sv, group{30, report.Segment{Region: "EMEA"}})
	ctx := context.Background()
	first, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment"})
	if err != nil {
		t.Fatal(err)
	}
	differed := false
	for range 10 {
		again, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment"})
		if err != nil {
			t.Fatal(err)
		}
		if !sameSet(first.Texts, again.Texts) {
			t.Fatalf("two requests show different comments:\n%v\n%v", first.Texts, again.Texts)
		}
		differed = differed || !slices.Equal(first.Texts, again.Texts)
	}
	// 30 comments in the same order eleven times running would mean no
	// shuffling at all (chance 1 in 30!^10).
	if !differed {
		t.Errorf("the comments came in the same order every time: %v", first.Texts)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestResealKeepsQuotesReadableAfterRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sv := e.w.OpenSurvey(t, nil)
	seed(t, e, sv, group{10, report.Segment{Region: "EMEA"}})

	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + e.w.Ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	n, err := newEnvWithRing(t, e.w.Store, rotated).quotes.Reseal(ctx)
	if err != nil || n != 10 {
		t.Fatalf("Reseal = %d, %v; want 10 quotes", n, err)
	}
	// With the old key gone, the quotes still open.
	got, err := newEnvWithRing(t, e.w.Store, fresh).quotes.Comments(ctx, sv, quotes.Query{Question: "comment"})
	if err != nil || len(got.Texts) != 10 {
		t.Fatalf("after rotation: %d comments, %v", len(got.Texts), err)
	}
	var boxes []seal.Box
	kept, err := e.w.Store.Quotes.Kept(ctx, sv.ID, "comment")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range kept {
		boxes = append(boxes, q.Text)
	}
	for _, b := range boxes {
		if b.KeyID != "k2" {
			t.Errorf("a quote is still sealed with %s", b.KeyID)
		}
	}
}

func TestParseFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want report.Filter
		ok   bool
	}{
		{"", report.Filter{}, true},
		{"region:EMEA", report.Filter{Dimension: report.Region, Value: "EMEA"}, true},
		{" Tier : Gold ", report.Filter{Dimension: report.Tier, Value: "Gold"}, true},
		{"country:", report.Filter{Dimension: report.Country}, true},
		{"manager:u1:x", report.Filter{Dimension: report.Manager, Value: "u1:x"}, true},
		{"region", report.Filter{}, false},
		{"colour:red", report.Filter{}, false},
	}
	for _, tt := range tests {
		got, err := quotes.ParseFilter(tt.raw)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v, ok %v", tt.raw, got, err, tt.want, tt.ok)
		}
		if err != nil && !isInvalid(err, "filter") {
			t.Errorf("ParseFilter(%q) error %v is not a validation error", tt.raw, err)
		}
	}
}

// TestQuotesHoldNothingThatLeadsToAPerson reads the quotes collection as
// stored: no contact, account, invitation or response id, no name or email,
// no time — for named respondents as for anonymous ones.
func TestQuotesHoldNothingThatLeadsToAPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sv := e.w.OpenSurvey(t, nil)
	var secrets []string
	for i := range 4 {
		p := e.w.Invite(t, sv, fmt.Sprintf("Ottiliea%c Pennywhistle", 'a'+i), fmt.Sprintf("ottilie%d@pennywhistle.example", i), "en")
		e.answer(t, p, "I am "+p.Contact.Name+", "+p.Contact.Email+".", "private", i%2 == 0)
		ids, err := respond.ResponseIDs(e.w.Ring, p.Invitation.ID)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, p.Contact.ID, p.Account.ID, p.Account.Name, p.Invitation.ID, p.Token, ids[0], p.Contact.Email, "Pennywhistle", "Ottilie")
	}
	cur, err := e.w.Store.DB().Collection("quotes").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 { // count, seq, one bucket
		t.Fatalf("%d quote documents, want 3", len(docs))
	}
	var dump strings.Builder
	for _, d := range docs {
		dump.WriteString(d.String())
		if qs, err := d.LookupErr("quotes"); err == nil {
			vals, _ := qs.Array().Values()
			if len(vals) != 4 {
				t.Errorf("bucket holds %d quotes, want 4", len(vals))
			}
			for _, v := range vals {
				_, data := v.Binary()
				dump.WriteString(bson.Raw(data).String())
			}
		}
	}
	// What a quote does carry, read through the same dump: its segment.
	if !strings.Contains(dump.String(), `"region": "Nordics"`) {
		t.Fatalf("the dump does not show the quotes' segments: %s", dump.String())
	}
	for _, s := range secrets {
		if strings.Contains(strings.ToLower(dump.String()), strings.ToLower(s)) {
			t.Errorf("the quotes collection holds %q", s)
		}
	}
	if strings.Contains(dump.String(), "$date") || strings.Contains(dump.String(), "$oid") || strings.Contains(dump.String(), "$timestamp") {
		t.Errorf("the quotes collection holds a time: %s", dump.String())
	}
}
