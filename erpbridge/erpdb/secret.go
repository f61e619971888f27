package erpdb

import (
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/microsoft/go-mssqldb/msdsn"
)

// Scrubber removes a DSN and the password inside it from text. Drivers echo parts of the
// DSN in some errors (a parse error quoting the string, a login error naming the user),
// and an error message travels to logs and to the status command, so every message that
// may hold driver text passes through Scrub or Clean before it leaves.
type Scrubber struct {
	secrets []string // longest first, so a password inside the DSN does not split it
}

// keyValuePassword finds password=... in key=value DSNs (PostgreSQL keyword form, ADO,
// ODBC): quoted, braced or up to the next separator.
var keyValuePassword = regexp.MustCompile(`(?i)(?:^|[;\s&?])\s*(?:password|pwd|passwd|_auth_pass)\s*=\s*('(?:[^'\\]|\\.)*'|\{(?:[^}]|\}\})*\}|"[^"]*"|[^;\s&]*)`)

// NewScrubber finds the password of dsn in every form a driver or a URL may write it.
func NewScrubber(driver, dsn string) *Scrubber {
	set := map[string]bool{}
	add := func(p string) {
		if p == "" {
			return
		}
		set[p] = true
		set[url.QueryEscape(p)] = true
		set[url.PathEscape(p)] = true
		set[url.UserPassword("u", p).String()[2:]] = true // user-info escaping
	}
	set[dsn] = true
	switch driver {
	case "postgres":
		if c, err := pgx.ParseConfig(dsn); err == nil {
			add(c.Password)
		}
	case "mysql":
		if c, err := mysql.ParseDSN(dsn); err == nil {
			add(c.Passwd)
		}
	case "sqlserver":
		if c, err := msdsn.Parse(dsn); err == nil {
			add(c.Password)
		}
	}
	// The parsers above fail on exactly the DSNs whose errors are most likely to echo
	// them, so the password is also looked for by shape.
	if i := strings.Index(dsn, "://"); i >= 0 {
		if u, err := url.Parse(dsn); err == nil && u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, p, ok := strings.Cut(rest[:at], ":"); ok {
				add(p)
				if up, err := url.PathUnescape(p); err == nil {
					add(up)
				}
			}
		}
	} else if at := strings.LastIndex(dsn, "@"); at >= 0 && driver == "mysql" {
		if _, p, ok := strings.Cut(dsn[:at], ":"); ok { // user:password@tcp(host)/db
			add(p)
		}
	}
	for _, m := range keyValuePassword.FindAllStringSubmatch(dsn, -1) {
		v := m[1]
		add(v)
		if uv, err := url.QueryUnescape(v); err == nil {
			add(uv)
		}
		if len(v) >= 2 {
			inner := v[1 : len(v)-1]
			add(inner)
			add(strings.ReplaceAll(inner, "}}", "}"))
			add(strings.ReplaceAll(inner, `\'`, "'"))
		}
	}
	s := &Scrubber{}
	for k := range set {
		s.secrets = append(s.secrets, k)
	}
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
	return s
}

// Scrub returns text with every secret replaced by ***.
func (s *Scrubber) Scrub(text string) string {
	for _, p := range s.secrets {
		text = strings.ReplaceAll(text, p, "***")
	}
	return text
}

// scrubbedError is an error whose message has been cleaned of the DSN and its password.
// Unwrap keeps the driver's error reachable for errors.Is/As (a timeout, a lost
// connection); the agent logs only Error(), never the unwrapped error's text.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// Clean wraps err so that its message carries no secret.
func (s *Scrubber) Clean(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*scrubbedError); ok {
		return err
	}
	return &scrubbedError{msg: s.Scrub(err.Error()), err: err}
}
