//go:build !cgo

package sinks

// Without cgo the SQLite driver cannot open a database, so no SQLite error can reach the
// classification; these keep a cgo-less build (vet for Windows, tools) compiling.

func sqliteUnique(error) (dup, ok bool) { return false, false }

func sqliteKind(error) (Kind, bool) { return 0, false }
