package customer

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/csvin"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// ImportIssue is a rejected row.
type ImportIssue struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// ImportAction says what an import does with a row.
type ImportAction string

// Import actions shown in a preview.
const (
	ActionCreate ImportAction = "create"
	ActionUpdate ImportAction = "update"
)

// PreviewRow is a row a dry run would create or update.
type PreviewRow struct {
	Line    int          `json:"line"`
	Action  ImportAction `json:"action"`
	Name    string       `json:"name"`
	Email   string       `json:"email"`
	Account string       `json:"account"`
	Locale  string       `json:"locale"`
	Role    string       `json:"role"`
}

// RoleLabel names the row's role for people.
func (p PreviewRow) RoleLabel() string { return RoleLabel(contacts.Role(p.Role)) }

// ImportProgress is reported while an import runs.
type ImportProgress struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
}

// ImportResult is the outcome of an import or of its preview.
type ImportResult struct {
	ImportProgress
	File    ImportFile    `json:"file"`
	Errors  []ImportIssue `json:"errors"`
	Preview []PreviewRow  `json:"preview,omitempty"` // dry runs only
	DryRun  bool          `json:"dryRun"`
}

// ImportOptions control an import.
type ImportOptions struct {
	DryRun        bool                 // validate and report, write nothing
	Wait          bool                 // wait for an import slot instead of failing with ErrBusy
	Progress      func(ImportProgress) // called every ProgressEvery rows and at the end
	ProgressEvery int                  // default 500
	PreviewRows   int                  // rows kept in a dry run's preview; default 100
}

// Default bounds of imports (WithImportLimits): a file of more rows is
// refused whole (split it), and a process reads at most
// MaxConcurrentImports files at once, one per user; more answer ErrBusy.
// A row takes about a quarter of a millisecond to look up, so the largest
// file holds a request for about half a minute.
const (
	MaxImportRows        = 100_000
	MaxConcurrentImports = 2
)

// WithImportLimits sets how many rows one file may have and how many
// files the process reads at once.
func WithImportLimits(rows, concurrent int) Option {
	return func(s *Service) {
		s.maxImportRows = max(rows, 1)
		s.importSlots = make(chan struct{}, max(concurrent, 1))
	}
}

// Columns of a contacts CSV file; the first three are required.
var importColumns = []string{"name", "email", "account", "locale", "role"}

// Every valid row costs a look-up by email and every new contact two
// writes. One at a time, that made a 50,000-row file take minutes on the
// embedded database; so rows are looked up lookupWindow at a time by
// lookupWorkers concurrent readers (reads need not wait for one another),
// and new contacts are written importBatch at a time.
const (
	lookupWindow  = 256
	lookupWorkers = 8
	importBatch   = 500
)

// importer holds one run's state: the accounts in scope, the emails seen
// so far (for duplicates within the file) and the new contacts not yet
// written. Rows are streamed, never held beyond one batch.
type importer struct {
	s        *Service
	actor    store.User
	opts     ImportOptions
	byID     map[string]store.Account
	byName   map[string]store.Account
	seen     map[string]int // normalised email → first line
	col      map[string]int
	res      ImportResult
	window   []pendingRow
	pending  []pendingContact
	reported int // Rows at the last progress report
}

// pendingRow is a valid row waiting for its contact to be looked up.
type pendingRow struct {
	line        int
	in          ContactInput
	localeGiven bool
	roleGiven   bool
	account     store.Account
	existing    contacts.Contact
	lookupErr   error // store.ErrNotFound for a new contact
}

// pendingContact is a new contact waiting for its batch to be written.
type pendingContact struct {
	line    int
	contact contacts.Contact
}

// Import reads a contacts CSV (header row; columns name, email, account
// (name or id), locale, role; in any encoding and delimiter csvin reads)
// and creates or updates contacts in the accounts the actor manages.
// Valid rows are imported, invalid ones reported by line; importing the
// same file again changes nothing. A file that does not parse to its end
// imports nothing: a real import reads it through first, so r must be an
// io.ReadSeeker then.
func (s *Service) Import(ctx context.Context, actor store.User, r io.Reader, opts ImportOptions) (ImportResult, error) {
	f, err := scope(actor)
	if err != nil {
		return ImportResult{}, err
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 500
	}
	if opts.PreviewRows <= 0 {
		opts.PreviewRows = 100
	}
	release, err := s.importSlot(ctx, actor.ID, opts.Wait)
	if err != nil {
		return ImportResult{}, err
	}
	defer release()
	accounts, err := s.accounts.All(ctx, f)
	if err != nil {
		return ImportResult{}, fmt.Errorf("customer: %w", err)
	}
	im := &importer{s: s, actor: actor, opts: opts, byID: map[string]store.Account{}, byName: map[string]store.Account{},
		seen: map[string]int{}, res: ImportResult{DryRun: opts.DryRun, Errors: []ImportIssue{}}}
	for _, a := range accounts {
		im.byID[a.ID] = a
		im.byName[a.NameKey] = a
	}

	if !opts.DryRun {
		// Nothing is written from a file that does not parse to its end, so
		// it is read through once before anything is.
		rs, ok := r.(io.ReadSeeker)
		if !ok {
			return ImportResult{}, errors.New("customer: an import reads its file twice and needs an io.ReadSeeker")
		}
		if err := s.CheckImportFile(rs); err != nil {
			return ImportResult{}, err
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return ImportResult{}, fmt.Errorf("customer: read import again: %w", err)
		}
	}
	cr, err := openImportFile(r)
	if err != nil {
		return ImportResult{}, err
	}
	if err := im.readHeader(cr.Header().Fields); err != nil {
		return ImportResult{}, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return im.res, fmt.Errorf("customer: import stopped after %d rows: %w", im.res.Rows, err)
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csvin.ParseError
		if errors.As(err, &pe) {
			// A dry run says why nothing can be imported; a real import
			// read the file through first, so it got here only if the file
			// changed between the two readings.
			im.res.File.Error = &ImportIssue{Line: pe.Line, Error: pe.Error()}
			if !opts.DryRun {
				return im.res, fmt.Errorf("customer: the file changed while it was imported: %w", pe)
			}
			break
		}
		if err != nil {
			return im.res, fmt.Errorf("customer: read import: %w", err)
		}
		if rec.Blank() {
			continue
		}
		if cr.Counts().Rows > s.maxImportRows {
			// A real import checked the size first, so only a dry run gets
			// here; it has written nothing.
			return ImportResult{}, tooManyRows(s.maxImportRows)
		}
		if rec.Problem != "" {
			im.reject(rec.Line, rec.Problem)
			continue
		}
		if err := im.row(ctx, rec.Line, rec.Fields); err != nil {
			return im.res, err
		}
	}
	im.res.File.read(cr)
	if err := im.resolve(ctx); err != nil {
		return im.res, err
	}
	if err := im.flush(ctx); err != nil {
		return im.res, err
	}
	// Rows rejected once looked up or written come after later lines.
	slices.SortStableFunc(im.res.Errors, func(a, b ImportIssue) int { return cmp.Compare(a.Line, b.Line) })
	im.report()
	return im.res, nil
}

func tooManyRows(limit int) error {
	return invalid(map[string]string{"file": fmt.Sprintf("has more than %d contacts; split it into files of at most %d rows and import them one after another", limit, limit)})
}

// CheckImportFile refuses, before anything is written, a file that one
// import cannot take whole: one without the columns, of more rows than
// an import takes, or that stops parsing (a quote never closed). It only
// parses the CSV; rows with bad values are the import's to report.
func (s *Service) CheckImportFile(r io.Reader) error {
	cr, err := openImportFile(r)
	if err != nil {
		return err
	}
	im := &importer{}
	if err := im.readHeader(cr.Header().Fields); err != nil {
		return err
	}
	for {
		rec, err := cr.Read()
		var pe *csvin.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &pe):
			return invalid(map[string]string{"file": pe.Error() + "; nothing was imported: correct the file and import it again"})
		case err != nil:
			return fmt.Errorf("customer: read import: %w", err)
		}
		if !rec.Blank() && cr.Counts().Rows > s.maxImportRows {
			return tooManyRows(s.maxImportRows)
		}
	}
}

// openImportFile opens a contacts file and reads its header.
func openImportFile(r io.Reader) (*csvin.Reader, error) {
	cr, err := csvin.Open(r, func(header []string) bool {
		cols := headerColumns(header)
		for _, c := range importColumns[:3] {
			if _, ok := cols[c]; !ok {
				return false
			}
		}
		return true
	})
	var pe *csvin.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return nil, invalid(map[string]string{"file": "the file is empty; the first line must name the columns name, email, account, locale, role"})
	case errors.As(err, &pe):
		return nil, invalid(map[string]string{"file": "the header row is not valid CSV: " + pe.Error()})
	case err != nil:
		return nil, fmt.Errorf("customer: read import: %w", err)
	}
	return cr, nil
}

// headerColumns maps the columns a header names to their positions; a
// name given twice maps to -1.
func headerColumns(header []string) map[string]int {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "accountid" || h == "account_id" {
			h = "account"
		}
		if _, dup := cols[h]; dup {
			i = -1
		}
		cols[h] = i
	}
	return cols
}

// importSlot takes one of the process's import slots for userID, waiting
// for it when wait is set; release gives it back.
func (s *Service) importSlot(ctx context.Context, userID string, wait bool) (release func(), err error) {
	if !wait {
		s.mu.Lock()
		busy := s.importing[userID]
		if !busy {
			s.importing[userID] = true
		}
		s.mu.Unlock()
		if busy {
			return nil, ErrBusy.Becausef("one of your imports is being read; wait until it is done")
		}
		select {
		case s.importSlots <- struct{}{}:
		default:
			s.mu.Lock()
			delete(s.importing, userID)
			s.mu.Unlock()
			return nil, ErrBusy.Becausef("other imports are being read; try again in a minute")
		}
		return func() {
			<-s.importSlots
			s.mu.Lock()
			delete(s.importing, userID)
			s.mu.Unlock()
		}, nil
	}
	select {
	case s.importSlots <- struct{}{}:
		return func() { <-s.importSlots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("customer: waiting for an import slot: %w", ctx.Err())
	}
}

func (im *importer) readHeader(header []string) error {
	im.col = headerColumns(header)
	for _, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "accountid" || h == "account_id" {
			h = "account"
		}
		if im.col[h] < 0 {
			return invalid(map[string]string{"file": fmt.Sprintf("the column %q appears twice in the header", h)})
		}
	}
	var missing []string
	for _, c := range importColumns[:3] {
		if _, ok := im.col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return invalid(map[string]string{"file": fmt.Sprintf("the header row lacks the column(s) %s; expected name, email, account and optionally locale and role",
			strings.Join(missing, ", "))})
	}
	return nil
}

func (im *importer) field(rec []string, name string) string {
	i, ok := im.col[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (im *importer) reject(line int, msg string) {
	im.res.Rejected++
	im.res.Rows++
	im.res.Errors = append(im.res.Errors, ImportIssue{Line: line, Error: msg})
	im.tick()
}

// tick reports progress every ProgressEvery rows. Rows are counted once
// written, so a batch advances the count by many at once.
func (im *importer) tick() {
	if im.opts.Progress != nil && im.res.Rows-im.reported >= im.opts.ProgressEvery {
		im.progress()
	}
}

// report reports the final counts, unless tick just did.
func (im *importer) report() {
	if im.opts.Progress != nil && (im.res.Rows != im.reported || im.res.Rows == 0) {
		im.progress()
	}
}

func (im *importer) progress() {
	im.reported = im.res.Rows
	im.opts.Progress(im.res.ImportProgress)
}

// row validates one record and queues it to be looked up and applied;
// only infrastructure errors stop the import.
func (im *importer) row(ctx context.Context, line int, rec []string) error {
	for _, v := range rec {
		if !utf8.ValidString(v) {
			// The file read as UTF-8 up to here; this row is in another encoding.
			im.reject(line, "not valid UTF-8, unlike the lines before it; save the whole file as UTF-8")
			return nil
		}
	}
	in := ContactInput{Name: im.field(rec, "name"), Email: im.field(rec, "email"), Locale: im.field(rec, "locale"), Role: im.field(rec, "role")}
	accountRef := im.field(rec, "account")
	// An empty cell leaves a contact's locale and role as they are.
	localeGiven, roleGiven := in.Locale != "", in.Role != ""

	fields := checkContact(&in)
	account, ok := im.byID[accountRef]
	if !ok {
		account, ok = im.byName[store.FoldName(accountRef)]
	}
	switch {
	case fields["email"] != "":
		im.reject(line, "bad email: "+displayEmail(in.Email)+" "+fields["email"])
		return nil
	case fields["name"] != "":
		im.reject(line, "name "+fields["name"])
		return nil
	case accountRef == "":
		im.reject(line, "account is required")
		return nil
	case !ok:
		im.reject(line, fmt.Sprintf("unknown account %q", accountRef))
		return nil
	case fields["locale"] != "":
		im.reject(line, "unknown locale: "+fields["locale"])
		return nil
	case fields["role"] != "":
		im.reject(line, fmt.Sprintf("unknown role %q: give %s, or leave it empty", displayRole(in.Role), roleChoices()))
		return nil
	}
	if first, dup := im.seen[in.Email]; dup {
		im.reject(line, fmt.Sprintf("duplicate in file: the same email is on line %d", first))
		return nil
	}
	im.seen[in.Email] = line
	in.AccountID = account.ID

	im.window = append(im.window, pendingRow{line: line, in: in, localeGiven: localeGiven, roleGiven: roleGiven, account: account})
	if len(im.window) < lookupWindow {
		return nil
	}
	return im.resolve(ctx)
}

// resolve looks up the contacts of the queued rows concurrently, then
// applies the rows in file order. No two queued rows share an email, so
// applying one cannot change what another's look-up finds.
func (im *importer) resolve(ctx context.Context) error {
	rows := im.window
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(lookupWorkers, len(rows)) {
		wg.Go(func() {
			for i := range next {
				rows[i].existing, rows[i].lookupErr = im.s.contacts.ByEmailIndex(ctx, im.s.sealer.BlindIndexes(rows[i].in.Email)...)
			}
		})
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range rows {
		if err := im.apply(ctx, rows[i]); err != nil {
			return err
		}
	}
	im.window = im.window[:0]
	return nil
}

// apply creates, updates or leaves the contact of a looked-up row.
func (im *importer) apply(ctx context.Context, r pendingRow) error {
	line, in, account, existing := r.line, r.in, r.account, r.existing
	switch {
	case errors.Is(r.lookupErr, store.ErrNotFound):
		return im.create(ctx, line, in, account)
	case r.lookupErr != nil:
		return fmt.Errorf("customer: import line %d: %w", line, r.lookupErr)
	}
	// Another manager's contact is refused in the words an add or an edit
	// uses, before anything else about it shows.
	if _, mine := im.byID[existing.AccountID]; !mine {
		im.reject(line, EmailUnavailable)
		return nil
	}
	if existing.Status == contacts.Erased {
		im.reject(line, "this person's data was erased at their request; they cannot be imported again")
		return nil
	}
	cur, err := im.s.open(existing)
	if err != nil {
		return err
	}
	if !r.localeGiven {
		in.Locale = cur.Locale
	}
	if !r.roleGiven {
		in.Role = string(cur.Role)
	}
	if cur.Name == in.Name && cur.AccountID == in.AccountID && cur.Locale == in.Locale && string(cur.Role) == in.Role {
		im.res.Unchanged++
		im.res.Rows++
		im.tick()
		return nil
	}
	if im.opts.DryRun {
		im.preview(line, ActionUpdate, in, account)
	} else if _, err := im.s.replace(ctx, existing, in); err != nil {
		if fe, ok := fault.As(err); ok && fe.Fields() != nil {
			im.reject(line, fe.Error())
			return nil
		}
		if errors.Is(err, errChanged) {
			im.reject(line, "the contact changed while it was imported; import the file again")
			return nil
		}
		return err
	}
	im.res.Updated++
	im.res.Rows++
	im.tick()
	return nil
}

func (im *importer) create(ctx context.Context, line int, in ContactInput, account store.Account) error {
	if im.opts.DryRun {
		im.preview(line, ActionCreate, in, account)
		im.res.Created++
		im.res.Rows++
		im.tick()
		return nil
	}
	c, err := im.s.newContact(in)
	if err != nil {
		return err
	}
	im.pending = append(im.pending, pendingContact{line: line, contact: c})
	if len(im.pending) < importBatch {
		return nil
	}
	return im.flush(ctx)
}

// flush writes the pending new contacts. One whose email another contact
// took since its row was read is rejected, as it would have been alone.
func (im *importer) flush(ctx context.Context) error {
	if len(im.pending) == 0 {
		return nil
	}
	batch := make([]contacts.Contact, len(im.pending))
	for i, p := range im.pending {
		batch[i] = p.contact
	}
	results, err := im.s.contacts.InsertMany(ctx, batch)
	if err != nil {
		return fmt.Errorf("customer: import lines %d–%d: %w", im.pending[0].line, im.pending[len(im.pending)-1].line, err)
	}
	for i, p := range im.pending {
		if results[i] != nil {
			im.reject(p.line, "a contact with this email was added meanwhile; import the file again to update it")
			continue
		}
		im.res.Created++
		im.res.Rows++
		im.tick()
	}
	im.pending = im.pending[:0]
	return nil
}

func (im *importer) preview(line int, action ImportAction, in ContactInput, account store.Account) {
	if len(im.res.Preview) < im.opts.PreviewRows {
		im.res.Preview = append(im.res.Preview, PreviewRow{Line: line, Action: action, Name: in.Name, Email: in.Email, Account: account.Name, Locale: in.Locale, Role: in.Role})
	}
}

// displayEmail quotes a rejected email, shortened so a pasted paragraph
// does not flood the report.
func displayEmail(s string) string {
	if s == "" {
		return `""`
	}
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Export writes the actor's contacts as CSV (name, email, account, locale,
// status, last_surveyed, role), streaming; role comes last so that tools
// reading the older columns by position still can. Erased people have nothing to export
// and are left out. Cells that a spreadsheet would run as formulas are
// prefixed with an apostrophe.
func (s *Service) Export(ctx context.Context, actor store.User, w io.Writer) error {
	f, err := s.contactFilter(ctx, actor, "")
	if err != nil {
		return err
	}
	accounts, err := s.VisibleAccounts(ctx, actor)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(accounts))
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"name", "email", "account", "locale", "status", "last_surveyed", "role"}); err != nil {
		return fmt.Errorf("customer: export: %w", err)
	}
	err = s.contacts.Each(ctx, f, func(c contacts.Contact) error {
		if c.Status == contacts.Erased {
			return nil
		}
		oc, err := s.open(c)
		if err != nil {
			return err
		}
		last := ""
		if oc.LastSurveyedAt != nil {
			last = oc.LastSurveyedAt.UTC().Format("2006-01-02")
		}
		return cw.Write([]string{safeCell(oc.Name), safeCell(oc.Email), safeCell(names[oc.AccountID]), oc.Locale, string(oc.Status), last, string(oc.Role)})
	})
	if err != nil {
		return fmt.Errorf("customer: export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("customer: export: %w", err)
	}
	return nil
}

// SafeCell is safeCell for other exports: a cell a spreadsheet would
// read as a formula gets a leading apostrophe.
func SafeCell(v string) string { return safeCell(v) }

func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
