package release

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomAccountSurvey is randomSurvey with every account named: each
// combo carries its account, and some responses carry none ("", as
// responses stored before accounts were recorded).
func randomAccountSurvey(seed uint64) (int64, []Month) {
	rng := rand.New(rand.NewPCG(seed, 11))
	k, months := randomSurvey(seed)
	for _, m := range months {
		for w, combos := range m.Weeks {
			named := make(map[Combo]int64)
			for c, n := range combos {
				for range n {
					a := c
					if rng.IntN(4) > 0 {
						// Two accounts per segment combo at most.
						a[5] = fmt.Sprintf("a%s-%d", c[4], rng.IntN(2))
						a[5] += c[0] + c[1] + c[2] + c[3]
					}
					named[a]++
				}
			}
			m.Weeks[w] = named
		}
	}
	return k, months
}

func TestReleaseProtectsEveryGroupWithAccounts(t *testing.T) {
	t.Parallel()
	cases := 1500
	if testing.Short() {
		cases = 150
	}
	released := 0
	for seed := range uint64(cases) {
		k, months := randomAccountSurvey(seed)
		r := Decide(k, months)
		for _, f := range r.forms {
			if !f.hidden && f.n < k {
				t.Fatalf("seed %d: %v shows %d respondents, k=%d", seed, f.key, f.n, k)
			}
		}
		if g := exactLeaks(r); g != nil {
			var desc []string
			for _, a := range g {
				desc = append(desc, fmt.Sprintf("%+v", r.atoms[a]))
			}
			t.Fatalf("seed %d (k=%d, level %v): group %v is computable", seed, k, r.level, desc)
		}
		if r.Released(Selection{Dim: Account}) {
			released++
		}
	}
	if released == 0 {
		t.Fatal("no release offered accounts")
	}
}

// month returns one month of one week from respondents per combo.
func oneMonth(counts map[Combo]int64) []Month {
	return []Month{{Label: "2026-01", Quarter: "2026-Q1", Weeks: map[string]map[Combo]int64{"2026-W02": counts}}}
}

// TestAccountMinusSegmentIsHidden plays the subtractions an account adds:
// a shown account taken from a shown region, industry or manager must
// never leave a group below k.
func TestAccountMinusSegmentIsHidden(t *testing.T) {
	t.Parallel()
	all := Node{Grain: AllTime}
	acc := func(v string) Selection { return Selection{Dim: Account, Value: v} }
	cases := []struct {
		name   string
		counts map[Combo]int64
		hidden []string // accounts the release must hide
		shown  []string // and those it may show
	}{
		{
			// Region r1 (8) minus A (6) would be B (2).
			name: "region minus account",
			counts: map[Combo]int64{
				{"r1", "c1", "i1", "t1", "m1", "A"}: 6,
				{"r1", "c1", "i1", "t1", "m1", "B"}: 2,
				{"r2", "c2", "i1", "t1", "m2", "C"}: 9,
				{"r2", "c2", "i2", "t1", "m2", "D"}: 9,
			},
			hidden: []string{"A", "B"},
			shown:  []string{"C", "D"},
		},
		{
			// Industry i1 (8) minus A (6) would be the 2 responses of i1
			// that carry no account.
			name: "industry minus account",
			counts: map[Combo]int64{
				{"r1", "c1", "i1", "t1", "m1", "A"}: 6,
				{"r1", "c1", "i1", "t1", "m1", ""}:  2,
				{"r1", "c1", "i2", "t1", "m1", ""}:  7,
				{"r2", "c2", "i2", "t1", "m2", "C"}: 9,
			},
			hidden: []string{"A"},
			shown:  []string{"C"},
		},
		{
			// Manager m1 (11) minus A (5) minus B (5) would be C (1);
			// hiding C alone is not enough.
			name: "manager minus accounts",
			counts: map[Combo]int64{
				{"r1", "c1", "i1", "t1", "m1", "A"}: 5,
				{"r1", "c1", "i1", "t1", "m1", "B"}: 5,
				{"r1", "c1", "i1", "t1", "m1", "C"}: 1,
				{"r2", "c2", "i2", "t2", "m2", "D"}: 12,
			},
			hidden: []string{"C"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Decide(5, oneMonth(tc.counts))
			if !r.Released(acc("")) {
				t.Fatalf("accounts not released at level %v", r.level)
			}
			if g := exactLeaks(r); g != nil {
				t.Fatalf("group %v is computable", g)
			}
			for _, a := range tc.hidden {
				if _, hidden := r.Hides(all, acc(a)); !hidden {
					t.Errorf("account %s shown", a)
				}
			}
			for _, a := range tc.shown {
				if why, hidden := r.Hides(all, acc(a)); hidden {
					t.Errorf("account %s hidden (%s)", a, why)
				}
			}
			// No segment is hidden to protect an account.
			for _, f := range r.forms {
				if f.key.sel.Dim != Account && f.hidden && f.n >= 5 && f.key.sel.Dim != Every {
					base := Decide(5, oneMonth(withoutAccounts(tc.counts)))
					if why, hidden := base.Hides(f.key.node, f.key.sel); !hidden {
						t.Errorf("%v hidden (%s), shown without accounts", f.key, f.reason)
					} else if why != f.reason {
						t.Logf("%v: %s, without accounts %s", f.key, f.reason, why)
					}
				}
			}
		})
	}
}

func withoutAccounts(counts map[Combo]int64) map[Combo]int64 {
	out := make(map[Combo]int64)
	for c, n := range counts {
		c[5] = ""
		out[c] += n
	}
	return out
}

// TestManyAccountsKeepTodaysDetail: a survey whose months hold more
// accounts than can be checked is released exactly as it was before
// accounts were a dimension.
func TestManyAccountsKeepTodaysDetail(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	var months []Month
	for m := range 2 {
		mo := Month{Label: fmt.Sprintf("2026-%02d", m+1), Quarter: "2026-Q1", Weeks: map[string]map[Combo]int64{}}
		for w := range 2 {
			combos := map[Combo]int64{}
			for range 4000 {
				a := rng.IntN(3000)
				c := Combo{fmt.Sprint("r", a%3), fmt.Sprint("c", a%6), fmt.Sprint("i", a%4), fmt.Sprint("t", a%2), fmt.Sprint("m", a%5), fmt.Sprint("acc", a)}
				combos[c]++
			}
			mo.Weeks[fmt.Sprintf("2026-W%02d", 4*m+w+1)] = combos
		}
		months = append(months, mo)
	}
	const k = 5
	got := Decide(k, months)
	if got.Released(Selection{Dim: Account}) {
		t.Fatal("accounts released beyond the limit")
	}
	stripped := make([]Month, len(months))
	for i, m := range months {
		stripped[i] = Month{Label: m.Label, Quarter: m.Quarter, Weeks: map[string]map[Combo]int64{}}
		for w, combos := range m.Weeks {
			stripped[i].Weeks[w] = withoutAccounts(combos)
		}
	}
	// Today's engine: its first level, now the second, decided alone.
	want := newRelease(k, stripped, detailLevels()[1], false)
	if !want.protect() {
		t.Fatal("today's level did not complete")
	}
	if !slices.Equal(got.level.dims, want.level.dims) || got.level.crosses != want.level.crosses {
		t.Fatalf("level %v, want %v", got.level, want.level)
	}
	if len(got.forms) != len(want.forms) {
		t.Fatalf("%d forms, want %d", len(got.forms), len(want.forms))
	}
	for i, f := range want.forms {
		g := got.forms[got.index[f.key]]
		if g.hidden != f.hidden || g.reason != f.reason || g.n != f.n {
			t.Fatalf("form %d %v: hidden %v (%s) n %d, want %v (%s) n %d", i, f.key, g.hidden, g.reason, g.n, f.hidden, f.reason, f.n)
		}
	}
}
