package rollups_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
)

func change(survey, week string, weight int64, region string, answers ...rollups.Answer) rollups.Change {
	return rollups.Change{
		SurveyID: survey, Week: week, Weight: weight,
		Segments: []rollups.Segment{{Dim: "all"}, {Dim: "region", Value: region}},
		Answers:  answers,
	}
}

func answer(key string, values ...string) rollups.Answer {
	return rollups.Answer{Key: key, Values: values}
}

func TestRollupsApplyAndGet(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	r := st.Rollups
	// Values holding what field names may not: dots, dollars, nothing.
	regions := []string{"EU.west", "$where", "", "日本"}
	for i, region := range regions {
		for range i + 1 {
			if err := r.Apply(ctx, 0, change("s1", "2025-W03", 1, region, answer("nps", "9"), answer("ch", "a", "b", "a"), answer("skipped"))); err != nil {
				t.Fatalf("Apply: %v", err)
			}
		}
	}
	if err := r.Apply(ctx, 0, change("s1", "2025-W04", 1, "EU.west", answer("nps", "3"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, 0, change("s2", "2025-W03", 1, "EU.west", answer("nps", "3"))); err != nil {
		t.Fatal(err)
	}

	got, err := r.Get(ctx, "s1", 0, "region", "2025-W03", "2025-W09")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("Get returned %d documents, want the one week that has responses", len(got))
	}
	for i, region := range regions {
		want := rollups.Counts{
			N:        int64(i + 1),
			Answered: map[string]int64{"nps": int64(i + 1), "ch": int64(i + 1)},
			Answers:  map[string]map[string]int64{"nps": {"9": int64(i + 1)}, "ch": {"a": int64(i + 1), "b": int64(i + 1)}},
		}
		if c := got[0].Values[region]; !reflect.DeepEqual(c, want) {
			t.Errorf("region %q: %+v, want %+v", region, c, want)
		}
	}
	if got[0].SurveyID != "s1" || got[0].Week != "2025-W03" || got[0].Dim != "region" {
		t.Errorf("document names %q %q %q", got[0].SurveyID, got[0].Week, got[0].Dim)
	}
	all, err := r.Get(ctx, "s1", 0, "all", "2025-W03")
	if err != nil || len(all) != 1 || all[0].Values[""].N != 10 {
		t.Fatalf("all = %+v, %v; want 10 responses", all, err)
	}

	weeks, err := r.CurrentWeeks(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 2 || weeks["2025-W03"].N != 10 || weeks["2025-W03"].Version != 10 || weeks["2025-W04"].N != 1 {
		t.Errorf("Weeks = %+v", weeks)
	}
	if none, err := r.CurrentWeeks(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Errorf("Weeks of an unknown survey = %v, %v", none, err)
	}
}

func TestRollupsAddCountsAsApply(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	responses := [][]rollups.Answer{
		{answer("nps", "10"), answer("multi", "x", "y")},
		{answer("nps", "10"), answer("multi", "y", "y"), answer("nps", "2")}, // a repeated key counts once
		{answer("csat", "4"), answer("empty")},
	}
	var want rollups.Counts
	for _, as := range responses {
		if err := st.Rollups.Apply(ctx, 0, change("s", "2025-W10", 1, "r", as...)); err != nil {
			t.Fatal(err)
		}
		if err := want.Add(as, 1); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Rollups.Get(ctx, "s", 0, "all", "2025-W10")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got[0].Values[""], want) {
		t.Errorf("Apply counted %+v, Add %+v", got[0].Values[""], want)
	}
	if want.Answers["nps"]["2"] != 0 || want.Answered["nps"] != 2 {
		t.Errorf("a repeated question counted twice: %+v", want)
	}
}

func TestRollupsRemove(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	c := change("s", "2025-W10", 1, "r", answer("nps", "7"))
	if err := st.Rollups.Apply(ctx, 0, c); err != nil {
		t.Fatal(err)
	}
	c.Weight = -1
	if err := st.Rollups.Apply(ctx, 0, c); err != nil {
		t.Fatal(err)
	}
	weeks, err := st.Rollups.CurrentWeeks(ctx, "s")
	if err != nil || len(weeks) != 0 {
		t.Errorf("Weeks after removing the only response = %v, %v", weeks, err)
	}
	got, err := st.Rollups.Get(ctx, "s", 0, "region", "2025-W10")
	if err != nil || got[0].Values["r"].N != 0 || got[0].Values["r"].Answers["nps"]["7"] != 0 {
		t.Errorf("counts after removal = %+v, %v", got, err)
	}
}

func TestRollupsRefuseUnsafeNames(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	tests := []struct {
		name string
		c    rollups.Change
	}{
		{"dotted question", change("s", "2025-W01", 1, "r", answer("a.b", "1"))},
		{"dollar answer", change("s", "2025-W01", 1, "r", answer("q", "$x"))},
		{"empty answer value", change("s", "2025-W01", 1, "r", answer("q", ""))},
		{"separator in survey", change("s|x", "2025-W01", 1, "r")},
		{"empty week", change("s", "", 1, "r")},
		{"dotted dimension", rollups.Change{SurveyID: "s", Week: "2025-W01", Weight: 1, Segments: []rollups.Segment{{Dim: "a.b"}}}},
		{"dotted pattern", rollups.Change{SurveyID: "s", Week: "2025-W01", Weight: 1, Segments: []rollups.Segment{{Dim: "all"}}, Pattern: "a.b"}},
	}
	for _, tt := range tests {
		if err := st.Rollups.Apply(ctx, 0, tt.c); !errors.Is(err, rollups.ErrInvalidKey) {
			t.Errorf("%s: Apply = %v, want ErrInvalidKey", tt.name, err)
		}
	}
	if weeks, _ := st.Rollups.CurrentWeeks(ctx, "s"); len(weeks) != 0 {
		t.Errorf("a refused change was counted: %v", weeks)
	}
}

func TestRollupsGenerations(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	r := st.Rollups
	for _, w := range []string{"2025-W01", "2025-W02"} {
		if err := r.Apply(ctx, 0, change("s", w, 1, "old", answer("nps", "1"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Apply(ctx, 0, change("other", "2025-W01", 1, "x")); err != nil {
		t.Fatal(err)
	}
	snap := rollups.Snapshot{SurveyID: "s", Quarter: "2025-Q1", Dim: "region", Versions: map[string]int64{"2025-W01": 1}, Data: []byte{1}}
	if err := r.SaveSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	gen, err := r.BeginBuild(ctx, "s", "t1", now, now.Add(time.Minute))
	if err != nil || gen != 1 {
		t.Fatalf("BeginBuild = %d, %v; want generation 1", gen, err)
	}
	if _, err := r.BeginBuild(ctx, "s", "t2", now, now.Add(time.Minute)); !errors.Is(err, rollups.ErrBuildUnderWay) {
		t.Errorf("a second BeginBuild while the first holds its lease = %v", err)
	}
	if g, err := r.Generation(ctx, "s"); err != nil || g.Current != 0 || !g.Building() {
		t.Errorf("Generation while building = %+v, %v", g, err)
	}
	fresh := rollups.Rollup{SurveyID: "s", Week: "2025-W02", Dim: "region", Values: map[string]rollups.Counts{"a.b": {N: 3}}}
	if err := r.WriteGeneration(ctx, "s", gen, map[string]int64{"2025-W02": 3}, []rollups.Rollup{fresh}); err != nil {
		t.Fatal(err)
	}
	if weeks, _ := r.CurrentWeeks(ctx, "s"); weeks["2025-W02"].N != 1 {
		t.Errorf("a generation being built is read before its swap: %v", weeks)
	}
	if err := r.WriteGeneration(ctx, "s", gen, nil, []rollups.Rollup{{SurveyID: "other", Week: "2025-W01", Dim: "all"}}); !errors.Is(err, rollups.ErrInvalidKey) {
		t.Errorf("WriteGeneration with another survey's document = %v", err)
	}
	if err := r.SwapBuild(ctx, "s", "t2", gen); !errors.Is(err, rollups.ErrBuildLost) {
		t.Errorf("a swap under another token = %v", err)
	}
	if err := r.SwapBuild(ctx, "s", "t1", gen); err != nil {
		t.Fatal(err)
	}
	if err := r.DropGenerations(ctx, "s", gen); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(ctx, "s", 0, "2025-Q1", "region"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a snapshot of the old generation survived: %v", err)
	}
	if gone, _ := r.Get(ctx, "s", 0, "region", "2025-W01"); len(gone) != 0 {
		t.Errorf("a document of the old generation survived: %+v", gone)
	}
	docs, err := r.Get(ctx, "s", gen, "region", "2025-W02")
	if err != nil || len(docs) != 1 || !reflect.DeepEqual(docs[0], fresh) {
		t.Errorf("Get after the swap = %+v, %v", docs, err)
	}
	weeks, err := r.CurrentWeeks(ctx, "s")
	if err != nil || len(weeks) != 1 || weeks["2025-W02"] != (rollups.Week{N: 3, Version: 1}) {
		t.Errorf("weeks after the swap = %+v, %v", weeks, err)
	}
	// An expired lease is taken over, and the old holder's swap fails.
	if _, err := r.BeginBuild(ctx, "s", "t3", now, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if next, err := r.BeginBuild(ctx, "s", "t4", now, now.Add(time.Minute)); err != nil || next != 3 {
		t.Fatalf("BeginBuild over an expired lease = %d, %v", next, err)
	}
	if err := r.SwapBuild(ctx, "s", "t3", 2); !errors.Is(err, rollups.ErrBuildLost) {
		t.Errorf("the swap of a rebuild whose lease was taken over = %v", err)
	}
	if err := r.AbortBuild(ctx, "s", "t4"); err != nil {
		t.Fatal(err)
	}
	if g, _ := r.Generation(ctx, "s"); g.Current != gen || g.Building() {
		t.Errorf("Generation after an abort = %+v", g)
	}

	if err := r.DeleteSurvey(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if weeks, _ := r.CurrentWeeks(ctx, "s"); len(weeks) != 0 {
		t.Errorf("weeks after DeleteSurvey: %v", weeks)
	}
	if other, _ := r.CurrentWeeks(ctx, "other"); len(other) != 1 {
		t.Errorf("DeleteSurvey touched another survey: %v", other)
	}
}

// Every Apply moves one of several shards of the index of weeks, so that
// concurrent answers do not all queue on one document; readers sum them.
func TestRollupsWeeksAreShardedAndSummed(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	const n = 40
	for range n {
		if err := st.Rollups.Apply(ctx, 0, change("s", "2025-W05", 1, "r")); err != nil {
			t.Fatal(err)
		}
	}
	weeks, err := st.Rollups.CurrentWeeks(ctx, "s")
	if err != nil || weeks["2025-W05"] != (rollups.Week{N: n, Version: n}) {
		t.Fatalf("weeks = %+v, %v; want %d responses at version %d", weeks, err, n, n)
	}
	shards, err := st.DB().Collection("rollups").CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: `^s\|g0\|weeks\|`}}}})
	if err != nil || shards < 2 {
		t.Errorf("%d answers moved %d shards of the index, want several", n, shards)
	}
}

// A snapshot larger than one document holds is split into chunks and put
// together again; chunks of two saves that crossed read as no snapshot.
func TestRollupsSnapshotChunks(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	r := st.Rollups
	r.SetSnapshotChunk(10)
	if _, err := r.Snapshot(ctx, "s", 0, "2025-Q1", "region"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Snapshot before any = %v, want mongodoc.ErrNotFound", err)
	}
	tests := []struct {
		name string
		size int
	}{{"empty", 0}, {"one chunk", 10}, {"several", 35}, {"shorter again", 12}}
	for _, tt := range tests {
		data := make([]byte, tt.size)
		for i := range data {
			data[i] = byte(i*7 + tt.size)
		}
		snap := rollups.Snapshot{SurveyID: "s", Quarter: "2025-Q1", Dim: "region", Versions: map[string]int64{"2025-W01": int64(tt.size)}, Data: data}
		if err := r.SaveSnapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		got, err := r.Snapshot(ctx, "s", 0, "2025-Q1", "region")
		if err != nil || !bytes.Equal(got.Data, snap.Data) || !reflect.DeepEqual(got.Versions, snap.Versions) {
			t.Errorf("%s: Snapshot = %+v, %v; want %+v", tt.name, got, err, snap)
		}
	}

	// Save A writes its chunks, save B all of itself, then A its head:
	// A's head names B's chunks.
	a := rollups.Snapshot{SurveyID: "s", Quarter: "2025-Q2", Dim: "region", Data: bytes.Repeat([]byte{'a'}, 25)}
	b := rollups.Snapshot{SurveyID: "s", Quarter: "2025-Q2", Dim: "region", Data: bytes.Repeat([]byte{'b'}, 25)}
	crossed := false
	r.PauseAt(func(step string) {
		if step == "snapshot chunks saved" && !crossed {
			crossed = true
			if err := r.SaveSnapshot(ctx, b); err != nil {
				t.Error(err)
			}
		}
	})
	if err := r.SaveSnapshot(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Snapshot(ctx, "s", 0, "2025-Q2", "region"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("crossed saves read as %q, %v; want none", got.Data, err)
	}
}

func TestRollupsGetCancelled(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Rollups.Get(ctx, "s", 0, "all", "2025-W01", "2025-W02", "2025-W03", "2025-W04", "2025-W05"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context = %v", err)
	}
}

// TestRollupsCountPatterns: a change's pattern is counted in every
// segment, count-only ones too, as Counts.AddPattern counts it; none is
// counted for the empty pattern, as before conditions.
func TestRollupsCountPatterns(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	changes := []rollups.Change{
		{Pattern: "reason", Answers: []rollups.Answer{answer("nps", "9")}},
		{Pattern: "reason", Answers: []rollups.Answer{answer("nps", "10")}},
		{Pattern: "reason~,value", Answers: []rollups.Answer{answer("nps", "3")}},
		{Answers: []rollups.Answer{answer("nps", "8")}},
	}
	want := rollups.Counts{}
	for _, c := range changes {
		c.SurveyID, c.Week, c.Weight = "s", "2025-W05", 1
		c.Segments = []rollups.Segment{{Dim: "all"}, {Dim: "combo", Value: "x", CountOnly: true}}
		if err := st.Rollups.Apply(ctx, 0, c); err != nil {
			t.Fatal(err)
		}
		want.AddPattern(c.Pattern, 1)
	}
	for _, dim := range []string{"all", "combo"} {
		got, err := st.Rollups.Get(ctx, "s", 0, dim, "2025-W05")
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %v, %v", dim, got, err)
		}
		value := map[string]string{"all": "", "combo": "x"}[dim]
		if p := got[0].Values[value].Patterns; !reflect.DeepEqual(p, want.Patterns) || len(p) != 2 {
			t.Errorf("%s: patterns %v, want %v", dim, p, want.Patterns)
		}
	}
}
