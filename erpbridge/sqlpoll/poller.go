// Package sqlpoll watches an ERP's own database for stock and price changes. A source
// runs its query on a schedule and feeds what changed into the queue, exactly like a
// dropped file does.
//
// Snapshot mode (every ERP): each reading is compared, row key by row key (SKU,
// warehouse, price list), with the source's previous reading kept in SQLite; only rows
// that differ become changes, and keys that disappeared are ignored or set to quantity 0.
// Incremental mode: the query gets the source's high-water mark as :since and returns
// only rows changed after it; the new mark commits with the changes.
//
// A reading has two phases. The ERP phase runs the query in a read-only transaction and
// writes the parsed rows to a spool file as fast as they arrive, so the ERP statement
// ends as soon as the network allows. The comparison phase then streams the spool in
// chunks: each chunk is looked up in SQLite and only what changed is written. The stored
// keys a reading meets are tallied (count and hash sum) and compared with the last
// reading's tally; when they differ (a key disappeared or repeated) the comparison runs
// again, marking every key with a "seen in reading #gen" column, and the disappeared
// keys are the ones left with an older gen. Never an in-memory set, so memory does not
// grow with the result. The comparison is one SQLite transaction: a reading's changes
// and the new snapshot (or mark) commit together or not at all.
package sqlpoll

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"syncagent/config"
	"syncagent/connectors/money"
	"syncagent/erpbridge/erpdb"
	"syncagent/queue"
)

// DefaultChunk is the number of rows looked up, compared and applied together.
const DefaultChunk = 1000

// maxRejectExamples is how many rejected rows a reading reports by name.
const maxRejectExamples = 5

// Poller reads one SQL source. It holds a pool of at most one connection to the ERP
// database; Close releases it.
type Poller struct {
	cfg   config.SQLSource
	store Queue
	db    *sql.DB
	scrub *erpdb.Scrubber
	query boundQuery
	my    mysqlTimeoutVar
	chunk int
	now   func() time.Time
	opts  Options
	// spoolDir holds the spool file of a reading: the agent's data folder.
	spoolDir string
	// keysMoved: the last reading found keys disappeared or repeated, so the next one
	// starts in exact mode instead of trying the quick comparison first (which would
	// most likely fail again and cost a second pass).
	keysMoved atomic.Bool
}

// Options tune a Poller.
type Options struct {
	Chunk int              // rows per batch (default DefaultChunk)
	Now   func() time.Time // clock for durations (default time.Now)

	afterRead  func() // tests: runs after every Chunk rows read from the ERP
	afterApply func() // tests: runs after each chunk is applied to the agent's database
}

// New checks the source's settings (as the config loader fills them, defaults included)
// and prepares its connection pool without connecting:
// an ERP database that is down at start is a reading error later, not a failure here. A
// DSN the driver cannot parse is an error (without the DSN's text).
func New(cfg config.SQLSource, store Queue, opts Options) (*Poller, error) {
	if cfg.Warehouse == "" {
		cfg.Warehouse = config.DefaultWarehouse
	}
	if cfg.PriceList == "" {
		cfg.PriceList = config.DefaultPriceList
	}
	if opts.Chunk <= 0 {
		opts.Chunk = DefaultChunk
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Poller{cfg: cfg, store: store, scrub: erpdb.NewScrubber(cfg.Driver, cfg.DSN.Value()), chunk: opts.Chunk, now: opts.Now, opts: opts}
	p.query = bindSince(cfg.Driver, cfg.Query)
	p.spoolDir = filepath.Dir(store.Path())
	switch {
	case cfg.Mode == config.Incremental && cfg.ChangeColumn == "":
		return nil, fmt.Errorf("ERP source %s: incremental mode needs change_column", cfg.Name)
	case cfg.Mode == config.Incremental && p.query.uses == 0:
		return nil, fmt.Errorf("ERP source %s: incremental mode needs :since in the query, e.g. WHERE %s > :since", cfg.Name, cfg.ChangeColumn)
	case cfg.Mode == config.Snapshot && p.query.uses > 0:
		return nil, fmt.Errorf("ERP source %s: the query uses :since, which only incremental mode fills in; set mode: incremental and change_column", cfg.Name)
	case cfg.Timeout <= 0:
		return nil, fmt.Errorf("ERP source %s: timeout must be longer than 0", cfg.Name)
	}
	db, err := openPool(cfg.Driver, cfg.DSN.Value())
	if err != nil {
		return nil, fmt.Errorf("ERP source %s: the %s DSN cannot be used: %w", cfg.Name, cfg.Driver, p.scrub.Clean(err))
	}
	p.db = db
	removeStaleSpools(p.spoolDir, cfg.Name)
	return p, nil
}

// Name is the source's name.
func (p *Poller) Name() string { return p.cfg.Name }

// Config is the source's settings with defaults filled in.
func (p *Poller) Config() config.SQLSource { return p.cfg }

// Close closes the connection pool.
func (p *Poller) Close() error { return p.db.Close() }

// cursorName is where an incremental source's high-water mark is kept.
func (p *Poller) cursorName() string { return "sqlpoll:" + p.cfg.Name + ":mark" }

// Result is what one reading found.
type Result struct {
	Source      string
	Mode        config.SourceMode
	Rows        int // rows the query returned
	Changed     int // rows handed to the queue: differing from the last reading (snapshot), every good row (incremental)
	Applied     int // of those, rows that altered the agent's view of an item
	Disappeared int // row keys the last reading had and this one did not (snapshot)
	Zeroed      int // disappeared quantities set to 0 that were not 0 already (missing: zero)
	Rejected    int
	Rejects     []Reject // the first few rejected rows
	Snapshot    int64    // row keys kept for the next comparison (snapshot)
	Rechecked   bool     // keys disappeared or repeated: the comparison ran a second time, marking every key (snapshot)
	Mark        string   // the high-water mark after the reading (incremental)
	Columns     string   // which result column feeds which field
	Duration    time.Duration
	ERPTime     time.Duration // of Duration, the ERP phase: connecting, running the query, receiving the rows

	// Filled by DryRun only.
	Sample    []Row             // the first rows, as read
	Diffs     []queue.FieldDiff // the first field changes
	DiffCount int               // all field changes
}

// Reject is a row that was not used, with the reason in plain words.
type Reject struct {
	Row    int // 1-based position in the result
	SKU    string
	Reason string
}

func (r Reject) String() string {
	if r.SKU == "" {
		return fmt.Sprintf("row %d: %s", r.Row, r.Reason)
	}
	return fmt.Sprintf("row %d (SKU %q): %s", r.Row, r.SKU, r.Reason)
}

// Row is one row of the result as the agent reads it.
type Row struct {
	Line                 int
	SKU, Barcode         string
	Warehouse, PriceList string
	Qty                  *int64
	Price, ListPrice     *money.Kurus
	Change               string // the change column's value (incremental)
	Reject               string // why the row is not used ("" when it is)
	keyOK                bool   // SKU, warehouse and price list are known (even if Reject is set)
	mark                 mark
	hasMark              bool
}

// Read runs one reading and commits it: the changes it found, and the snapshot or mark
// that the next reading compares with.
func (p *Poller) Read(ctx context.Context) (Result, error) {
	return p.run(ctx, runOptions{})
}

// DryRun runs one reading without committing anything, and reports the first sample
// rows and the first maxDiffs field changes (SKU, field, old → new) it would make. Like a
// reading, it holds the agent's database during the comparison phase, then rolls back.
func (p *Poller) DryRun(ctx context.Context, sample, maxDiffs int) (Result, error) {
	return p.run(ctx, runOptions{dry: true, sample: sample, maxDiffs: maxDiffs})
}

// Reset forgets the source's snapshot and high-water mark, so the next reading takes
// every row as new (after a query was changed so that its keys or change column differ).
func (p *Poller) Reset(ctx context.Context) error {
	if _, err := p.store.ForgetSnapshot(ctx, p.cfg.Name); err != nil {
		return err
	}
	return p.store.SetCursor(ctx, p.cursorName(), "")
}

type runOptions struct {
	dry              bool
	sample, maxDiffs int
}

// failERP is fail for an error that came from the ERP database after the connection was
// made, classified by erpdb.
func (p *Poller) failERP(err error) error { return p.fail(classify(err), withRemedy(err)) }

func (p *Poller) fail(kind ErrorKind, err error) error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	return &Error{Source: p.cfg.Name, Kind: kind, Err: p.scrub.Clean(err)}
}
