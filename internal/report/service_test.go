package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newService(t *testing.T) (*Service, *store.Store) {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return New(st.Rollups), st
}

// randomEntries returns n responses to the surveys over two quarters, with
// segment values that field names could not hold as they are.
func randomEntries(seed uint64, n int, surveys ...string) []Entry {
	r := rand.New(rand.NewPCG(seed, 1))
	regions := []string{"EU.west", "$us", "", "APAC"}
	start := day("2025-02-17")
	out := make([]Entry, n)
	for i := range out {
		kind := rune("PQRST"[r.IntN(5)])
		out[i] = Entry{
			SurveyID: surveys[r.IntN(len(surveys))],
			Day:      start.AddDate(0, 0, r.IntN(120)),
			Segment: Segment{
				Region: regions[r.IntN(len(regions))], Country: fmt.Sprint("c", r.IntN(3)),
				Industry: "lifts", Tier: []string{"gold", "silver"}[r.IntN(2)], ManagerID: fmt.Sprint("m", r.IntN(2)),
			},
			Answers: profile(kind),
		}
	}
	return out
}

// queries returns a spread of queries: each period, breakdown and filter.
func queries() []Query {
	var out []Query
	for _, p := range []Period{Weekly, Monthly, Quarterly} {
		out = append(out, Query{Period: p}, Query{Period: p, By: Region}, Query{Period: p, By: Manager},
			Query{Period: p, Filter: Filter{Dimension: Region, Value: "EU.west"}},
			Query{Period: p, Filter: Filter{Dimension: Tier, Value: "gold"}, From: day("2025-03-01"), To: day("2025-04-30")})
	}
	return append(out, Query{From: day("2025-03-10"), To: day("2025-05-11"), Period: Weekly, By: Country, Invitations: 500})
}

func sameReport(t *testing.T, name string, got, want Report) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s:\nrollups %s\nscan    %s", name, g, w)
	}
}

func TestRollupsMatchScan(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	s1, s2 := fixtureSurvey(), fixtureSurvey()
	s1.ID, s2.ID = "s1", "s2"
	n := 160
	if raceEnabled {
		n = 60
	}
	entries := randomEntries(1, n, "s1", "s2")
	for _, e := range entries {
		if err := svc.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Delete every tenth response again.
	var kept []Entry
	for i, e := range entries {
		if i%10 == 0 {
			if err := svc.Remove(ctx, e); err != nil {
				t.Fatal(err)
			}
			continue
		}
		kept = append(kept, e)
	}
	check := func(round string, kept []Entry) {
		t.Helper()
		for i, q := range queries() {
			for _, defs := range [][]survey.Survey{{s1}, {s1, s2}} {
				got, err := svc.Report(ctx, q, defs...)
				if err != nil {
					t.Fatal(err)
				}
				want, err := Scan(ctx, entriesOf(kept), q, defs...)
				if err != nil {
					t.Fatal(err)
				}
				sameReport(t, fmt.Sprintf("%s query %d (%+v) on %d surveys", round, i, q, len(defs)), got, want)
			}
		}
	}
	check("first", kept)
	// The reports saved snapshots; responses to an old week must still
	// show, as must deletions.
	late := randomEntries(2, 12, "s1")
	for i := range late {
		late[i].Day = day("2025-03-04")
		if err := svc.Add(ctx, late[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Remove(ctx, kept[0]); err != nil {
		t.Fatal(err)
	}
	check("after changes", append(slices.Clone(kept[1:]), late...))
}

func TestRebuildMatchesIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	def := fixtureSurvey()
	def.ID = "s1"
	n := 120
	if raceEnabled {
		n = 50
	}
	entries := randomEntries(3, n, "s1")
	incremental, stInc := newService(t)
	for _, e := range entries {
		if err := incremental.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	rebuilt, stReb := newService(t)
	// Stale documents a rebuild must remove: another week, a snapshot.
	if err := rebuilt.Add(ctx, Entry{SurveyID: "s1", Day: day("2020-01-01"), Answers: profile('P')}); err != nil {
		t.Fatal(err)
	}
	if _, err := rebuilt.Report(ctx, Query{}, def); err != nil {
		t.Fatal(err)
	}
	invalid := Entry{SurveyID: "s1", Day: day("2025-03-01"), Answers: []survey.Answer{{Key: "bad.key", Choices: []string{"x"}}}}
	res, err := rebuilt.Rebuild(ctx, "s1", entriesOf(append(slices.Clone(entries), invalid)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != len(entries) || res.Skipped != 1 || res.Weeks == 0 {
		t.Errorf("Rebuild = %+v", res)
	}

	a, b := weekDocuments(t, stInc), weekDocuments(t, stReb)
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Fatalf("week documents differ:\nincremental %d %v\nrebuilt     %d %v", len(a), a, len(b), b)
	}
	for _, q := range queries() {
		x, err := incremental.Report(ctx, q, def)
		if err != nil {
			t.Fatal(err)
		}
		y, err := rebuilt.Report(ctx, q, def)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, fmt.Sprintf("%+v", q), y, x)
	}

	if _, err := rebuilt.Rebuild(ctx, "s1", entriesOf(randomEntries(4, 3, "s2"))); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("Rebuild from another survey's responses = %v", err)
	}
}

// weekDocuments returns the week documents of a database as canonical
// JSON (keys sorted), byte for byte comparable.
func weekDocuments(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	cur, err := st.DB().Collection("rollups").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		id := d["_id"].(string)
		if strings.Contains(id, "|weeks|") || strings.Contains(id, "|snapshot") {
			continue // versions and caches, which differ by design
		}
		d["_id"], d["gen"] = withoutGen(id), nil
		b, err := json.Marshal(canonical(d))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// canonical turns BSON documents into maps and every number into int64,
// so that the encoding of a count does not matter.
func canonical(v any) any {
	switch x := v.(type) {
	case bson.M:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = canonical(e)
		}
		return m
	case bson.D:
		m := make(map[string]any, len(x))
		for _, e := range x {
			m[e.Key] = canonical(e.Value)
		}
		return m
	case int32:
		return int64(x)
	}
	return v
}
