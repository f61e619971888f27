//go:build cgo

package erpdb

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// sqliteKind classifies an SQLite error; ok is false when err is not one.
func sqliteKind(err error) (k Kind, ok bool) {
	var le sqlite3.Error
	if !errors.As(err, &le) {
		return 0, false
	}
	switch le.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrProtocol: // another connection holds the lock
		return Busy, true
	case sqlite3.ErrCantOpen, sqlite3.ErrIoErr, sqlite3.ErrFull, sqlite3.ErrNomem: // the file or its disk
		return Down, true
	case sqlite3.ErrPerm, sqlite3.ErrAuth, sqlite3.ErrReadonly, sqlite3.ErrNotADB: // the wrong file, or no right to write it
		return Config, true
	}
	return Rejected, true
}

// sqliteUnique reports whether err is an SQLite UNIQUE or PRIMARY KEY violation.
func sqliteUnique(err error) bool {
	var le sqlite3.Error
	return errors.As(err, &le) &&
		(le.ExtendedCode == sqlite3.ErrConstraintUnique || le.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}
