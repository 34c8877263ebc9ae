package demo

import (
	mrand "math/rand/v2"
	"testing"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

func TestEmailAddressesAreASCII(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Mäkelä", "makela"},
		{"Lefèvre", "lefevre"},
		{"De Luca", "deluca"},
		{"Schröder", "schroder"},
		{"王", "wang"},
		{"Élodie", "elodie"},
	} {
		if got := emailPart(tc.in); got != tc.want {
			t.Errorf("emailPart(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"Göta Fastigheter", "gota-fastigheter.example"},
		{"Hôpitaux de Provence", "hopitaux-de-provence.example"},
		{"São Paulo Torres", "sao-paulo-torres.example"},
	} {
		if got := domainOf(tc.in); got != tc.want {
			t.Errorf("domainOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every generated answer form is one the survey accepts, and a seed gives
// the same forms again.
func TestGeneratedAnswersAreValidAndReproducible(t *testing.T) {
	t.Parallel()
	sv, err := survey.New(definition(), store.NewID(), "owner", survey.Survey{}.CreatedAt)
	if err != nil {
		t.Fatalf("the demo survey does not validate: %v", err)
	}
	gen := func(seed uint64) []map[string][]string {
		r := &run{rng: mrand.New(mrand.NewPCG(seed, seed))}
		var out []map[string][]string
		for i := range 500 {
			out = append(out, r.answers(float64(i%7-3), []string{"en", "fi", "de", "fr"}[i%4]))
		}
		return out
	}
	a, b := gen(3), gen(3)
	detractors, comments := 0, 0
	for i, form := range a {
		answers, problems := sv.ParseAnswers(form)
		if len(problems) > 0 {
			t.Fatalf("form %v: %v", form, problems)
		}
		if nps, _ := answers.Get("nps"); *nps.Score <= 6 {
			detractors++
		}
		if _, ok := form["q.comment"]; ok {
			comments++
		}
		if len(form) != len(b[i]) || form["q.nps"][0] != b[i]["q.nps"][0] {
			t.Fatalf("seed 3 gave %v, then %v", form, b[i])
		}
	}
	if detractors < 50 || detractors > 400 || comments < 100 {
		t.Errorf("%d detractors and %d comments in 500 forms: not a realistic mix", detractors, comments)
	}
}
