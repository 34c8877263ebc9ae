package report_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

// rollupDocs returns a survey's week documents and index of weeks as
// stored, without the versions and snapshots that only serve caching.
func rollupDocs(t *testing.T, st *store.Store, surveyID string) map[string]bson.M {
	t.Helper()
	ctx := context.Background()
	cur, err := st.DB().Collection("rollups").Find(ctx, bson.D{{Key: "survey", Value: surveyID}})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	out := map[string]bson.M{}
	weeks := bson.M{} // the shards of the index, summed
	for _, raw := range docs {
		d := norm(raw).(bson.M)
		id := report.WithoutGen(fmt.Sprint(d["_id"]))
		delete(d, "gen")
		switch {
		case strings.Contains(id, "|snapshot"):
			continue
		case strings.Contains(id, "|weeks|"):
			for w, v := range d["w"].(bson.M) {
				n, _ := weeks[w].(int64)
				if n += v.(bson.M)["n"].(int64); n != 0 {
					weeks[w] = n
				} else {
					delete(weeks, w)
				}
			}
			continue
		}
		d["_id"] = id
		out[id] = d
	}
	out[surveyID+"|weeks"] = bson.M{"w": weeks}
	return out
}

// norm turns nested documents into maps, so that field order does not
// count, and every number into an int64.
func norm(v any) any {
	switch x := v.(type) {
	case bson.D:
		m := bson.M{}
		for _, e := range x {
			m[e.Key] = norm(e.Value)
		}
		return m
	case bson.M:
		m := bson.M{}
		for k, e := range x {
			m[k] = norm(e)
		}
		return m
	case bson.A:
		out := make(bson.A, len(x))
		for i, e := range x {
			out[i] = norm(e)
		}
		return out
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	}
	return v
}

func TestRebuildFromStoredResponsesReproducesTheIncrementalRollups(t *testing.T) {
	t.Parallel()
	st := store.New(storetest.DB(t))
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	sv := w.OpenSurvey(t, nil)
	const n = 14
	for i := range n {
		p := w.Invite(t, sv, fmt.Sprintf("Person %d", i), fmt.Sprintf("p%d@example.com", i), "en")
		l, err := w.Respond.Resolve(ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		values := respondtest.Answers()
		values["q.nps"] = []string{fmt.Sprint(i % 11)}
		values["q.effort"] = []string{fmt.Sprint(1 + i%7)} // confidential: sealed, yet counted
		if i%3 == 0 {
			delete(values, "q.csat")
		}
		res, err := w.Respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en", Named: i%4 == 0, ConsentVersion: sv.ConsentVersion})
		if err != nil || res.TallyErr != nil {
			t.Fatalf("submit %d: %v, %v", i, err, res.TallyErr)
		}
		w.Advance(4 * 24 * time.Hour) // several weeks
	}
	svc := report.New(st.Rollups)
	incremental := rollupDocs(t, st, sv.ID)
	if len(incremental) < 10 {
		t.Fatalf("only %d rollup documents after %d responses", len(incremental), n)
	}
	before, err := svc.Report(ctx, report.Query{By: report.Manager}, sv)
	if err != nil {
		t.Fatal(err)
	}

	// Wreck the rollups, then rebuild them from the responses.
	if err := st.Rollups.DeleteSurvey(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	open := func(r store.Response) (report.Opened, error) {
		answers, account, err := privacy.OpenResponse(w.Sealer, r)
		return report.Opened{Answers: answers, AccountID: account}, err
	}
	var got []report.Rebuilt
	err = svc.RebuildAll(ctx, st.Surveys, st.Responses, open, "", func(_ survey.Survey, r report.Rebuilt) { got = append(got, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Responses != n || got[0].Skipped != 0 || got[0].Weeks < 7 {
		t.Fatalf("rebuilt %+v, want %d responses over several weeks", got, n)
	}
	rebuilt := rollupDocs(t, st, sv.ID)
	if !reflect.DeepEqual(incremental, rebuilt) {
		for id, d := range incremental {
			if !reflect.DeepEqual(d, rebuilt[id]) {
				t.Errorf("%s:\nincremental %v\nrebuilt     %v", id, d, rebuilt[id])
			}
		}
		t.Fatalf("rebuilt %d documents, incremental %d", len(rebuilt), len(incremental))
	}
	after, err := svc.Report(ctx, report.Query{By: report.Manager}, sv)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("report after rebuild differs:\nbefore %+v\nafter  %+v", before, after)
	}
	if err := svc.RebuildAll(ctx, st.Surveys, st.Responses, open, "no-such-survey", nil); err == nil {
		t.Error("rebuilding an unknown survey succeeded")
	}

	// Rollups counted by ISO week, as before calendar months, are rebuilt
	// at start; current ones are left alone.
	got = nil
	if err := svc.RebuildOutdated(ctx, st.Surveys, st.Responses, open, func(_ survey.Survey, r report.Rebuilt) { got = append(got, r) }); err != nil || got != nil {
		t.Fatalf("current rollups rebuilt: %+v, %v", got, err)
	}
	old := rollups.Change{SurveyID: sv.ID, Week: "2025-W02", Weight: 1, Segments: []rollups.Segment{{Dim: "all"}}}
	g, err := st.Rollups.Generation(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Rollups.Apply(ctx, g.Current, old); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Report(ctx, report.Query{}, sv); err == nil || !strings.Contains(err.Error(), "rollup rebuild") {
		t.Errorf("a report on outdated rollups: %v", err)
	}
	if err := svc.RebuildOutdated(ctx, st.Surveys, st.Responses, open, func(_ survey.Survey, r report.Rebuilt) { got = append(got, r) }); err != nil || len(got) != 1 || got[0].Responses != n {
		t.Fatalf("outdated rollups: rebuilt %+v, %v", got, err)
	}
	if again, err := svc.Report(ctx, report.Query{By: report.Manager}, sv); err != nil || !reflect.DeepEqual(before, again) {
		t.Errorf("report after the upgrade's rebuild: %v\nbefore %+v\nafter  %+v", err, before, again)
	}

	// So are rollups from before generations, which are then deleted.
	got = nil
	legacy := bson.D{{Key: "_id", Value: sv.ID + "|weeks"}, {Key: "survey", Value: sv.ID}, {Key: "w", Value: bson.D{}}}
	if _, err := st.DB().Collection("rollups").InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	if err := svc.RebuildOutdated(ctx, st.Surveys, st.Responses, open, func(_ survey.Survey, r report.Rebuilt) { got = append(got, r) }); err != nil || len(got) != 1 || got[0].Responses != n {
		t.Fatalf("rollups from before generations: rebuilt %+v, %v", got, err)
	}
	if still, err := st.Rollups.HasLegacy(ctx, sv.ID); err != nil || still {
		t.Errorf("rollups from before generations survived their rebuild: %v, %v", still, err)
	}
}

// TestAccountsAreSealedYetCounted: a response stores its account only
// sealed, reports count by it all the same, and a rebuild counts it from
// the sealed field; rollups from before accounts are rebuilt at start.
func TestAccountsAreSealedYetCounted(t *testing.T) {
	t.Parallel()
	st := store.New(storetest.DB(t))
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	sv := w.OpenSurvey(t, nil)
	var people []respondtest.Person
	// An account of n invited contacts.
	account := func(name string, n int) respondtest.Person {
		p := w.Invite(t, sv, name+" 0", name+"0@example.com", "en")
		people = append(people, p)
		for i := 1; i < n; i++ {
			c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{AccountID: p.Account.ID, Name: fmt.Sprint(name, " ", i), Email: fmt.Sprintf("%s%d@example.com", name, i), Locale: "en"})
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, w.InviteContact(t, sv, c, p.Account))
		}
		return p
	}
	// The one respondent of other is protected by hiding third too:
	// every response less first's would be other's.
	first, other := account("first", 7), account("other", 1)
	account("third", 5)
	for i, p := range people {
		l, err := w.Respond.Resolve(ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		values := respondtest.Answers()
		values["q.nps"] = []string{fmt.Sprint((4 + i) % 11)}
		if res, err := w.Respond.Submit(ctx, l, respond.Submission{Values: values, Locale: "en"}); err != nil || res.TallyErr != nil {
			t.Fatalf("submit %d: %v, %v", i, err, res.TallyErr)
		}
	}
	// No stored response names its account but sealed.
	var raw []bson.M
	cur, err := st.DB().Collection("responses").Find(ctx, bson.D{{Key: "surveyId", Value: sv.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &raw); err != nil {
		t.Fatal(err)
	}
	for _, d := range raw {
		if s := fmt.Sprint(d); strings.Contains(s, first.Account.ID) || strings.Contains(s, other.Account.ID) {
			t.Fatalf("a stored response names its account: %v", s)
		}
		if d["account"] == nil {
			t.Fatalf("a stored response has no sealed account: %v", d)
		}
	}
	svc := report.New(st.Rollups)
	want := func(when string) {
		t.Helper()
		rep, err := svc.Report(ctx, report.Query{Filter: report.Filter{Dimension: report.Account, Value: first.Account.ID}}, sv)
		if err != nil {
			t.Fatal(err)
		}
		if o := rep.Overall; o.Suppressed || o.Responses == nil || *o.Responses != 7 || o.NPS == nil {
			t.Fatalf("%s: the account's report %+v, want 7 responses and an NPS", when, o)
		}
		rep, err = svc.Report(ctx, report.Query{Filter: report.Filter{Dimension: report.Account, Value: other.Account.ID}}, sv)
		if err != nil {
			t.Fatal(err)
		}
		if o := rep.Overall; !o.Suppressed {
			t.Fatalf("%s: one respondent's account shown: %+v", when, o)
		}
	}
	want("counted")
	open := func(r store.Response) (report.Opened, error) {
		answers, account, err := privacy.OpenResponse(w.Sealer, r)
		return report.Opened{Answers: answers, AccountID: account}, err
	}
	if err := st.Rollups.DeleteSurvey(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.RebuildAll(ctx, st.Surveys, st.Responses, open, sv.ID, nil); err != nil {
		t.Fatal(err)
	}
	want("rebuilt")

	// Rollups from before accounts: every response under no account.
	var got []report.Rebuilt
	if err := svc.RebuildOutdated(ctx, st.Surveys, st.Responses, open, func(_ survey.Survey, r report.Rebuilt) { got = append(got, r) }); err != nil || got != nil {
		t.Fatalf("current rollups rebuilt: %+v, %v", got, err)
	}
	if _, err := st.DB().Collection("rollups").DeleteMany(ctx, bson.D{{Key: "survey", Value: sv.ID}, {Key: "dim", Value: string(report.Account)}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.RebuildOutdated(ctx, st.Surveys, st.Responses, open, func(_ survey.Survey, r report.Rebuilt) { got = append(got, r) }); err != nil || len(got) != 1 || got[0].Responses != len(people) {
		t.Fatalf("rollups without accounts: rebuilt %+v, %v", got, err)
	}
	want("rebuilt at start")
}
