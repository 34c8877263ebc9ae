package themes

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// world is a random question's commenters: each with a region, a country
// within it, a tier and a manager, in a theme or none.
type world struct {
	in      Input
	members [][][]Filter
}

func randomWorld(seed uint64, k int64) world {
	rng := rand.New(rand.NewPCG(seed, 7))
	regions := map[string][]string{"EMEA": {"FI", "SE", "DE"}, "APAC": {"CN", "SG"}, "Americas": {"US"}}
	regionNames := []string{"EMEA", "APAC", "Americas"}
	tiers := []string{"Gold", "Silver", "Bronze", ""}
	managers := []string{"m1", "m2", "m3"}
	nThemes := 1 + rng.IntN(5)
	people := 5 + rng.IntN(120)
	in := Input{K: k, Groups: map[Filter]int64{}}
	themes := make([][][]Filter, nThemes)
	for range people {
		r := regionNames[rng.IntN(len(regionNames))]
		if rng.IntN(3) > 0 {
			r = "EMEA" // most are
		}
		c := regions[r][rng.IntN(len(regions[r]))]
		seg := []Filter{{"region", r}, {"country", c}, {"tier", tiers[rng.IntN(len(tiers))]}, {"manager", managers[rng.IntN(len(managers))]}}
		in.Total++
		for _, f := range seg {
			in.Groups[f]++
		}
		// Some comment on no theme, or were not kept.
		if t := rng.IntN(nThemes + 1); t < nThemes {
			themes[t] = append(themes[t], seg)
		}
	}
	in.Themes = themes
	return world{in: in, members: themes}
}

// count is how many of a theme's members have filter f (zero: all).
func count(members [][]Filter, f Filter) int64 {
	n := int64(0)
	for _, seg := range members {
		if f == (Filter{}) {
			n++
			continue
		}
		for _, g := range seg {
			if g == f {
				n++
			}
		}
	}
	return n
}

// subset reports whether every member with f has g.
func subset(members [][]Filter, f, g Filter) bool {
	for _, seg := range members {
		hasF, hasG := f == (Filter{}), g == (Filter{})
		for _, x := range seg {
			hasF = hasF || x == f
			hasG = hasG || x == g
		}
		if hasF && !hasG {
			return false
		}
	}
	return true
}

// TestDecideShowsNoThemeBelowTheThresholdUnderAnyFilter checks, over many
// random questions, every filter the comments page accepts (every value
// present, and none) and every pair of them: no shown theme count is below
// k, none shows where the comments themselves do not, and no difference of
// two published numbers where one's people lie within the other's — a
// filtered theme count from the unfiltered one, a country's from its
// region's, a theme's from its filter's commenters, all shown themes from
// those commenters — is a group of 1 to k-1.
func TestDecideShowsNoThemeBelowTheThresholdUnderAnyFilter(t *testing.T) {
	t.Parallel()
	shownSomewhere, hiddenSomewhere := 0, 0
	for seed := range uint64(400) {
		k := int64(3 + seed%8)
		w := randomWorld(seed, k)
		got := Decide(w.in)
		if len(got) != len(w.members) {
			t.Fatalf("seed %d: %d decisions for %d themes", seed, len(got), len(w.members))
		}
		filters := []Filter{{}}
		for f := range w.in.Groups {
			filters = append(filters, f)
		}
		small := func(n int64) bool { return n > 0 && n < k }
		commenters := func(f Filter) int64 {
			if f == (Filter{}) {
				return w.in.Total
			}
			return w.in.Groups[f]
		}
		for _, f := range filters {
			g := commenters(f)
			commentsShow := g >= k && !small(w.in.Total-g)
			sum := int64(0)
			for ti, shown := range got {
				n, ok := shown[f]
				if !ok {
					if count(w.members[ti], f) >= k {
						hiddenSomewhere++
					}
					continue
				}
				shownSomewhere++
				ctx := fmt.Sprintf("seed %d (k %d), theme %d under %v", seed, k, ti, f)
				if n != count(w.members[ti], f) {
					t.Errorf("%s: shows %d, has %d", ctx, n, count(w.members[ti], f))
				}
				if n < k {
					t.Errorf("%s: shows %d, below k", ctx, n)
				}
				if !commentsShow {
					t.Errorf("%s: shows where the comments are hidden (%d of %d)", ctx, g, w.in.Total)
				}
				if small(g - n) {
					t.Errorf("%s: the filter's commenters less the theme are %d", ctx, g-n)
				}
				sum += n
				// Every pair of filters: the finer count from the coarser.
				for _, h := range filters {
					m, ok := shown[h]
					if !ok || h == f || !subset(w.members[ti], f, h) {
						continue
					}
					if small(m - n) {
						t.Errorf("%s: %v shows %d, leaving %d outside %v", ctx, h, m, m-n, f)
					}
				}
			}
			if commentsShow && small(g-sum) {
				t.Errorf("seed %d: under %v, %d commenters outside every shown theme", seed, f, g-sum)
			}
		}
	}
	if shownSomewhere < 500 || hiddenSomewhere == 0 {
		t.Errorf("%d counts shown, %d hidden at or above k: the worlds test too little", shownSomewhere, hiddenSomewhere)
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	seg := func(region, country, tier string) []Filter {
		return []Filter{{"region", region}, {"country", country}, {"tier", tier}}
	}
	repeat := func(n int, s []Filter) [][]Filter {
		out := make([][]Filter, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	join := func(parts ...[][]Filter) [][]Filter {
		var out [][]Filter
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	emeaFI, emeaSE, apac := seg("EMEA", "FI", "Gold"), seg("EMEA", "SE", "Gold"), seg("APAC", "CN", "Silver")
	groups := func(themes ...[][]Filter) (int64, map[Filter]int64) {
		g := map[Filter]int64{}
		n := int64(0)
		for _, th := range themes {
			for _, s := range th {
				n++
				for _, f := range s {
					g[f]++
				}
			}
		}
		return n, g
	}
	tests := []struct {
		name  string
		extra [][]Filter // commenters in no theme
		theme [][]Filter
		want  map[Filter]int64
	}{
		{"all one group", repeat(10, emeaFI), repeat(12, emeaFI),
			map[Filter]int64{{}: 12, {"region", "EMEA"}: 12, {"country", "FI"}: 12, {"tier", "Gold"}: 12}},
		// 12 in EMEA (all Gold), 3 in APAC (Silver): the APAC part would
		// follow from the unfiltered count less EMEA's or Gold's, so
		// those are hidden.
		{"filtered leaves a small rest", repeat(20, emeaFI), join(repeat(12, emeaFI), repeat(3, apac)),
			map[Filter]int64{{}: 15}},
		{"two countries, one small", repeat(30, apac), join(repeat(12, emeaFI), repeat(2, emeaSE)),
			map[Filter]int64{{}: 14, {"region", "EMEA"}: 14, {"tier", "Gold"}: 14}},
		{"below k", repeat(20, emeaFI), repeat(9, emeaFI), map[Filter]int64{}},
		// The theme is all but 4 of the commenters: the other 4 would be
		// known not to share it.
		{"theme leaves few outside", repeat(4, emeaFI), repeat(30, emeaFI), map[Filter]int64{}},
	}
	for _, tt := range tests {
		total, g := groups(tt.extra, tt.theme)
		got := Decide(Input{K: 10, Total: total, Groups: g, Themes: [][][]Filter{tt.theme}})[0]
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: shown %v, want %v", tt.name, got, tt.want)
		}
	}
}
