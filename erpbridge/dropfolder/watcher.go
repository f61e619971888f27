package dropfolder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"
)

// events is the file-event feed of one folder: fsnotify in production; tests wrap it
// to lose events or inject an overflow.
type events interface {
	Events() <-chan fsnotify.Event
	Errors() <-chan error
	Close() error
}

type fsEvents struct{ w *fsnotify.Watcher }

func (f fsEvents) Events() <-chan fsnotify.Event { return f.w.Events }
func (f fsEvents) Errors() <-chan error          { return f.w.Errors }
func (f fsEvents) Close() error                  { return f.w.Close() }

// watchDir watches dir itself (never single files: Excel replaces a file by renaming a
// temporary one over it, which would end a watch on the file).
func watchDir(dir string) (events, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, err
	}
	return fsEvents{w}, nil
}

// Watcher is the agent component of one drop folder.
type Watcher struct {
	set     Settings
	queue   Queue
	imp     *Importer
	log     zerolog.Logger
	changed func()

	// Seams for tests; production uses probe and watchDir.
	probe      func(path string) error
	openEvents func(dir string) (events, error)

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns the watcher of one folder. log should carry component=dropfolder; the
// watcher adds source=<name>. changed is called after a commit that changed values.
func New(set Settings, q Queue, log zerolog.Logger, changed func()) (*Watcher, error) {
	log = log.With().Str("source", set.Name).Logger()
	imp, err := NewImporter(set, q, log)
	if err != nil {
		return nil, err
	}
	if changed == nil {
		changed = func() {}
	}
	return &Watcher{set: set, queue: q, imp: imp, log: log, changed: changed, probe: probe, openEvents: watchDir}, nil
}

// Name identifies the watcher in logs and health records.
func (w *Watcher) Name() string { return "source:" + w.set.Name }

// Start begins watching and returns at once. A folder that cannot be reached (a
// network share that is down) is retried inside and shown as health, never an error.
func (w *Watcher) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		return fmt.Errorf("drop folder %s is already started", w.set.Name)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.cancel, w.done = cancel, make(chan struct{})
	go w.run(ctx)
	return nil
}

// Stop ends watching. An import in progress is rolled back; its file stays in
// processing/ and is imported again at the next start.
func (w *Watcher) Stop(ctx context.Context) error {
	w.mu.Lock()
	cancel, done := w.cancel, w.done
	w.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drop folder %s did not stop in time: %w", w.set.Name, ctx.Err())
	}
}

func (w *Watcher) state(l *loop) string {
	if l.ev != nil {
		return "watching"
	}
	return "polling"
}

// run is the watcher's loop: it owns the tracker and hands one file at a time to the
// worker goroutine, so it keeps draining file events while a file imports.
func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	hl := newHealth(w.queue, w.Name(), w.log)
	wg.Add(1)
	go func() { defer wg.Done(); hl.run(ctx) }()

	l := &loop{w: w, hl: hl, t: newTracker(w.set.quiet()), jobs: make(chan job, 1), results: make(chan result, 1)}
	if !l.prepare(ctx) {
		return
	}
	wk := &worker{w: w, unfinished: map[string]*Result{}}
	wg.Add(1)
	go func() { defer wg.Done(); wk.run(ctx, l.jobs, l.results) }()
	defer close(l.jobs)
	l.loop(ctx)
}

// loop is the state of a running watcher.
type loop struct {
	w       *Watcher
	hl      *health
	t       *tracker
	ev      events // nil while polling
	timer   *time.Timer
	armed   time.Time
	jobs    chan job
	results chan result
	current string // the file the worker has, "" when idle
	last    string // the newest import, for the status command
	broken  error  // the folder could not be listed at the last try
}

// prepare creates the folder's sub-folders and empties the staging folder, retrying
// until it works or ctx ends.
func (l *loop) prepare(ctx context.Context) bool {
	w := l.w
	for tries := 1; ; tries++ {
		err := l.setup()
		if err == nil {
			return true
		}
		wait := retryPolicy(w.set.pollInterval()).Nominal(tries)
		w.log.Error().Err(err).Msgf("drop folder %s cannot be used; trying again in %s", w.set.Dir, wait)
		l.hl.set(false, "polling", err.Error())
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}

func (l *loop) setup() error {
	s := &l.w.set
	if err := os.MkdirAll(filepath.Join(s.Dir, processingDir), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Join(s.Dir, processingDir), err)
	}
	if err := os.RemoveAll(s.StagingDir); err != nil {
		return fmt.Errorf("emptying staging folder %s: %w", s.StagingDir, err)
	}
	if err := os.MkdirAll(s.StagingDir, 0o750); err != nil {
		return fmt.Errorf("creating staging folder %s: %w", s.StagingDir, err)
	}
	return nil
}

func (l *loop) loop(ctx context.Context) {
	w := l.w
	l.timer = time.NewTimer(time.Hour)
	l.timer.Stop()
	defer l.timer.Stop()
	poll := time.NewTicker(w.set.pollInterval())
	defer poll.Stop()
	l.openEvents()
	defer func() {
		if l.ev != nil {
			l.ev.Close()
		}
	}()
	l.rescan()
	for {
		l.dispatch()
		var evC <-chan fsnotify.Event
		var errC <-chan error
		if l.ev != nil {
			evC, errC = l.ev.Events(), l.ev.Errors()
		}
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-evC:
			if !ok {
				l.eventsLost(errors.New("the event channel closed"))
				continue
			}
			l.event(ev)
		case err, ok := <-errC:
			if !ok {
				l.eventsLost(errors.New("the error channel closed"))
				continue
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn().Msg("file events were lost (the system's event buffer overflowed); listing the folder again")
			} else {
				w.log.Warn().Err(err).Msg("file watch reported an error; listing the folder again")
			}
			l.rescan()
		case <-poll.C:
			if l.ev == nil && !w.set.Poll {
				l.openEvents()
			}
			l.rescan()
		case <-l.timer.C:
			l.armed = time.Time{}
			l.settle()
		case r := <-l.results:
			l.finish(r)
		}
	}
}

// openEvents starts file events in watch mode; without them the folder is polled.
func (l *loop) openEvents() {
	w := l.w
	if w.set.Poll {
		return
	}
	ev, err := w.openEvents(w.set.Dir)
	if err != nil {
		w.log.Warn().Err(err).Msgf("file events for %s are not available; listing the folder every %s instead", w.set.Dir, w.set.pollInterval())
		return
	}
	l.ev = ev
}

func (l *loop) eventsLost(err error) {
	w := l.w
	w.log.Warn().Err(err).Msgf("file events for %s stopped; listing the folder every %s until they work again", w.set.Dir, w.set.pollInterval())
	l.ev.Close()
	l.ev = nil
	l.rescan()
}

// event handles one file event: a hint to look at that file now.
func (l *loop) event(ev fsnotify.Event) {
	if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
		return // Chmod: antivirus and backup tools touch attributes all day
	}
	dir := filepath.Clean(l.w.set.Dir)
	if filepath.Clean(ev.Name) == dir {
		// The folder itself was removed or renamed: its watch is gone with it.
		l.eventsLost(errors.New("the folder was removed or renamed"))
		return
	}
	if filepath.Clean(filepath.Dir(ev.Name)) != dir {
		return
	}
	name := filepath.Base(ev.Name)
	if !l.w.set.candidate(name) {
		return
	}
	if fi := l.stat(name); fi != nil {
		l.arm(l.t.observe(name, fi, time.Now()))
	} else {
		l.t.forget(name)
	}
}

// stat looks at a file in the folder; nil when it is gone or not one to take.
func (l *loop) stat(name string) fs.FileInfo {
	fi, err := os.Lstat(filepath.Join(l.w.set.Dir, name))
	if err != nil || !takeable(fi) {
		return nil
	}
	return fi
}

// rescan lists the folder and processing/: the listing is the truth, events only hints.
func (l *loop) rescan() {
	w := l.w
	now := time.Now()
	ents, err := os.ReadDir(w.set.Dir)
	if err == nil {
		seen := make(map[string]bool, len(ents))
		for _, de := range ents {
			name := de.Name()
			if de.IsDir() || !w.set.candidate(name) {
				continue
			}
			fi, err := de.Info()
			if err != nil || !takeable(fi) {
				continue
			}
			seen[name] = true
			l.arm(l.t.observe(name, fi, now))
		}
		for name := range l.t.files {
			if !seen[name] {
				l.t.forget(name)
			}
		}
		err = l.rescanClaimed(now)
	}
	if err != nil {
		if l.broken == nil {
			w.log.Error().Err(err).Msgf("drop folder %s cannot be listed; trying again every %s", w.set.Dir, w.set.pollInterval())
		}
		l.broken = err
		l.hl.set(false, w.state(l), err.Error())
		// Recreate a folder someone deleted; the staging folder is left alone, the
		// worker may be using it.
		if merr := os.MkdirAll(filepath.Join(w.set.Dir, processingDir), 0o755); merr != nil {
			w.log.Debug().Err(merr).Msg("recreating the folder failed")
		}
		return
	}
	if l.broken != nil {
		w.log.Info().Msgf("drop folder %s can be listed again", w.set.Dir)
		l.broken = nil
	}
	l.hl.set(true, w.state(l), l.detail())
	l.settle()
}

// rescanClaimed finds files in processing/: left by a crash, or waiting for a retry.
func (l *loop) rescanClaimed(now time.Time) error {
	ents, err := os.ReadDir(filepath.Join(l.w.set.Dir, processingDir))
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(ents))
	for _, de := range ents {
		name := de.Name()
		if de.IsDir() || name[0] == '.' || name == l.current {
			continue
		}
		fi, err := de.Info()
		if err != nil || !takeable(fi) {
			continue
		}
		seen[name] = true
		if l.t.claimed[name] == nil {
			l.t.claimed[name] = &entry{size: fi.Size(), mod: fi.ModTime(), due: now}
			l.arm(now)
		}
	}
	for name, e := range l.t.claimed {
		if !seen[name] && !e.busy && !e.keep {
			delete(l.t.claimed, name)
		}
	}
	return nil
}

func (l *loop) detail() string {
	waiting := len(l.t.files) + len(l.t.claimed)
	s := fmt.Sprintf("%d files waiting", waiting)
	if waiting == 1 {
		s = "1 file waiting"
	}
	if l.last != "" {
		s += "; last import: " + l.last
	}
	return s
}

// arm makes the timer fire at t unless it fires earlier already.
func (l *loop) arm(t time.Time) {
	if t.IsZero() || !l.armed.IsZero() && !t.Before(l.armed) {
		return
	}
	l.armed = t
	l.timer.Reset(time.Until(t))
}

// settle marks the files whose quiet period is over as ready and re-arms the timer.
// Files due within a quarter of the quiet period are taken in the same round, so a
// burst of files costs a few rounds, not one per file.
func (l *loop) settle() {
	next := l.t.settle(time.Now(), l.t.quiet/4, l.stat)
	l.armed = time.Time{}
	l.timer.Stop()
	l.arm(next)
}

// dispatch hands the next ready file to the worker when it is idle.
func (l *loop) dispatch() {
	if l.current != "" {
		return
	}
	name, claimed, ok := l.t.next()
	if !ok {
		return
	}
	e := l.t.files[name]
	if claimed {
		e = l.t.claimed[name]
	}
	e.busy = true
	l.current = name
	l.jobs <- job{name: name, claimed: claimed, size: e.size, mod: e.mod}
}
