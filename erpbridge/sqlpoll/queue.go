package sqlpoll

import (
	"context"

	"syncagent/queue"
)

// Queue is what a Poller uses of the agent's database. A reading's work there goes
// through one queue.ReadingTx, so the source never holds an SQL handle of the agent's
// SQLite.
type Queue interface {
	// Path is the database file; a reading's spool file goes in its folder.
	Path() string
	// BeginReading starts the transaction of a reading's comparison phase.
	BeginReading(ctx context.Context, source string) (*queue.ReadingTx, error)
	// Cursor returns an incremental source's stored high-water mark.
	Cursor(ctx context.Context, name string) (string, bool, error)
	// SetCursor and ForgetSnapshot reset a source (check-source --reset).
	SetCursor(ctx context.Context, name, value string) error
	ForgetSnapshot(ctx context.Context, source string) (int64, error)
}

// HealthRecorder is what a Source uses of the agent's database: where it records its
// health for the status command.
type HealthRecorder interface {
	ReportOK(ctx context.Context, component, state, detail string) error
	ReportError(ctx context.Context, component, state, msg string) error
}

var (
	_ Queue          = (*queue.Store)(nil)
	_ HealthRecorder = (*queue.Store)(nil)
)
