package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
)

// send makes a request with any body and content type, and an optional
// bearer token.
func (c *client) send(method, target, token, contentType string, body []byte) response {
	c.t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req)
}

// multipartBody is a form with one file field and the given values.
func multipartBody(t *testing.T, field, fileName, content string, values url.Values) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range values {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	fw, err := w.CreateFormFile(field, fileName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), b.Bytes()
}

// upload posts a file from a page, with the last CSRF token seen.
func (c *client) upload(target, fileName, content string) response {
	c.t.Helper()
	ct, body := multipartBody(c.t, "file", fileName, content, url.Values{"_csrf": {c.csrf}})
	return c.send(http.MethodPost, target, "", ct, body)
}

// decodeJSON decodes a response body into dst, failing the test if it
// is not JSON of that shape.
func decodeBody(t *testing.T, r response, dst any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), dst); err != nil {
		t.Fatalf("%s %s: body is not the expected JSON: %v\n%s", r.Request.Method, r.Request.URL, err, truncate(r.body))
	}
}

func apiErrorOf(t *testing.T, r response) errorBody {
	t.Helper()
	var e errorBody
	decodeBody(t, r, &e)
	return e
}

// customerFixture is a fixture with a second manager and an account for
// each manager.
type customerFixture struct {
	*fixture
	other                    store.User // a second manager
	mine, theirs             store.Account
	svc                      CustomerService
	managerToken, otherToken string
	adminToken, analystToken string
}

func newCustomerFixture(t *testing.T) *customerFixture {
	t.Helper()
	f := &customerFixture{fixture: newFixture(t)}
	ctx := context.Background()
	other, err := f.auth.CreateUser(ctx, auth.NewUser{Email: "other@example.com", Name: "Olga Other", Role: store.RoleManager, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	f.other, f.svc = other, f.customers
	if f.mine, err = f.svc.CreateAccount(ctx, f.manager, customer.AccountInput{Name: "Kone Oyj", Country: "FI", Region: "Nordics", Industry: "Elevators", Tier: "gold"}); err != nil {
		t.Fatal(err)
	}
	if f.theirs, err = f.svc.CreateAccount(ctx, f.other, customer.AccountInput{Name: "Schindler AG", Country: "CH"}); err != nil {
		t.Fatal(err)
	}
	f.managerToken, f.otherToken = f.token(t, f.manager), f.token(t, other)
	f.adminToken, f.analystToken = f.token(t, f.admin), f.token(t, f.analyst)
	return f
}

func (f *customerFixture) contact(t *testing.T, owner store.User, accountID, name, email string) customer.Contact {
	t.Helper()
	ct, err := f.svc.CreateContact(context.Background(), owner, customer.ContactInput{AccountID: accountID, Name: name, Email: email})
	if err != nil {
		t.Fatalf("CreateContact(%s): %v", email, err)
	}
	return ct
}

// csvFile builds a contacts file: a header and the given rows.
func csvFile(rows ...string) string {
	return "name,email,account,locale\n" + strings.Join(rows, "\n") + "\n"
}

// manyRows is a file of n valid rows for account.
func manyRows(n int, account string) string {
	var b strings.Builder
	b.WriteString("name,email,account,locale\n")
	for i := range n {
		fmt.Fprintf(&b, "Person %d,person%d@kone.example,%s,fi\n", i, i, account)
	}
	return b.String()
}

func wantContains(t *testing.T, r response, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(r.body, want) {
			t.Errorf("%s %s: body lacks %q", r.Request.Method, r.Request.URL, want)
		}
	}
}

// listen serves s on a free local port until the test ends and returns
// its address. Some answers only a real connection shows, such as a 413
// sent before the body is read.
func listen(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, addr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen: %v", err)
		}
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s does not answer: %v", addr, err)
		}
	}
}

// announce sends only the head of a request whose body would have size
// bytes, and returns the answer and its body: a server that waited for the
// body would time out instead.
func announce(t *testing.T, addr, method, target string, header http.Header, size int) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: candor.test\r\nContent-Length: %d\r\n", method, target, size)
	if err := header.Write(&head); err != nil {
		t.Fatal(err)
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s with a %d-byte body: %v", method, target, size, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestCustomerAreaIsForAdminsAndManagers(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	analyst := f.signIn(t, f.analyst)
	for _, path := range []string{"/accounts", "/accounts/new", "/accounts/" + f.mine.ID, "/contacts", "/contacts/new", "/contacts/import", "/contacts/export.csv"} {
		r := analyst.get(path)
		wantStatus(t, r, http.StatusForbidden)
		wantContains(t, r, "Not allowed")
	}
	for _, tt := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/accounts"},
		{http.MethodPost, "/api/v1/accounts"},
		{http.MethodGet, "/api/v1/contacts"},
		{http.MethodGet, "/api/v1/contacts/export"},
		{http.MethodPost, "/api/v1/contacts/import"},
	} {
		r := analyst.api(tt.method, tt.path, f.analystToken, "")
		wantStatus(t, r, http.StatusForbidden)
		if e := apiErrorOf(t, r); e.Error != "forbidden" {
			t.Errorf("%s %s: error = %q", tt.method, tt.path, e.Error)
		}
	}
	// Without a token the API asks for one; without a session, pages sign in.
	wantStatus(t, analyst.api(http.MethodGet, "/api/v1/accounts", "", ""), http.StatusUnauthorized)
	r := f.client(t).get("/contacts")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login?next=%2Fcontacts" {
		t.Errorf("Location = %q", loc)
	}
}
