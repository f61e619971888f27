package erpdb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const canary = "Kanarya!9;x@Q"

func TestScrubberFindsThePasswordInEveryDSNForm(t *testing.T) {
	esc := url.QueryEscape(canary)
	userinfo := url.UserPassword("sa", canary).String()
	cases := []struct{ driver, dsn string }{
		{"sqlserver", "sqlserver://" + userinfo + "@erp-sql:1433?database=LOGO"},
		{"sqlserver", "server=erp-sql;user id=sa;password={" + strings.ReplaceAll(canary, "}", "}}") + "};database=LOGO"},
		{"sqlserver", "server=erp-sql;user id=sa;pwd=\"" + canary + "\";database=LOGO"},
		{"sqlserver", "odbc:server=erp-sql;uid=sa;pwd={" + canary + "};port=abc"},
		{"postgres", "postgres://" + userinfo + "@erp:5432/db"},
		{"postgres", "host=erp user=u password='" + strings.ReplaceAll(canary, "'", `\'`) + "' dbname=db"},
		{"postgres", "postgres://u@erp/db?password=" + esc},
		{"mysql", "root:" + canary + "@tcp(erp:3306)/db"},
		{"sqlite3", "file:/data/erp.db?_auth&_auth_user=u&_auth_pass=" + esc},
	}
	for _, c := range cases {
		s := NewScrubber(c.driver, c.dsn)
		for _, form := range []string{canary, esc, url.PathEscape(canary), c.dsn} {
			msg := s.Scrub("failed to connect with " + form + " (" + form + ")")
			if strings.Contains(msg, canary) || strings.Contains(msg, esc) || strings.Contains(msg, "Kanarya") {
				t.Errorf("%s %q: scrubbed text still holds the password: %s", c.driver, c.dsn, msg)
			}
		}
		err := s.Clean(fmt.Errorf("login failed for %s: %w", c.dsn, context.DeadlineExceeded))
		if strings.Contains(err.Error(), "Kanarya") || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: cleaned error %q lost its cause or kept the password", c.driver, err)
		}
	}
}
