package web

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/staff"
)

var jobPath = regexp.MustCompile(`^/contacts/import/([0-9a-f]{32})$`)

// uploadFile uploads a contacts file from the import page and returns the
// address of its preview.
func uploadFile(t *testing.T, c *client, content string) string {
	t.Helper()
	wantStatus(t, c.get("/contacts/import"), http.StatusOK)
	r := c.upload("/contacts/import", "contacts.csv", content)
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !jobPath.MatchString(loc) {
		t.Fatalf("upload redirects to %q", loc)
	}
	return loc
}

// waitForImport reloads an import's page until it no longer runs.
func waitForImport(t *testing.T, c *client, path string) response {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, `http-equiv="refresh"`) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import still runs after a minute:\n%s", truncate(r.body))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestImportPages(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.signIn(t, f.manager)
	f.contact(t, f.manager, f.mine.ID, "Ville Virtanen", "ville@kone.example")

	r := c.get("/contacts/import")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `enctype="multipart/form-data"`, `name="_csrf"`, "Download a template", "<code>fi</code>")

	r = c.get("/contacts/import/template.csv")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "name,email,account,locale,role\n", "Kone Oyj")

	file := csvFile(
		"Ada Lovelace,ada@kone.example,Kone Oyj,en",         // 2: add
		"Ville Virtanen,ville@kone.example,Kone Oyj,sv",     // 3: update
		"Bad Email,not-an-email,Kone Oyj,en",                // 4
		"Hans Huber,hans@schindler.example,Schindler AG,de", // 5: not one of hers
		"Grace Hopper,grace@kone.example,Kone Oyj,",         // 6: add
	)
	preview := uploadFile(t, c, file)

	r = c.get(preview)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Check the import", "contacts.csv has 5 rows",
		`<span class="stat-value">2</span> <span class="stat-label">to add</span>`,
		`<span class="stat-value">1</span> <span class="stat-label">to update</span>`,
		`<span class="stat-value">2</span> <span class="stat-label">rejected</span>`,
		"Import 3 contacts", "ada@kone.example", "Grace Hopper",
		`<td class="cell-num">4</td><td class="cell-wrap">bad email: &#34;not-an-email&#34; is not a valid email address</td>`,
		`<td class="cell-num">5</td><td class="cell-wrap">unknown account &#34;Schindler AG&#34;</td>`)
	if _, total, _ := f.svc.ListContacts(context.Background(), f.manager, customer.ContactQuery{}); total != 1 {
		t.Fatalf("the preview wrote contacts: %d", total)
	}

	r = c.get(preview + "/errors.csv")
	wantStatus(t, r, http.StatusOK)
	if r.body != "line,error\n4,\"bad email: \"\"not-an-email\"\" is not a valid email address\"\n5,\"unknown account \"\"Schindler AG\"\"\"\n" {
		t.Errorf("error report:\n%s", r.body)
	}

	// Someone else cannot see or start the upload.
	other := f.signIn(t, f.other)
	wantStatus(t, other.get(preview), http.StatusNotFound)
	other.get("/contacts")
	wantStatus(t, other.post(preview, nil), http.StatusNotFound)

	r = c.post(preview, nil)
	wantStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != preview {
		t.Fatalf("confirming redirects to %q", r.Header.Get("Location"))
	}
	r = waitForImport(t, c, preview)
	wantContains(t, r, "Import finished", `<progress id="import-progress" max="5" value="5">`,
		`<span class="stat-value">2</span> <span class="stat-label">added</span>`,
		`<span class="stat-value">1</span> <span class="stat-label">updated</span>`,
		`<span class="stat-value">2</span> <span class="stat-label">rejected</span>`,
		"bad email", "unknown account")
	got, _, _ := f.svc.ListContacts(context.Background(), f.manager, customer.ContactQuery{Search: "ville@kone.example"})
	if len(got) != 1 || got[0].Locale != "sv" {
		t.Errorf("updated contact = %+v", got)
	}

	// Confirming again, as a second click would, starts nothing new.
	r = c.post(preview, nil)
	wantStatus(t, r, http.StatusSeeOther)
	if _, total, _ := f.svc.ListContacts(context.Background(), f.manager, customer.ContactQuery{}); total != 3 {
		t.Errorf("%d contacts after the import, want 3", total)
	}
	// The file is gone once imported; only its report is kept.
	n, err := f.st.DB().Collection("uploads").CountDocuments(context.Background(), map[string]any{})
	if err != nil || n != 0 {
		t.Errorf("%d upload chunks left, %v", n, err)
	}

	t.Run("how the file was read", func(t *testing.T) {
		multi := "\uFEFFname;email;account;locale\r\n\"Lotta\r\nLinde\";lotta@kone.example;Kone Oyj;sv\r\n\r\nPekka;pekka@kone.example;Kone Oyj;fi\r\n"
		r := c.get(uploadFile(t, c, multi))
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, `<dd id="import-delimiter" data-delimiter=";">semicolon (;)</dd>`,
			`<dd id="import-encoding" data-encoding="UTF-8">UTF-8, with a byte-order mark</dd>`,
			`<p id="import-line-count" class="muted">4 lines hold 2 rows: 1 row spans several lines and 1 blank line is skipped.</p>`,
			"Import 2 contacts")

		r = c.get(uploadFile(t, c, "name,email,account\nM\xfcller,mueller@kone.example,Kone Oyj\n"))
		wantContains(t, r, `<dd id="import-encoding" data-encoding="Windows-1252">Read as Windows-1252: the file is not UTF-8</dd>`, "Müller")

		broken := csvFile("Ada,ada2@kone.example,Kone Oyj,en", "\"Grace,grace2@kone.example,Kone Oyj,en", "Hans,hans2@kone.example,Kone Oyj,de", "Aino,aino2@kone.example,Kone Oyj,fi")
		path := uploadFile(t, c, broken)
		r = c.get(path)
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, `<div class="alert alert-error" role="alert" id="import-file-error" data-line="3">`,
			"<strong>line 3: a quote opened here is never closed.</strong>",
			`<p id="import-line-count" class="note">4 lines hold 1 row: 3 lines from line 3 on could not be read.</p>`,
			"Upload a corrected file")
		if strings.Contains(r.body, `action="`+path+`"`) {
			t.Errorf("the preview of a broken file offers to import it")
		}
		r = c.post(path, nil)
		wantStatus(t, r, http.StatusBadRequest)
		if _, total, _ := f.svc.ListContacts(context.Background(), f.manager, customer.ContactQuery{Search: "ada2@kone.example"}); total != 0 {
			t.Errorf("a row of a broken file was imported")
		}
	})

	t.Run("files it refuses", func(t *testing.T) {
		tests := []struct{ name, content, want string }{
			{"empty", "", "The file is empty."},
			{"no email column", "name,account\nA,Kone Oyj\n", "The header row lacks the column(s) email"},
		}
		for _, tt := range tests {
			c.get("/contacts/import")
			r := c.upload("/contacts/import", "contacts.csv", tt.content)
			wantStatus(t, r, http.StatusBadRequest)
			wantContains(t, r, tt.want, `enctype="multipart/form-data"`)
		}
		c.get("/contacts/import")
		ct, body := multipartBody(t, "other", "x.csv", "name,email,account\n", map[string][]string{"_csrf": {c.csrf}})
		r := c.send(http.MethodPost, "/contacts/import", "", ct, body)
		wantStatus(t, r, http.StatusBadRequest)
		wantContains(t, r, "Choose a CSV file to upload.")

		ct, body = multipartBody(t, "file", "x.csv", csvFile("A,a@kone.example,Kone Oyj,en"), nil)
		wantStatus(t, c.send(http.MethodPost, "/contacts/import", "", ct, body), http.StatusForbidden)

		// Refused before the body is read, whoever sends it.
		resp, page := announce(t, listen(t, f.Server), http.MethodPost, "/contacts/import",
			http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}, staff.MaxImportBytes+1)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "File too large") || !strings.Contains(page, "up to 32 MB") {
			t.Errorf("an oversized upload: %d\n%s", resp.StatusCode, truncate(page))
		}
	})
}

func TestImportInterruptedAndExpired(t *testing.T) {
	t.Parallel()
	f := newCustomerFixture(t)
	c := f.signIn(t, f.manager)
	ctx := context.Background()
	now := time.Now().UTC()
	started := now.Add(-10 * time.Minute)

	// A runner that died: running, with no progress for five minutes.
	stalled := store.Import{ID: store.NewID(), UserID: f.manager.ID, State: store.ImportRunning, FileName: "big.csv",
		Preview: store.ImportCounts{Rows: 5000}, Progress: store.ImportCounts{Rows: 1500, Created: 1500},
		CreatedAt: started, StartedAt: &started, UpdatedAt: now.Add(-5 * time.Minute), ExpiresAt: now.Add(time.Hour)}
	// An upload nobody confirmed in time.
	expired := store.Import{ID: store.NewID(), UserID: f.manager.ID, State: store.ImportStaged, FileName: "old.csv",
		CreatedAt: now.Add(-2 * time.Hour), UpdatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	for _, imp := range []store.Import{stalled, expired} {
		if err := f.st.Imports.Insert(ctx, imp); err != nil {
			t.Fatal(err)
		}
	}

	r := c.get("/contacts/import/" + stalled.ID)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Import interrupted", "1500 of 5000 rows processed (30%)", "upload the same file again")
	if strings.Contains(r.body, `http-equiv="refresh"`) {
		t.Error("an interrupted import's page keeps reloading")
	}

	wantStatus(t, c.get("/contacts/import/"+expired.ID), http.StatusGone)
	c.get("/contacts/import")
	r = c.post("/contacts/import/"+expired.ID, nil)
	wantStatus(t, r, http.StatusGone)
	wantContains(t, r, "This upload has expired")

	// The next upload sweeps the expired one away.
	uploadFile(t, c, csvFile("Ada Lovelace,ada@kone.example,Kone Oyj,en"))
	if _, err := f.st.Imports.ByID(ctx, expired.ID); err == nil {
		t.Error("an expired upload outlived the sweep")
	}
}

// progressRecorder is the imports store, noting each progress report.
type progressRecorder struct {
	*store.Imports
	mu   sync.Mutex
	rows []int
}

func (p *progressRecorder) Progress(ctx context.Context, id string, c store.ImportCounts, now time.Time) error {
	p.mu.Lock()
	p.rows = append(p.rows, c.Rows)
	p.mu.Unlock()
	return p.Imports.Progress(ctx, id, c, now)
}

func (p *progressRecorder) reports() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.rows)
}

func TestImportRecordsProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	rec := &progressRecorder{Imports: f.st.Imports}
	svc := customer.New(f.st.Accounts, f.st.Contacts, f.st.Users, seal.New(ring), customer.WithImportJobs(f.st.Uploads, rec, nil))
	f.testServer = newTestServer(t, testOptions{users: f.st.Users, db: f.st, customers: svc})
	if _, err := svc.CreateAccount(context.Background(), f.manager, customer.AccountInput{Name: "Kone Oyj"}); err != nil {
		t.Fatal(err)
	}
	c := f.signIn(t, f.manager)

	const rows = 3000
	job := uploadFile(t, c, manyRows(rows, "Kone Oyj"))
	wantContains(t, c.get(job), "Import 3000 contacts")
	wantStatus(t, c.post(job, nil), http.StatusSeeOther)
	r := waitForImport(t, c, job)
	wantContains(t, r, "Import finished", "3000 of 3000 rows processed (100%)", `<span class="stat-value">3000</span> <span class="stat-label">added</span>`)

	got := rec.reports()
	var intermediate int
	for i, n := range got {
		if i > 0 && n <= got[i-1] {
			t.Errorf("progress went from %d to %d rows", got[i-1], n)
		}
		if n < rows {
			intermediate++
		}
	}
	if intermediate < 2 || got[len(got)-1] != rows {
		t.Errorf("progress reports %v: want several before the end, then %d", got, rows)
	}
	stored, err := f.st.Imports.ByID(context.Background(), strings.TrimPrefix(job, "/contacts/import/"))
	if err != nil || stored.State != store.ImportDone || stored.Progress.Created != rows || stored.FinishedAt == nil {
		t.Errorf("stored import = %+v, %v", stored, err)
	}
}
