package main

import (
	"context"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
)

func TestRollupRebuild(t *testing.T) {
	t.Parallel()
	w, env := seededEnv(t)
	ctx := context.Background()
	weeks, err := w.Store.Rollups.CurrentWeeks(ctx, firstSurvey(t, w))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Store.Rollups.DeleteSurvey(ctx, firstSurvey(t, w)); err != nil {
		t.Fatal(err)
	}
	out, err := runCandor(env, "rollup", "rebuild")
	if err != nil {
		t.Fatalf("rollup rebuild: %v\n%s", err, out)
	}
	if !strings.Contains(out, "2 responses counted in 1 weeks") || !strings.Contains(out, "rollups rebuilt: 1 surveys, 2 responses") {
		t.Errorf("output:\n%s", out)
	}
	after, err := w.Store.Rollups.CurrentWeeks(ctx, firstSurvey(t, w))
	if err != nil {
		t.Fatal(err)
	}
	for wk, rw := range weeks {
		if after[wk].N != rw.N {
			t.Errorf("week %s: %d responses after the rebuild, %d before", wk, after[wk].N, rw.N)
		}
	}
	if out, err := runCandor(env, "rollup", "rebuild", "--survey", "no-such-survey"); err == nil {
		t.Errorf("an unknown survey rebuilt:\n%s", out)
	}
	if _, err := runCandor(env, "rollup"); err == nil {
		t.Error("rollup without rebuild succeeded")
	}
}

// firstSurvey returns the id of the world's one survey.
func firstSurvey(t *testing.T, w *respondtest.World) string {
	t.Helper()
	list, _, err := w.Store.Surveys.List(context.Background(), store.SurveyFilter{}, store.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("surveys: %d, %v", len(list), err)
	}
	return list[0].ID
}
