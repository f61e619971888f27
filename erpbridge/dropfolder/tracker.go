package dropfolder

import (
	"io/fs"
	"time"

	"syncagent/queue/backoff"
)

// entry is what the watcher knows of one file, in the folder or in processing/.
type entry struct {
	size  int64
	mod   time.Time
	since time.Time // when this size and time were first seen
	due   time.Time // when to look at the file next
	ready bool      // quiet long enough and due: may be handed to the worker
	busy  bool      // handed to the worker
	tries int       // failed attempts so far (in use, claim or import errors)
	noted bool      // the first "in use" or failure was logged at warn
	keep  bool      // in claimed even when gone from processing/: committed, report still to write
}

// tracker holds the files of one folder that are not yet taken.
type tracker struct {
	quiet   time.Duration
	files   map[string]*entry // in the drop folder, by name
	claimed map[string]*entry // in processing/, by name: taken, waiting for (another) import
}

func newTracker(quiet time.Duration) *tracker {
	return &tracker{quiet: quiet, files: map[string]*entry{}, claimed: map[string]*entry{}}
}

// observe records a look at a file in the folder and returns the entry's next due
// time, or zero when nothing needs to be scheduled. A changed size or time restarts the
// quiet period, even for a file waiting after a failed attempt: a file still being
// written is never taken.
func (t *tracker) observe(name string, fi fs.FileInfo, now time.Time) time.Time {
	e := t.files[name]
	switch {
	case e == nil:
		e = &entry{}
		t.files[name] = e
	case e.busy:
		return time.Time{}
	case e.size == fi.Size() && e.mod.Equal(fi.ModTime()):
		return time.Time{}
	}
	e.size, e.mod = fi.Size(), fi.ModTime()
	e.since, e.due, e.ready = now, now.Add(t.quiet), false
	return e.due
}

// forget drops a file that is gone, unless the worker has it.
func (t *tracker) forget(name string) {
	if e := t.files[name]; e != nil && !e.busy {
		delete(t.files, name)
	}
}

// settle marks every file whose quiet period has passed as ready when a fresh look
// (stat) shows it unchanged; stat returns nil for a file that is gone. It returns the
// earliest due time of the files still waiting.
func (t *tracker) settle(now time.Time, slack time.Duration, stat func(name string) fs.FileInfo) time.Time {
	var next time.Time
	for name, e := range t.files {
		if e.busy || e.ready {
			continue
		}
		if e.due.After(now.Add(slack)) {
			next = earliest(next, e.due)
			continue
		}
		fi := stat(name)
		if fi == nil {
			delete(t.files, name)
			continue
		}
		if fi.Size() != e.size || !fi.ModTime().Equal(e.mod) {
			e.size, e.mod, e.since, e.due = fi.Size(), fi.ModTime(), now, now.Add(t.quiet)
			next = earliest(next, e.due)
			continue
		}
		if quietFor := now.Sub(e.since); quietFor < t.quiet {
			e.due = e.since.Add(t.quiet)
			next = earliest(next, e.due)
			continue
		}
		e.ready = true
	}
	for _, e := range t.claimed {
		if !e.busy && !e.ready {
			if e.due.After(now.Add(slack)) {
				next = earliest(next, e.due)
			} else {
				e.ready = true
			}
		}
	}
	return next
}

// next picks the file to hand to the worker: files already in processing/ first (a
// restart resumes them, and a same-named new file must wait for them), then the ready
// file that was written earliest, so files are applied in the order staff dropped them.
func (t *tracker) next() (name string, claimed bool, ok bool) {
	for n, e := range t.claimed {
		if e.ready && !e.busy && (!ok || n < name) {
			name, ok = n, true
		}
	}
	if ok {
		return name, true, true
	}
	var best *entry
	for n, e := range t.files {
		if !e.ready || e.busy {
			continue
		}
		if best == nil || e.mod.Before(best.mod) || e.mod.Equal(best.mod) && n < name {
			name, best = n, e
		}
	}
	return name, false, best != nil
}

// retryPolicy is the wait before another attempt at a file or the folder: the quiet
// period doubled per failed attempt, at least a second and at most a minute. Nominal(n)
// is the wait after n failed attempts.
func retryPolicy(quiet time.Duration) backoff.Policy {
	return backoff.Policy{Base: max(quiet, time.Second), Max: time.Minute}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
