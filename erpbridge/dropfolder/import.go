package dropfolder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// Outcome is what became of a file.
type Outcome int

const (
	// Imported: the file's good rows are committed; it goes to processed/.
	Imported Outcome = iota
	// Failed: nothing of the file is applied (unreadable, all-or-nothing with a bad row,
	// or no usable row at all); it goes to failed/.
	Failed
)

func (o Outcome) String() string {
	if o == Failed {
		return "failed"
	}
	return "imported"
}

// Request is one file to import.
type Request struct {
	Path   string // the file to read; it is copied to the staging folder and never changed
	Name   string // the name shown in the import record and the report; default: the base of Path
	DryRun bool   // do everything inside a transaction that is rolled back
	// Place returns where the file will be kept for the outcome (shown in the record and
	// the report). It runs before the commit so the record names it. nil: StoredAs is
	// Path (a file imported by hand stays where it is).
	Place func(Outcome) (string, error)
}

// Result is what one import did.
type Result struct {
	ImportID int64 // the import record (0 in a dry run)
	Source   string
	File     string
	StoredAs string
	At       time.Time // when the import started
	// FileTime is when the file was last written: the moment the ERP's numbers in it are
	// from (an export), which decides which order reservations it releases.
	FileTime  time.Time
	Elapsed   time.Duration
	Outcome   Outcome
	Policy    Policy
	DryRun    bool
	Header    sheet.Header
	RowsRead  int    // data rows in the file, good and bad
	Applied   int    // rows that changed at least one value
	Unchanged int    // rows whose values were already known
	Rejected  int    // rows with a problem; never applied
	Replaced  int    // rows superseded by a later row with the same SKU; not applied
	Warned    int    // rows applied with a warning
	FileError string // the parser's words when the file cannot be read at all

	details *details
}

// Valid is the number of rows that were fit to apply.
func (r *Result) Valid() int { return r.RowsRead - r.Rejected - r.Replaced }

// Reason says in English why a file failed ("" when it did not); it goes into the
// import record.
func (r *Result) Reason() string {
	switch {
	case r.Outcome != Failed:
		return ""
	case r.FileError != "":
		return r.FileError
	case r.Policy == AllOrNothing && r.Rejected > 0:
		return fmt.Sprintf("%d rows rejected; the folder's policy is all-or-nothing, so no row was applied", r.Rejected)
	default:
		return fmt.Sprintf("no usable row: %d rows rejected", r.Rejected)
	}
}

// Close removes the import's work file. Call it after the report is written.
func (r *Result) Close() error {
	if r == nil {
		return nil
	}
	return r.details.close()
}

// Importer runs the import pipeline of one drop folder: the watcher and the import
// command share it.
type Importer struct {
	set   Settings
	queue ImportQueue
	log   zerolog.Logger
}

// NewImporter checks set and returns an importer writing to q.
func NewImporter(set Settings, q ImportQueue, log zerolog.Logger) (*Importer, error) {
	if err := set.check(); err != nil {
		return nil, err
	}
	return &Importer{set: set, queue: q, log: log}, nil
}

// Import reads req.Path and commits its changes and the import record in one
// transaction. A file the parser cannot read, or whose rows are all rejected, is a
// Failed result, not an error. An error means the file could not be dealt with now
// (it cannot be read from disk, the database failed, ctx ended): nothing was committed
// and the caller should try again later.
func (im *Importer) Import(ctx context.Context, req Request) (*Result, error) {
	begun := time.Now()
	name := req.Name
	if name == "" {
		name = filepath.Base(req.Path)
	}
	res := &Result{Source: im.set.Name, File: name, At: im.set.now().In(im.set.location()), Policy: im.set.Policy, DryRun: req.DryRun}
	if err := os.MkdirAll(im.set.StagingDir, 0o750); err != nil {
		return nil, fmt.Errorf("creating staging folder %s: %w", im.set.StagingDir, err)
	}
	if fi, err := os.Stat(req.Path); err == nil {
		res.FileTime = fi.ModTime()
	}
	staged, err := stage(ctx, req.Path, im.set.StagingDir)
	if err != nil {
		return nil, err
	}
	defer os.Remove(staged)
	if res.details, err = newDetails(im.set.StagingDir); err != nil {
		return nil, err
	}
	if err := im.run(ctx, req, staged, res); err != nil {
		res.Close()
		return nil, err
	}
	res.Elapsed = time.Since(begun)
	return res, nil
}

// stage copies the file to a private staging file and closes the original at once, so
// the source is held only for the copy: a user saving over the file in Excel while a
// large import runs is not refused.
func stage(ctx context.Context, path, dir string) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, "import-*"+filepath.Ext(path))
	if err != nil {
		return "", fmt.Errorf("creating a staging copy in %s: %w", dir, err)
	}
	_, err = io.Copy(out, ctxReader{ctx, in})
	in.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("copying %s to %s: %w", path, out.Name(), err)
	}
	return out.Name(), nil
}

// ctxReader stops a long copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// run does the import transaction: one or two passes over the rows, the outcome, and
// the commit.
func (im *Importer) run(ctx context.Context, req Request, staged string, res *Result) error {
	f, err := os.Open(staged)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := sheet.FileSource(f)
	if err != nil {
		return err
	}
	// The file shows the ERP's numbers as of when it was written (an export); a file
	// without a modification time counts from when its import started.
	readAt := res.FileTime
	if readAt.IsZero() {
		readAt = res.At
	}
	itx, err := im.queue.BeginImport(ctx, im.set.Name, res.File, readAt)
	if err != nil {
		return err
	}
	defer itx.Rollback() // nothing after Commit; the whole import in a dry run or on error

	p, err := im.pass(ctx, itx, src, res, nil)
	if err != nil {
		return err
	}
	failed := p.fileErr != nil || res.Policy == AllOrNothing && p.rejected > 0
	twice := p.rerun && !failed
	if twice {
		// A row was replaced by a later row after its chunk had been applied. Undo
		// the rows and read the file again, skipping the replaced rows, so that the
		// queue and the journal see only the winning rows.
		im.log.Debug().Int("replaced", len(p.newLosers)).Msg("a SKU repeats far apart in the file; reading it again to apply only the later rows")
		if err := itx.UndoRows(ctx); err != nil {
			return err
		}
		if err := res.details.reset(); err != nil {
			return fmt.Errorf("emptying the work file of %s: %w", res.File, err)
		}
		if p, err = im.pass(ctx, itx, src, res, p.newLosers); err != nil {
			return err
		}
	}
	p.fill(res)
	h := res.Header
	im.log.Debug().Str("file", res.File).Str("format", h.Format).Str("sheet", h.Sheet).Str("encoding", h.Encoding).
		Str("delimiter", h.Delimiter).Int("header_row", h.Line).Interface("columns", h.Columns).Bool("read_twice", twice).
		Int("rows", res.RowsRead).Int("rejected", res.Rejected).Int("replaced", res.Replaced).Int("warnings", res.Warned).
		Str("outcome", res.Outcome.String()).Msg("file read; committing")
	if req.DryRun {
		return nil // the deferred rollback undoes the record and the changes
	}
	res.StoredAs = req.Path
	if req.Place != nil {
		if res.StoredAs, err = req.Place(res.Outcome); err != nil {
			return err
		}
	}
	// A failed file's record commits without any of its rows: Commit undoes them.
	status := queue.ImportImported
	if res.Outcome == Failed {
		status = queue.ImportFailed
	}
	if err := itx.Commit(ctx, queue.Import{
		StoredAs: res.StoredAs, Status: status, RowsRead: res.RowsRead, Applied: res.Applied,
		Unchanged: res.Unchanged, Rejected: res.Rejected, Error: res.Reason(),
	}); err != nil {
		return err
	}
	res.ImportID = itx.ID()
	return nil
}

// fill copies the pass's counts to res and decides the outcome.
func (p *passState) fill(res *Result) {
	res.Header = p.header
	res.RowsRead, res.Rejected, res.Replaced, res.Warned = p.rowsRead, p.rejected, p.replaced, p.warned
	res.Applied, res.Unchanged = p.applied, p.unchanged
	var fe *sheet.FileError
	switch {
	case errors.As(p.fileErr, &fe):
		res.Outcome, res.FileError = Failed, fe.Error()
	case res.Policy == AllOrNothing && p.rejected > 0:
		res.Outcome = Failed
	case p.applied+p.unchanged == 0 && p.rejected > 0:
		res.Outcome = Failed
	default:
		res.Outcome = Imported
	}
	if res.Outcome == Failed {
		res.Applied, res.Unchanged = 0, 0
	}
}
