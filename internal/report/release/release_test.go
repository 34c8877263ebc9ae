package release

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomSurvey returns the months of a random survey: accounts with
// segment trees where countries nest in regions and industries, tiers and
// managers cross them, group sizes around k, months that share weeks and
// may cross quarters.
func randomSurvey(seed uint64) (int64, []Month) {
	rng := rand.New(rand.NewPCG(seed, 7))
	k := int64(3 + rng.IntN(3))
	type account struct{ c Combo }
	var accounts []account
	for range 2 + rng.IntN(7) {
		r := rng.IntN(1 + rng.IntN(3))
		accounts = append(accounts, account{Combo{
			fmt.Sprint("r", r), fmt.Sprint("r", r, "c", rng.IntN(2)), fmt.Sprint("i", rng.IntN(3)),
			fmt.Sprint("t", rng.IntN(2)), fmt.Sprint("m", rng.IntN(3)),
		}})
	}
	months := make([]Month, 1+rng.IntN(4))
	first := rng.IntN(3) // months into the first quarter
	week := 0
	parts := make([][]string, len(months))
	for i := range months {
		m := first + i
		months[i] = Month{Label: fmt.Sprintf("2026-%02d", m+1), Quarter: fmt.Sprintf("2026-Q%d", m/3+1),
			Weeks: map[string]map[Combo]int64{}}
		if i > 0 && rng.IntN(2) == 0 {
			parts[i] = append(parts[i], fmt.Sprintf("2026-W%02d", week)) // a week across the turn of the month
		}
		for range 1 + rng.IntN(3) {
			week++
			parts[i] = append(parts[i], fmt.Sprintf("2026-W%02d", week))
		}
	}
	for range 1 + rng.IntN(40) {
		a := accounts[rng.IntN(len(accounts))]
		i := rng.IntN(len(months))
		w := parts[i][rng.IntN(len(parts[i]))]
		if months[i].Weeks[w] == nil {
			months[i].Weeks[w] = map[Combo]int64{}
		}
		months[i].Weeks[w][a.c]++
	}
	return k, months
}

// exactLeaks checks a release independently of its auditor: one dense
// system over every atom, exact kernel signatures, and every group of
// small atoms tried. It returns the first group below k it finds
// computable, if any.
func exactLeaks(r *Release) []int {
	var rows [][]term
	for _, f := range r.forms {
		if f.hidden {
			continue
		}
		row := make([]term, 0, len(f.atoms))
		for _, a := range f.atoms {
			row = append(row, term{a, 1})
		}
		rows = append(rows, row)
	}
	sig := signatures(rows, len(r.atoms))
	var small []int
	for a, at := range r.atoms {
		if at.n < r.k {
			small = append(small, a)
		}
	}
	width := 0
	if len(sig) > 0 {
		width = len(sig[0])
	}
	sum := make([]uint64, width)
	var chosen []int
	var leak []int
	var try func(from int, size int64) bool
	try = func(from int, size int64) bool {
		if len(chosen) > 0 && !slices.ContainsFunc(sum, func(x uint64) bool { return x != 0 }) {
			leak = slices.Clone(chosen)
			return true
		}
		for i := from; i < len(small); i++ {
			a := small[i]
			if size+r.atoms[a].n >= r.k {
				continue
			}
			for j := range width {
				sum[j] = addMod(sum[j], sig[a][j])
			}
			chosen = append(chosen, a)
			done := try(i+1, size+r.atoms[a].n)
			chosen = chosen[:len(chosen)-1]
			for j := range width {
				sum[j] = subMod(sum[j], sig[a][j])
			}
			if done {
				return true
			}
		}
		return false
	}
	try(0, 0)
	return leak
}

// checkRelease fails t when the release of a random survey shows a form
// below k or lets a group below k be computed.
func checkRelease(t *testing.T, seed uint64) {
	t.Helper()
	k, months := randomSurvey(seed)
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
}

func TestReleaseProtectsEveryGroup(t *testing.T) {
	t.Parallel()
	cases := 3000
	if testing.Short() {
		cases = 300
	}
	for seed := range uint64(cases) {
		checkRelease(t, seed)
	}
}

func FuzzRelease(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { checkRelease(t, seed) })
}
