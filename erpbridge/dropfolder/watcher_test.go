package dropfolder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"syncagent/queue"
)

// rig is a watcher on a real folder with a real store.
type rig struct {
	t    *testing.T
	dir  string
	st   *queue.Store
	w    *Watcher
	log  *syncBuf
	data string
}

// newRig prepares a watcher for a folder configured by folderYAML; adjust hooks on
// r.w before r.start.
func newRig(t *testing.T, folderYAML string) *rig {
	t.Helper()
	root := t.TempDir()
	r := &rig{t: t, dir: filepath.Join(root, "drop"), data: filepath.Join(root, "data")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, f := folderConfig(t, folderYAML, r.dir, r.data)
	r.st = openStore(t, r.data)
	log, buf := testLog(t)
	r.log = buf
	w, err := New(FromConfig(cfg, f), r.st, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.w = w
	return r
}

func (r *rig) start() {
	r.t.Helper()
	if err := r.w.Start(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { r.stop() })
}

func (r *rig) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.w.Stop(ctx); err != nil {
		r.t.Errorf("stop: %v", err)
	}
}

func (r *rig) imports(status string) int { return countImports(r.t, r.st, status) }

// waitImports waits until n import records exist.
func (r *rig) waitImports(n int, limit time.Duration) {
	r.t.Helper()
	waitFor(r.t, limit, fmt.Sprintf("%d import records", n), func() bool { return r.imports("") >= n })
}

func (r *rig) health() queue.Health {
	h, err := r.st.HealthOf(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return h["source:"+r.w.set.Name]
}

func stockCSV(rows ...string) string {
	return "Stok Kodu;Miktar\n" + strings.Join(rows, "\n") + "\n"
}

// 2,000 files dropped at once: every one imported exactly once, in its own record,
// and every file put away with its report.
func TestBurstOf2000Files(t *testing.T) {
	r := newRig(t, "name: burst\nquiet_period: 200ms\npoll_interval: 1s\n")
	r.start()
	const n = 2000
	for i := 0; i < n; i++ {
		writeFile(t, filepath.Join(r.dir, fmt.Sprintf("b%04d.csv", i)), stockCSV(fmt.Sprintf("B%04d;%d", i, i+1)))
	}
	r.waitImports(n, 3*time.Minute)
	r.stop()
	if got := r.imports("imported"); got != n {
		t.Fatalf("%d imported records, want %d", got, n)
	}
	ims, err := r.st.RecentImports(context.Background(), 2*n)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, im := range ims {
		seen[im.File]++
	}
	for f, c := range seen {
		if c != 1 {
			t.Errorf("%s imported %d times", f, c)
		}
	}
	if e := journal(t, r.st, ""); len(e) != n {
		t.Fatalf("%d journal entries, want %d", len(e), n)
	}
	files := tree(t, r.dir)
	if len(files) != 2*n {
		t.Fatalf("%d files in the folder, want %d files and %d reports", len(files), n, n)
	}
	for _, f := range files {
		if !strings.HasPrefix(f, processedDir+"/") {
			t.Fatalf("%s is not in processed/", f)
		}
	}
}

// A file written slowly, with a pause longer than the quiet period while the writer
// still has it open: imported once, complete.
func TestSlowWriterIsImportedOnceComplete(t *testing.T) {
	r := newRig(t, "name: yavas\nquiet_period: 300ms\npoll_interval: 200ms\n")
	longPause := 200 * time.Millisecond
	if probeSeesWriters(t, r.dir) {
		longPause = time.Second // longer than the quiet period: only the open-for-writing check holds the file back
	}
	r.start()
	f, err := os.Create(filepath.Join(r.dir, "yavas.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("Stok Kodu;Miktar\n"); err != nil {
		t.Fatal(err)
	}
	const rows = 40
	for i := 0; i < rows; i++ {
		if _, err := fmt.Fprintf(f, "Y%02d;%d\n", i, i); err != nil {
			t.Fatal(err)
		}
		pause := 75 * time.Millisecond
		if i == rows/2 {
			pause = longPause
		}
		time.Sleep(pause)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r.waitImports(1, 30*time.Second)
	ims, _ := r.st.RecentImports(context.Background(), 10)
	if len(ims) != 1 || ims[0].RowsRead != rows || ims[0].Applied != rows {
		t.Fatalf("imports: %+v", ims)
	}
}

// Excel's save: the workbook is written under a random temporary name, an owner file
// appears, then the temporary file is renamed to the real name. Only the real name is
// imported, once; the owner file is left alone.
func TestExcelSavePatternImportsTheFinalNameOnce(t *testing.T) {
	r := newRig(t, "name: excel\nquiet_period: 200ms\npoll_interval: 300ms\npatterns: ['*.csv']\n")
	r.start()
	writeFile(t, filepath.Join(r.dir, "~$stok.csv"), string(ownerFile(t, "Ayşe", 55, 165)))
	tmp := filepath.Join(r.dir, "3F2A9C1B")
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		fmt.Fprintf(f, "%s", map[bool]string{true: "Stok Kodu;Miktar\n", false: ""}[i == 0])
		fmt.Fprintf(f, "E%d;%d\n", i, i)
		time.Sleep(50 * time.Millisecond)
	}
	f.Close()
	if err := os.Rename(tmp, filepath.Join(r.dir, "stok.csv")); err != nil {
		t.Fatal(err)
	}
	r.waitImports(1, 30*time.Second)
	// A sentinel file dropped later is imported after the first one; by then any wrong
	// pick-up of the temporary or owner file would have happened.
	writeFile(t, filepath.Join(r.dir, "zz.csv"), stockCSV("Z;1"))
	r.waitImports(2, 30*time.Second)
	ims, _ := r.st.RecentImports(context.Background(), 10)
	if len(ims) != 2 || ims[1].File != "stok.csv" || ims[1].RowsRead != 10 || ims[0].File != "zz.csv" {
		t.Fatalf("imports: %+v", ims)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "~$stok.csv")); err != nil {
		t.Fatalf("owner file was touched: %v", err)
	}
}

// Helper files and folders are never taken.
func TestIgnoresHelperFiles(t *testing.T) {
	r := newRig(t, "name: yok\nquiet_period: 100ms\npoll_interval: 200ms\n")
	ignored := []string{"~$stok.xlsx", "kopya.tmp", ".gizli.csv", "A1B2C3D4", "notlar.pdf", ".~lock.stok.csv#", "eski.csv.report.txt"}
	for _, n := range ignored {
		writeFile(t, filepath.Join(r.dir, n), stockCSV("I;1"))
	}
	if err := os.Mkdir(filepath.Join(r.dir, "alt.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.start()
	time.Sleep(50 * time.Millisecond)
	writeFile(t, filepath.Join(r.dir, "zz.csv"), stockCSV("Z;1"))
	r.waitImports(1, 30*time.Second)
	r.stop()
	if n := r.imports(""); n != 1 {
		t.Fatalf("%d imports, want only zz.csv", n)
	}
	for _, n := range ignored {
		if _, err := os.Stat(filepath.Join(r.dir, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// A folder in poll mode (a network share) never opens file events, and still imports.
func TestPollModeUsesNoEvents(t *testing.T) {
	r := newRig(t, "name: ag\nmode: poll\nquiet_period: 100ms\npoll_interval: 200ms\n")
	var opened atomic.Int32
	r.w.openEvents = func(dir string) (events, error) { opened.Add(1); return watchDir(dir) }
	r.start()
	writeFile(t, filepath.Join(r.dir, "stok.csv"), stockCSV("P;1"))
	r.waitImports(1, 30*time.Second)
	waitFor(t, 10*time.Second, "health shows polling", func() bool { return r.health().State == "polling" })
	if n := opened.Load(); n != 0 {
		t.Fatalf("file events opened %d times in poll mode", n)
	}
}

// A file left in processing/ by a crash is imported at start, before a newer file of
// the same name waiting in the folder.
func TestResumesProcessingAtStart(t *testing.T) {
	r := newRig(t, "name: devam\nquiet_period: 100ms\npoll_interval: 200ms\n")
	if err := os.MkdirAll(filepath.Join(r.dir, processingDir), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(r.dir, processingDir, "stok.csv"), stockCSV("R;1"))
	writeFile(t, filepath.Join(r.dir, "stok.csv"), stockCSV("R;2"))
	r.start()
	r.waitImports(2, 30*time.Second)
	e := journal(t, r.st, "R")
	if len(e) != 2 || e[1].New != "1" || e[0].New != "2" {
		t.Fatalf("journal of R (newest first): %+v", e)
	}
	got := tree(t, r.dir)
	want := []string{"processed/" + today(r) + "/stok-2.csv", "processed/" + today(r) + "/stok-2.csv.report.txt",
		"processed/" + today(r) + "/stok.csv", "processed/" + today(r) + "/stok.csv.report.txt"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("files:\n got %v\nwant %v", got, want)
	}
}

func today(r *rig) string { return time.Now().In(r.w.set.location()).Format("2006-01-02") }

// lossyEvents passes through nothing but the errors the test sends: every file event is
// lost, as in an overflow.
type lossyEvents struct {
	real   events
	events chan fsnotify.Event
	errs   chan error
	stop   chan struct{}
	once   sync.Once
}

func (l *lossyEvents) Events() <-chan fsnotify.Event { return l.events }
func (l *lossyEvents) Errors() <-chan error          { return l.errs }
func (l *lossyEvents) Close() error {
	l.once.Do(func() { close(l.stop) })
	return l.real.Close()
}

// After an overflow the folder is listed again and everything is imported, although no
// event for the files arrived and the next timed listing is an hour away.
func TestOverflowTriggersFullRescan(t *testing.T) {
	r := newRig(t, "name: tasma\nquiet_period: 100ms\npoll_interval: 1h\n")
	lossy := make(chan *lossyEvents, 1)
	r.w.openEvents = func(dir string) (events, error) {
		real, err := watchDir(dir)
		if err != nil {
			return nil, err
		}
		l := &lossyEvents{real: real, events: make(chan fsnotify.Event), errs: make(chan error), stop: make(chan struct{})}
		go func() { // drain and drop the real events
			for {
				select {
				case <-real.Events():
				case <-real.Errors():
				case <-l.stop:
					return
				}
			}
		}()
		lossy <- l
		return l, nil
	}
	r.start()
	l := <-lossy
	waitFor(t, 10*time.Second, "the first listing", func() bool { return r.health().State == "watching" })
	const n = 50
	for i := 0; i < n; i++ {
		writeFile(t, filepath.Join(r.dir, fmt.Sprintf("t%02d.csv", i)), stockCSV(fmt.Sprintf("T%02d;1", i)))
	}
	l.errs <- fsnotify.ErrEventOverflow
	r.waitImports(n, time.Minute)
	if !strings.Contains(r.log.String(), "overflowed") {
		t.Fatalf("overflow not logged")
	}
}

// A workbook open in another program is retried with backoff; the user named in
// Excel's owner file is logged; the file is imported once it is closed.
func TestFileInUseIsRetriedAndTheUserNamed(t *testing.T) {
	r := newRig(t, "name: kilit\nquiet_period: 100ms\npoll_interval: 200ms\n")
	var locked atomic.Bool
	locked.Store(true)
	var probes atomic.Int32
	r.w.probe = func(path string) error {
		probes.Add(1)
		if locked.Load() {
			return errInUse
		}
		return probe(path)
	}
	writeFile(t, filepath.Join(r.dir, "~$stok.csv"), string(ownerFile(t, "Ayşe Yılmaz", 55, 165)))
	writeFile(t, filepath.Join(r.dir, "stok.csv"), stockCSV("K;1"))
	r.start()
	waitFor(t, 30*time.Second, "two attempts", func() bool { return probes.Load() >= 2 })
	if n := r.imports(""); n != 0 {
		t.Fatalf("%d imports while the file is in use", n)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "stok.csv")); err != nil {
		t.Fatalf("the file in use was moved: %v", err)
	}
	logged := r.log.String()
	if !strings.Contains(logged, `"locked_by":"Ayşe Yılmaz"`) || !strings.Contains(logged, `stok.csv is open in another program (Excel: user \"Ayşe Yılmaz\")`) {
		t.Fatalf("the user holding the file is not logged")
	}
	locked.Store(false)
	r.waitImports(1, 30*time.Second)
}

// Stop during a large import: the import is rolled back, the file waits in processing/,
// and the next start imports it in full.
func TestStopDuringImportResumesAtNextStart(t *testing.T) {
	r := newRig(t, "name: dur\nquiet_period: 50ms\npoll_interval: 200ms\n")
	var started atomic.Bool
	r.st.SetStores(map[string]queue.Rules{"ty": queue.RulesFunc(func(it *queue.Item) queue.Desired {
		started.Store(true)
		time.Sleep(time.Millisecond) // keep the import going long enough to stop it
		return queue.Desired{}
	})})
	var rows []string
	for i := 0; i < 20000; i++ {
		rows = append(rows, fmt.Sprintf("D%05d;%d", i, i))
	}
	writeFile(t, filepath.Join(r.dir, "büyük.csv"), stockCSV(rows...))
	r.start()
	waitFor(t, 30*time.Second, "the import to begin", started.Load)
	r.stop()
	if n := r.imports(""); n != 0 {
		t.Fatalf("%d import records after a stop mid-import", n)
	}
	if n := len(journal(t, r.st, "")); n != 0 {
		t.Fatalf("%d journal entries after a stop mid-import", n)
	}
	if _, err := os.Stat(filepath.Join(r.dir, processingDir, "büyük.csv")); err != nil {
		t.Fatalf("file not waiting in processing/: %v", err)
	}
	r.st.SetStores(nil)
	log, _ := testLog(t)
	w2, err := New(r.w.set, r.st, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.w = w2
	r.start()
	r.waitImports(1, time.Minute)
	if n := len(journal(t, r.st, "")); n != len(rows) {
		t.Fatalf("%d journal entries, want %d", n, len(rows))
	}
}

// The folder is deleted while watched (a user cleaning up, a share remounted): it is
// made again, and a file dropped afterwards is imported.
func TestFolderRemovedWhileWatched(t *testing.T) {
	r := newRig(t, "name: silinen\nquiet_period: 100ms\npoll_interval: 200ms\n")
	r.start()
	waitFor(t, 10*time.Second, "the first listing", func() bool { return r.health().State == "watching" })
	if err := os.RemoveAll(r.dir); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the folder made again", func() bool {
		_, err := os.Stat(filepath.Join(r.dir, processingDir))
		return err == nil
	})
	writeFile(t, filepath.Join(r.dir, "stok.csv"), stockCSV("S;1"))
	r.waitImports(1, 30*time.Second)
}
