//go:build cgo

package sinks

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// sqliteUnique reports whether err is an SQLite UNIQUE/PRIMARY KEY violation; ok is
// false when err is not an SQLite error.
func sqliteUnique(err error) (dup, ok bool) {
	var le sqlite3.Error
	if !errors.As(err, &le) {
		return false, false
	}
	return le.ExtendedCode == sqlite3.ErrConstraintUnique || le.ExtendedCode == sqlite3.ErrConstraintPrimaryKey, true
}

// sqliteKind classifies an SQLite error; ok is false when err is not one.
func sqliteKind(err error) (Kind, bool) {
	var le sqlite3.Error
	if !errors.As(err, &le) {
		return 0, false
	}
	switch le.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return Busy, true
	case sqlite3.ErrCantOpen, sqlite3.ErrIoErr:
		return Down, true
	}
	return Rejected, true
}
