package logging

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of TestPrintShowsTheConfiguredZone on any machine
)

// logLine builds a JSON line as the agent writes it.
func logLine(tm, level, component, store, msg string) string {
	s := `{"level":"` + level + `","component":"` + component + `"`
	if store != "" {
		s += `,"store":"` + store + `"`
	}
	return s + `,"time":"` + tm + `","message":"` + msg + `"}` + "\n"
}

// writeLogDir lays out rotated files (given oldest first) and the live file.
func writeLogDir(t *testing.T, rotated [][]string, live []string) string {
	t.Helper()
	dir := t.TempDir()
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i, lines := range rotated {
		// Written newest first, so directory order cannot stand in for name order.
		name := backupName(base.Add(time.Duration(i) * time.Hour))
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "")), 0o644))
	}
	if live != nil {
		must(t, os.WriteFile(filepath.Join(dir, LiveName), []byte(strings.Join(live, "")), 0o644))
	}
	// Files that are not the agent's log are never read.
	must(t, os.WriteFile(filepath.Join(dir, "syncagent-copy.log"), []byte("NOT MINE\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("NOT MINE\n"), 0o644))
	return dir
}

func printString(t *testing.T, dir string, q Query) string {
	t.Helper()
	var out bytes.Buffer
	if err := Print(context.Background(), dir, q, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

var (
	l1 = logLine("2026-11-20T10:00:00.000+03:00", "info", "importer", "", "one")
	l2 = logLine("2026-11-20T11:00:00.000+03:00", "debug", "pusher", "trendyol-main", "two")
	l3 = logLine("2026-11-20T12:00:00.000+03:00", "warn", "pusher", "hb-1", "three")
	l4 = logLine("2026-11-20T13:00:00.000+03:00", "error", "orders", "trendyol-main", "four")
	l5 = logLine("2026-11-20T14:00:00.000+03:00", "info", "service", "", "five")
)

func TestPrintReadsRotatedFilesOldestFirstThenLive(t *testing.T) {
	dir := writeLogDir(t, [][]string{{l1}, {l2, l3}, {l4}}, []string{l5})
	got := printString(t, dir, Query{})
	want := "2026-11-20 10:00:00.000 +03 INF importer: one\n" +
		"2026-11-20 11:00:00.000 +03 DBG pusher trendyol-main: two\n" +
		"2026-11-20 12:00:00.000 +03 WRN pusher hb-1: three\n" +
		"2026-11-20 13:00:00.000 +03 ERR orders trendyol-main: four\n" +
		"2026-11-20 14:00:00.000 +03 INF service: five\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestPrintShowsTheConfiguredZone: the agent writes each line with the offset of the
// machine's clock; `syncagent logs` shows it in the config's time zone, named, so a line
// reads the same on a PC whose clock is set to UTC.
func TestPrintShowsTheConfiguredZone(t *testing.T) {
	dir := writeLogDir(t, nil, []string{
		logLine("2026-11-20T07:00:00.000Z", "info", "importer", "", "written on a UTC machine"),
		logLine("2026-11-20T10:00:00.500+03:00", "info", "importer", "", "written in Istanbul"),
	})
	ist, err := time.LoadLocation("Europe/Istanbul")
	if err != nil {
		t.Fatal(err)
	}
	got := printString(t, dir, Query{Location: ist})
	want := "2026-11-20 10:00:00.000 +03 INF importer: written on a UTC machine\n" +
		"2026-11-20 10:00:00.500 +03 INF importer: written in Istanbul\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	ny, _ := time.LoadLocation("America/New_York")
	if got := printString(t, dir, Query{Location: ny}); !strings.HasPrefix(got, "2026-11-20 02:00:00.000 -05 INF") {
		t.Errorf("in New York: %s", got)
	}
}

func TestPrintFilters(t *testing.T) {
	dir := writeLogDir(t, [][]string{{l1, l2}, {l3}}, []string{l4, l5})
	since, _ := time.Parse(time.RFC3339, "2026-11-20T12:00:00+03:00")
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"level warn", Query{MinLevel: "warn"}, []string{l3, l4}},
		{"level info", Query{MinLevel: "info"}, []string{l1, l3, l4, l5}},
		{"level error", Query{MinLevel: "ERROR"}, []string{l4}},
		{"store", Query{Store: "trendyol-main"}, []string{l2, l4}},
		{"component", Query{Component: "pusher"}, []string{l2, l3}},
		{"since", Query{Since: since}, []string{l3, l4, l5}},
		{"store and level", Query{Store: "trendyol-main", MinLevel: "warn"}, []string{l4}},
		{"nothing matches", Query{Component: "nobody"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.JSON = true
			if got, want := printString(t, dir, tc.q), strings.Join(tc.want, ""); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestPrintSinceSkipsOldRotatedFiles(t *testing.T) {
	now := time.Now()
	stamp := func(d time.Duration) string { return now.Add(d).Format(TimeLayout) }
	before := logLine(stamp(-2*time.Hour), "info", "c", "", "before")
	after := logLine(stamp(-time.Minute), "info", "c", "", "after")
	// The first file's lines say nothing readable about their time; only its
	// modification time, two days ago, tells that it is entirely older than since.
	live := logLine(stamp(0), "info", "c", "", "live")
	dir := writeLogDir(t, [][]string{{"not json, printed only if the file is read\n"}, {before, after}}, []string{live})
	names, _ := listBackups(dir)
	old := now.Add(-48 * time.Hour)
	must(t, os.Chtimes(filepath.Join(dir, names[0]), old, old))
	got := printString(t, dir, Query{Since: now.Add(-time.Hour), JSON: true})
	if want := after + live; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPrintJSONPassesLinesThroughUnchanged(t *testing.T) {
	odd := `{"level":"info","component":"c","message":"spacing kept"   , "x" : [1, 2]}` + "\n"
	dir := writeLogDir(t, [][]string{{l1, odd}}, []string{l2, l3})
	if got, want := printString(t, dir, Query{JSON: true}), l1+odd+l2+l3; got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
	if got, want := printString(t, dir, Query{JSON: true, Component: "c"}), odd; got != want {
		t.Errorf("filtered got:\n%q\nwant:\n%q", got, want)
	}
}

func TestPrintSurvivesGarbage(t *testing.T) {
	garbage := []string{"plain text from somewhere\n", `{"level":"info","mess` + "\n", "\x00\xff\xfe binary\n", "\n", "[1,2]\n"}
	dir := writeLogDir(t, [][]string{garbage}, []string{l1, `{"level":"info","component":"c","message":"cut`})
	got := printString(t, dir, Query{Store: "nobody"})
	want := "plain text from somewhere\n" + `{"level":"info","mess` + "\n" + "\x00\xff\xfe binary\n" + "\n" + "[1,2]\n" +
		`{"level":"info","component":"c","message":"cut` + "\n"
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestPrintLongLine(t *testing.T) {
	long := logLine("2026-11-20T10:00:00.000+03:00", "info", "c", "", strings.Repeat("é", 400<<10))
	dir := writeLogDir(t, [][]string{{long, l1}}, []string{l2, long, l3})
	if got, want := printString(t, dir, Query{JSON: true}), long+l1+l2+long+l3; got != want {
		t.Errorf("long lines not printed whole (%d bytes, want %d)", len(got), len(want))
	}
}

func TestPrintMissingFolderSaysSo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	err := Print(context.Background(), dir, Query{}, &bytes.Buffer{})
	if !errors.Is(err, ErrNoLogDir) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "has not run yet") {
		t.Errorf("error %v", err)
	}
}

func TestPrintEmptyFolderPrintsNothing(t *testing.T) {
	if got := printString(t, t.TempDir(), Query{}); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestPrintRejectsUnknownLevel(t *testing.T) {
	if err := Print(context.Background(), t.TempDir(), Query{MinLevel: "loud"}, &bytes.Buffer{}); err == nil {
		t.Error("unknown level accepted")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestPrintReportsOutputErrors(t *testing.T) {
	dir := writeLogDir(t, [][]string{{l1}}, []string{strings.Repeat(l2, 5000)})
	if err := Print(context.Background(), dir, Query{}, failingWriter{}); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("error %v", err)
	}
}
