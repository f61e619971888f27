package logging

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// pollEvery is how often Follow looks for new lines. Polling rather than fsnotify:
// change events are unreliable on network shares and coalesce under load, and a
// stat every 200 ms costs nothing.
const pollEvery = 200 * time.Millisecond

// copyPatience is how long a follow waits for the agent to name a copy it made during
// a copy-then-truncate rotation (a moment, normally) before it takes the copy for a
// leftover of a crash and reads the live file from its top.
const copyPatience = 10 * time.Second

// chunkSize is how much of the live file is read at once.
const chunkSize = 256 << 10

// Print writes the agent's log in dir to w: the rotated files oldest first, then the
// live file, as readable lines or (q.JSON) the original lines, filtered by q.
//
// With q.Follow it then keeps printing lines as the agent writes them, across
// rotations of both kinds: a rename (the file it reads becomes a rotated file; it is
// read to its end and the new live file from its start) and a copy-then-truncate (the
// copy is read on from the same offset, then the live file from its start). Every line
// is printed once, in order, unless the agent removed a rotated file before it was read.
// Print returns nil when ctx ends, which is how a follow stops.
func Print(ctx context.Context, dir string, q Query, w io.Writer) error {
	return printLog(ctx, dir, q, w, pollEvery)
}

func printLog(ctx context.Context, dir string, q Query, w io.Writer, poll time.Duration) error {
	p, err := newPrinter(q, w)
	if err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s does not exist; the agent has not run yet, or its config points elsewhere (log.dir)", ErrNoLogDir, dir)
	case err != nil:
		return readError(dir, err)
	case !fi.IsDir():
		return fmt.Errorf("%w: %s is a file, not the log folder; check log.dir in the config", ErrNoLogDir, dir)
	}
	t := &tailer{dir: dir, live: filepath.Join(dir, LiveName), follow: q.Follow, poll: poll, out: p}
	err = t.run(ctx, q.Since)
	if ferr := p.flush(); err == nil && ferr != nil {
		err = fmt.Errorf("writing log lines: %w", ferr)
	}
	return err
}

// tailer walks the log as one stream: rotated files in name order, then the live file.
//
// Its position is "after": the newest rotated file already printed. The live file,
// once opened, holds the lines that will become the first rotated file newer than
// after, because the writer gives a file its rotated name only once the live path no
// longer holds those lines (rename, or copy then truncate then rename the copy). So
// whenever such a file appears, the live file's lines are in it, at the same offsets.
type tailer struct {
	dir, live string
	follow    bool
	poll      time.Duration
	out       *printer
	buf       []byte
}

// liveFile is the open live file and how far it has been printed.
type liveFile struct {
	f    *os.File
	fi   os.FileInfo
	off  int64     // end of the last whole line printed
	last []byte    // that line, to notice the file being rewritten under the same size
	held time.Time // since when the file has been short of off with no rotated file; see step
}

// stepResult says what the tailer should do after a step on the live file.
type stepResult int

const (
	stepMore    stepResult = iota // more may be ready; step again now
	stepIdle                      // at the end of the live file
	stepWait                      // something is half done; look again after a poll
	stepRotated                   // the live file's lines are now in a rotated file, printed
)

func (t *tailer) run(ctx context.Context, since time.Time) error {
	after := t.skipOlder(since)
	var lf *liveFile
	defer func() {
		if lf != nil {
			_ = lf.f.Close()
		}
	}()
	for ctx.Err() == nil {
		if lf == nil {
			names, err := listBackups(t.dir)
			if err != nil {
				return readError(t.dir, err)
			}
			if next := firstAfter(names, after); next != "" {
				if err := t.printRotated(ctx, next, 0); err != nil {
					return err
				}
				after = next
				continue
			}
			var retry bool
			if lf, retry, err = t.openLive(after); err != nil {
				return err
			}
			if retry {
				continue
			}
			if lf == nil {
				if !t.follow {
					return nil
				}
				if stop, err := t.wait(ctx); stop {
					return err
				}
				continue
			}
		}
		res, rotatedTo, err := t.step(ctx, lf, after)
		if err != nil {
			return err
		}
		switch res {
		case stepRotated:
			_ = lf.f.Close()
			lf, after = nil, rotatedTo
		case stepIdle:
			if !t.follow {
				return t.finish(lf)
			}
			if stop, err := t.wait(ctx); stop {
				return err
			}
		case stepWait:
			if stop, err := t.wait(ctx); stop {
				return err
			}
		}
	}
	return nil
}

// skipOlder returns the newest rotated file whose last write is before since: none of
// its lines can pass the filter, so it is not read at all.
func (t *tailer) skipOlder(since time.Time) string {
	if since.IsZero() {
		return ""
	}
	names, _ := listBackups(t.dir)
	after := ""
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(t.dir, n))
		if err != nil || !fi.ModTime().Before(since) {
			break
		}
		after = n
	}
	return after
}

// openLive opens the live file as the successor of after. retry reports that a rotation
// happened meanwhile (the opened file may already be past a rotated file not yet
// printed); lf is nil with no retry when there is no live file yet.
func (t *tailer) openLive(after string) (lf *liveFile, retry bool, err error) {
	f, err := openRead(t.live)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, readError(t.live, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, false, readError(t.live, err)
	}
	names, err := listBackups(t.dir)
	if err != nil {
		_ = f.Close()
		return nil, false, readError(t.dir, err)
	}
	if firstAfter(names, after) != "" {
		_ = f.Close()
		return nil, true, nil
	}
	return &liveFile{f: f, fi: fi}, false, nil
}

// step prints what the live file holds now. It reads first and checks for a rotation
// after: if one happened, what was read may already be new lines at old offsets, so it
// is dropped and the rotated file is read from the same offset instead.
func (t *tailer) step(ctx context.Context, lf *liveFile, after string) (stepResult, string, error) {
	st, err := lf.f.Stat()
	if err != nil {
		return 0, "", readError(t.live, err)
	}
	size := st.Size()
	rewritten := size < lf.off || !t.tailIntact(lf)
	var data []byte
	if !rewritten && size > lf.off {
		if data, err = t.read(lf.f, lf.off, size); err != nil {
			return 0, "", readError(t.live, err)
		}
	}
	names, err := listBackups(t.dir)
	if err != nil {
		return 0, "", readError(t.dir, err)
	}
	if g := firstAfter(names, after); g != "" {
		return stepRotated, g, t.printGeneration(ctx, lf, g)
	}
	if rewritten {
		return t.rewritten(ctx, lf, after)
	}
	lf.held = time.Time{}
	whole := bytes.LastIndexByte(data, '\n') + 1
	if whole == 0 {
		return stepIdle, "", nil
	}
	if err := t.out.lines(data[:whole]); err != nil {
		return 0, "", fmt.Errorf("writing log lines: %w", err)
	}
	lf.off += int64(whole)
	prev := bytes.LastIndexByte(data[:whole-1], '\n') + 1
	lf.last = append(lf.last[:0], data[prev:whole]...)
	if lf.off < size {
		return stepMore, "", nil
	}
	return stepIdle, "", nil
}

// rewritten handles a live file that is shorter than what was printed, or no longer
// holds the last printed line where it was, with no rotated file yet to explain it.
// While the agent's copy is still under its temporary name, the agent is between
// truncating the file and naming the copy: wait for the name. Otherwise someone else
// emptied or rewrote the file: start over at the top.
func (t *tailer) rewritten(ctx context.Context, lf *liveFile, after string) (stepResult, string, error) {
	copying, err := copyInProgress(t.dir)
	if err != nil {
		return 0, "", readError(t.dir, err)
	}
	// Look again after the temporary names: the copy may have been given its name
	// between the two looks, and then this listing shows it.
	names, err := listBackups(t.dir)
	if err != nil {
		return 0, "", readError(t.dir, err)
	}
	if g := firstAfter(names, after); g != "" {
		return stepRotated, g, t.printGeneration(ctx, lf, g)
	}
	if copying {
		if lf.held.IsZero() {
			lf.held = time.Now()
		}
		if time.Since(lf.held) < copyPatience {
			return stepWait, "", nil
		}
	}
	lf.off, lf.last, lf.held = 0, nil, time.Time{}
	return stepMore, "", nil
}

// printGeneration prints the rest of the live file's lines from rotated file g: through
// the open handle when g is that very file (renamed), else from g, a copy.
func (t *tailer) printGeneration(ctx context.Context, lf *liveFile, g string) error {
	path := filepath.Join(t.dir, g)
	fi, err := os.Stat(path)
	if err == nil && os.SameFile(fi, lf.fi) {
		return t.printFrom(ctx, lf.f, lf.off, path)
	}
	return t.printRotated(ctx, g, lf.off)
}

// finish prints a last line that has no newline yet, for a one-shot print. Whole lines
// found here were written after the last step looked, possibly after a rotation, so
// they are left for the next `syncagent logs`.
func (t *tailer) finish(lf *liveFile) error {
	st, err := lf.f.Stat()
	if err != nil || st.Size() <= lf.off {
		return nil
	}
	data, err := t.read(lf.f, lf.off, st.Size())
	if err != nil {
		return readError(t.live, err)
	}
	if bytes.IndexByte(data, '\n') >= 0 {
		return nil
	}
	if err := t.out.lines(data); err != nil {
		return fmt.Errorf("writing log lines: %w", err)
	}
	return nil
}

// tailIntact reports whether the last line printed is still where it was. Appending
// never changes it; a truncation followed by new writes past the old offset does.
func (t *tailer) tailIntact(lf *liveFile) bool {
	if len(lf.last) == 0 {
		return true
	}
	b := make([]byte, len(lf.last))
	n, _ := lf.f.ReadAt(b, lf.off-int64(len(b)))
	return n == len(b) && bytes.Equal(b, lf.last)
}

// read returns the bytes from off, at least up to a newline when the file has one,
// so a line longer than chunkSize is never cut.
func (t *tailer) read(f *os.File, off, size int64) ([]byte, error) {
	want := min(size-off, chunkSize)
	for {
		if int64(cap(t.buf)) < want {
			t.buf = make([]byte, want)
		}
		n, err := f.ReadAt(t.buf[:want], off)
		if err != nil && err != io.EOF {
			return nil, err
		}
		data := t.buf[:n]
		if int64(n) < want || off+int64(n) >= size || bytes.IndexByte(data, '\n') >= 0 {
			return data, nil
		}
		want = min(want*2, size-off)
	}
}

// printRotated prints rotated file name from offset off to its end. A file removed
// before it could be opened is skipped: the agent pruned it.
func (t *tailer) printRotated(ctx context.Context, name string, off int64) error {
	path := filepath.Join(t.dir, name)
	f, err := openRead(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return readError(path, err)
	}
	defer f.Close()
	return t.printFrom(ctx, f, off, path)
}

// printFrom prints f from off to its end, the last line even without a newline.
func (t *tailer) printFrom(ctx context.Context, f *os.File, off int64, path string) error {
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, 1<<62), 64<<10)
	var long []byte
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return nil
		}
		chunk, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if perr := t.out.line(line); perr != nil {
			return fmt.Errorf("writing log lines: %w", perr)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readError(path, err)
		}
	}
}

// wait flushes what was printed and sleeps one poll. stop reports that ctx ended.
func (t *tailer) wait(ctx context.Context) (stop bool, err error) {
	if err := t.out.flush(); err != nil {
		return true, fmt.Errorf("writing log lines: %w", err)
	}
	timer := time.NewTimer(t.poll)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return true, nil
	case <-timer.C:
		return false, nil
	}
}
