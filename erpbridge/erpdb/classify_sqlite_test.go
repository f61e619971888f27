//go:build cgo

package erpdb

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"
)

// SQLite's errors, provoked for real on files in the test's folder.
func TestClassifySQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erp.db")
	open := func(opts string) *sql.DB {
		db, err := sql.Open("sqlite3", "file:"+filepath.ToSlash(path)+"?"+opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open("_txlock=immediate&_journal_mode=WAL")
	if _, err := db.Exec("CREATE TABLE erpdb_items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}

	// One connection holds the write lock; another, which does not wait, is refused.
	holder, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec("INSERT INTO erpdb_items VALUES (1, 1)"); err != nil {
		t.Fatal(err)
	}
	_, err = open("_busy_timeout=0").Exec("INSERT INTO erpdb_items VALUES (2, 2)")
	wantKind(t, "a write while another connection writes", err, Busy)
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}

	_, err = db.Exec("SELECT * FROM erpdb_missing")
	wantKind(t, "a missing table", err, Rejected)
	_, err = db.Exec("INSERT INTO erpdb_items VALUES (1, 1)")
	wantKind(t, "a duplicate key", err, Rejected)
	if !IsUniqueViolation(err) {
		t.Errorf("%v is a duplicate key", err)
	}
	_, err = db.Exec("INSERT INTO erpdb_items VALUES (3, NULL)")
	if IsUniqueViolation(err) {
		t.Errorf("%v is no duplicate key", err)
	}
	_, err = open("mode=ro").Exec("INSERT INTO erpdb_items VALUES (4, 4)")
	wantKind(t, "a write to a file opened read-only", err, Config)

	missing, err := sql.Open("sqlite3", "file:"+filepath.ToSlash(filepath.Join(t.TempDir(), "no", "such", "dir", "erp.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Close()
	wantKind(t, "a file that cannot be opened", missing.Ping(), Down)
}
