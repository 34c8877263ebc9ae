package api

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// ListContacts returns a page of the caller's contacts:
// ?accountId=…&search=…&role=…&offset=0&limit=50. A search containing "@"
// finds one exact email; anything else matches part of a name. role keeps
// one role's contacts, or with "none" those without a role.
func (s *API) ListContacts(c *fiber.Ctx) error {
	fields := map[string]string{}
	p := apiPage(c, fields)
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}

	items, total, err := s.customers.ListContacts(c.UserContext(), identity.Actor(c), customer.ContactQuery{
		AccountID: utils.CopyString(c.Query("accountId")),
		Search:    utils.CopyString(c.Query("search")),
		Role:      utils.CopyString(c.Query("role")),
		Page:      p,
	})
	if err != nil {
		return err
	}
	if items == nil {
		items = []customer.Contact{}
	}
	return c.JSON(ListJSON[customer.Contact]{Items: items, Total: total, Offset: p.Offset, Limit: p.Limit})
}

// CreateContact adds a contact to one of the caller's accounts.
func (s *API) CreateContact(c *fiber.Ctx) error {
	var in customer.ContactInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}

	ct, err := s.customers.CreateContact(c.UserContext(), identity.Actor(c), in)
	if err != nil {
		return err
	}

	c.Location("/api/v1/contacts/" + ct.ID)
	return c.Status(fiber.StatusCreated).JSON(ct)
}

// Contact returns one contact; another manager's is not found.
func (s *API) Contact(c *fiber.Ctx) error {
	ct, err := s.customers.Contact(c.UserContext(), identity.Actor(c), input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

// UpdateContact changes the fields present in the body.
func (s *API) UpdateContact(c *fiber.Ctx) error {
	var patch customer.ContactPatch
	if err := decodeJSON(c, &patch); err != nil {
		return err
	}
	if patch == (customer.ContactPatch{}) {
		return problem.BadRequest("nothing to change: give accountId, name, email, locale or role", nil)
	}

	ct, err := s.customers.UpdateContact(c.UserContext(), identity.Actor(c), input.Param(c, "id"), patch)
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

// ImportJSON is the outcome of an import, or with dryRun of its preview.
type ImportJSON struct {
	Rows      int                    `json:"rows"`
	Created   int                    `json:"created"`
	Updated   int                    `json:"updated"`
	Unchanged int                    `json:"unchanged"`
	Rejected  int                    `json:"rejected"`
	File      ImportFileJSON         `json:"file"`
	Errors    []customer.ImportIssue `json:"errors"`
	DryRun    bool                   `json:"dryRun"`
	Preview   []customer.PreviewRow  `json:"preview,omitzero"` // dry runs only
}

// ImportFileJSON is what the file was found to be, with its lines
// accounted for in words as the preview page shows them.
type ImportFileJSON struct {
	customer.ImportFile
	Importable  bool   `json:"importable"`
	LineSummary string `json:"lineSummary"`
}

// importCharsets are the charset parameters a text/csv body may carry; the
// encoding is found from the bytes either way.
var importCharsets = []string{"utf-8", "utf-16", "utf-16le", "utf-16be", "windows-1252", "cp1252"}

// ImportContacts imports a contacts CSV sent as the body (text/csv) or
// as the form field "file" (multipart/form-data), up to maxImportBytes.
// Valid rows are imported and invalid ones reported by line; a file that
// does not parse to its end (a quote never closed) imports nothing and is
// a 400. ?dryRun=true reports what would happen and writes nothing, and
// for a file that does not parse says where in file.error.
func (s *API) ImportContacts(c *fiber.Ctx) error {
	dryRun := false
	if raw := c.Query("dryRun"); raw != "" {
		v, err := strconv.ParseBool(raw)
		if err != nil {
			return problem.BadRequest("invalid input", map[string]string{"dryRun": "must be true or false"})
		}
		dryRun = v
	}
	mediaType, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil {
		return unsupportedImport("send the file as text/csv, or as the field \"file\" of multipart/form-data")
	}

	var src io.ReadSeeker
	switch mediaType {
	case "text/csv":
		if cs, ok := params["charset"]; ok && !slices.Contains(importCharsets, strings.ToLower(cs)) {
			return unsupportedImport("the file must be UTF-8, UTF-16 or Windows-1252")
		}
		src = bytes.NewReader(c.Request().Body())
	case fiber.MIMEMultipartForm:
		fh, err := c.FormFile("file")
		if err != nil {
			return problem.BadRequest("invalid input", map[string]string{"file": "is required: send the CSV as the form field \"file\""})
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	default:
		return unsupportedImport("send the file as text/csv, or as the field \"file\" of multipart/form-data")
	}
	res, err := s.customers.Import(c.UserContext(), identity.Actor(c), src, customer.ImportOptions{DryRun: dryRun})
	if err != nil {
		return err
	}

	out := ImportJSON{Rows: res.Rows, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged,
		Rejected: res.Rejected, Errors: res.Errors, DryRun: dryRun,
		File: ImportFileJSON{ImportFile: res.File, Importable: res.File.Importable(), LineSummary: res.File.LineSummary()}}
	if out.Errors == nil {
		out.Errors = []customer.ImportIssue{}
	}
	if dryRun {
		out.Preview = append(make([]customer.PreviewRow, 0, len(res.Preview)), res.Preview...)
	}
	return c.JSON(out)
}

func unsupportedImport(msg string) *problem.Problem {
	return &problem.Problem{Status: fiber.StatusUnsupportedMediaType, Msg: msg}
}

// ExportContacts streams the caller's contacts as a CSV attachment. The export
// writes into a pipe that the response reads: the file is never held
// whole. Until the first bytes arrive nothing is sent, so an export that
// fails at once still gets a proper error; one that fails later cuts the
// response short, which the client sees as an incomplete download.
func (s *API) ExportContacts(c *fiber.Ctx) error {
	ctx, who := c.UserContext(), identity.Actor(c)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.customers.Export(ctx, who, pw)) }()

	body := bufio.NewReaderSize(pr, 32<<10)
	if _, err := body.Peek(1); err != nil && !errors.Is(err, io.EOF) {
		pr.Close()
		return err
	}
	c.Attachment("contacts-" + time.Now().UTC().Format(time.DateOnly) + ".csv")
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	// fasthttp closes the stream when the response ends, however it ends;
	// closing the pipe then stops an export whose reader went away.
	return c.SendStream(ReadCloser{body, pr})
}

type ReadCloser struct {
	io.Reader
	io.Closer
}
