package staff

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/web/csvfile"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// Importing contacts from the pages takes three steps, none of which needs
// JavaScript: upload a file and see its preview; confirm, which starts the
// import in the background; watch its progress on a page that reloads
// itself until the import ends.

type importForm struct {
	Error    string
	MaxMB    int
	Locales  []localeOption
	Accounts int // how many accounts the user may import into
}

// ImportPage shows the upload form and the expected format.
func (s *Pages) ImportPage(c *fiber.Ctx) error {
	return s.renderImportForm(c, fiber.StatusOK, "")
}

func (s *Pages) renderImportForm(c *fiber.Ctx, status int, msg string) error {
	accounts, err := s.customers.VisibleAccounts(c.UserContext(), identity.Actor(c))
	if err != nil {
		return err
	}
	form := importForm{Error: msg, MaxMB: MaxImportBytes >> 20, Locales: localeOptions(), Accounts: len(accounts)}
	return s.views.Render(c, status, "contacts_import", "Import contacts", form)
}

// ImportUpload keeps the uploaded file and shows its preview. The preview
// has its own address, so reloading it does not upload the file again.
func (s *Pages) ImportUpload(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderImportForm(c, fiber.StatusBadRequest, "Choose a CSV file to upload.")
	}
	if fh.Size == 0 {
		return s.renderImportForm(c, fiber.StatusBadRequest, "The file is empty. Choose a CSV file with a header row and one row per contact.")
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("web: open upload: %w", err)
	}
	defer f.Close()

	job, err := s.customers.StageImport(c.UserContext(), identity.Actor(c), f, fh.Filename)
	if p := problem.WithFields(err); p != nil {
		return s.renderImportForm(c, p.Status, problem.Sentence(p.Fields["file"]))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/contacts/import/"+url.PathEscape(job.ID), fiber.StatusSeeOther)
}

// importIssues splits a report's rejected rows into those a page lists,
// those only the CSV report lists, and those no report lists.
type importIssues struct {
	Shown    []customer.ImportIssue
	InReport int
	Unlisted int
}

func issuesOf(job customer.ImportJob) importIssues {
	shown := job.Errors[:min(len(job.Errors), issuesShown)]
	return importIssues{Shown: shown, InReport: len(job.Errors) - len(shown), Unlisted: job.UnlistedErrors()}
}

type importPreview struct {
	Job      customer.ImportJob
	ToImport int // rows to create or update
	Issues   importIssues
}

type importProgress struct {
	Job       customer.ImportJob
	Total     int
	Percent   int
	Running   bool // the page reloads itself while true
	Issues    importIssues
	Elapsed   string
	SilentFor string // how long an interrupted import has not reported
}

// ImportJobPage shows a staged import's preview, or a started one's
// progress and, once it ended, its report.
func (s *Pages) ImportJobPage(c *fiber.Ctx) error {
	job, err := s.customers.ImportJob(c.UserContext(), identity.Actor(c), input.Param(c, "job"))
	if err != nil {
		return err
	}
	if job.State == customer.ImportStaged {
		page := importPreview{Job: job, ToImport: job.Preview.Created + job.Preview.Updated, Issues: issuesOf(job)}
		return s.views.Render(c, fiber.StatusOK, "contacts_import_preview", "Check the import", page)
	}

	now := time.Now()
	page := importProgress{Job: job, Total: job.Preview.Rows, Running: job.State == customer.ImportRunning, Issues: issuesOf(job)}
	if page.Total > 0 {
		page.Percent = min(100, job.Progress.Rows*100/page.Total)
	}
	if job.StartedAt != nil {
		end := now
		if job.FinishedAt != nil {
			end = *job.FinishedAt
		}
		page.Elapsed = duration(end.Sub(*job.StartedAt))
	}
	if job.State == customer.ImportInterrupted {
		page.SilentFor = duration(now.Sub(job.UpdatedAt))
	}
	title := "Importing contacts"
	if !page.Running {
		title = "Contact import"
	}
	return s.views.Render(c, fiber.StatusOK, "contacts_import_job", title, page)
}

// duration reads well on a page: "less than a minute", "4m", "1h12m".
func duration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	return strings.TrimSuffix(d.Truncate(time.Minute).String(), "0s")
}

// ImportStart starts a previewed import and shows its progress. A file
// that cannot be imported shows its preview again, which says why.
func (s *Pages) ImportStart(c *fiber.Ctx) error {
	ctx, who, id := c.UserContext(), identity.Actor(c), input.Param(c, "job")
	job, err := s.customers.StartImport(ctx, who, id)
	if p := problem.WithFields(err); p != nil {
		staged, jerr := s.customers.ImportJob(ctx, who, id)
		if jerr != nil {
			return jerr
		}
		page := importPreview{Job: staged, ToImport: staged.Preview.Created + staged.Preview.Updated, Issues: issuesOf(staged)}
		return s.views.Render(c, p.Status, "contacts_import_preview", "Check the import", page)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/contacts/import/"+url.PathEscape(job.ID), fiber.StatusSeeOther)
}

// ImportErrors downloads every rejected row of a preview or an import.
func (s *Pages) ImportErrors(c *fiber.Ctx) error {
	job, err := s.customers.ImportJob(c.UserContext(), identity.Actor(c), input.Param(c, "job"))
	if err != nil {
		return err
	}
	records := [][]string{{"line", "error"}}
	for _, e := range job.Errors {
		records = append(records, []string{strconv.Itoa(e.Line), e.Error})
	}
	if n := job.UnlistedErrors(); n > 0 {
		records = append(records, []string{"", fmt.Sprintf("… and %d more rejected rows, not listed", n)})
	}
	return csvfile.Send(c, "import-errors.csv", records)
}

// ImportTemplate downloads a file to fill in, its example rows naming the
// user's own accounts where there are some.
func (s *Pages) ImportTemplate(c *fiber.Ctx) error {
	accounts, err := s.customers.VisibleAccounts(c.UserContext(), identity.Actor(c))
	if err != nil {
		return err
	}
	first, second := "Acme Oy", "Acme Oy"
	if len(accounts) > 0 {
		first, second = accounts[0].Name, accounts[0].Name
	}
	if len(accounts) > 1 {
		second = accounts[1].Name
	}
	return csvfile.Send(c, "contacts-template.csv", [][]string{
		{"name", "email", "account", "locale", "role"},
		{"Ada Lovelace", "ada.lovelace@example.com", first, "en", "decision maker"},
		{"Aino Virtanen", "aino.virtanen@example.com", second, "fi", ""},
	})
}
