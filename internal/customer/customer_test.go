package customer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type fixture struct {
	svc                     *customer.Service
	st                      *store.Store
	admin, alice, bob, anna store.User
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{
		svc:   customer.New(st.Accounts, st.Contacts, st.Users, seal.New(ring)),
		st:    st,
		admin: store.User{ID: "u-admin", Email: "admin@example.com", Role: store.RoleAdmin},
		alice: store.User{ID: "u-alice", Email: "alice@example.com", Role: store.RoleManager},
		bob:   store.User{ID: "u-bob", Email: "bob@example.com", Role: store.RoleManager},
		anna:  store.User{ID: "u-anna", Email: "anna@example.com", Role: store.RoleAnalyst},
	}
	for _, u := range []store.User{f.admin, f.alice, f.bob, f.anna} {
		if err := st.Users.Insert(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f fixture) account(t testing.TB, actor store.User, name string) store.Account {
	t.Helper()
	a, err := f.svc.CreateAccount(context.Background(), actor, customer.AccountInput{Name: name, Country: "FI", Region: "Nordics", Industry: "Real estate", Tier: "gold"})
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	return a
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var ve *fault.Error
	if !errors.As(err, &ve) || ve.Fields()[field] == "" {
		t.Fatalf("err = %v, want a message for field %q", err, field)
	}
}

func TestAccountValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Kone Oyj")
	tests := []struct {
		name  string
		in    customer.AccountInput
		field string
	}{
		{"missing name", customer.AccountInput{}, "name"},
		{"duplicate name, other case and spacing", customer.AccountInput{Name: "  kone   OYJ "}, "name"},
		{"bad country", customer.AccountInput{Name: "X", Country: "Finland"}, "country"},
		{"not a country", customer.AccountInput{Name: "X", Country: "ZZ"}, "country"},
		{"long tier", customer.AccountInput{Name: "X", Tier: strings.Repeat("t", 101)}, "tier"},
		{"unknown manager", customer.AccountInput{Name: "X", ManagerIDs: []string{"u-alice", "nobody"}}, "managerIds"},
		{"analyst as manager", customer.AccountInput{Name: "X", ManagerIDs: []string{"u-alice", "u-anna"}}, "managerIds"},
		{"manager leaves themselves out", customer.AccountInput{Name: "X", ManagerIDs: []string{"u-bob"}}, "managerIds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateAccount(ctx, f.alice, tt.in)
			fieldErr(t, err, tt.field)
		})
	}
	items, total, _ := f.svc.ListAccounts(ctx, f.admin, "", store.Page{})
	if total != 1 || len(items) != 1 {
		t.Fatalf("%d accounts stored, want 1", total)
	}
}

func TestScopingByRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	mine := f.account(t, f.alice, "Alice Corp")
	theirs := f.account(t, f.bob, "Bob Corp")
	c, err := f.svc.CreateContact(ctx, f.bob, customer.ContactInput{AccountID: theirs.ID, Name: "Bo Berg", Email: "bo@bob.example"})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.svc.Account(ctx, f.alice, theirs.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("manager read another's account: %v", err)
	}
	name := "Hijacked"
	if _, err := f.svc.UpdateAccount(ctx, f.alice, theirs.ID, customer.AccountPatch{Name: &name}); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("manager changed another's account: %v", err)
	}
	if err := f.svc.DeleteAccount(ctx, f.alice, theirs.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("manager deleted another's account: %v", err)
	}
	if _, err := f.svc.Contact(ctx, f.alice, c.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("manager read another's contact: %v", err)
	}
	if _, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: theirs.ID, Name: "X", Email: "x@x.example"}); err == nil {
		t.Error("manager added a contact to another's account")
	}
	moved := theirs.ID
	other, _ := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: mine.ID, Name: "Al", Email: "al@alice.example"})
	if _, err := f.svc.UpdateContact(ctx, f.alice, other.ID, customer.ContactPatch{AccountID: &moved}); err == nil {
		t.Error("manager moved a contact into another's account")
	}
	list, total, _ := f.svc.ListAccounts(ctx, f.alice, "", store.Page{})
	if total != 1 || list[0].ID != mine.ID {
		t.Errorf("alice sees %d accounts", total)
	}
	contacts, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{})
	if total != 1 || contacts[0].ID != other.ID {
		t.Errorf("alice sees %d contacts", total)
	}
	if _, total, _ := f.svc.ListContacts(ctx, f.admin, customer.ContactQuery{}); total != 2 {
		t.Errorf("admin sees %d contacts, want 2", total)
	}
	if _, _, err := f.svc.ListContacts(ctx, f.anna, customer.ContactQuery{}); !errors.Is(err, customer.ErrForbidden) {
		t.Errorf("analyst listed contacts: %v", err)
	}
	if _, _, err := f.svc.ListAccounts(ctx, f.anna, "", store.Page{}); !errors.Is(err, customer.ErrForbidden) {
		t.Errorf("analyst listed accounts: %v", err)
	}
	// Searching by another manager's contact's email finds nothing.
	if _, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: "BO@bob.example"}); total != 0 {
		t.Error("email search crossed into another manager's accounts")
	}
}

func TestContactsAreEncryptedAtRest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t, f.alice, "Acme")
	c, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: a.ID, Name: "Ada Lovelace", Email: " Ada.Lovelace@Example.COM ", Locale: "fi-FI"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "ada.lovelace@example.com" || c.Locale != "fi" || c.Status != contacts.Active {
		t.Fatalf("contact = %+v", c)
	}
	// A raw look at every collection shows no plaintext name or email.
	for _, coll := range []string{"contacts", "contact_emails"} {
		cur, err := f.st.DB().Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 {
			t.Fatalf("%s holds %d documents", coll, len(docs))
		}
		raw := strings.ToLower(docs[0].String())
		for _, secret := range []string{"ada", "lovelace", "example.com"} {
			if strings.Contains(raw, secret) {
				t.Fatalf("%s document contains %q: %s", coll, secret, raw)
			}
		}
	}
	got, err := f.svc.Contact(ctx, f.alice, c.ID)
	if err != nil || got.Name != "Ada Lovelace" {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	found, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: "ADA.LOVELACE@example.com"})
	if total != 1 || found[0].ID != c.ID {
		t.Fatal("search by email through the blind index found nothing")
	}
	found, total, _ = f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: "love"})
	if total != 1 || found[0].ID != c.ID {
		t.Fatal("search by part of the name found nothing")
	}
}

func TestContactValidationAndEmailChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t, f.alice, "Acme")
	first, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: a.ID, Name: "One", Email: "one@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    customer.ContactInput
		field string
	}{
		{"no name", customer.ContactInput{AccountID: a.ID, Email: "x@acme.example"}, "name"},
		{"bad email", customer.ContactInput{AccountID: a.ID, Name: "X", Email: "x@"}, "email"},
		{"email without domain dot", customer.ContactInput{AccountID: a.ID, Name: "X", Email: "x@localhost"}, "email"},
		{"duplicate email", customer.ContactInput{AccountID: a.ID, Name: "X", Email: "ONE@acme.example"}, "email"},
		{"unknown locale", customer.ContactInput{AccountID: a.ID, Name: "X", Email: "x@acme.example", Locale: "tlh"}, "locale"},
		{"no account", customer.ContactInput{Name: "X", Email: "x@acme.example"}, "accountId"},
		{"missing account", customer.ContactInput{AccountID: "nope", Name: "X", Email: "x@acme.example"}, "accountId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateContact(ctx, f.alice, tt.in)
			fieldErr(t, err, tt.field)
		})
	}
	second, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: a.ID, Name: "Two", Email: "two@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	taken := "one@acme.example"
	_, err = f.svc.UpdateContact(ctx, f.alice, second.ID, customer.ContactPatch{Email: &taken})
	fieldErr(t, err, "email")

	changed := "uno@acme.example"
	if _, err := f.svc.UpdateContact(ctx, f.alice, first.ID, customer.ContactPatch{Email: &changed}); err != nil {
		t.Fatal(err)
	}
	// The old address is free again and the new one finds the contact.
	if _, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: "one@acme.example"}); total != 0 {
		t.Error("old email still finds the contact")
	}
	if got, _, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: changed}); len(got) != 1 || got[0].ID != first.ID {
		t.Error("new email does not find the contact")
	}
	if _, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: a.ID, Name: "New One", Email: "one@acme.example"}); err != nil {
		t.Fatalf("freed email cannot be reused: %v", err)
	}
}

func TestDeleteAccountWithContactsIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t, f.alice, "Acme")
	if _, err := f.svc.CreateContact(ctx, f.alice, customer.ContactInput{AccountID: a.ID, Name: "X", Email: "x@acme.example"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteAccount(ctx, f.alice, a.ID); !errors.Is(err, customer.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	empty := f.account(t, f.alice, "Empty")
	if err := f.svc.DeleteAccount(ctx, f.alice, empty.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Account(ctx, f.admin, empty.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Fatal("deleted account still there")
	}
}

func TestImport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	acme := f.account(t, f.alice, "Acme Oy")
	f.account(t, f.bob, "Bob Corp")
	if _, err := f.svc.CreateContact(ctx, f.bob, customer.ContactInput{AccountID: mustAccount(t, f, "Bob Corp"), Name: "B", Email: "b@bob.example"}); err != nil {
		t.Fatal(err)
	}
	file := "\uFEFFName,Email,Account,Locale\n" +
		"Ada Lovelace,ada@acme.example,acme oy,en\n" + // 2 create (account by name, any case)
		"Grace Hopper,grace@acme.example," + acme.ID + ",fi\n" + // 3 create (account by id)
		"Bad Email,not-an-email,Acme Oy,en\n" + // 4 bad email
		"Nobody,nobody@acme.example,Unknown Ltd,en\n" + // 5 unknown account
		"Ada Again,ADA@acme.example,Acme Oy,en\n" + // 6 duplicate in file
		"Klingon,k@acme.example,Acme Oy,tlh\n" + // 7 unknown locale
		",noname@acme.example,Acme Oy,en\n" + // 8 missing name
		"Other,b@bob.example,Acme Oy,en\n" + // 9 another manager's contact
		"\n" +
		"\"Quoted, Name\",quoted@acme.example,Acme Oy,\n" // 11 create, default locale

	preview, err := f.svc.Import(ctx, f.alice, strings.NewReader(file), customer.ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if preview.Created != 3 || preview.Rejected != 6 || len(preview.Preview) != 3 {
		t.Fatalf("preview = %+v", preview)
	}
	if _, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{}); total != 0 {
		t.Fatalf("a dry run wrote %d contacts", total)
	}

	var progress []customer.ImportProgress
	res, err := f.svc.Import(ctx, f.alice, strings.NewReader(file), customer.ImportOptions{ProgressEvery: 2, Progress: func(p customer.ImportProgress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{4: "bad email", 5: "unknown account", 6: "duplicate in file", 7: "unknown locale", 8: "name is required", 9: "cannot be used here"}
	if res.Created != 3 || res.Updated != 0 || len(res.Errors) != len(want) {
		t.Fatalf("result = %+v", res)
	}
	for _, e := range res.Errors {
		if !strings.Contains(e.Error, want[e.Line]) {
			t.Errorf("line %d: %q, want it to mention %q", e.Line, e.Error, want[e.Line])
		}
	}
	if len(progress) < 3 || progress[len(progress)-1].Rows != 9 {
		t.Errorf("progress = %+v, want several reports ending at 9 rows", progress)
	}

	again, err := f.svc.Import(ctx, f.alice, strings.NewReader(file), customer.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 {
		t.Fatalf("re-import changed something: %+v", again)
	}
	changed := strings.Replace(file, "Grace Hopper,grace@acme.example,"+acme.ID+",fi", "Grace B. Hopper,grace@acme.example,"+acme.ID+",sv", 1)
	upd, err := f.svc.Import(ctx, f.alice, strings.NewReader(changed), customer.ImportOptions{})
	if err != nil || upd.Updated != 1 || upd.Unchanged != 2 {
		t.Fatalf("update import = %+v, %v", upd, err)
	}
	got, _, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{Search: "grace@acme.example"})
	if len(got) != 1 || got[0].Name != "Grace B. Hopper" || got[0].Locale != "sv" {
		t.Fatalf("updated contact = %+v", got)
	}
}

func mustAccount(t *testing.T, f fixture, name string) string {
	t.Helper()
	items, _, err := f.svc.ListAccounts(context.Background(), f.admin, name, store.Page{})
	if err != nil || len(items) != 1 {
		t.Fatalf("account %q: %v", name, err)
	}
	return items[0].ID
}

func TestImportRejectsBadFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Acme")
	tests := []struct{ name, file, want string }{
		{"empty", "", "empty"},
		{"missing columns", "name,phone\nA,123\n", "email, account"},
		{"duplicate column", "name,email,account,email\n", "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Import(ctx, f.alice, strings.NewReader(tt.file), customer.ImportOptions{})
			var ve *fault.Error
			if !errors.As(err, &ve) || !strings.Contains(ve.Fields()["file"], tt.want) {
				t.Fatalf("err = %v, want a file error mentioning %q", err, tt.want)
			}
		})
	}
	// Every row bad: nothing imported, a reason for each line.
	var b strings.Builder
	b.WriteString("\uFEFFname,email,account\n") // the BOM says UTF-8, so a Latin-1 row is not valid
	for i := range 20 {
		fmt.Fprintf(&b, "P%d,bad%d,Acme\n", i, i)
	}
	b.WriteString("Latin1,\xe9t\xe9@acme.example,Acme\n")
	res, err := f.svc.Import(ctx, f.alice, strings.NewReader(b.String()), customer.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ve *fault.Error
	if res.Created != 0 || len(res.Errors) != 21 || res.Errors[0].Line != 2 || !strings.Contains(res.Errors[20].Error, "UTF-8") {
		t.Fatalf("result = %+v", res)
	}
	// A bare quote is rejected by line and the file read on; a quote never
	// closed stops the file, which a dry run reports and an import refuses.
	broken := "name,email,account\n" +
		"Ada \"the\" Countess,ada@acme.example,Acme\n" + // 2: a bare quote
		"Grace,grace@acme.example,Acme\n" +
		"\"Unclosed,x@acme.example,Acme\n" // 4: a quote never closed
	res, err = f.svc.Import(ctx, f.alice, strings.NewReader(broken), customer.ImportOptions{DryRun: true})
	if err != nil || res.Created != 1 || len(res.Errors) != 1 || res.Errors[0].Line != 2 ||
		res.File.Error == nil || res.File.Error.Line != 4 {
		t.Fatalf("broken quotes: %+v, %v", res, err)
	}
	if _, err := f.svc.Import(ctx, f.alice, strings.NewReader(broken), customer.ImportOptions{}); !errors.As(err, &ve) ||
		!strings.Contains(ve.Fields()["file"], "line 4: a quote opened here is never closed") {
		t.Fatalf("importing a broken file: %v", err)
	}
	if _, total, _ := f.svc.ListContacts(ctx, f.alice, customer.ContactQuery{}); total != 0 {
		t.Fatalf("a file that does not parse imported %d contacts", total)
	}
	if _, err := f.svc.Import(ctx, f.anna, strings.NewReader("name,email,account\n"), customer.ImportOptions{}); !errors.Is(err, customer.ErrForbidden) {
		t.Fatalf("analyst import err = %v", err)
	}
}

func TestExport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t, f.alice, "Acme")
	for _, in := range []customer.ContactInput{
		{AccountID: a.ID, Name: "Ada", Email: "ada@acme.example"},
		{AccountID: a.ID, Name: "=HYPERLINK(\"x\")", Email: "evil@acme.example", Locale: "de"},
	} {
		if _, err := f.svc.CreateContact(ctx, f.alice, in); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.svc.Export(ctx, f.alice, &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"name,email,account,locale,status,last_surveyed,role\n", "Ada,ada@acme.example,Acme,en,active,,\n", `"'=HYPERLINK(""x"")",evil@acme.example,Acme,de`} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := f.svc.Export(ctx, f.bob, &buf); err != nil || strings.Count(buf.String(), "\n") != 1 {
		t.Fatalf("bob's export = %q, %v", buf.String(), err)
	}
}

func TestImportBounds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ring, err := keys.Generate("b1")
	if err != nil {
		t.Fatal(err)
	}
	svc := customer.New(f.st.Accounts, f.st.Contacts, f.st.Users, seal.New(ring), customer.WithImportLimits(5, 1))
	if _, err := svc.CreateAccount(ctx, f.alice, customer.AccountInput{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	rows := func(n int) string {
		var b strings.Builder
		b.WriteString("name,email,account\n")
		for i := range n {
			fmt.Fprintf(&b, "P %d,p%d@acme.example,Acme\n\n", i, i) // blank lines do not count
		}
		return b.String()
	}

	t.Run("rows", func(t *testing.T) {
		if err := svc.CheckImportFile(strings.NewReader(rows(5))); err != nil {
			t.Errorf("5 rows: %v", err)
		}
		var ve *fault.Error
		if err := svc.CheckImportFile(strings.NewReader(rows(6))); !errors.As(err, &ve) || !strings.Contains(ve.Fields()["file"], "more than 5") {
			t.Errorf("6 rows: %v", err)
		}
		if _, err := svc.Import(ctx, f.alice, strings.NewReader(rows(6)), customer.ImportOptions{DryRun: true}); !errors.As(err, &ve) {
			t.Errorf("a dry run of 6 rows: %v", err)
		}
		if res, err := svc.Import(ctx, f.alice, strings.NewReader(rows(5)), customer.ImportOptions{DryRun: true}); err != nil || res.Created != 5 {
			t.Errorf("a dry run of 5 rows: %+v, %v", res, err)
		}
	})

	t.Run("slots", func(t *testing.T) {
		// Alice's import holds the one slot while its file arrives.
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			_, err := svc.Import(ctx, f.alice, pr, customer.ImportOptions{DryRun: true})
			done <- err
		}()
		// The write returns once the import reads, after it took the slot.
		if _, err := io.WriteString(pw, "name,email,account\n"); err != nil {
			t.Fatal(err)
		}
		for _, u := range []store.User{f.alice, f.admin} {
			if _, err := svc.Import(ctx, u, strings.NewReader(rows(1)), customer.ImportOptions{DryRun: true}); !errors.Is(err, customer.ErrBusy) {
				t.Errorf("%s while the slot is taken: %v, want ErrBusy", u.ID, err)
			}
		}
		waited := make(chan error, 1)
		go func() {
			_, err := svc.Import(ctx, f.admin, strings.NewReader(rows(1)), customer.ImportOptions{DryRun: true, Wait: true})
			waited <- err
		}()
		select {
		case err := <-waited:
			t.Fatalf("a waiting import ran while the slot was taken: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		pw.Close()
		if err := <-done; err != nil {
			t.Fatalf("the first import: %v", err)
		}
		if err := <-waited; err != nil {
			t.Fatalf("the waiting import: %v", err)
		}
		// Slots are given back.
		if _, err := svc.Import(ctx, f.alice, strings.NewReader(rows(1)), customer.ImportOptions{DryRun: true}); err != nil {
			t.Errorf("after both: %v", err)
		}
	})
}
