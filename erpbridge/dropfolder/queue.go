package dropfolder

import (
	"context"
	"time"

	"syncagent/queue"
)

// What a drop folder uses of the agent's queue: the importer begins one import
// transaction per file, and the watcher records the folder's health for the status
// command. *queue.Store is both.

// ImportQueue begins the transaction of one file (see queue.Store.BeginImport). The
// transaction holds the queue's one writer until it commits or rolls back, so an import
// reads its file and ends.
type ImportQueue interface {
	BeginImport(ctx context.Context, source, file string, readAt time.Time) (*queue.ImportTx, error)
}

// HealthReporter records the folder's state for the status command. The watcher calls it
// from its own health goroutine only: its loop never waits for the database.
type HealthReporter interface {
	ReportOK(ctx context.Context, component, state, detail string) error
	ReportError(ctx context.Context, component, state, msg string) error
}

// Queue is all a watcher needs of the queue.
type Queue interface {
	ImportQueue
	HealthReporter
}

var _ Queue = (*queue.Store)(nil)
