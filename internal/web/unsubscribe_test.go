package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/store/contacts"
)

func TestUnsubscribeLink(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	ctx := context.Background()
	acme, cs := f.account(t, f.manager, "Acme", 2)
	u, err := f.links.UnsubscribeURL(cs[0].ID, f.now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(u, "http://candor.test")
	c := f.client(t) // a stranger's browser: no session

	// A GET, as a mail scanner sends, only asks.
	for range 2 {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		for _, want := range []string{`<html lang="fi">`, "Lopetetaanko kyselyviestien lähettäminen osoitteeseen c•••@", `method="post" action="` + path + `"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("page lacks %q:\n%s", want, truncate(r.body))
			}
		}
		if r.Header.Get("Set-Cookie") != "" || r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers: Set-Cookie %q, Referrer-Policy %q, Cache-Control %q",
				r.Header.Get("Set-Cookie"), r.Header.Get("Referrer-Policy"), r.Header.Get("Cache-Control"))
		}
		if strings.Contains(r.body, "_csrf") {
			t.Error("the page carries a CSRF token")
		}
	}
	if got, _ := f.st.Contacts.ByID(ctx, cs[0].ID); got.Status != contacts.Active {
		t.Fatalf("a GET changed the contact to %s", got.Status)
	}

	// One-click: a POST with no cookie and no CSRF token, as mail providers send it.
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("one-click POST: status %d, Set-Cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	if got, _ := f.st.Contacts.ByID(ctx, cs[0].ID); got.Status != contacts.Unsubscribed {
		t.Fatalf("contact status %s after unsubscribing", got.Status)
	}
	r := c.get(path)
	if !strings.Contains(r.body, "Kyselyviestit on lopetettu") || strings.Contains(r.body, "<form") {
		t.Errorf("page after unsubscribing:\n%s", truncate(r.body))
	}

	// A later campaign skips them.
	api := c.api(http.MethodPost, "/api/v1/surveys/"+f.survey.ID+"/campaigns", f.token(t, f.manager), `{"accountIds":["`+acme.ID+`"]}`)
	wantStatus(t, api, http.StatusAccepted)
	if !strings.Contains(api.body, `{"contactId":"`+cs[0].ID+`","reason":"unsubscribed"}`) {
		t.Errorf("the later campaign does not skip them as unsubscribed:\n%s", api.body)
	}
}

func TestUnsubscribeBadLinks(t *testing.T) {
	t.Parallel()
	f := newCampaignFixture(t)
	_, cs := f.account(t, f.manager, "Acme", 1)
	token := func(audience string, expires time.Time) string {
		t.Helper()
		tok, err := f.links.Token(audience, cs[0].ID, expires)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := token(link.AudienceUnsubscribe, f.now().Add(time.Hour))
	tests := []struct {
		name, token string
		status      int
		want        string
	}{
		{"tampered", good[:len(good)-4] + "AAAA", http.StatusNotFound, "This link does not work"},
		{"expired", token(link.AudienceUnsubscribe, f.now().Add(-time.Hour)), http.StatusGone, "This link has expired"},
		{"a survey link's token", token(link.AudienceSurvey, f.now().Add(time.Hour)), http.StatusNotFound, "This link does not work"},
		{"garbage", "%00%ff", http.StatusNotFound, "This link does not work"},
	}
	c := f.client(t)
	c.header.Set("Accept-Language", "en-GB,en;q=0.8")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				var r response
				if method == http.MethodGet {
					r = c.get("/u/" + tt.token)
				} else {
					r = c.post("/u/"+tt.token, url.Values{})
				}
				wantStatus(t, r, tt.status)
				if !strings.Contains(r.body, tt.want) || !strings.Contains(r.body, `<html lang="en">`) {
					t.Errorf("%s: page lacks %q:\n%s", method, tt.want, truncate(r.body))
				}
			}
		})
	}
	if got, _ := f.st.Contacts.ByID(context.Background(), cs[0].ID); got.Status != contacts.Active {
		t.Errorf("a bad link changed the contact to %s", got.Status)
	}
}
