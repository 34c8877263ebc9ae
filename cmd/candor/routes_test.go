package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/candorhq/candor/internal/demo"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

// hostileBody is one malformed, oversized or compressed request body.
type hostileBody struct {
	name, contentType, coding string
	body                      []byte
	want                      int // the exact answer; 0: any 4xx, or a success the route gives any body
}

// hostileBodies are sent to every route. Those Candor refuses before
// routing have an exact answer; the rest reach the handlers, which must
// answer 4xx (or ignore a body they do not read), never 5xx.
func hostileBodies(t *testing.T) []hostileBody {
	var bomb bytes.Buffer
	zw, err := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for range 64 { // 64 MB, past every route's limit
		if _, err := zw.Write(zero); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	deepJSON := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	return []hostileBody{
		{"gzip bomb", "application/json", "gzip", bomb.Bytes(), http.StatusRequestEntityTooLarge},
		{"stacked codings", "application/json", "gzip, br", []byte("x"), http.StatusUnsupportedMediaType},
		{"corrupt gzip", "application/x-www-form-urlencoded", "gzip", []byte("\x1f\x8bnot gzip"), http.StatusBadRequest},
		{"truncated JSON", "application/json", "", []byte(`{"name":"x","questions":[`), 0},
		{"JSON of wrong types", "application/json", "", []byte(`{"name":7,"email":[1],"questions":"x","role":{},"accountIds":"a","password":null,"title":3}`), 0},
		{"deeply nested JSON", "application/json", "", []byte(deepJSON), 0},
		{"JSON with NUL", "application/json", "", []byte("{\"name\":\"a\\u0000b\",\"email\":\"\\u0000@x\"}"), 0},
		{"broken form", "application/x-www-form-urlencoded", "", []byte("%zz=%&name=%ff%fe&&=&email=\x00"), 0},
		{"form of huge fields", "application/x-www-form-urlencoded", "", []byte("name=" + strings.Repeat("x", 900_000)), 0},
		{"broken multipart", "multipart/form-data; boundary=zz", "", []byte("--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nname,email\r\n--z"), 0},
		{"multipart without boundary", "multipart/form-data", "", []byte("x"), 0},
		{"CSV of garbage", "text/csv", "", []byte("\"unbalanced,\x00,\xff\xfe\n\"\"\"\n"), 0},
		{"plain 2 MB", "application/json", "", bytes.Repeat([]byte("a"), 2<<20), 0},
	}
}

// TestEveryRouteRefusesHostileBodies sends each hostile body to every
// route Candor serves, signed in as an admin (bearer token for the API,
// session and CSRF token for pages) and with real records behind the
// route's parameters, and as an anonymous caller. No answer is a 5xx, and
// the Go heap never grows by a decoded bomb.
//
// It does not run in parallel, so that the heap it watches is its own.
func TestEveryRouteRefusesHostileBodies(t *testing.T) {
	ctx := context.Background()
	db := storetest.DB(t)
	ring, err := keys.Generate("r1")
	if err != nil {
		t.Fatal(err)
	}
	uri, err := url.Parse(storetest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	uri.Path = "/" + db.Name()
	const password = "route battery password"
	const baseURL = "http://candor.test"
	env := map[string]string{
		"CANDOR_MONGODB_URI": uri.String(), "CANDOR_SECRET_KEYS": ring.Encode(),
		"CANDOR_BASE_URL": baseURL, "CANDOR_DATA_DIR": t.TempDir(),
	}
	if out, err := runCandor(env, "demo", "--responses", "30", "--contacts", "40", "--seed", "5", "--password", password); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db)
	a, err := wireApp(cfg, st, ring, slog.New(slog.DiscardHandler), sendMail)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(ctx, a, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	app := srv.App()
	params := routeParams(t, db, link.New(ring, baseURL))

	admin := newBrowser(t, app)
	bearer := admin.signIn(demo.AdminEmail, password)

	bodies := hostileBodies(t)
	// Routes that would sign the battery's admin out get anonymous calls only.
	endsSession := map[string]bool{
		"/logout": true, "/profile/signout": true, "/profile/password": true,
		"/api/v1/auth/logout-all": true, "/api/v1/auth/revoke": true, "/api/v1/auth/password": true,
	}
	var checked int
	battery := func(bodies []hostileBody) {
		for _, r := range app.GetRoutes(true) {
			if r.Method == fiber.MethodHead || r.Method == fiber.MethodConnect || r.Method == fiber.MethodTrace {
				continue
			}
			path := fillParams(r.Path, params)
			for _, b := range bodies {
				for _, who := range []string{"admin", "anonymous"} {
					if who == "admin" && endsSession[r.Path] {
						continue // the rest of the battery needs the session
					}
					req := httptest.NewRequest(r.Method, path, bytes.NewReader(b.body))
					req.Header.Set("Content-Type", b.contentType)
					if b.coding != "" {
						req.Header.Set("Content-Encoding", b.coding)
					}
					var resp *http.Response
					if who == "admin" {
						if strings.HasPrefix(path, "/api/") {
							req.Header.Set("Authorization", "Bearer "+bearer)
						}
						resp = admin.send(req)
					} else {
						resp = send(t, app, req)
					}
					checked++
					got := resp.StatusCode
					switch {
					case got >= 500:
						t.Errorf("%s %s (%s, %s): status %d", r.Method, path, b.name, who, got)
					case b.want != 0 && got != b.want:
						t.Errorf("%s %s (%s, %s): status %d, want %d", r.Method, path, b.name, who, got, b.want)
					}
				}
			}
		}
	}
	// The bombs first, alone, watching the heap: a decoded one is 64 MB.
	runtime.GC()
	heap := watchHeap()
	battery(bodies[:1])
	grown := heap.stop()
	battery(bodies[1:])
	t.Logf("%d requests to %d routes; during the bombs the heap grew by at most %d MB", checked, len(app.GetRoutes(true)), grown>>20)
	if grown > 32<<20 {
		t.Errorf("the heap grew by %d MB while bombs were refused", grown>>20)
	}
}

// routeParams maps the resource a path parameter follows ("surveys" in
// /surveys/:id) to an id of a record that exists.
func routeParams(t *testing.T, db *mongo.Database, links *link.Signer) map[string]string {
	t.Helper()
	ctx := context.Background()
	first := func(coll string, filter bson.D) string {
		var doc struct {
			ID string `bson:"_id"`
		}
		if err := db.Collection(coll).FindOne(ctx, filter).Decode(&doc); err != nil {
			t.Fatalf("no %s to route to: %v", coll, err)
		}
		return doc.ID
	}
	survey := first("surveys", bson.D{})
	contact := first("contacts", bson.D{})
	pending := first("invitations", bson.D{{Key: "state", Value: "pending"}})
	surveyURL, err := links.SurveyURL(pending, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	unsubscribeURL, err := links.UnsubscribeURL(contact, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"surveys":   survey,
		"accounts":  first("accounts", bson.D{}),
		"contacts":  contact,
		"privacy":   contact,
		"users":     first("users", bson.D{}),
		"followups": first("followups", bson.D{}),
		"responses": first("responses", bson.D{}),
		"s":         lastSegment(surveyURL),
		"u":         lastSegment(unsubscribeURL),
	}
}

func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// fillParams puts a real id in place of each :param and wildcard.
func fillParams(path string, params map[string]string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || s == "*" {
			segs[i] = "x"
			if i > 0 {
				if id, ok := params[segs[i-1]]; ok {
					segs[i] = id
				}
			}
		}
	}
	return strings.Join(segs, "/")
}

// browser is an admin's browser: cookies and the last CSRF token seen.
type browser struct {
	t    *testing.T
	app  *fiber.App
	jar  *cookiejar.Jar
	csrf string
}

func newBrowser(t *testing.T, app *fiber.App) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, app: app, jar: jar}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn signs the browser in and returns an API token for the same user.
func (b *browser) signIn(email, password string) string {
	b.t.Helper()
	b.send(httptest.NewRequest(http.MethodGet, "/login", nil))
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp := b.send(req); resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign-in: status %d", resp.StatusCode)
	}
	b.send(httptest.NewRequest(http.MethodGet, "/", nil)) // a token for the session
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req = httptest.NewRequest(http.MethodPost, "/api/v1/auth/token", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, page := b.sendRead(req)
	var tok struct{ Token string }
	if err := json.Unmarshal(page, &tok); err != nil || tok.Token == "" {
		b.t.Fatalf("API token: %d %s", resp.StatusCode, page)
	}
	return tok.Token
}

// send passes the session cookie and, for a form, the CSRF token in the
// request's header, where the body cannot be trusted to carry it.
func (b *browser) send(req *http.Request) *http.Response {
	resp, _ := b.sendRead(req)
	return resp
}

func (b *browser) sendRead(req *http.Request) (*http.Response, []byte) {
	b.t.Helper()
	site := &url.URL{Scheme: "http", Host: "candor.test", Path: "/"}
	for _, ck := range b.jar.Cookies(site) {
		req.AddCookie(ck)
	}
	if b.csrf != "" && req.Method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp := send(b.t, b.app, req)
	b.jar.SetCookies(site, resp.Cookies())
	page, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(page); m != nil {
		b.csrf = string(m[1])
	}
	return resp, page
}

func send(t *testing.T, app *fiber.App, req *http.Request) *http.Response {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil && strings.Contains(err.Error(), "cannot read multipart/form-data body") {
		// fasthttp reads a multipart body before any handler runs; over a
		// connection it answers such a body 400 itself.
		return &http.Response{StatusCode: http.StatusBadRequest, Body: http.NoBody}
	}
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		// Refused before it is read: 413 over a connection.
		return &http.Response{StatusCode: http.StatusRequestEntityTooLarge, Body: http.NoBody}
	}
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

// heapWatch samples the live heap and keeps its largest growth.
type heapWatch struct {
	base, peak uint64
	done       chan struct{}
	wg         sync.WaitGroup
}

func watchHeap() *heapWatch {
	w := &heapWatch{done: make(chan struct{})}
	w.base = heapBytes()
	w.peak = w.base
	w.wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-tick.C:
				w.peak = max(w.peak, heapBytes())
			}
		}
	})
	return w
}

func (w *heapWatch) stop() uint64 {
	close(w.done)
	w.wg.Wait()
	return w.peak - w.base
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
