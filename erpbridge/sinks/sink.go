// Package sinks writes imported orders back into the ERP: as one file per order in a
// folder the ERP imports from (CSV, XLSX or JSON), or through configured SQL statements
// run in one transaction per order against the ERP's database. Both are idempotent: a
// write repeated after a crash, a timeout or a lost answer finds the order already there
// and changes nothing, so each order reaches the ERP exactly once. Cancellations of
// orders already written are exported the same way, once per export.
//
// A sink only writes. Which orders are due, retries and backoff, and what the queue
// records are the agent's (agent/orders, the transfer loop).
package sinks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"syncagent/connectors/order"
)

// Job is one write: an order, or (Cancel set) a cancellation of units of an order
// already written.
type Job struct {
	Store       string
	Marketplace string
	Warehouse   string // the store's default_warehouse
	CargoFirm   string // the store's cargo_firm
	Order       order.Order
	Cancel      *Cancellation
}

// Cancellation is one export of cancelled units.
type Cancellation struct {
	Seq   int              // 1 for the order's first export, 2 for the next, …
	Units map[string]int64 // SKU → units cancelled by this export
	At    time.Time
}

// Outcome of a successful Write.
type Outcome int

const (
	// Written: this call put it into the ERP.
	Written Outcome = iota
	// AlreadyThere: the ERP had it (an earlier attempt that was not recorded, or a
	// second agent); nothing was changed.
	AlreadyThere
	// NotExported: a cancellation the sink has no way to export (an SQL sink without a
	// cancel statement); it is recorded by the agent only.
	NotExported
)

func (o Outcome) String() string {
	return [...]string{"written", "already in the ERP", "recorded, not exported"}[o]
}

// Sink writes jobs into the ERP.
type Sink interface {
	// Name is the sink's name in the config.
	Name() string
	// Write puts j into the ERP exactly once: a repeat of a job that reached the ERP
	// returns AlreadyThere and changes nothing. It never retries on its own; an error is
	// an *Error and the job is not (or not completely) in the ERP. Safe for concurrent
	// use with different jobs.
	Write(ctx context.Context, j *Job) (Outcome, error)
	// Close releases connections and handles.
	Close() error
}

// Kind classifies a failed write, for the status shown and the log. An SQL sink maps
// the database's classification (erpdb.Classify) onto it.
type Kind int

const (
	// Down: the ERP database cannot be reached or refused the login or a grant; the
	// folder is missing or not writable.
	Down Kind = iota
	// Busy: a deadlock, a serialization failure, a lock wait or a timeout; the same write
	// will likely pass later.
	Busy
	// Rejected: the ERP refused the data (a constraint, a type, a missing column); it
	// passes only once the statement or the ERP is fixed. Retried all the same: nothing
	// is ever dropped.
	Rejected
)

func (k Kind) String() string {
	return [...]string{"ERP unreachable", "ERP busy", "rejected by the ERP"}[k]
}

// Error is a failed write. Its message names the sink and the order and never carries
// a password or a DSN.
type Error struct {
	Sink  string
	Kind  Kind
	Order string // order number
	Err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("sink %s, order %s: %s: %v", e.Sink, e.Order, e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a write error (Down for an unclassified one).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Down
}
