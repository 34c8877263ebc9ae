package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/text/encoding/unicode"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/web/api"
	"github.com/candorhq/candor/internal/web/staff"
)

func TestAPIContacts(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.client(t)
	theirs := f.contact(t, f.other, f.theirs.ID, "Hans Huber", "hans@schindler.example")

	var ada customer.Contact
	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name, body string
			wantStatus int
			wantFields []string
		}{
			{"valid", `{"accountId":"` + f.mine.ID + `","name":" Ada  Lovelace ","email":"Ada@Kone.Example","locale":"fi-FI"}`, http.StatusCreated, nil},
			{"invalid", `{"accountId":"` + f.mine.ID + `","name":"","email":"ada@","locale":"tlh"}`, http.StatusBadRequest, []string{"name", "email", "locale"}},
			{"a taken email", `{"accountId":"` + f.mine.ID + `","name":"Ada Again","email":"ADA@kone.example"}`, http.StatusConflict, []string{"email"}},
			{"another manager's account", `{"accountId":"` + f.theirs.ID + `","name":"X","email":"x@kone.example"}`, http.StatusBadRequest, []string{"accountId"}},
			{"no account", `{"name":"X","email":"x@kone.example"}`, http.StatusBadRequest, []string{"accountId"}},
		}
		for _, tt := range tests {
			r := c.api(http.MethodPost, "/api/v1/contacts", f.managerToken, tt.body)
			wantStatus(t, r, tt.wantStatus)
			if tt.wantStatus == http.StatusCreated {
				decodeBody(t, r, &ada)
				if ada.Name != "Ada Lovelace" || ada.Email != "ada@kone.example" || ada.Locale != "fi" || ada.Status != "active" ||
					r.Header.Get("Location") != "/api/v1/contacts/"+ada.ID {
					t.Errorf("%s: created %s", tt.name, r.body)
				}
				for _, internal := range []string{"dataKey", "emailIndex"} {
					if strings.Contains(r.body, internal) {
						t.Errorf("%s: the response exposes %s", tt.name, internal)
					}
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
	})

	t.Run("stored encrypted", func(t *testing.T) {
		ctx := context.Background()
		for _, coll := range []string{"contacts", "contact_emails"} {
			cur, err := f.st.DB().Collection(coll).Find(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			var docs []bson.Raw
			if err := cur.All(ctx, &docs); err != nil {
				t.Fatal(err)
			}
			if len(docs) != 2 {
				t.Fatalf("%s holds %d documents, want 2", coll, len(docs))
			}
			for _, d := range docs {
				// Whole names and addresses: short fragments turn up in random base64.
				raw := strings.ToLower(d.String())
				for _, secret := range []string{"lovelace", "kone.example", "huber", "schindler.example"} {
					if strings.Contains(raw, secret) {
						t.Errorf("a %s document holds %q in plain text: %s", coll, secret, raw)
					}
				}
			}
		}
	})

	t.Run("get and patch", func(t *testing.T) {
		path := "/api/v1/contacts/" + ada.ID
		r := c.api(http.MethodGet, path, f.managerToken, "")
		wantStatus(t, r, http.StatusOK)
		var got customer.Contact
		decodeBody(t, r, &got)
		if got.ID != ada.ID || got.Email != "ada@kone.example" {
			t.Errorf("contact = %s", r.body)
		}
		r = c.api(http.MethodPatch, path, f.managerToken, `{"name":"Ada King","locale":"sv"}`)
		wantStatus(t, r, http.StatusOK)
		decodeBody(t, r, &got)
		if got.Name != "Ada King" || got.Locale != "sv" || got.Email != "ada@kone.example" {
			t.Errorf("patched = %s", r.body)
		}
		wantStatus(t, c.api(http.MethodPatch, path, f.managerToken, `{}`), http.StatusBadRequest)
		r = c.api(http.MethodPatch, path, f.managerToken, `{"email":"hans@schindler.example"}`)
		wantStatus(t, r, http.StatusConflict)
		if apiErrorOf(t, r).Fields["email"] == "" {
			t.Errorf("taken email: %s", r.body)
		}
		r = c.api(http.MethodPatch, path, f.managerToken, `{"accountId":"`+f.theirs.ID+`"}`)
		wantStatus(t, r, http.StatusBadRequest)
	})

	t.Run("another manager's contact is not found", func(t *testing.T) {
		path := "/api/v1/contacts/" + theirs.ID
		wantStatus(t, c.api(http.MethodGet, path, f.managerToken, ""), http.StatusNotFound)
		wantStatus(t, c.api(http.MethodPatch, path, f.managerToken, `{"name":"Stolen"}`), http.StatusNotFound)
		wantStatus(t, c.api(http.MethodGet, "/api/v1/contacts?accountId="+f.theirs.ID, f.managerToken, ""), http.StatusNotFound)
		wantStatus(t, c.api(http.MethodGet, path, f.adminToken, ""), http.StatusOK)
	})

	t.Run("list pages and searches", func(t *testing.T) {
		for i := range 3 {
			f.contact(t, f.manager, f.mine.ID, fmt.Sprintf("Matti Meikäläinen %d", i), fmt.Sprintf("matti%d@kone.example", i))
		}
		tests := []struct {
			name, query string
			token       string
			wantTotal   int64
			wantEmails  []string
		}{
			{"first page", "?limit=2", f.managerToken, 4, []string{"ada@kone.example", "matti0@kone.example"}},
			{"second page", "?limit=2&offset=2", f.managerToken, 4, []string{"matti1@kone.example", "matti2@kone.example"}},
			{"one account", "?accountId=" + f.mine.ID + "&limit=1", f.managerToken, 4, []string{"ada@kone.example"}},
			{"part of a name, any case", "?search=" + url.QueryEscape("MEIKÄ"), f.managerToken, 3, []string{"matti0@kone.example", "matti1@kone.example", "matti2@kone.example"}},
			{"an exact email", "?search=" + url.QueryEscape("Matti1@KONE.example"), f.managerToken, 1, []string{"matti1@kone.example"}},
			{"part of an email finds nothing", "?search=" + url.QueryEscape("matti1@kone"), f.managerToken, 0, nil},
			{"another manager's email", "?search=" + url.QueryEscape("hans@schindler.example"), f.managerToken, 0, nil},
			{"an admin sees all", "?limit=500", f.adminToken, 5, []string{"hans@schindler.example", "ada@kone.example", "matti0@kone.example", "matti1@kone.example", "matti2@kone.example"}},
		}
		for _, tt := range tests {
			r := c.api(http.MethodGet, "/api/v1/contacts"+tt.query, tt.token, "")
			wantStatus(t, r, http.StatusOK)
			var list api.ListJSON[customer.Contact]
			decodeBody(t, r, &list)
			var emails []string
			for _, ct := range list.Items {
				emails = append(emails, ct.Email)
			}
			if list.Total != tt.wantTotal || strings.Join(emails, " ") != strings.Join(tt.wantEmails, " ") {
				t.Errorf("%s: total %d %v, want %d %v", tt.name, list.Total, emails, tt.wantTotal, tt.wantEmails)
			}
		}
	})
}

func TestAPIContactRoles(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.client(t)
	post := func(method, path, body string) response {
		return c.send(method, path, f.managerToken, "application/json", []byte(body))
	}

	r := post(http.MethodPost, "/api/v1/contacts", `{"accountId":"`+f.mine.ID+`","name":"Aino","email":"aino@kone.example","role":"Decision Maker"}`)
	wantStatus(t, r, http.StatusCreated)
	var ct customer.Contact
	decodeBody(t, r, &ct)
	if ct.Role != contacts.DecisionMaker || !strings.Contains(r.body, `"role":"decision_maker"`) {
		t.Fatalf("created = %s", r.body)
	}
	r = post(http.MethodPost, "/api/v1/contacts", `{"accountId":"`+f.mine.ID+`","name":"Ville","email":"ville@kone.example"}`)
	wantStatus(t, r, http.StatusCreated)
	if !strings.Contains(r.body, `"role":""`) {
		t.Errorf("a contact without a role = %s", r.body)
	}

	r = post(http.MethodPost, "/api/v1/contacts", `{"accountId":"`+f.mine.ID+`","name":"X","email":"x@kone.example","role":"boss"}`)
	wantStatus(t, r, http.StatusBadRequest)
	if msg := apiErrorOf(t, r).Fields["role"]; !strings.Contains(msg, "must be decision maker, influencer or user") {
		t.Errorf("a bad role = %s", r.body)
	}

	r = post(http.MethodPatch, "/api/v1/contacts/"+ct.ID, `{"role":"user"}`)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `"role":"user"`) || !strings.Contains(r.body, `"name":"Aino"`) {
		t.Errorf("patched = %s", r.body)
	}
	r = post(http.MethodPatch, "/api/v1/contacts/"+ct.ID, `{"role":"king"}`)
	wantStatus(t, r, http.StatusBadRequest)

	for query, want := range map[string]int{"?role=user": 1, "?role=none": 1, "?role=influencer": 0, "": 2} {
		r = c.send(http.MethodGet, "/api/v1/contacts"+query, f.managerToken, "", nil)
		wantStatus(t, r, http.StatusOK)
		var list api.ListJSON[customer.Contact]
		decodeBody(t, r, &list)
		if int(list.Total) != want {
			t.Errorf("list%s: %d contacts, want %d", query, list.Total, want)
		}
	}
	r = c.send(http.MethodGet, "/api/v1/contacts?role=boss", f.managerToken, "", nil)
	wantStatus(t, r, http.StatusBadRequest)
	if apiErrorOf(t, r).Fields["role"] == "" {
		t.Errorf("a bad role filter = %s", r.body)
	}
}

func TestAPIImport(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.client(t)
	f.contact(t, f.other, f.theirs.ID, "Hans Huber", "hans@schindler.example")

	mixed := csvFile(
		"Ada Lovelace,ada@kone.example,Kone Oyj,en",     // 2
		"Bad Email,not-an-email,Kone Oyj,en",            // 3
		"Grace Hopper,grace@kone.example,kone oyj,",     // 4
		"Nobody,nobody@kone.example,Otis,en",            // 5
		"Hans Again,hans@schindler.example,Kone Oyj,de", // 6: another manager's contact
	)
	allBad := csvFile("A,a@,Kone Oyj,en", "B,b@kone.example,Unknown,en", ",c@kone.example,Kone Oyj,en", "D,d@kone.example,Kone Oyj,xx")
	postCSV := func(query, body string) response {
		return c.send(http.MethodPost, "/api/v1/contacts/import"+query, f.managerToken, "text/csv; charset=utf-8", []byte(body))
	}
	count := func() int64 {
		n, err := f.st.Contacts.Count(context.Background(), contacts.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	tests := []struct {
		name                      string
		query, file               string
		wantCreated, wantRejected int
		wantUnchanged             int
		wantErrors                map[int]string // line → part of its message
		wantContacts              int64          // in the database afterwards
	}{
		{"a dry run writes nothing", "?dryRun=true", mixed, 2, 3, 0,
			map[int]string{3: "bad email", 5: "unknown account", 6: "cannot be used here"}, 1},
		{"good rows are imported, bad ones reported", "", mixed, 2, 3, 0,
			map[int]string{3: "bad email", 5: "unknown account", 6: "cannot be used here"}, 3},
		{"importing again changes nothing", "", mixed, 0, 3, 2,
			map[int]string{3: "bad email", 5: "unknown account", 6: "cannot be used here"}, 3},
		{"every row bad", "", allBad, 0, 4, 0,
			map[int]string{2: "bad email", 3: "unknown account", 4: "name is required", 5: "unknown locale"}, 3},
	}
	for _, tt := range tests {
		r := postCSV(tt.query, tt.file)
		wantStatus(t, r, http.StatusOK)
		var res api.ImportJSON
		decodeBody(t, r, &res)
		if res.Created != tt.wantCreated || res.Rejected != tt.wantRejected || res.Unchanged != tt.wantUnchanged || len(res.Errors) != len(tt.wantErrors) {
			t.Errorf("%s: %s", tt.name, r.body)
		}
		for _, e := range res.Errors {
			if want, ok := tt.wantErrors[e.Line]; !ok || !strings.Contains(e.Error, want) {
				t.Errorf("%s: line %d: %q, want it to mention %q", tt.name, e.Line, e.Error, want)
			}
		}
		if dry := strings.Contains(tt.query, "dryRun"); dry != strings.Contains(r.body, `"preview":`) || res.DryRun != dry {
			t.Errorf("%s: preview present = %v in %s", tt.name, !dry, r.body)
		}
		if n := count(); n != tt.wantContacts {
			t.Errorf("%s: %d contacts stored, want %d", tt.name, n, tt.wantContacts)
		}
	}

	t.Run("the preview lists what would change", func(t *testing.T) {
		r := postCSV("?dryRun=1", csvFile("Ada Lovelace,ada@kone.example,Kone Oyj,sv", "New Person,new@kone.example,Kone Oyj,de"))
		var res api.ImportJSON
		decodeBody(t, r, &res)
		if len(res.Preview) != 2 || res.Preview[0].Action != customer.ActionUpdate || res.Preview[1].Action != customer.ActionCreate ||
			res.Preview[1].Account != "Kone Oyj" || res.Preview[1].Line != 3 {
			t.Errorf("preview = %s", r.body)
		}
	})

	t.Run("a multipart upload", func(t *testing.T) {
		ct, body := multipartBody(t, "file", "contacts.csv", csvFile("Mary Multipart,mary@kone.example,Kone Oyj,fi"), nil)
		r := c.send(http.MethodPost, "/api/v1/contacts/import", f.managerToken, ct, body)
		wantStatus(t, r, http.StatusOK)
		var res api.ImportJSON
		decodeBody(t, r, &res)
		if res.Created != 1 || res.Errors == nil {
			t.Errorf("multipart import = %s", r.body)
		}
		ct, body = multipartBody(t, "upload", "contacts.csv", csvFile(), nil)
		r = c.send(http.MethodPost, "/api/v1/contacts/import", f.managerToken, ct, body)
		wantStatus(t, r, http.StatusBadRequest)
		if apiErrorOf(t, r).Fields["file"] == "" {
			t.Errorf("missing file field: %s", r.body)
		}
	})

	t.Run("how the file was read", func(t *testing.T) {
		utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("name\temail\taccount\r\nZoë\tzoe@kone.example\tKone Oyj\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		r := c.send(http.MethodPost, "/api/v1/contacts/import?dryRun=true", f.managerToken, "text/csv; charset=utf-16", utf16)
		wantStatus(t, r, http.StatusOK)
		var res api.ImportJSON
		decodeBody(t, r, &res)
		if res.File.Encoding != "UTF-16LE" || !res.File.BOM || res.File.Delimiter != "\t" || !res.File.Importable ||
			res.File.LineSummary != "1 line holds 1 row, one per line." || len(res.Preview) != 1 || res.Preview[0].Name != "Zoë" {
			t.Errorf("UTF-16 dry run = %s", r.body)
		}

		broken := "\uFEFFname;email;account\nAda;ada@kone.example;Kone Oyj\n\"Grace;grace@kone.example;Kone Oyj\nHans;h@kone.example;Kone Oyj\nAino;aino@kone.example;Kone Oyj\n"
		before := count()
		r = postCSV("?dryRun=true", broken)
		wantStatus(t, r, http.StatusOK)
		res = api.ImportJSON{}
		decodeBody(t, r, &res)
		if res.File.Importable || res.File.Error == nil || res.File.Error.Line != 3 || res.File.Delimiter != ";" ||
			!strings.Contains(r.body, `"error":{"line":3,"error":"line 3: a quote opened here is never closed"}`) {
			t.Errorf("broken dry run = %s", r.body)
		}
		r = postCSV("", broken)
		wantStatus(t, r, http.StatusBadRequest)
		if msg := apiErrorOf(t, r).Fields["file"]; !strings.Contains(msg, "line 3: a quote opened here is never closed") {
			t.Errorf("broken import: %s", r.body)
		}
		if n := count(); n != before {
			t.Errorf("a file that does not parse imported %d contacts", n-before)
		}
	})

	t.Run("requests it refuses", func(t *testing.T) {
		tests := []struct {
			name, query, contentType, body string
			wantStatus                     int
			wantError                      string
		}{
			{"JSON", "", "application/json", `{"rows":[]}`, http.StatusUnsupportedMediaType, "send the file as text/csv"},
			{"no content type", "", "", "name,email,account\n", http.StatusUnsupportedMediaType, "send the file as text/csv"},
			{"another charset", "", "text/csv; charset=latin1", "name,email,account\n", http.StatusUnsupportedMediaType, "UTF-8"},
			{"no header", "", "text/csv", "", http.StatusBadRequest, "invalid input"},
			{"missing columns", "", "text/csv", "name,phone\nA,1\n", http.StatusBadRequest, "invalid input"},
			{"a bad dryRun", "?dryRun=perhaps", "text/csv", "name,email,account\n", http.StatusBadRequest, "invalid input"},
		}
		for _, tt := range tests {
			r := c.send(http.MethodPost, "/api/v1/contacts/import"+tt.query, f.managerToken, tt.contentType, []byte(tt.body))
			wantStatus(t, r, tt.wantStatus)
			if e := apiErrorOf(t, r); !strings.Contains(e.Error, tt.wantError) {
				t.Errorf("%s: error = %q, want it to contain %q", tt.name, e.Error, tt.wantError)
			}
		}
		r := c.send(http.MethodPost, "/api/v1/contacts/import", f.managerToken, "text/csv", []byte("name,phone\n"))
		if msg := apiErrorOf(t, r).Fields["file"]; !strings.Contains(msg, "email, account") {
			t.Errorf("file error = %q", msg)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/contacts/import", strings.NewReader("compressed"))
		req.Header.Set("Authorization", "Bearer "+f.managerToken)
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Content-Encoding", "gzip")
		r = c.do(req)
		wantStatus(t, r, http.StatusBadRequest)
		if e := apiErrorOf(t, r); !strings.Contains(e.Error, "does not match its Content-Encoding") {
			t.Errorf("a body that is not gzip: error = %q", e.Error)
		}
		// A file compressed as it should be is read like any other.
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(manyRows(3, "Kone Oyj")))
		zw.Close()
		req = httptest.NewRequest(http.MethodPost, "/api/v1/contacts/import?dryRun=true", &gz)
		req.Header.Set("Authorization", "Bearer "+f.managerToken)
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Content-Encoding", "gzip")
		r = c.do(req)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, `"rows":3`) {
			t.Errorf("a gzip-compressed dry run: %s", truncate(r.body))
		}
	})

	t.Run("bodies over the limit", func(t *testing.T) {
		addr := listen(t, f.Server)
		tests := []struct {
			name, method, target, contentType, encoding string
			size                                        int
			wantError                                   string
		}{
			{"an import", http.MethodPost, "/api/v1/contacts/import", "text/csv", "", staff.MaxImportBytes + 1, "request body too large: the limit is 32 MB"},
			{"a dry run", http.MethodPost, "/api/v1/contacts/import?dryRun=true", "text/csv", "", staff.MaxImportBytes + 1, "request body too large: the limit is 32 MB"},
			{"a compressed import", http.MethodPost, "/api/v1/contacts/import", "text/csv", "gzip", bodyLimit + 1, "request body too large: the limit is 1 MB"},
			{"any other route", http.MethodPost, "/api/v1/contacts", "application/json", "", bodyLimit + 1, "request body too large: the limit is 1 MB"},
			{"another method on the import's path", http.MethodPut, "/api/v1/contacts/import", "text/csv", "", bodyLimit + 1, "request body too large: the limit is 1 MB"},
		}
		for _, tt := range tests {
			h := http.Header{"Authorization": {"Bearer " + f.managerToken}, "Content-Type": {tt.contentType}}
			if tt.encoding != "" {
				h.Set("Content-Encoding", tt.encoding)
			}
			resp, body := announce(t, addr, tt.method, tt.target, h, tt.size)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: status %d, want 413", tt.name, resp.StatusCode)
				continue
			}
			if !strings.Contains(body, `"error":"`+tt.wantError+`"`) {
				t.Errorf("%s: body %s", tt.name, body)
			}
		}
		// A body within the import limit but over the general one is read.
		r := postCSV("?dryRun=true", manyRows(10, "Kone Oyj")+strings.Repeat("\n", 2*bodyLimit))
		wantStatus(t, r, http.StatusOK)
		var res api.ImportJSON
		decodeBody(t, r, &res)
		if res.Created != 10 {
			t.Errorf("large dry run = %s", r.body)
		}
	})
}

func TestAPIExport(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.client(t)
	f.contact(t, f.manager, f.mine.ID, "Ada Lovelace", "ada@kone.example")
	f.contact(t, f.manager, f.mine.ID, "=cmd|' /C calc'!A0", "formula@kone.example")
	f.contact(t, f.other, f.theirs.ID, "Hans Huber", "hans@schindler.example")

	r := c.api(http.MethodGet, "/api/v1/contacts/export", f.managerToken, "")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="contacts-`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, r.body)
	}
	want := [][]string{
		{"name", "email", "account", "locale", "status", "last_surveyed", "role"},
		{"Ada Lovelace", "ada@kone.example", "Kone Oyj", "en", "active", "", ""},
		{"'=cmd|' /C calc'!A0", "formula@kone.example", "Kone Oyj", "en", "active", "", ""},
	}
	if fmt.Sprint(records) != fmt.Sprint(want) {
		t.Errorf("export =\n%q\nwant\n%q", records, want)
	}

	// An admin's export holds everyone; a page download is the same file.
	r = c.api(http.MethodGet, "/api/v1/contacts/export", f.adminToken, "")
	if strings.Count(r.body, "\n") != 4 || !strings.Contains(r.body, "hans@schindler.example") {
		t.Errorf("admin export:\n%s", r.body)
	}
	page := f.signIn(t, f.other).get("/contacts/export.csv")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "hans@schindler.example") || strings.Contains(page.body, "kone.example") {
		t.Errorf("page export:\n%s", page.body)
	}
}
