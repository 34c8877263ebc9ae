package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// TestReportCountsAConditionalQuestionOfThoseShown: 6 detractors are
// asked for a reason and give one, and 5 passives are not asked; the
// page, the API and the export say 6 answered of 6 shown, and when it is
// asked. Had some skipped it, fewer than k would have, and the question
// would be withheld.
func TestReportCountsAConditionalQuestionOfThoseShown(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	ctx := context.Background()
	w := respondtest.New(t, f.st)
	w.Advance(time.Until(reportDay))
	def := respondtest.Definition()
	def.Title = survey.Text{"en": "Follow-up survey", "fi": "Jatkokysely"}
	def.Questions = slices.Insert(def.Questions, 1, survey.Question{
		Key: "reason", Type: survey.TypeSingle,
		Prompt:  survey.Text{"en": "What is the main reason for your score?", "fi": "Mikä on tärkein syy arvosanaasi?"},
		Options: []survey.Option{{Key: "price", Label: survey.Text{"en": "Price", "fi": "Hinta"}}, {Key: "service", Label: survey.Text{"en": "Service", "fi": "Palvelu"}}},
		ShowIf:  &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)},
	})
	sv := w.OpenSurvey(t, &def)
	now := w.Now().UTC().Truncate(time.Millisecond)
	acct := store.Account{ID: store.NewID(), Name: "Company Follow", NameKey: store.FoldName("Company Follow"), Country: "FI", Region: "EMEA",
		Industry: "Real estate", Tier: "Gold", ManagerIDs: []string{f.manager.ID}, CreatedAt: now, UpdatedAt: now}
	if err := f.st.Accounts.Insert(ctx, acct); err != nil {
		t.Fatal(err)
	}
	for i, score := range []int{3, 3, 3, 3, 5, 6, 8, 8, 8, 7, 7} {
		c, err := w.Customers.CreateContact(ctx, w.Admin, customer.ContactInput{
			AccountID: acct.ID, Name: fmt.Sprintf("Fay Follow%d", i), Email: fmt.Sprintf("fay%d@follow.example", i), Locale: "en",
		})
		if err != nil {
			t.Fatal(err)
		}
		values := map[string][]string{survey.FormField("nps"): {fmt.Sprint(score)}, survey.FormField("reason"): {"price"}}
		f.answer(t, w, sv, c, acct, values, false)
	}

	r := f.signIn(t, f.analyst).get("/surveys/" + sv.ID + "/report?" + reportRange)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"6 answered of 6 shown (100%)", "Asked when ‘How likely are you to recommend us to a…’ is 0–6", " · 11 answered · mean"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page does not say %q:\n%s", want, truncate(r.body))
		}
	}
	r = f.client(t).api(http.MethodGet, "/api/v1/surveys/"+sv.ID+"/report?"+reportRange, f.token(t, f.analyst), "")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `"key":"reason"`) || !strings.Contains(r.body, `"shown":6,"answered":6`) || !strings.Contains(r.body, `"showIf":{"question":"nps","op":"between","min":0,"max":6}`) {
		t.Errorf("the API does not show 6 answered of 6 shown:\n%s", truncate(r.body))
	}
	r = f.signIn(t, f.analyst).get("/surveys/" + sv.ID + "/report.csv?" + reportRange)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "question,reason,2026-03-01,2026-03-31,,,,,,,,false,,6,6") {
		t.Errorf("the export does not show 6 answered of 6 shown:\n%s", r.body)
	}
}
