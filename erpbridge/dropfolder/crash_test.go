package dropfolder

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const crashRows = 60000

// TestHelperImportProcess is the child of TestKillDuringImport: it imports the file
// waiting in processing/ the way the watcher does, until it is killed.
func TestHelperImportProcess(t *testing.T) {
	drop, data := os.Getenv("DROPFOLDER_CRASH_DROP"), os.Getenv("DROPFOLDER_CRASH_DATA")
	if drop == "" {
		t.Skip("child process of TestKillDuringImport")
	}
	cfg, f := folderConfig(t, "name: kaza\n", drop, data)
	st := openStore(t, data)
	log, _ := testLog(t)
	w, err := New(FromConfig(cfg, f), st, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := &worker{w: w, unfinished: map[string]*Result{}}
	if r := k.importClaimed(context.Background(), "kaza.csv"); r.kind != done {
		t.Fatalf("import: %v", r.err)
	}
}

// A kill -9 at any moment of an import leaves either all of the file's changes with
// its import record, or none of them; the next start then completes the import.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	var rows []string
	for i := 0; i < crashRows; i++ {
		rows = append(rows, fmt.Sprintf("K%06d;%d", i, i%97))
	}
	content := stockCSV(rows...)
	for _, delay := range []time.Duration{0, 150 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond, 4 * time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			root := t.TempDir()
			drop, data := filepath.Join(root, "drop"), filepath.Join(root, "data")
			if err := os.MkdirAll(filepath.Join(drop, processingDir), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(drop, processingDir, "kaza.csv"), content)
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImportProcess$")
			cmd.Env = append(os.Environ(), "DROPFOLDER_CRASH_DROP="+drop, "DROPFOLDER_CRASH_DATA="+data)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-time.After(delay):
				_ = cmd.Process.Kill()
				<-exited
			case err := <-exited:
				if err != nil {
					t.Fatalf("child failed: %v", err)
				}
			}

			r := &rig{t: t, dir: drop, data: data}
			cfg, f := folderConfig(t, "name: kaza\nquiet_period: 50ms\npoll_interval: 200ms\n", drop, data)
			r.st = openStore(t, data)
			if ok, err := r.st.IntegrityCheck(context.Background()); err != nil || ok != "ok" {
				t.Fatalf("integrity after kill: %q %v", ok, err)
			}
			entries, records := len(journal(t, r.st, "")), r.imports("")
			if !(entries == 0 && records == 0 || entries == crashRows && records == 1) {
				t.Fatalf("after the kill: %d journal entries and %d import records; want all or nothing", entries, records)
			}
			log, buf := testLog(t)
			r.log = buf
			w, err := New(FromConfig(cfg, f), r.st, log, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.w = w
			r.start()
			waitFor(t, time.Minute, "the file put away", func() bool {
				files := tree(t, drop)
				return len(files) == 2 && strings.HasPrefix(files[0], processedDir+"/")
			})
			r.stop()
			if n := len(journal(t, r.st, "")); n != crashRows {
				t.Fatalf("%d journal entries after the restart, want %d (each row changed exactly once)", n, crashRows)
			}
			t.Logf("killed after %s: %d records before restart, %d after", delay, records, r.imports(""))
		})
	}
}
