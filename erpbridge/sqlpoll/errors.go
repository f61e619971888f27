package sqlpoll

import (
	"fmt"

	"syncagent/erpbridge/erpdb"
)

// ErrorKind says what went wrong with a reading, and so what the status command shows.
type ErrorKind int

const (
	// KindDown: the database could not be reached, refused the login or a grant, or the
	// connection broke during the reading.
	KindDown ErrorKind = iota
	// KindTimeout: the query did not finish within the source's timeout.
	KindTimeout
	// KindBusy: a deadlock, a lock wait past its timeout or a serialization failure ended
	// the reading; the next one will most likely pass.
	KindBusy
	// KindQuery: the database rejected the query, or its result cannot feed the queue
	// (no SKU column, a change column of an unusable type).
	KindQuery
	// KindRefused: a safety check stopped the reading (an empty result with missing: zero).
	KindRefused
	// KindLocal: the agent's own database failed.
	KindLocal
)

// State is the health state recorded for the kind ("source:NAME" in the status command).
func (k ErrorKind) State() string {
	switch k {
	case KindDown:
		return "down"
	case KindTimeout:
		return "timed out"
	case KindBusy:
		return "busy"
	case KindQuery:
		return "query error"
	case KindRefused:
		return "refused"
	}
	return "local error"
}

// Error is a failed reading. Its message names the source and carries no secret (the DSN
// and its password are scrubbed from driver messages).
type Error struct {
	Source string
	Kind   ErrorKind
	Err    error
}

func (e *Error) Error() string {
	return "ERP source " + e.Source + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// classify maps the database's classification of an error that came from the ERP after
// the connection was made onto a reading's kind. A refused login or grant counts as
// down: the source cannot read until someone fixes it, and the message says what to fix.
func classify(err error) ErrorKind {
	switch erpdb.Classify(err) {
	case erpdb.Timeout:
		return KindTimeout
	case erpdb.Busy:
		return KindBusy
	case erpdb.Down, erpdb.Config:
		return KindDown
	}
	return KindQuery
}

// withRemedy adds to an ERP database's error what the user has to do about it, when
// there is something (a refused login or grant).
func withRemedy(err error) error {
	if r := erpdb.Classify(err).Remedy(); r != "" {
		return fmt.Errorf("%w; %s", err, r)
	}
	return err
}
