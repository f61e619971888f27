package sinks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"syncagent/config"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/erpbridge/sinks"
	"syncagent/erpbridge/sinks/sinktest"
)

var drivers = []string{"postgres", "mysql", "sqlite3"}

func job(number string, lines ...order.Line) *sinks.Job {
	o := order.Order{Marketplace: "trendyol", ID: number, Number: number, RawStatus: "Created", Currency: "TRY",
		OrderedAt: time.Date(2026, 10, 1, 15, 4, 5, 0, time.FixedZone("TRT", 3*3600)),
		Customer:  order.Customer{Name: "Ayşe Yılmaz"}, ShipTo: order.Address{City: "İstanbul"},
		Packages: []order.Package{{ID: "p" + number, Status: order.New, Lines: lines}}}
	o.Derive()
	return &sinks.Job{Store: "trendyol-main", Marketplace: "trendyol", Warehouse: "MERKEZ", CargoFirm: "Yurtiçi", Order: o}
}

func line(sku string, q int64) order.Line {
	return order.Line{ID: sku, SKU: sku, Name: "Gömlek " + sku, Quantity: q, UnitPrice: 124990,
		Total: 124990 * money.Kurus(q), VATRate: 2000}
}

func newSink(t *testing.T, c config.SQLSink) *sinks.SQLSink {
	t.Helper()
	s, err := sinks.NewSQL(c, sinks.SQLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func writeOK(t *testing.T, s sinks.Sink, j *sinks.Job, want sinks.Outcome) {
	t.Helper()
	got, err := s.Write(context.Background(), j)
	if err != nil || got != want {
		t.Fatalf("write of %s: %v %v; want %v", j.Order.Number, got, err, want)
	}
}

// An order is written once: the existence check, or without one the unique key, makes
// every later write of the same order a no-op that succeeds.
func TestSQLSinkWritesOnce(t *testing.T) {
	for _, drv := range drivers {
		t.Run(drv, func(t *testing.T) {
			erp := sinktest.Open(t, drv)
			c := erp.Sink(t, "erp-db")
			s := newSink(t, c)
			j := job("1001", line("A1", 2), line("A2", 1))
			writeOK(t, s, j, sinks.Written)
			writeOK(t, s, j, sinks.AlreadyThere)
			c.Exists = ""
			writeOK(t, newSink(t, c), j, sinks.AlreadyThere) // the unique key alone
			if w := erp.Written(t); w["1001"] != 1 || erp.Count(t, "erp_order_lines") != 2 {
				t.Fatalf("ERP holds %v and %d lines", w, erp.Count(t, "erp_order_lines"))
			}
			var total, unit string
			var name, city string
			erp.DB.QueryRow("SELECT CAST(total AS CHAR(20)), customer_name, ship_city FROM "+erp.Table("erp_orders")).Scan(&total, &name, &city)
			erp.DB.QueryRow("SELECT CAST(unit_price AS CHAR(20)) FROM " + erp.Table("erp_order_lines") + " WHERE sku = 'A1'").Scan(&unit)
			total, unit = strings.TrimSpace(total), strings.TrimSpace(unit)
			if drv != "sqlite3" && (total != "3749.70" || unit != "1249.90") || name != "Ayşe Yılmaz" || city != "İstanbul" {
				t.Fatalf("ERP row: total %q unit %q name %q city %q", total, unit, name, city)
			}
			// Cancellation exports: once each.
			j.Order.Packages[0].Lines[1].Cancelled = true
			j.Cancel = &sinks.Cancellation{Seq: 1, Units: map[string]int64{"A2": 1}, At: time.Now()}
			writeOK(t, s, j, sinks.Written)
			writeOK(t, s, j, sinks.AlreadyThere)
			if n := erp.Count(t, "erp_order_cancellations"); n != 1 {
				t.Fatalf("%d cancellation rows", n)
			}
		})
	}
}

// The order arrives twice at once (two writers): one header, both writers succeed.
func TestSQLSinkConcurrentSameOrder(t *testing.T) {
	for _, drv := range []string{"postgres", "mysql"} {
		t.Run(drv, func(t *testing.T) {
			erp := sinktest.Open(t, drv)
			c := erp.Sink(t, "erp-db")
			a, b := newSink(t, c), newSink(t, c)
			var wg sync.WaitGroup
			outs := make([]sinks.Outcome, 2)
			errs := make([]error, 2)
			for i, s := range []*sinks.SQLSink{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for attempt := 0; attempt < 5; attempt++ {
						outs[i], errs[i] = s.Write(context.Background(), job("2002", line("A1", 1)))
						if errs[i] == nil || sinks.KindOf(errs[i]) != sinks.Busy {
							return
						}
					}
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil || outs[0] == outs[1] {
				t.Fatalf("outcomes %v %v, errors %v %v", outs[0], outs[1], errs[0], errs[1])
			}
			if w := erp.Written(t); w["2002"] != 1 || erp.Count(t, "erp_order_lines") != 1 {
				t.Fatalf("ERP holds %v", w)
			}
		})
	}
}

// A row the ERP refuses leaves nothing of the order behind; the error says so.
func TestSQLSinkRejectedRowRollsBack(t *testing.T) {
	for _, drv := range []string{"postgres", "mysql"} {
		t.Run(drv, func(t *testing.T) {
			erp := sinktest.Open(t, drv)
			s := newSink(t, erp.Sink(t, "erp-db"))
			j := job("3003", line("A1", 1), line(strings.Repeat("S", 80), 1)) // SKU longer than the column
			_, err := s.Write(context.Background(), j)
			var se *sinks.Error
			if !errors.As(err, &se) || se.Kind != sinks.Rejected || !strings.Contains(err.Error(), "line statement, line 2") {
				t.Fatalf("error %v", err)
			}
			if erp.Count(t, "erp_orders") != 0 || erp.Count(t, "erp_order_lines") != 0 {
				t.Fatal("a half-written order stayed in the ERP")
			}
		})
	}
}

// A lock held by the ERP makes the write time out as Busy; once the lock goes, the same
// write passes. No password reaches an error about a database that is down.
func TestSQLSinkBusyAndDown(t *testing.T) {
	erp := sinktest.Open(t, "postgres")
	c := erp.Sink(t, "erp-db")
	c.Timeout = config.Duration(300 * time.Millisecond)
	s := newSink(t, c)
	lock, err := erp.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec("LOCK TABLE " + erp.Table("erp_orders") + " IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Write(context.Background(), job("4004", line("A1", 1)))
	if sinks.KindOf(err) != sinks.Busy {
		t.Fatalf("a locked table: %v (kind %v)", err, sinks.KindOf(err))
	}
	lock.Rollback()
	writeOK(t, s, job("4004", line("A1", 1)), sinks.Written)

	down := config.SQLSink{Name: "down", Driver: "postgres", DSN: config.NewSecret("postgres://erpuser:canary-pw-9931@127.0.0.1:1/erp?connect_timeout=2"),
		Header: c.Header, Line: c.Line, Timeout: config.Duration(2 * time.Second)}
	_, err = newSink(t, down).Write(context.Background(), job("5005", line("A1", 1)))
	if sinks.KindOf(err) != sinks.Down || strings.Contains(err.Error(), "canary-pw-9931") {
		t.Fatalf("a database that is down: %v (kind %v)", err, sinks.KindOf(err))
	}
	if _, err := sinks.NewSQL(config.SQLSink{Name: "bad", Driver: "postgres", DSN: config.NewSecret("postgres://u:canary-pw-9931@host:notaport/db"),
		Header: "SELECT 1", Line: "SELECT 1"}, sinks.SQLOptions{}); err == nil || strings.Contains(err.Error(), "canary-pw-9931") {
		t.Fatalf("a bad DSN: %v", err)
	}
	if _, err := sinks.NewSQL(config.SQLSink{Name: "bad", Driver: "postgres", DSN: config.NewSecret("postgres://x@h/d"),
		Header: "INSERT INTO t VALUES (:order_numbr)", Line: "SELECT 1"}, sinks.SQLOptions{}); err == nil || !strings.Contains(err.Error(), ":order_numbr") {
		t.Fatalf("an unknown parameter: %v", err)
	}
}

// A login the ERP refuses is a sink that cannot reach the ERP (retried with backoff), and
// the message says what to fix, without the password.
func TestSQLSinkRefusedLoginSaysWhatToFix(t *testing.T) {
	erp := sinktest.Open(t, "mysql")
	c := erp.Sink(t, "erp-db")
	dsn, err := mysql.ParseDSN(erp.DSN)
	if err != nil {
		t.Fatal(err)
	}
	dsn.User, dsn.Passwd = "erpdb_nouser", "canary-pw-7719"
	c.DSN = config.NewSecret(dsn.FormatDSN())
	_, err = newSink(t, c).Write(context.Background(), job("6006", line("A1", 1)))
	if sinks.KindOf(err) != sinks.Down || !strings.Contains(err.Error(), "Access denied") ||
		!strings.Contains(err.Error(), "check the user, password and database name in the DSN") || strings.Contains(err.Error(), "canary-pw-7719") {
		t.Fatalf("a refused login: %v (kind %v)", err, sinks.KindOf(err))
	}
}

// TestSQLSinkDeadlockIsRetriable makes PostgreSQL choose the sink's transaction as a
// deadlock victim: another session holds the order lines table, the sink's header row is
// in, its line insert waits for that session, which then inserts the same order number
// and waits for the sink. The sink's write fails as Busy (retried later, not a rejected
// order), its header is rolled back with it, and the retry writes the order once.
func TestSQLSinkDeadlockIsRetriable(t *testing.T) {
	erp := sinktest.Open(t, "postgres")
	c := erp.Sink(t, "erp-db")
	c.Timeout = config.Duration(20 * time.Second)
	s := newSink(t, c)
	other, err := erp.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	// The other session waits long before checking for a deadlock, so PostgreSQL's
	// detector runs in the sink's session (1 s by default) and aborts the sink.
	for _, q := range []string{"SET LOCAL deadlock_timeout = '60s'",
		"LOCK TABLE " + erp.Table("erp_order_lines") + " IN SHARE ROW EXCLUSIVE MODE"} {
		if _, err := other.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Write(context.Background(), job("7007", line("A1", 1)))
		done <- err
	}()
	waitFor := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := erp.DB.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query ILIKE '%' || $1 || '%'`, erp.Table("erp_order_lines")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(waitFor) {
			t.Fatal("the sink's line insert never waited for the other session")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// This insert waits for the sink's uncommitted header: a cycle.
	insert := make(chan error, 1)
	go func() {
		_, err := other.Exec("INSERT INTO " + erp.Table("erp_orders") + ` (marketplace, store, order_number, ordered_at, status,
			customer_name, ship_city, warehouse, cargo_firm, currency, total)
			VALUES ('trendyol', 'x', '7007', now(), 'x', 'x', 'x', 'x', 'x', 'TRY', 0)`)
		insert <- err
	}()
	err = <-done
	if sinks.KindOf(err) != sinks.Busy || !strings.Contains(err.Error(), "deadlock") {
		t.Fatalf("the deadlock victim's write: %v (kind %v), want Busy", err, sinks.KindOf(err))
	}
	if err := <-insert; err != nil {
		t.Fatalf("the other session's insert after the sink was rolled back: %v", err)
	}
	other.Rollback()
	if n := erp.Count(t, "erp_order_lines"); n != 0 {
		t.Fatalf("%d order lines left by the rolled-back write", n)
	}
	writeOK(t, s, job("7007", line("A1", 1)), sinks.Written)
	if w := erp.Written(t); w["7007"] != 1 || erp.Count(t, "erp_order_lines") != 1 {
		t.Fatalf("after the retry: %v", w)
	}
}
