package logging

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRotationKeepsCountAndSizeBound(t *testing.T) {
	dir := t.TempDir()
	const maxSize, maxFiles, n = 2048, 3, 500
	f := openTestFile(t, dir, maxSize, maxFiles)
	for i := range n {
		if _, err := f.Write(testLine(i)); err != nil {
			t.Fatal(err)
		}
	}
	names, _ := listBackups(dir)
	if len(names) != maxFiles {
		t.Errorf("%d rotated files kept, want %d: %v", len(names), maxFiles, names)
	}
	var total int64
	for _, p := range logFiles(t, dir) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > maxSize {
			t.Errorf("%s is %d bytes, over the %d limit", p, fi.Size(), maxSize)
		}
		total += fi.Size()
	}
	if total > maxSize*(maxFiles+1) {
		t.Errorf("log uses %d bytes, over %d", total, maxSize*(maxFiles+1))
	}
	// What is kept is the newest lines, unbroken and in order across the files in name
	// order: names sort oldest to newest.
	seqs := readSeqs(t, dir)
	if len(seqs) == 0 || seqs[len(seqs)-1] != n-1 {
		t.Fatalf("newest line missing: %v", seqs)
	}
	wantSeqs(t, seqs, n-len(seqs), n)
	if s := f.Stats(); s.Lines != n || s.Rotations < 10 || s.Errors != 0 || s.CopyFallbacks != 0 {
		t.Errorf("stats %+v", s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != maxFiles+1 {
		t.Errorf("%d files in the folder, want %d", len(entries), maxFiles+1)
	}
}

func TestRotatedNamesSortInWriteOrder(t *testing.T) {
	base := time.Date(2026, 11, 23, 10, 15, 0, 123e6, time.FixedZone("TRT", 3*3600))
	for _, tc := range []struct {
		name string
		tick time.Duration // clock movement per line
	}{
		{"same millisecond", 0},
		{"clock going back", -time.Second},
		{"sub-millisecond steps", 100 * time.Microsecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := openTestFile(t, dir, 300, 1000)
			clk := &fakeClock{t: base}
			f.now = clk.now
			const n = 200
			for i := range n {
				if _, err := f.Write(testLine(i)); err != nil {
					t.Fatal(err)
				}
				clk.add(tc.tick)
			}
			names, _ := listBackups(dir)
			if uint64(len(names)) != f.Stats().Rotations || len(names) < n/2 {
				t.Fatalf("%d names for %d rotations", len(names), f.Stats().Rotations)
			}
			if !sort.StringsAreSorted(names) {
				t.Fatal("listing not sorted")
			}
			wantSeqs(t, readSeqs(t, dir), 0, n)
			if tc.tick == 0 && names[0] != "syncagent-20261123T071500.123Z.log" {
				t.Errorf("first name %s: want the UTC stamp of the clock", names[0])
			}
		})
	}
}

func TestConcurrentLoggersAcrossRotations(t *testing.T) {
	dir := t.TempDir()
	f := openTestFile(t, dir, 8<<10, 100000)
	log := Component(newLogger(f), "test")
	const goroutines, perG = 16, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				log.Info().Int("g", g).Int("i", i).Str("text", strings.Repeat("ş", i%30)).Msg("concurrent line")
			}
		})
	}
	wg.Wait()
	seen := make(map[[2]int]int)
	lines := 0
	for _, p := range logFiles(t, dir) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if l == "" {
				continue
			}
			var v struct{ G, I *int }
			if err := json.Unmarshal([]byte(l), &v); err != nil || v.G == nil || v.I == nil || !strings.HasSuffix(l, "\n") {
				t.Fatalf("broken line in %s: %q", p, l)
			}
			seen[[2]int{*v.G, *v.I}]++
			lines++
		}
	}
	if lines != goroutines*perG || len(seen) != goroutines*perG {
		t.Errorf("%d lines, %d distinct, want %d of each", lines, len(seen), goroutines*perG)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("line %v appears %d times", k, c)
		}
	}
	if s := f.Stats(); s.Rotations < 50 || s.Errors != 0 {
		t.Errorf("stats %+v: want many rotations and no errors", s)
	}
}

func TestRotationWhileReaderHoldsLiveFile(t *testing.T) {
	dir := t.TempDir()
	f := openTestFile(t, dir, 4096, 100)
	for i := range 20 {
		mustWrite(t, f, i)
	}
	held, err := openRead(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for i := 20; i < 400; i++ {
		mustWrite(t, f, i)
	}
	if f.Stats().Rotations == 0 || f.Stats().CopyFallbacks != 0 {
		t.Fatalf("stats %+v: want rename rotations", f.Stats())
	}
	wantSeqs(t, readSeqs(t, dir), 0, 400)
	// The reader's handle followed the file it opened and reads it to its end.
	b, err := io.ReadAll(held)
	if err != nil {
		t.Fatal(err)
	}
	got := seqsIn(t, b)
	if len(got) == 0 || got[0] != 0 {
		t.Fatalf("held handle read %v", got)
	}
	wantSeqs(t, got, 0, len(got))
}

// sharingViolation stands in for ERROR_SHARING_VIOLATION, which a rename of the live
// file gets on Windows while Get-Content -Wait holds it.
func sharingViolation(oldpath, newpath string) error {
	return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: errors.New("The process cannot access the file because it is being used by another process.")}
}

func TestRenameFailureFallsBackToCopyTruncate(t *testing.T) {
	dir := t.TempDir()
	f := openTestFile(t, dir, 2048, 1000)
	f.rename = sharingViolation
	var reported []error
	f.OnError(func(err error) { reported = append(reported, err) })
	held, err := openRead(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	const n = 600
	for i := range n {
		mustWrite(t, f, i)
	}
	s := f.Stats()
	if s.Rotations == 0 || s.CopyFallbacks != s.Rotations || s.Errors != 0 || len(reported) != 0 {
		t.Fatalf("stats %+v, reported %v: want every rotation by copy, no errors", s, reported)
	}
	wantSeqs(t, readSeqs(t, dir), 0, n)
	temps, _ := listTemps(dir)
	if len(temps) != 0 {
		t.Errorf("copies left behind: %v", temps)
	}
	// Copy-truncate keeps the live file's identity: the held handle is still on it.
	fi1, _ := held.Stat()
	fi2, _ := os.Stat(f.Path())
	if !os.SameFile(fi1, fi2) {
		t.Error("live file replaced instead of truncated")
	}
}

func TestRotationFailureKeepsWritingAndRetries(t *testing.T) {
	dir := t.TempDir()
	const maxSize = 16 << 10
	f := openTestFile(t, dir, maxSize, 1000)
	clk := &fakeClock{t: time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)}
	f.now = clk.now
	f.rename = sharingViolation
	var mu sync.Mutex
	var reported []error
	f.OnError(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() })
	// Block the copy too: a folder, not empty, where the copy must be created.
	block := filepath.Join(dir, backupName(clk.now())+tmpSuffix)
	must(t, os.Mkdir(block, 0o755))
	must(t, os.WriteFile(filepath.Join(block, "x"), nil, 0o644))
	const n = 600
	for i := range n {
		mustWrite(t, f, i)
	}
	s := f.Stats()
	if s.Rotations != 0 || s.Errors == 0 || int(s.Errors) != len(reported) {
		t.Fatalf("stats %+v, %d reported", s, len(reported))
	}
	// Retries are spaced by an eighth of MaxSize, not made on every line.
	if fi, _ := os.Stat(f.Path()); s.Errors > uint64(fi.Size()/(maxSize/8))+1 {
		t.Errorf("%d failed attempts for a %d-byte file: retrying too often", s.Errors, fi.Size())
	}
	var fe *FileError
	if !errors.As(reported[0], &fe) || fe.Path != f.Path() || !strings.Contains(fe.Error(), "keeps writing") {
		t.Errorf("report %v", reported[0])
	}
	// Once the obstacle is gone the next attempt rotates, and nothing was lost.
	must(t, os.RemoveAll(block))
	for i := n; i < 2*n; i++ {
		mustWrite(t, f, i)
	}
	if f.Stats().CopyFallbacks == 0 {
		t.Fatal("no rotation after the obstacle was removed")
	}
	wantSeqs(t, readSeqs(t, dir), 0, 2*n)
}

func TestWriteErrorIsCountedAndReported(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "logs")
	f := openTestFile(t, dir, 1<<20, 3)
	clk := &fakeClock{t: time.Now()}
	f.now = clk.now
	var reported []error
	f.OnError(func(err error) { reported = append(reported, err) })
	mustWrite(t, f, 0)

	// The folder disappears and a file takes its place: the handle is stale and the
	// file cannot be created again.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * identityCheckEvery)
	if _, err := f.Write(testLine(1)); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	if f.Stats().Errors != 1 || len(reported) != 1 {
		t.Fatalf("errors %d, reported %v", f.Stats().Errors, reported)
	}
	if !strings.Contains(reported[0].Error(), dir) || !strings.Contains(reported[0].Error(), "is a file, not a folder") {
		t.Errorf("report does not say what is wrong: %v", reported[0])
	}

	// Put the folder back: the next line gets through without any restart.
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, 2)
	wantSeqs(t, readSeqs(t, dir), 2, 3)
}

func TestDeletedLiveFileIsRecreated(t *testing.T) {
	dir := t.TempDir()
	f := openTestFile(t, dir, 1<<20, 3)
	clk := &fakeClock{t: time.Now()}
	f.now = clk.now
	mustWrite(t, f, 0)
	if err := os.Remove(f.Path()); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * identityCheckEvery)
	mustWrite(t, f, 1)
	wantSeqs(t, readSeqs(t, dir), 1, 2)
}

func TestTornLastLineStaysOnItsOwnLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LiveName), []byte(`{"level":"info","mess`), 0o644); err != nil {
		t.Fatal(err)
	}
	f := openTestFile(t, dir, 1<<20, 3)
	mustWrite(t, f, 7)
	b, _ := os.ReadFile(f.Path())
	if want := `{"level":"info","mess` + "\n" + string(testLine(7)); string(b) != want {
		t.Errorf("file:\n%s\nwant:\n%s", b, want)
	}
}

func TestInterruptedCopyIsRecoveredAtStart(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, LiveName)
	must(t, os.WriteFile(live, append(testLine(1), testLine(2)...), 0o644))
	// Cut short before the truncation: a prefix of the live file, only a duplicate.
	dup := filepath.Join(dir, backupName(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))+tmpSuffix)
	must(t, os.WriteFile(dup, testLine(1), 0o644))
	// Cut short after the truncation: lines that exist nowhere else.
	orphan := filepath.Join(dir, backupName(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))+tmpSuffix)
	must(t, os.WriteFile(orphan, testLine(0), 0o644))

	f := openTestFile(t, dir, 1<<20, 3)
	if _, err := os.Stat(dup); !errors.Is(err, os.ErrNotExist) {
		t.Error("duplicate copy kept")
	}
	if _, err := os.Stat(strings.TrimSuffix(orphan, tmpSuffix)); err != nil {
		t.Errorf("orphan copy not given its name: %v", err)
	}
	mustWrite(t, f, 3)
	wantSeqs(t, readSeqs(t, dir), 0, 4)
	// The next rotation sorts after the recovered file.
	must(t, f.rotateNow())
	names, _ := listBackups(dir)
	if len(names) != 2 || names[1] <= names[0] {
		t.Errorf("names %v", names)
	}
}

func TestOpenFileErrorNamesThePath(t *testing.T) {
	root := t.TempDir()
	blocker := filepath.Join(root, "data")
	must(t, os.WriteFile(blocker, []byte("x"), 0o644))
	dir := filepath.Join(blocker, "logs")
	_, err := OpenFile(FileOptions{Dir: dir, MaxSize: 1 << 20, MaxFiles: 3})
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a FileError", err)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), blocker+" is a file, not a folder") {
		t.Errorf("error does not name the path and the cause: %v", err)
	}
	if fe.Err == nil || fe.Op != opCreateDir {
		t.Errorf("error %+v: want the operation and the system's error kept", fe)
	}
}

func TestWriteAfterCloseIsCounted(t *testing.T) {
	f := openTestFile(t, t.TempDir(), 1<<20, 3)
	must(t, f.Close())
	if _, err := f.Write(testLine(0)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if f.Stats().Errors != 1 {
		t.Errorf("errors %d", f.Stats().Errors)
	}
}

func TestErrorsBeforeHandlerAreDelivered(t *testing.T) {
	f := openTestFile(t, t.TempDir(), 1<<20, 3)
	must(t, f.Close())
	_, _ = f.Write(testLine(0))
	var got []error
	f.OnError(func(err error) { got = append(got, err) })
	if len(got) != 1 || !errors.Is(got[0], os.ErrClosed) {
		t.Errorf("pending errors %v", got)
	}
}

func mustWrite(t *testing.T, f *File, seq int) {
	t.Helper()
	if _, err := f.Write(testLine(seq)); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rotateNow rotates at once, as a size overflow would.
func (f *File) rotateNow() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return errors.Join(f.rotate(f.now())...)
}
