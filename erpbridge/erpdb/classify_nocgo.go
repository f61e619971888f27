//go:build !cgo

package erpdb

// Without cgo the SQLite driver cannot open a database, so no SQLite error can reach the
// classification; these keep a cgo-less build (vet for Windows, tools) compiling.

func sqliteKind(error) (Kind, bool) { return 0, false }

func sqliteUnique(error) bool { return false }
