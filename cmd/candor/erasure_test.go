package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

// TestErasureLeavesNoCopyInTheDatabaseFiles follows a person from their
// invitation to their erasure on an embedded database of its own, then
// reads the raw SQLite files (database, write-ahead log, shared memory)
// for their name and addresses: plain, lower- and upper-cased, and in
// UTF-16. Before the erasure they are there (the dev outbox keeps rendered
// mail in plain text); after it, nowhere.
func TestErasureLeavesNoCopyInTheDatabaseFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, dir := storetest.Embedded(t)
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"CANDOR_SECRET_KEYS": ring.Encode(), "CANDOR_DATA_DIR": t.TempDir(), "CANDOR_BASE_URL": "http://candor.test",
		"CANDOR_MAIL_FROM": "Candor <surveys@candor.test>", "CANDOR_MONGODB_URI": "mongodb://unused.test",
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := wireApp(cfg, st, ring, slog.New(slog.DiscardHandler), sendMail)
	if err != nil {
		t.Fatal(err)
	}

	const (
		name     = "Xanthippe Quorvalis-Brønnum"
		email    = "xanthippe.quorvalis@zebra-erasure.example"
		newEmail = "x.quorvalis@newaddress-erasure.example"
	)
	admin := store.User{ID: store.NewID(), Email: "admin@candor.test", Name: "Ada Admin", Role: store.RoleAdmin, PasswordHash: "x"}
	if err := st.Users.Insert(ctx, admin); err != nil {
		t.Fatal(err)
	}
	acct, err := a.customers.CreateAccount(ctx, admin, customer.AccountInput{Name: "Lift Works Oy", Country: "FI", ManagerIDs: []string{admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	person, err := a.customers.CreateContact(ctx, admin, customer.ContactInput{AccountID: acct.ID, Name: name, Email: email, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	sv, err := survey.New(survey.Survey{
		Title:       survey.Text{"en": "How are we doing?"},
		Questions:   []survey.Question{{Key: "nps", Type: survey.TypeNPS, Prompt: survey.Text{"en": "Would you recommend us?"}, Required: true}},
		ConsentText: survey.Text{"en": "Attach my name to my answers."},
	}, store.NewID(), admin.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Open(time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.Surveys.Insert(ctx, sv); err != nil {
		t.Fatal(err)
	}

	// The campaign goes to the dev outbox.
	if _, err := a.delivery.service.Create(ctx, admin, sv.ID, invite.Request{AccountIDs: []string{acct.ID}}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.delivery.dispatcher.Run(runCtx); close(done) }()
	var invitation string
	for deadline := time.Now().Add(30 * time.Second); invitation == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		msgs, _, err := st.DevMails.List(ctx, store.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.To == email {
				invitation = m.Text
			}
		}
	}
	stop()
	<-done
	token := regexp.MustCompile(`/s/([A-Za-z0-9_.-]+)`).FindStringSubmatch(invitation)
	if token == nil {
		t.Fatalf("no survey link reached the dev outbox:\n%s", invitation)
	}

	// A detractor, named: a follow-up, and an alert naming them to the
	// account's manager.
	l, err := a.respondents.Resolve(ctx, token[1])
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.respondents.Submit(ctx, l, respond.Submission{Values: map[string][]string{"q.nps": {"2"}}, Locale: "en", Named: true, ConsentVersion: sv.ConsentVersion})
	if err != nil || !res.Named {
		t.Fatalf("Submit: %+v, %v", res, err)
	}
	if _, err := a.followups.SendAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	// A correction asked for through the link, waiting for confirmation
	// at a new address, and a download of everything held.
	if _, err := a.privacy.RequestCorrection(ctx, person.ID, name, newEmail, "en"); err != nil {
		t.Fatal(err)
	}
	export, err := a.privacy.Export(ctx, person.ID, "en", privacy.Requester{})
	if err != nil || export.Contact.Email != email || len(export.NamedResponses) != 1 {
		t.Fatalf("Export: %+v, %v", export, err)
	}

	needles := piiForms(name, email, newEmail, "Xanthippe", "Quorvalis")
	if found := grepFiles(t, dir, needles); len(found) == 0 {
		t.Fatal("before the erasure the raw files hold none of the person's data: the test reads the wrong files")
	}

	if err := a.privacy.Erase(ctx, person.ID, privacy.Requester{}); err != nil {
		t.Fatal(err)
	}
	if found := grepFiles(t, dir, needles); len(found) > 0 {
		t.Errorf("after the erasure the raw database files still hold:\n%s", strings.Join(found, "\n"))
	}
}

// piiForms returns each of values plain, lower- and upper-cased, each in
// UTF-8 and UTF-16 (both byte orders).
func piiForms(values ...string) map[string][]byte {
	out := map[string][]byte{}
	for _, v := range values {
		for _, form := range []string{v, strings.ToLower(v), strings.ToUpper(v)} {
			out[form+" (UTF-8)"] = []byte(form)
			units := utf16.Encode([]rune(form))
			le, be := make([]byte, 2*len(units)), make([]byte, 2*len(units))
			for i, u := range units {
				binary.LittleEndian.PutUint16(le[2*i:], u)
				binary.BigEndian.PutUint16(be[2*i:], u)
			}
			out[form+" (UTF-16LE)"], out[form+" (UTF-16BE)"] = le, be
		}
	}
	return out
}

// grepFiles lists "file: needle" for each needle found in a file of dir.
func grepFiles(t *testing.T, dir string, needles map[string][]byte) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no files in %s", dir)
	}
	var found []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for label, n := range needles {
			if bytes.Contains(b, n) {
				found = append(found, filepath.Base(f)+": "+label)
			}
		}
	}
	return found
}
