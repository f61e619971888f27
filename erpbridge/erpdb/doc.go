// Package erpdb holds what the agent's two users of an ERP database — the SQL sources
// that read stock (erpbridge/sqlpoll) and the SQL sinks that write orders
// (erpbridge/sinks) — share, so that both read the same SQL and judge the same errors
// alike:
//
//   - secret.go: keeping the DSN and its password out of every message (Scrubber);
//   - params.go: the :name parameters of SQL the user wrote, found by one lexer that
//     knows each driver's literals and comments, and translated into the driver's
//     placeholders (Params, Replace, Bind);
//   - classify.go: what an error of PostgreSQL, MySQL/MariaDB, SQL Server or SQLite
//     means for the next attempt (Classify, Kind, IsUniqueViolation).
//
// The folding of column names, which the spreadsheet parser shares with the sources,
// is the dependency-free subpackage fold; erpdbtest finds the test servers.
package erpdb
