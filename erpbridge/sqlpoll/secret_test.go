package sqlpoll

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"

	"syncagent/config"
)

const canary = "Kanarya!9;x@Q"

// TestSQLServerDSNForms: no SQL Server runs here, but both DSN forms integrators paste
// must be accepted (and read as meant), and a bad one must say why without the password.
func TestSQLServerDSNForms(t *testing.T) {
	st := openStore(t)
	good := []string{
		"sqlserver://" + url.UserPassword("logo_reader", canary).String() + "@erp-sql:1433?database=LOGO&encrypt=disable",
		// ADO form: a password holding ; is written in double quotes.
		"server=erp-sql;port=1433;user id=logo_reader;password=\"" + canary + "\";database=LOGO;encrypt=disable",
	}
	for _, dsn := range good {
		c, err := msdsn.Parse(dsn)
		if err != nil || c.Host != "erp-sql" || c.Port != 1433 || c.Database != "LOGO" || c.User != "logo_reader" || c.Password != canary {
			t.Errorf("msdsn read %q as host %q port %d db %q user %q (password ok: %v): %v", dsn, c.Host, c.Port, c.Database, c.User, c.Password == canary, err)
		}
		cfg := source(&erp{driver: "sqlserver", dsn: dsn}, "logo", "SELECT CODE AS sku, ONHAND AS qty FROM LV_001_01_STINVTOT")
		p, err := New(cfg, st, Options{})
		if err != nil {
			t.Errorf("New(%q): %v", dsn, err)
			continue
		}
		p.Close()
	}
	bad := map[string]string{
		"sqlserver://" + url.UserPassword("sa", canary).String() + "@erp-sql:notaport?database=LOGO": "invalid URL",
		"server=erp-sql;user id=sa;password=" + url.QueryEscape(canary) + ";port=abc":                "invalid tcp port",
		"server=erp-sql;user id=sa;password={" + canary + "};encrypt=maybe":                          "invalid encrypt",
	}
	for dsn, want := range bad {
		cfg := source(&erp{driver: "sqlserver", dsn: dsn}, "logo", "SELECT 1 AS sku, 1 AS qty")
		_, err := New(cfg, st, Options{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "ERP source logo: the sqlserver DSN cannot be used") {
			t.Errorf("bad DSN %q: %v", dsn, err)
			continue
		}
		if strings.Contains(err.Error(), "Kanarya") || strings.Contains(fmt.Sprintf("%+v", err), "Kanarya") {
			t.Errorf("bad DSN error echoes the password: %v", err)
		}
	}
}

// TestUnreachableDatabaseIsDownWithoutThePassword: every driver, pointed at a closed
// port (or refused a login), fails the reading as "down" with a message that names the
// problem and not the password.
func TestUnreachableDatabaseIsDownWithoutThePassword(t *testing.T) {
	my := myERP(t)
	myBadLogin := strings.Replace(my.dsn, "root@", "root:"+canary+"@", 1)
	cases := []struct{ driver, dsn, want string }{
		{"sqlserver", "sqlserver://" + url.UserPassword("sa", canary).String() + "@127.0.0.1:1?database=LOGO&dial+timeout=2", "connection refused"},
		{"sqlserver", "server=127.0.0.1;port=1;user id=sa;password={" + canary + "};database=LOGO;dial timeout=2", "connection refused"},
		{"postgres", "postgres://" + url.UserPassword("u", canary).String() + "@127.0.0.1:1/db?connect_timeout=2", "refused"},
		{"mysql", myBadLogin, "Access denied"},
		{"sqlite3", "file:/nonexistent/dir/erp.db?mode=ro&_auth_pass=" + url.QueryEscape(canary), "unable to open"},
	}
	for _, c := range cases {
		st := openStore(t)
		cfg := source(&erp{driver: c.driver, dsn: c.dsn}, "erp", "SELECT 'A' AS sku, 1 AS qty")
		cfg.Timeout = config.Duration(10 * time.Second)
		p := newPoller(t, cfg, st, Options{})
		_, err := p.Read(context.Background())
		var pe *Error
		if !errors.As(err, &pe) || pe.Kind != KindDown || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.driver, err)
			continue
		}
		if strings.Contains(err.Error(), "Kanarya") || strings.Contains(err.Error(), url.QueryEscape(canary)) {
			t.Errorf("%s: error echoes the password: %v", c.driver, err)
		}
		t.Logf("%s: %v", c.driver, err)
	}
}
