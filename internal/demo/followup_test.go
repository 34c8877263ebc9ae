package demo

import (
	mrand "math/rand/v2"
	"testing"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Detractors, and only they, give a reason; some promoters, and only
// they, say what they value.
func TestGeneratedFollowupsAreShownToTheirScores(t *testing.T) {
	t.Parallel()
	sv, err := survey.New(definition(), store.NewID(), "owner", survey.Survey{}.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{rng: mrand.New(mrand.NewPCG(5, 5))}
	reasons, valued := 0, 0
	for i := range 500 {
		form := r.answers(float64(i%7-3), []string{"en", "fi", "de", "fr"}[i%4])
		answers, problems := sv.ParseAnswers(form)
		if len(problems) > 0 {
			t.Fatalf("form %v: %v", form, problems)
		}
		nps, _ := answers.Get("nps")
		_, reason := answers.Get("reason")
		_, value := answers.Get("valued")
		if reason != (*nps.Score <= 6) || (value && *nps.Score < 9) || len(answers) != len(form) {
			t.Fatalf("score %d: reason %v, valued %v, form %v", *nps.Score, reason, value, form)
		}
		if reason {
			reasons++
		}
		if value {
			valued++
		}
	}
	if reasons == 0 || valued == 0 {
		t.Errorf("%d reasons and %d valued in 500 forms", reasons, valued)
	}
}
