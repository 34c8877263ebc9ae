package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/survey"
)

func TestHomeShowsTheNumbersEachRoleMaySee(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	tests := []struct {
		name       string
		who        func() *client
		want, lack []string
	}{
		{"an admin sees every account's numbers", func() *client { return f.signIn(t, f.admin) },
			[]string{"Surveys at a glance", "Numbers of all accounts", `<a href="/surveys/` + f.survey.ID + `/report">`,
				`<td class="num">18</td>`, `<td class="num">16.7</td>`, `<td class="num">50%</td>`,
				`<td class="num suppressed">Suppressed<span class="visually-hidden">: fewer than 5 responses</span></td>`},
			nil},
		{"a manager sees their own accounts' only", func() *client { return f.signIn(t, f.manager) },
			[]string{"Numbers of your accounts", `<td class="num">8</td>`, `<td class="num">25</td>`, "Waiting for you"},
			[]string{`<td class="num">18</td>`, `<td class="num">50%</td>`}},
		{"an analyst sees the numbers and nothing to do", func() *client { return f.signIn(t, f.analyst) },
			[]string{"Numbers of all accounts", `<td class="num">18</td>`},
			[]string{"Waiting for you", "Campaigns under way", `href="/surveys/new"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.who().get("/")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, tt.want...)
			for _, s := range tt.lack {
				if strings.Contains(r.body, s) {
					t.Errorf("the home page shows %q", s)
				}
			}
			for _, c := range f.contacts {
				if strings.Contains(r.body, c.Name) || strings.Contains(r.body, c.Email) {
					t.Fatalf("the home page names a respondent: %s", c.Name)
				}
			}
		})
	}
}

func TestHomeListsCampaignsUnderWayAndSurveysWaiting(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	ctx := context.Background()
	acct, _ := f.account(t, f.manager, "Acme", 3)
	created, err := f.campaigns.Create(ctx, f.manager, f.survey.ID, invite.Request{AccountIDs: []string{acct.ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.deliver(t)
	draft, err := survey.New(survey.Survey{Title: survey.Text{"en": "Draft for next year"}, Locales: []string{"en"},
		Questions:   []survey.Question{{Key: "nps", Type: survey.TypeNPS, Prompt: survey.Text{"en": "Recommend us?"}}},
		ConsentText: survey.Text{"en": "Attach my name."}}, "d1", f.manager.ID, f.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Surveys.Insert(ctx, draft); err != nil {
		t.Fatal(err)
	}

	r := f.signIn(t, f.manager).get("/")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Campaigns under way", `<a href="/campaigns/`+created.Campaign.ID+`">Service survey</a>`,
		"3 of 3 sent · 0 answered", "Your drafts", `<a href="/surveys/d1/edit">Draft for next year</a>`)
	if strings.Contains(r.body, `href="/surveys/`+f.survey.ID+`/campaigns/new"`) {
		t.Error("the survey with a campaign under way is offered for sending")
	}

	other := f.signIn(t, f.admin)
	f.survey = f.openSurvey(t)
	r = other.get("/")
	wantBody(t, r, `<a href="/surveys/`+f.survey.ID+`/campaigns/new">Send Service survey</a>`)
}
