package customer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

// Background imports. A file is uploaded and previewed in one request
// (StageImport) and kept, sealed, in the database; once its owner confirms
// (StartImport), a goroutine imports it and records its progress in the
// imports collection. Both live in the database, not in the process, so
// any Candor process serving the same database can show either page.

// ErrExpired means a previewed upload was not confirmed in time.
var ErrExpired = fault.New(fault.Gone, "customer", "the upload has expired").ShownAs("the upload has expired; upload the file again")

// Lifetimes and bounds of background imports.
const (
	UploadTTL         = time.Hour          // a previewed file waits this long to be confirmed
	ImportTimeout     = time.Hour          // a running import is stopped after this
	ReportTTL         = 7 * 24 * time.Hour // a finished import's report is kept this long
	StalledAfter      = 2 * time.Minute    // a running import silent this long has lost its process
	MaxReportedIssues = 10_000             // rejected rows kept in a report; the rest are only counted

	importProgressEvery = 500 // rows between progress records, the running import's heartbeat
	stagedPreviewRows   = 50
	uploadChunkSize     = 512 << 10
	finishTimeout       = time.Minute
)

// Uploads keeps uploaded files in chunks between preview and import.
type Uploads interface {
	PutChunk(ctx context.Context, uploadID string, n int, data []byte, expiresAt time.Time) error
	Chunk(ctx context.Context, uploadID string, n int) ([]byte, error)
	Delete(ctx context.Context, uploadID string, chunks int) error
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// ImportJobs is what the service needs of the imports collection.
type ImportJobs interface {
	Insert(ctx context.Context, imp store.Import) error
	ByID(ctx context.Context, id string) (store.Import, error)
	Start(ctx context.Context, id, userID string, now, expiresAt time.Time) (store.Import, error)
	Progress(ctx context.Context, id string, p store.ImportCounts, now time.Time) error
	Finish(ctx context.Context, id string, o store.ImportOutcome) error
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// Option configures a Service.
type Option func(*Service)

// WithImportJobs lets the service keep uploaded files and import them in
// the background; without it, StageImport and its kin fail.
func WithImportJobs(uploads Uploads, jobs ImportJobs, logger *slog.Logger) Option {
	return func(s *Service) {
		s.uploads, s.jobs = uploads, jobs
		if logger != nil {
			s.logger = logger
		}
	}
}

var errNoImportJobs = errors.New("customer: background imports are not configured")

// ImportState is where an import stands, as its owner sees it.
type ImportState string

// Import states. Interrupted is no stored state: it is a running import
// whose process stopped reporting, most likely because it exited.
const (
	ImportStaged      = ImportState(store.ImportStaged)
	ImportRunning     = ImportState(store.ImportRunning)
	ImportDone        = ImportState(store.ImportDone)
	ImportFailed      = ImportState(store.ImportFailed)
	ImportInterrupted = ImportState("interrupted")
)

// ImportJob is a background import as its owner sees it.
type ImportJob struct {
	ID       string
	FileName string
	Size     int64
	State    ImportState
	Preview  ImportProgress // what the preview found; Preview.Rows is the number of rows in the file
	File     ImportFile     // what the preview found the file to be
	Progress ImportProgress
	// Errors are the rejected rows by line: the preview's while staged, the
	// import's once it ended; at most MaxReportedIssues.
	Errors      []ImportIssue
	PreviewRows []PreviewRow // rows the preview would create or update; staged only
	Failure     string       // why a failed import stopped
	CreatedAt   time.Time
	StartedAt   *time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
	ExpiresAt   time.Time
}

// UnlistedErrors is the number of rejected rows not in Errors.
func (j ImportJob) UnlistedErrors() int {
	rejected := j.Progress.Rejected
	if j.State == ImportStaged {
		rejected = j.Preview.Rejected
	}
	return max(rejected-len(j.Errors), 0)
}

// importReport is the sealed part of an import: it quotes the file.
type importReport struct {
	Errors  []ImportIssue `json:"errors"`
	Preview []PreviewRow  `json:"preview,omitempty"`
}

// StageImport keeps an uploaded contacts file for an hour and previews it:
// a dry run that counts the rows to create, update, leave or reject. The
// file is read once, sealed into upload chunks as the dry run reads it. A
// file that cannot be imported at all (no header, say) is not kept and
// comes back as a fault.Invalid error for the field "file".
func (s *Service) StageImport(ctx context.Context, actor store.User, r io.Reader, fileName string) (ImportJob, error) {
	if _, err := scope(actor); err != nil {
		return ImportJob{}, err
	}
	if s.jobs == nil {
		return ImportJob{}, errNoImportJobs
	}
	now := s.now().UTC()
	if err := s.SweepImports(ctx); err != nil {
		// The next upload sweeps again; this one need not wait for it.
		s.logger.LogAttrs(ctx, slog.LevelWarn, "sweep imports", slog.String("error", err.Error()))
	}

	id := store.NewID()
	job, chunks, err := s.stage(ctx, actor, id, r, fileName, now)
	if err != nil {
		// Left alone, what was stored of the file would wait for the sweep.
		if derr := s.uploads.Delete(context.WithoutCancel(ctx), id, chunks); derr != nil {
			s.logger.LogAttrs(ctx, slog.LevelWarn, "discard upload", slog.String("import", id), slog.String("error", derr.Error()))
		}
		return ImportJob{}, err
	}
	return s.openJob(job, now)
}

// stage stores a file in sealed chunks while a dry run reads it, then
// records the import. It returns the number of chunks stored, also when
// it fails.
func (s *Service) stage(ctx context.Context, actor store.User, id string, r io.Reader, fileName string, now time.Time) (store.Import, int, error) {
	dk, wrapped, err := s.sealer.NewDataKey(importContext(id))
	if err != nil {
		return store.Import{}, 0, fmt.Errorf("customer: %w", err)
	}
	w := &chunkWriter{ctx: ctx, uploads: s.uploads, id: id, dk: dk, expiresAt: now.Add(UploadTTL + ImportTimeout)}
	tee := io.TeeReader(r, w)
	res, err := s.Import(ctx, actor, tee, ImportOptions{DryRun: true, PreviewRows: stagedPreviewRows})
	if err != nil {
		return store.Import{}, w.n, err
	}
	// A dry run may stop before the end (at a broken quote); keep the whole
	// file anyway, so that the import reads what the preview read.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return store.Import{}, w.n, fmt.Errorf("customer: read upload: %w", err)
	}
	if err := w.Close(); err != nil {
		return store.Import{}, w.n, err
	}
	job := store.Import{
		ID: id, UserID: actor.ID, State: store.ImportStaged, FileName: cleanFileName(fileName),
		Size: w.size, Chunks: w.n, DataKey: wrapped, Preview: storedCounts(res.ImportProgress), File: storedFile(res.File),
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(UploadTTL),
	}
	if job.Report, err = sealReport(dk, id, importReport{Errors: capIssues(res.Errors), Preview: res.Preview}); err != nil {
		return store.Import{}, w.n, err
	}
	if err := s.jobs.Insert(ctx, job); err != nil {
		return store.Import{}, w.n, fmt.Errorf("customer: %w", err)
	}
	return job, w.n, nil
}

// StartImport starts a staged import of the actor's in the background and
// returns at once. Starting one that is running or ended already returns
// it as it is, so that a second click does no harm.
func (s *Service) StartImport(ctx context.Context, actor store.User, id string) (ImportJob, error) {
	if _, err := scope(actor); err != nil {
		return ImportJob{}, err
	}
	if s.jobs == nil {
		return ImportJob{}, errNoImportJobs
	}
	now := s.now().UTC()
	job, err := s.jobs.Start(ctx, id, actor.ID, now, now.Add(ImportTimeout+ReportTTL))
	if errors.Is(err, store.ErrNotFound) {
		// Not startable: unknown, someone else's, a file that does not
		// parse, expired, or started already.
		job, err := s.ownJob(ctx, actor, id)
		if err != nil {
			return ImportJob{}, err
		}
		if job.State == store.ImportStaged && job.File.Error != "" {
			return ImportJob{}, invalid(map[string]string{"file": job.File.Error + "; nothing can be imported from this file: correct it and upload it again"})
		}
		if job.State == store.ImportStaged {
			return ImportJob{}, ErrExpired
		}
		return s.openJob(job, now)
	}
	if err != nil {
		return ImportJob{}, fmt.Errorf("customer: %w", err)
	}
	// The request that started the import ends long before the import does.
	go s.runImport(context.WithoutCancel(ctx), actor, job)
	return s.openJob(job, now)
}

// ImportJob returns one of the actor's imports.
func (s *Service) ImportJob(ctx context.Context, actor store.User, id string) (ImportJob, error) {
	job, err := s.ownJob(ctx, actor, id)
	if err != nil {
		return ImportJob{}, err
	}
	now := s.now().UTC()
	if job.State == store.ImportStaged && !now.Before(job.ExpiresAt) {
		return ImportJob{}, ErrExpired
	}
	return s.openJob(job, now)
}

// SweepImports deletes expired imports and uploads. Records expire rather
// than vanish by TTL index, which the embedded database lacks.
func (s *Service) SweepImports(ctx context.Context) error {
	if s.jobs == nil {
		return errNoImportJobs
	}
	now := s.now().UTC()
	_, jerr := s.jobs.DeleteExpired(ctx, now)
	_, uerr := s.uploads.DeleteExpired(ctx, now)
	if err := errors.Join(jerr, uerr); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	return nil
}

// ownJob returns an import of the actor's; anyone else's is not found.
func (s *Service) ownJob(ctx context.Context, actor store.User, id string) (store.Import, error) {
	if _, err := scope(actor); err != nil {
		return store.Import{}, err
	}
	if s.jobs == nil {
		return store.Import{}, errNoImportJobs
	}
	job, err := s.jobs.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && job.UserID != actor.ID) {
		return store.Import{}, ErrNotFound
	}
	if err != nil {
		return store.Import{}, fmt.Errorf("customer: %w", err)
	}
	return job, nil
}

func (s *Service) openJob(job store.Import, now time.Time) (ImportJob, error) {
	out := ImportJob{
		ID: job.ID, FileName: job.FileName, Size: job.Size, State: ImportState(job.State),
		Preview: progressOf(job.Preview), Progress: progressOf(job.Progress), File: fileOf(job.File), Errors: []ImportIssue{},
		Failure: job.Failure, CreatedAt: job.CreatedAt, StartedAt: job.StartedAt, UpdatedAt: job.UpdatedAt,
		FinishedAt: job.FinishedAt, ExpiresAt: job.ExpiresAt,
	}
	if job.State == store.ImportRunning && now.Sub(job.UpdatedAt) > StalledAfter {
		out.State = ImportInterrupted
	}
	// While it runs, the stored report is still the preview's.
	if len(job.Report) == 0 || job.State == store.ImportRunning {
		return out, nil
	}
	dk, err := s.sealer.UnwrapDataKey(job.DataKey, importContext(job.ID))
	if err != nil {
		return ImportJob{}, fmt.Errorf("customer: import %s: %w", job.ID, err)
	}
	plain, err := dk.Open(job.Report, importContext(job.ID)+":report")
	if err != nil {
		return ImportJob{}, fmt.Errorf("customer: import %s: %w", job.ID, err)
	}
	var rep importReport
	if err := json.Unmarshal(plain, &rep); err != nil {
		return ImportJob{}, fmt.Errorf("customer: import %s report: %w", job.ID, err)
	}
	if rep.Errors != nil {
		out.Errors = rep.Errors
	}
	if job.State == store.ImportStaged {
		out.PreviewRows = rep.Preview
	}
	return out, nil
}

// runImport imports a started job's file and records how it ended. It runs
// on its own goroutine, so it recovers from panics itself: nothing above it
// would, and the process must outlive a bad import.
func (s *Service) runImport(ctx context.Context, actor store.User, job store.Import) {
	runCtx, cancel := context.WithTimeout(ctx, ImportTimeout)
	defer cancel()

	dk, err := s.sealer.UnwrapDataKey(job.DataKey, importContext(job.ID))
	var res ImportResult
	if err != nil {
		err = fmt.Errorf("customer: import %s: %w", job.ID, err)
	} else {
		res, err = s.importUpload(runCtx, actor, job, dk)
	}

	// The run's deadline may be what ended it; recording that must not
	// fail for the same reason.
	ctx, cancelFinish := context.WithTimeout(ctx, finishTimeout)
	defer cancelFinish()
	if derr := s.uploads.Delete(ctx, job.ID, job.Chunks); derr != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "delete imported upload; the sweep will",
			slog.String("import", job.ID), slog.String("error", derr.Error()))
	}
	now := s.now().UTC()
	out := store.ImportOutcome{State: store.ImportDone, Progress: storedCounts(res.ImportProgress), At: now, ExpiresAt: now.Add(ReportTTL)}
	if err != nil {
		out.State = store.ImportFailed
		out.Failure = failureMessage(err, runCtx.Err(), res.Rows)
		s.logger.LogAttrs(ctx, slog.LevelError, "import failed",
			slog.String("import", job.ID), slog.Int("rows", res.Rows), slog.String("error", err.Error()))
	}
	if rep, serr := sealReport(dk, job.ID, importReport{Errors: capIssues(res.Errors)}); serr == nil {
		out.Report = rep
	} else if !errors.Is(serr, seal.ErrShredded) { // shredded: the key never opened, and the failure says so
		s.logger.LogAttrs(ctx, slog.LevelError, "seal import report", slog.String("import", job.ID), slog.String("error", serr.Error()))
	}
	if ferr := s.jobs.Finish(ctx, job.ID, out); ferr != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "record import outcome", slog.String("import", job.ID), slog.String("error", ferr.Error()))
	}
}

// importUpload runs the import of an upload, turning a panic into an error
// with the counts last recorded.
func (s *Service) importUpload(ctx context.Context, actor store.User, job store.Import, dk seal.DataKey) (res ImportResult, err error) {
	var last ImportProgress
	defer func() {
		if v := recover(); v != nil {
			res = ImportResult{ImportProgress: last}
			err = fmt.Errorf("customer: import %s panicked: %v\n%s", job.ID, v, debug.Stack())
		}
	}()
	src := &chunkReader{ctx: ctx, uploads: s.uploads, id: job.ID, chunks: job.Chunks, dk: dk}
	return s.Import(ctx, actor, src, ImportOptions{
		Wait:          true, // its owner confirmed it and watches its progress
		ProgressEvery: importProgressEvery,
		Progress: func(p ImportProgress) {
			last = p
			if err := s.jobs.Progress(ctx, job.ID, storedCounts(p), s.now().UTC()); err != nil {
				s.logger.LogAttrs(ctx, slog.LevelWarn, "record import progress",
					slog.String("import", job.ID), slog.String("error", err.Error()))
			}
		},
	})
}

// failureMessage says why an import stopped, in words fit for its owner.
func failureMessage(err, runErr error, rows int) string {
	if fe, ok := fault.As(err); ok && fe.Fields()["file"] != "" {
		return "The file cannot be imported: " + fe.Fields()["file"] + "."
	}
	switch {
	case errors.Is(runErr, context.DeadlineExceeded):
		return fmt.Sprintf("The import took longer than %v and was stopped after %d rows.", ImportTimeout, rows)
	case store.IsUnavailable(err):
		return fmt.Sprintf("The database could not be reached; the import stopped after %d rows.", rows)
	}
	return fmt.Sprintf("An unexpected error stopped the import after %d rows.", rows)
}

func importContext(id string) string { return "import:" + id }

func chunkContext(id string, n int) string { return fmt.Sprintf("import:%s:chunk:%d", id, n) }

func sealReport(dk seal.DataKey, id string, rep importReport) ([]byte, error) {
	plain, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("customer: import report: %w", err)
	}
	sealed, err := dk.Seal(plain, importContext(id)+":report")
	if err != nil {
		return nil, fmt.Errorf("customer: import report: %w", err)
	}
	return sealed, nil
}

func capIssues(issues []ImportIssue) []ImportIssue {
	if len(issues) > MaxReportedIssues {
		return issues[:MaxReportedIssues]
	}
	return issues
}

func storedCounts(p ImportProgress) store.ImportCounts {
	return store.ImportCounts{Rows: p.Rows, Created: p.Created, Updated: p.Updated, Unchanged: p.Unchanged, Rejected: p.Rejected}
}

func storedFile(f ImportFile) store.ImportFile {
	out := store.ImportFile{Encoding: f.Encoding, BOM: f.BOM, Delimiter: f.Delimiter, Lines: f.Lines, Rows: f.Rows,
		MultiLineRows: f.MultiLineRows, ExtraLines: f.ExtraLines, BlankLines: f.BlankLines, NotRead: f.NotRead}
	if f.Error != nil {
		out.ErrorLine, out.Error = f.Error.Line, f.Error.Error
	}
	return out
}

func fileOf(f store.ImportFile) ImportFile {
	out := ImportFile{Encoding: f.Encoding, BOM: f.BOM, Delimiter: f.Delimiter, Lines: f.Lines, Rows: f.Rows,
		MultiLineRows: f.MultiLineRows, ExtraLines: f.ExtraLines, BlankLines: f.BlankLines, NotRead: f.NotRead}
	if f.Error != "" {
		out.Error = &ImportIssue{Line: f.ErrorLine, Error: f.Error}
	}
	return out
}

func progressOf(c store.ImportCounts) ImportProgress {
	return ImportProgress{Rows: c.Rows, Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged, Rejected: c.Rejected}
}

// cleanFileName keeps the base name of an uploaded file, for display.
func cleanFileName(name string) string {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, `\`, "/")))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return "contacts.csv"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

// chunkWriter seals what is written to it into upload chunks.
type chunkWriter struct {
	ctx       context.Context
	uploads   Uploads
	id        string
	dk        seal.DataKey
	expiresAt time.Time
	buf       []byte
	n         int   // chunks stored
	size      int64 // bytes written
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	written := len(p)
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, uploadChunkSize)
		}
		k := min(len(p), uploadChunkSize-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == uploadChunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	w.size += int64(written)
	return written, nil
}

// Close stores what is left.
func (w *chunkWriter) Close() error { return w.flush() }

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	data, err := w.dk.Seal(w.buf, chunkContext(w.id, w.n))
	if err != nil {
		return fmt.Errorf("customer: seal upload: %w", err)
	}
	if err := w.uploads.PutChunk(w.ctx, w.id, w.n, data, w.expiresAt); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	w.n++
	w.buf = w.buf[:0]
	return nil
}

// chunkReader reads an upload back, opening one chunk at a time. It seeks
// only back to the start, which an import needs to read its file twice.
type chunkReader struct {
	ctx     context.Context
	uploads Uploads
	id      string
	chunks  int
	dk      seal.DataKey
	next    int
	buf     []byte
}

func (r *chunkReader) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekStart {
		return 0, errors.New("customer: an upload is read again only from its start")
	}
	r.next, r.buf = 0, nil
	return 0, nil
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.next == r.chunks {
			return 0, io.EOF
		}
		data, err := r.uploads.Chunk(r.ctx, r.id, r.next)
		if err != nil {
			return 0, fmt.Errorf("customer: upload chunk %d: %w", r.next, err)
		}
		if r.buf, err = r.dk.Open(data, chunkContext(r.id, r.next)); err != nil {
			return 0, fmt.Errorf("customer: upload chunk %d: %w", r.next, err)
		}
		r.next++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
