package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/web/api"
)

func TestAPIAccounts(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.client(t)

	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name, token, body string
			wantStatus        int
			wantFields        []string
		}{
			{"a manager becomes responsible", f.managerToken, `{"name":"Otis Elevator","country":"us","tier":"silver"}`, http.StatusCreated, nil},
			{"an admin names the managers", f.adminToken, `{"name":"TK Elevator","managerIds":["` + f.other.ID + `"]}`, http.StatusCreated, nil},
			{"an admin names nobody", f.adminToken, `{"name":"Nobody's"}`, http.StatusBadRequest, []string{"managerIds"}},
			{"invalid fields", f.managerToken, `{"name":"","country":"Finland","tier":"` + strings.Repeat("t", 101) + `"}`, http.StatusBadRequest, []string{"name", "country", "tier"}},
			{"a taken name in other capitals", f.managerToken, `{"name":"  kone OYJ"}`, http.StatusConflict, []string{"name"}},
			{"an analyst as manager", f.adminToken, `{"name":"X","managerIds":["` + f.analyst.ID + `"]}`, http.StatusBadRequest, []string{"managerIds"}},
			{"an unknown field", f.managerToken, `{"name":"X","owner":"me"}`, http.StatusBadRequest, []string{"owner"}},
		}
		for _, tt := range tests {
			r := c.api(http.MethodPost, "/api/v1/accounts", tt.token, tt.body)
			wantStatus(t, r, tt.wantStatus)
			if tt.wantStatus == http.StatusCreated {
				var a api.AccountJSON
				decodeBody(t, r, &a)
				if a.ID == "" || r.Header.Get("Location") != "/api/v1/accounts/"+a.ID || len(a.ManagerIDs) != 1 {
					t.Errorf("%s: created %s, Location %q", tt.name, r.body, r.Header.Get("Location"))
				}
				if strings.Contains(r.body, "nameKey") {
					t.Errorf("%s: the response exposes internal fields: %s", tt.name, r.body)
				}
				continue
			}
			e := apiErrorOf(t, r)
			for _, field := range tt.wantFields {
				if e.Fields[field] == "" {
					t.Errorf("%s: no message for %s in %v", tt.name, field, e.Fields)
				}
			}
		}
		r := c.api(http.MethodGet, "/api/v1/accounts?search=otis", f.managerToken, "")
		var list api.ListJSON[api.AccountJSON]
		decodeBody(t, r, &list)
		if list.Total != 1 || list.Items[0].Country != "US" || list.Items[0].ManagerIDs[0] != f.manager.ID {
			t.Errorf("created account = %s", r.body)
		}
	})

	t.Run("list pages and searches", func(t *testing.T) {
		for _, name := range []string{"Alpha Lifts", "Beta Lifts", "Gamma Escalators"} {
			wantStatus(t, c.api(http.MethodPost, "/api/v1/accounts", f.otherToken, `{"name":"`+name+`"}`), http.StatusCreated)
		}
		tests := []struct {
			query     string
			wantTotal int64
			wantNames []string
		}{
			{"?limit=2", 5, []string{"Alpha Lifts", "Beta Lifts"}},
			{"?limit=2&offset=2", 5, []string{"Gamma Escalators", "Schindler AG"}},
			{"?search=LIFTS", 2, []string{"Alpha Lifts", "Beta Lifts"}},
			{"?search=nothing+like+it", 0, nil},
		}
		for _, tt := range tests {
			r := c.api(http.MethodGet, "/api/v1/accounts"+tt.query, f.otherToken, "")
			wantStatus(t, r, http.StatusOK)
			var list api.ListJSON[api.AccountJSON]
			decodeBody(t, r, &list)
			var names []string
			for _, a := range list.Items {
				names = append(names, a.Name)
			}
			if list.Total != tt.wantTotal || strings.Join(names, "|") != strings.Join(tt.wantNames, "|") {
				t.Errorf("%s: total %d, names %v; want %d, %v", tt.query, list.Total, names, tt.wantTotal, tt.wantNames)
			}
		}
		r := c.api(http.MethodGet, "/api/v1/accounts?limit=2&offset=2", f.otherToken, "")
		var list api.ListJSON[api.AccountJSON]
		decodeBody(t, r, &list)
		if list.Offset != 2 || list.Limit != 2 {
			t.Errorf("page = offset %d limit %d", list.Offset, list.Limit)
		}
		r = c.api(http.MethodGet, "/api/v1/accounts?limit=x", f.otherToken, "")
		wantStatus(t, r, http.StatusBadRequest)
		if apiErrorOf(t, r).Fields["limit"] == "" {
			t.Errorf("bad limit: %s", r.body)
		}
	})

	t.Run("get, patch and delete", func(t *testing.T) {
		path := "/api/v1/accounts/" + f.mine.ID
		r := c.api(http.MethodGet, path, f.managerToken, "")
		wantStatus(t, r, http.StatusOK)
		var a api.AccountJSON
		decodeBody(t, r, &a)
		if a.Name != "Kone Oyj" || a.Region != "Nordics" {
			t.Errorf("account = %s", r.body)
		}

		r = c.api(http.MethodPatch, path, f.managerToken, `{"tier":"platinum","region":" Northern Europe "}`)
		wantStatus(t, r, http.StatusOK)
		decodeBody(t, r, &a)
		if a.Tier != "platinum" || a.Region != "Northern Europe" || a.Name != "Kone Oyj" {
			t.Errorf("patched = %s", r.body)
		}
		wantStatus(t, c.api(http.MethodPatch, path, f.managerToken, `{}`), http.StatusBadRequest)
		r = c.api(http.MethodPatch, path, f.managerToken, `{"country":"XX"}`)
		wantStatus(t, r, http.StatusBadRequest)
		if apiErrorOf(t, r).Fields["country"] == "" {
			t.Errorf("bad country: %s", r.body)
		}

		f.contact(t, f.manager, f.mine.ID, "Ville Virtanen", "ville@kone.example")
		r = c.api(http.MethodDelete, path, f.managerToken, "")
		wantStatus(t, r, http.StatusConflict)
		if e := apiErrorOf(t, r); e.Error != "the account still has 1 contacts; erase or move them first" {
			t.Errorf("conflict error = %q", e.Error)
		}

		r = c.api(http.MethodPost, "/api/v1/accounts", f.managerToken, `{"name":"Short Lived"}`)
		decodeBody(t, r, &a)
		wantStatus(t, c.api(http.MethodDelete, "/api/v1/accounts/"+a.ID, f.managerToken, ""), http.StatusNoContent)
		wantStatus(t, c.api(http.MethodGet, "/api/v1/accounts/"+a.ID, f.managerToken, ""), http.StatusNotFound)
	})

	t.Run("another manager's account is not found", func(t *testing.T) {
		path := "/api/v1/accounts/" + f.theirs.ID
		for _, tt := range []struct{ method, body string }{
			{http.MethodGet, ""},
			{http.MethodPatch, `{"tier":"stolen"}`},
			{http.MethodDelete, ""},
		} {
			r := c.api(tt.method, path, f.managerToken, tt.body)
			wantStatus(t, r, http.StatusNotFound)
			if e := apiErrorOf(t, r); e.Error != "not found" {
				t.Errorf("%s: error = %q", tt.method, e.Error)
			}
		}
		// An admin reaches every account.
		wantStatus(t, c.api(http.MethodGet, path, f.adminToken, ""), http.StatusOK)
		r := c.api(http.MethodGet, "/api/v1/accounts", f.managerToken, "")
		if strings.Contains(r.body, "Schindler") {
			t.Error("a manager's list shows another manager's account")
		}
	})
}
