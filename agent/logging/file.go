package logging

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FileOptions configures OpenFile.
type FileOptions struct {
	Dir      string // created if missing
	MaxSize  int64  // bytes; a line that would take the live file past it starts a new file
	MaxFiles int    // rotated files kept beside the live one; older ones are removed
}

// Stats counts what a File did since it was opened.
type Stats struct {
	Lines         uint64 // lines written
	Bytes         uint64
	Rotations     uint64
	CopyFallbacks uint64 // rotations done by copy-then-truncate because the rename failed
	Errors        uint64 // failed writes, rotations, removals and reopens
}

// identityCheckEvery is how often a write checks that the path still names the file it
// writes to: staff deleting or moving the live file must not make the agent write into
// a file nobody can see until the next rotation.
const identityCheckEvery = time.Second

// maxPending bounds the errors kept for a handler that is not set yet.
const maxPending = 16

// File is the agent's log file: an io.Writer that takes one JSON line per Write,
// rotates by size between lines, and keeps MaxFiles rotated files. Disk use stays
// within MaxSize × (MaxFiles+1) unless a single line is larger than MaxSize (it is
// written whole; a line is never split or dropped to honour the bound).
//
// A Write that fails is counted in Stats().Errors and handed to the OnError handler;
// zerolog's own ErrorHandler writes to stderr, which a service discards.
type File struct {
	opts FileOptions
	dir  string
	path string

	mu        sync.Mutex
	f         *os.File
	fi        os.FileInfo // identity of f
	size      int64
	limit     int64     // size past which to rotate; raised after a rotation failed
	needNL    bool      // the file ends inside a line; start the next line on a new one
	lastStamp time.Time // newest rotation stamp used or found, so names never collide
	checked   time.Time // when the path was last compared with f
	closed    bool
	stats     Stats
	pending   []error // reported before a handler was set

	onError atomic.Pointer[func(error)]

	// rename is os.Rename; tests replace it to force the copy-then-truncate fallback
	// that Windows needs while a reader holds the file without FILE_SHARE_DELETE.
	rename func(oldpath, newpath string) error
	now    func() time.Time
}

// OpenFile creates the folder if needed and opens <Dir>/syncagent.log for appending.
// Errors name the path and say in plain words what stands in the way.
func OpenFile(o FileOptions) (*File, error) {
	if o.Dir == "" {
		return nil, errors.New("logging: no log folder given")
	}
	if o.MaxSize < 1 || o.MaxFiles < 1 {
		return nil, fmt.Errorf("logging: max size (%d bytes) and max files (%d) must be at least 1", o.MaxSize, o.MaxFiles)
	}
	dir := filepath.Clean(o.Dir)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fileError(opCreateDir, dir, err)
	}
	f := &File{
		opts:   o,
		dir:    dir,
		path:   filepath.Join(dir, LiveName),
		limit:  o.MaxSize,
		rename: os.Rename,
		now:    time.Now,
	}
	if err := f.open(); err != nil {
		return nil, err
	}
	f.pending = append(f.pending, f.recoverTemps()...)
	names, err := listBackups(dir)
	if err != nil {
		return nil, fileError(opOpen, dir, err)
	}
	if len(names) > 0 {
		f.lastStamp, _ = parseBackupName(names[len(names)-1])
	}
	f.stats.Errors += uint64(len(f.pending))
	return f, nil
}

// Path is the live file's path.
func (f *File) Path() string { return f.path }

// Dir is the log folder.
func (f *File) Dir() string { return f.dir }

// OnError sets the function told about every failed write, rotation or removal, for
// example to forward it to the Windows Event Log or the journal. It is called outside
// the writer's lock, so it may log, but it is called for each failure: when the disk is
// full that is once per line, so the receiver should throttle. Failures that happened
// before the handler was set (a few at most) are delivered at once.
//
// The handler must not write to this File: when writing is what fails, that would loop.
func (f *File) OnError(fn func(error)) {
	f.mu.Lock()
	f.onError.Store(&fn)
	pending := f.pending
	f.pending = nil
	f.mu.Unlock()
	f.report(pending)
}

// Stats returns the counters.
func (f *File) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// Write appends p, one log line, to the live file, rotating first when p would take the
// file past MaxSize. p is written with a single write call under the lock, so lines
// from concurrent loggers never interleave.
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	n, errs, err := f.writeLocked(p)
	f.mu.Unlock()
	f.report(errs)
	return n, err
}

// Close closes the live file. Later writes fail (and are counted).
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	if err != nil {
		return fileError(opWrite, f.path, err)
	}
	return nil
}

func (f *File) writeLocked(p []byte) (int, []error, error) {
	if f.closed {
		err := fileError(opWrite, f.path, os.ErrClosed)
		f.stats.Errors++
		return 0, []error{err}, err
	}
	var errs []error
	now := f.now()
	if f.f != nil && now.Sub(f.checked) >= identityCheckEvery {
		f.checked = now
		if !f.stillAtPath() {
			f.closeQuiet()
		}
	}
	if f.f == nil {
		if err := f.open(); err != nil {
			f.stats.Errors++
			return 0, []error{err}, err
		}
	}
	if f.size > 0 && f.size+int64(len(p)) > f.limit {
		errs = f.rotate(now)
		if f.f == nil {
			return 0, errs, errs[len(errs)-1]
		}
	}
	n, err := f.writeLine(p)
	if err != nil {
		// The handle may have gone stale (closed under us, a share dropped): reopen once
		// and retry before calling the line lost.
		f.undoPartial(n)
		f.closeQuiet()
		if err2 := f.open(); err2 == nil {
			n, err = f.writeLine(p)
			if err != nil {
				f.undoPartial(n)
			}
		}
		if err != nil {
			werr := fileError(opWrite, f.path, err)
			f.stats.Errors++
			return 0, append(errs, werr), werr
		}
	}
	f.stats.Lines++
	f.stats.Bytes += uint64(len(p))
	return len(p), errs, nil
}

// writeLine writes p, first ending a line left open by a torn write or a crash.
func (f *File) writeLine(p []byte) (int, error) {
	if f.needNL {
		n, err := f.f.Write([]byte{'\n'})
		f.size += int64(n)
		if err != nil {
			return 0, err
		}
		f.needNL = false
	}
	n, err := f.f.Write(p)
	f.size += int64(n)
	if n > 0 {
		f.needNL = p[n-1] != '\n'
	}
	return n, err
}

// undoPartial removes the first n bytes of a line that could not be written whole, so
// the file holds whole lines only. When that fails too, needNL (set by writeLine) keeps
// the torn piece on a line of its own.
func (f *File) undoPartial(n int) {
	if n <= 0 {
		return
	}
	if truncateTo(f.path, f.size-int64(n)) == nil {
		f.size -= int64(n)
		f.needNL = false
	}
}

// open opens the live file and learns its size and identity.
func (f *File) open() error {
	fh, err := openAppend(f.path)
	if err != nil {
		return fileError(opOpen, f.path, err)
	}
	fi, err := fh.Stat()
	if err != nil {
		_ = fh.Close()
		return fileError(opOpen, f.path, err)
	}
	f.f, f.fi, f.size = fh, fi, fi.Size()
	f.needNL = f.size > 0 && !endsWithNewline(f.path, f.size)
	f.checked = f.now()
	return nil
}

func (f *File) closeQuiet() {
	if f.f != nil {
		_ = f.f.Close()
		f.f = nil
	}
}

// stillAtPath reports whether the path still names the open file. Only a clear "gone"
// or "replaced" answers false; a stat that fails for another reason keeps the handle.
func (f *File) stillAtPath() bool {
	fi, err := os.Stat(f.path)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR)
	}
	return os.SameFile(fi, f.fi)
}

// report hands errs to the handler, or keeps a few until one is set.
func (f *File) report(errs []error) {
	if len(errs) == 0 {
		return
	}
	fn := f.onError.Load()
	if fn == nil {
		// Checked again under the lock so an error cannot slip into pending just after
		// OnError emptied it.
		f.mu.Lock()
		if fn = f.onError.Load(); fn == nil {
			for _, err := range errs {
				if len(f.pending) < maxPending {
					f.pending = append(f.pending, err)
				}
			}
		}
		f.mu.Unlock()
	}
	if fn != nil && *fn != nil {
		for _, err := range errs {
			(*fn)(err)
		}
	}
}

func endsWithNewline(path string, size int64) bool {
	r, err := openRead(path)
	if err != nil {
		return true
	}
	defer r.Close()
	var b [1]byte
	if _, err := r.ReadAt(b[:], size-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// truncateTo cuts the file at path to size bytes. It opens its own handle because the
// append handle on Windows has no right to change the file's length.
func truncateTo(path string, size int64) error {
	w, err := openWrite(path)
	if err != nil {
		return err
	}
	err = w.Truncate(size)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
