package customer_test

import (
	"context"
	"errors"
	"fmt"
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
)

// withJobs is the fixture's service able to run background imports, over
// contacts (the fixture's store when nil).
func (f fixture) withJobs(t *testing.T, contacts customer.Contacts) *customer.Service {
	t.Helper()
	ring, err := keys.Generate("t1")
	if err != nil {
		t.Fatal(err)
	}
	if contacts == nil {
		contacts = f.st.Contacts
	}
	return customer.New(f.st.Accounts, contacts, f.st.Users, seal.New(ring), customer.WithImportJobs(f.st.Uploads, f.st.Imports, nil))
}

// waitForJob polls an import until it no longer runs.
func waitForJob(t *testing.T, svc *customer.Service, actor store.User, id string) customer.ImportJob {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		job, err := svc.ImportJob(context.Background(), actor, id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State != customer.ImportRunning {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still runs after a minute", id)
		}
	}
}

// plainText fails the test if any document of the collections holds one
// of the secrets in plain text.
func (f fixture) plainText(t *testing.T, collections []string, secrets ...string) {
	t.Helper()
	ctx := context.Background()
	for _, coll := range collections {
		cur, err := f.st.DB().Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			raw := strings.ToLower(d.String())
			for _, s := range secrets {
				if strings.Contains(raw, s) {
					t.Errorf("a %s document holds %q in plain text", coll, s)
				}
			}
		}
	}
}

func TestBackgroundImport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Acme")
	svc := f.withJobs(t, nil)

	// A file of two chunks, its last row with a stray quote.
	var b strings.Builder
	b.WriteString("name,email,account\n")
	pad := strings.Repeat("x", 150) // long names: more bytes, fewer rows to import
	for i := range 3_000 {
		fmt.Fprintf(&b, "Ada Lovelace %d %s,ada%d@lovelace.example,Acme\n", i, pad, i)
	}
	b.WriteString("Bro\"ken,broken@lovelace.example,Acme\n")
	file := b.String()

	job, err := svc.StageImport(ctx, f.alice, strings.NewReader(file), `C:\Users\alice\contacts.csv`)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != customer.ImportStaged || job.FileName != "contacts.csv" || job.Size != int64(len(file)) ||
		job.Preview.Created != 3_000 || job.Preview.Rejected != 1 || len(job.PreviewRows) == 0 || len(job.Errors) != 1 {
		t.Fatalf("staged = %+v", job)
	}
	if n, _ := f.st.DB().Collection("uploads").CountDocuments(ctx, bson.D{}); n != 2 {
		t.Errorf("the file is kept in %d chunks, want 2", n)
	}
	f.plainText(t, []string{"uploads", "imports"}, "lovelace")

	if _, err := svc.ImportJob(ctx, f.bob, job.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("another manager sees the upload: %v", err)
	}
	if _, err := svc.StartImport(ctx, f.bob, job.ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("another manager starts the upload: %v", err)
	}
	if _, err := svc.StageImport(ctx, f.anna, strings.NewReader(file), "x.csv"); !errors.Is(err, customer.ErrForbidden) {
		t.Errorf("an analyst staged an import: %v", err)
	}

	started, err := svc.StartImport(ctx, f.alice, job.ID)
	if err != nil || started.State != customer.ImportRunning {
		t.Fatalf("StartImport = %+v, %v", started, err)
	}
	done := waitForJob(t, svc, f.alice, job.ID)
	if done.State != customer.ImportDone || done.Progress.Created != 3_000 || done.Progress.Rejected != 1 ||
		done.Progress.Rows != job.Preview.Rows || len(done.Errors) != 1 || done.Errors[0].Line != 3_002 || done.PreviewRows != nil {
		t.Fatalf("done = %+v", done)
	}
	if n, _ := f.st.DB().Collection("uploads").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d chunks of the imported file left", n)
	}
	f.plainText(t, []string{"uploads", "imports"}, "lovelace")

	// A second confirmation changes nothing.
	again, err := svc.StartImport(ctx, f.alice, job.ID)
	if err != nil || again.State != customer.ImportDone {
		t.Errorf("second StartImport = %+v, %v", again.State, err)
	}
}

// A file that stops parsing is previewed with where it stops, and cannot
// be imported, not even the rows before that line.
func TestStagedImportOfAFileThatDoesNotParse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Acme")
	svc := f.withJobs(t, nil)
	file := "name,email,account\n" +
		"Ada,ada@acme.example,Acme\n" +
		"\"Grace,grace@acme.example,Acme\n" + // line 3: never closed
		"Hans,hans@acme.example,Acme\n" +
		"Søren,soren@acme.example,Acme\n"
	job, err := svc.StageImport(ctx, f.alice, strings.NewReader(file), "broken.csv")
	if err != nil {
		t.Fatal(err)
	}
	if job.File.Error == nil || job.File.Error.Line != 3 || job.File.Error.Error != "line 3: a quote opened here is never closed" ||
		job.File.Lines != 4 || job.File.Rows != 1 || job.File.NotRead != 3 {
		t.Fatalf("staged file = %+v", job.File)
	}
	if got := job.File.LineSummary(); got != "4 lines hold 1 row: 3 lines from line 3 on could not be read." {
		t.Errorf("summary = %q", got)
	}
	_, err = svc.StartImport(ctx, f.alice, job.ID)
	var ve *fault.Error
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields()["file"], "line 3: a quote opened here is never closed") {
		t.Fatalf("StartImport = %v, want the file refused", err)
	}
	if again, err := svc.ImportJob(ctx, f.alice, job.ID); err != nil || again.State != customer.ImportStaged {
		t.Fatalf("after the refusal: %+v, %v", again, err)
	}
	if _, total, _ := svc.ListContacts(ctx, f.alice, customer.ContactQuery{}); total != 0 {
		t.Fatalf("%d contacts imported from a file that does not parse", total)
	}
}

func TestStageImportRejectsBadFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Acme")
	svc := f.withJobs(t, nil)
	_, err := svc.StageImport(ctx, f.alice, strings.NewReader("name,phone\nA,1\n"), "x.csv")
	fieldErr(t, err, "file")
	if n, _ := f.st.DB().Collection("uploads").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("a refused file left %d chunks", n)
	}
	if n, _ := f.st.DB().Collection("imports").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("a refused file left %d imports", n)
	}
	// Without somewhere to keep files, staging fails instead of losing them.
	if _, err := f.svc.StageImport(ctx, f.alice, strings.NewReader("name,email,account\n"), "x.csv"); err == nil {
		t.Error("StageImport without import jobs succeeded")
	}
}

// panickingContacts is a contacts store whose batch insert panics.
type panickingContacts struct{ *contacts.Repo }

func (panickingContacts) InsertMany(context.Context, []contacts.Contact) ([]error, error) {
	panic("boom")
}

func TestBackgroundImportSurvivesAPanic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.account(t, f.alice, "Acme")
	svc := f.withJobs(t, panickingContacts{f.st.Contacts})

	job, err := svc.StageImport(ctx, f.alice, strings.NewReader("name,email,account\nAda,ada@acme.example,Acme\n"), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartImport(ctx, f.alice, job.ID); err != nil {
		t.Fatal(err)
	}
	done := waitForJob(t, svc, f.alice, job.ID)
	if done.State != customer.ImportFailed || !strings.Contains(done.Failure, "unexpected error") {
		t.Fatalf("after a panic: %+v", done)
	}
}
