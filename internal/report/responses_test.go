package report_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

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
	open := func(r store.Response) (survey.Answers, error) { return privacy.OpenAnswers(w.Sealer, r) }
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
