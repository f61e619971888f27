package dropfolder

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the expected files of the golden tests")

// goldenTime is the clock of the golden tests (10:22:05 in Istanbul).
var goldenTime = time.Date(2025, 3, 14, 7, 22, 5, 0, time.UTC)

// goldenOutputs are the files of a case folder that are not inputs.
var goldenOutputs = map[string]bool{"folder.yaml": true, "report.txt": true, "changes.txt": true, "files.txt": true}

// TestGolden runs each testdata/golden/<case> through the watcher's own path (claim,
// import, put away, report) and compares the report, the journal of queue changes the
// file made, and the files left in the drop folder with the expected ones. A file named
// before.* is imported first, to give the queue a state to compare against.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) { runGolden(t, dir) })
	}
}

func runGolden(t *testing.T, caseDir string) {
	ents, err := os.ReadDir(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	var input, before string
	for _, e := range ents {
		switch n := e.Name(); {
		case goldenOutputs[n]:
		case strings.HasPrefix(n, "before."):
			before = n
		case input != "":
			t.Fatalf("two input files: %s and %s", input, n)
		default:
			input = n
		}
	}
	folderYAML, err := os.ReadFile(filepath.Join(caseDir, "folder.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	drop, data := filepath.Join(root, "drop"), filepath.Join(root, "data")
	cfg, f := folderConfig(t, string(folderYAML), drop, data)
	set := FromConfig(cfg, f)
	set.Now = func() time.Time { return goldenTime }
	st := openStore(t, data)
	log, _ := testLog(t)
	w, err := New(set, st, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(drop, processingDir), 0o755); err != nil {
		t.Fatal(err)
	}
	k := &worker{w: w, unfinished: map[string]*Result{}}
	take := func(name string) {
		b, err := os.ReadFile(filepath.Join(caseDir, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(drop, name)
		writeFile(t, p, string(b))
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if r := k.handle(context.Background(), job{name: name, size: fi.Size(), mod: fi.ModTime()}); r.kind != done {
			t.Fatalf("%s: result %d, error %v", name, r.kind, r.err)
		}
	}
	if before != "" {
		take(before)
	}
	take(input)

	var report []byte
	for _, top := range []string{processedDir, failedDir} {
		if b, err := os.ReadFile(filepath.Join(drop, top, "2025-03-14", input+reportSuffix)); err == nil {
			report = b
		}
	}
	if report == nil {
		t.Fatalf("no report for %s; files: %v", input, tree(t, drop))
	}
	if !bytes.HasPrefix(report, []byte("\xEF\xBB\xBF")) {
		t.Errorf("report does not start with a UTF-8 BOM")
	}
	if n, crlf := bytes.Count(report, []byte("\n")), bytes.Count(report, []byte("\r\n")); n == 0 || n != crlf {
		t.Errorf("report has %d line ends, %d of them CRLF", n, crlf)
	}
	text := strings.ReplaceAll(strings.TrimPrefix(string(report), "\ufeff"), "\r\n", "\n")

	entries, err := st.Journal(context.Background(), "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(entries)
	var changes strings.Builder
	for _, e := range entries {
		if e.Source.Ref == input {
			fmt.Fprintf(&changes, "row %d: %s %s: %q -> %q\n", e.Source.Row, e.SKU, e.Field, e.Old, e.New)
		}
	}
	files := strings.Join(tree(t, drop), "\n") + "\n"

	for name, got := range map[string]string{"report.txt": text, "changes.txt": changes.String(), "files.txt": files} {
		path := filepath.Join(caseDir, name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
		}
	}
}
