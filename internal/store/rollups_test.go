package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/candorhq/candor/internal/store"
)

func change(survey, week string, weight int64, region string, answers ...store.RollupAnswer) store.RollupChange {
	return store.RollupChange{
		SurveyID: survey, Week: week, Weight: weight,
		Segments: []store.RollupSegment{{Dim: "all"}, {Dim: "region", Value: region}},
		Answers:  answers,
	}
}

func answer(key string, values ...string) store.RollupAnswer {
	return store.RollupAnswer{Key: key, Values: values}
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
			if err := r.Apply(ctx, change("s1", "2025-W03", 1, region, answer("nps", "9"), answer("ch", "a", "b", "a"), answer("skipped"))); err != nil {
				t.Fatalf("Apply: %v", err)
			}
		}
	}
	if err := r.Apply(ctx, change("s1", "2025-W04", 1, "EU.west", answer("nps", "3"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx, change("s2", "2025-W03", 1, "EU.west", answer("nps", "3"))); err != nil {
		t.Fatal(err)
	}

	got, err := r.Get(ctx, "s1", "region", "2025-W03", "2025-W09")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("Get returned %d documents, want the one week that has responses", len(got))
	}
	for i, region := range regions {
		want := store.RollupCounts{
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
	all, err := r.Get(ctx, "s1", "all", "2025-W03")
	if err != nil || len(all) != 1 || all[0].Values[""].N != 10 {
		t.Fatalf("all = %+v, %v; want 10 responses", all, err)
	}

	weeks, err := r.Weeks(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 2 || weeks["2025-W03"].N != 10 || weeks["2025-W03"].Version != 10 || weeks["2025-W04"].N != 1 {
		t.Errorf("Weeks = %+v", weeks)
	}
	if none, err := r.Weeks(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Errorf("Weeks of an unknown survey = %v, %v", none, err)
	}
}

func TestRollupsAddCountsAsApply(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	responses := [][]store.RollupAnswer{
		{answer("nps", "10"), answer("multi", "x", "y")},
		{answer("nps", "10"), answer("multi", "y", "y"), answer("nps", "2")}, // a repeated key counts once
		{answer("csat", "4"), answer("empty")},
	}
	var want store.RollupCounts
	for _, as := range responses {
		if err := st.Rollups.Apply(ctx, change("s", "2025-W10", 1, "r", as...)); err != nil {
			t.Fatal(err)
		}
		if err := want.Add(as, 1); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Rollups.Get(ctx, "s", "all", "2025-W10")
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
	if err := st.Rollups.Apply(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Weight = -1
	if err := st.Rollups.Apply(ctx, c); err != nil {
		t.Fatal(err)
	}
	weeks, err := st.Rollups.Weeks(ctx, "s")
	if err != nil || len(weeks) != 0 {
		t.Errorf("Weeks after removing the only response = %v, %v", weeks, err)
	}
	got, err := st.Rollups.Get(ctx, "s", "region", "2025-W10")
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
		c    store.RollupChange
	}{
		{"dotted question", change("s", "2025-W01", 1, "r", answer("a.b", "1"))},
		{"dollar answer", change("s", "2025-W01", 1, "r", answer("q", "$x"))},
		{"empty answer value", change("s", "2025-W01", 1, "r", answer("q", ""))},
		{"separator in survey", change("s|x", "2025-W01", 1, "r")},
		{"empty week", change("s", "", 1, "r")},
		{"dotted dimension", store.RollupChange{SurveyID: "s", Week: "2025-W01", Weight: 1, Segments: []store.RollupSegment{{Dim: "a.b"}}}},
	}
	for _, tt := range tests {
		if err := st.Rollups.Apply(ctx, tt.c); !errors.Is(err, store.ErrInvalidRollup) {
			t.Errorf("%s: Apply = %v, want ErrInvalidRollup", tt.name, err)
		}
	}
	if weeks, _ := st.Rollups.Weeks(ctx, "s"); len(weeks) != 0 {
		t.Errorf("a refused change was counted: %v", weeks)
	}
}

func TestRollupsReplaceAndSnapshots(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	r := st.Rollups
	for _, w := range []string{"2025-W01", "2025-W02"} {
		if err := r.Apply(ctx, change("s", w, 1, "old", answer("nps", "1"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Apply(ctx, change("other", "2025-W01", 1, "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(ctx, "s", "2025-Q1", "region"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Snapshot before any = %v, want ErrNotFound", err)
	}
	snap := store.RollupSnapshot{SurveyID: "s", Quarter: "2025-Q1", Dim: "region", Versions: map[string]int64{"2025-W01": 1, "2025-W02": 1}, Data: []byte{0, 1, 2, 0xff}}
	if err := r.SaveSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	got, err := r.Snapshot(ctx, "s", "2025-Q1", "region")
	if err != nil || !reflect.DeepEqual(got, snap) {
		t.Fatalf("Snapshot = %+v, %v; want %+v", got, err, snap)
	}

	fresh := store.Rollup{SurveyID: "s", Week: "2025-W02", Dim: "region", Values: map[string]store.RollupCounts{"a.b": {N: 3}}}
	if err := r.Replace(ctx, "s", map[string]int64{"2025-W02": 3}, []store.Rollup{fresh}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(ctx, "s", "2025-Q1", "region"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a snapshot survived Replace: %v", err)
	}
	if gone, _ := r.Get(ctx, "s", "region", "2025-W01"); len(gone) != 0 {
		t.Errorf("a stale document survived Replace: %+v", gone)
	}
	docs, err := r.Get(ctx, "s", "region", "2025-W02")
	if err != nil || len(docs) != 1 || !reflect.DeepEqual(docs[0], fresh) {
		t.Errorf("Get after Replace = %+v, %v", docs, err)
	}
	weeks, err := r.Weeks(ctx, "s")
	if err != nil || len(weeks) != 1 || weeks["2025-W02"] != (store.RollupWeek{N: 3, Version: 2}) {
		t.Errorf("Weeks after Replace = %+v, %v; want 2025-W02 with its version moved on", weeks, err)
	}
	if err := r.Replace(ctx, "s", nil, []store.Rollup{{SurveyID: "other", Week: "2025-W01", Dim: "all"}}); !errors.Is(err, store.ErrInvalidRollup) {
		t.Errorf("Replace with another survey's document = %v", err)
	}

	if err := r.DeleteSurvey(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if weeks, _ := r.Weeks(ctx, "s"); len(weeks) != 0 {
		t.Errorf("weeks after DeleteSurvey: %v", weeks)
	}
	if other, _ := r.Weeks(ctx, "other"); len(other) != 1 {
		t.Errorf("DeleteSurvey touched another survey: %v", other)
	}
}

func TestRollupsGetCancelled(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Rollups.Get(ctx, "s", "all", "2025-W01", "2025-W02", "2025-W03", "2025-W04", "2025-W05"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context = %v", err)
	}
}
