package dropfolder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"
)

// job is one file for the worker.
type job struct {
	name    string
	claimed bool // already in processing/
	size    int64
	mod     time.Time
}

type resultKind int

const (
	done       resultKind = iota // imported or failed, and put away
	changed                      // the file changed since it was found quiet
	gone                         // the file disappeared
	inUseNow                     // another program has the file open
	waitTurn                     // a file of the same name is still in processing/
	claimFail                    // the file could not be moved to processing/
	retryLater                   // the file is in processing/, but its import or put-away failed
)

type result struct {
	job
	kind    resultKind
	taken   bool   // the file was moved to processing/ by this job
	owner   string // who has the file open, when Excel's owner file says so
	err     error
	summary string
	// unfinished: committed, but not yet put away; keep retrying even when the file
	// has already left processing/ (the report is what is missing).
	unfinished bool
}

// worker imports one file at a time.
type worker struct {
	w *Watcher
	// unfinished holds the results of files that are committed but could not be moved
	// out of processing/; the next attempt only moves them instead of importing again.
	unfinished map[string]*Result
}

func (k *worker) run(ctx context.Context, jobs <-chan job, results chan<- result) {
	defer func() {
		for _, r := range k.unfinished {
			r.Close()
		}
	}()
	for j := range jobs {
		r := k.handle(ctx, j)
		r.job = j
		select {
		case results <- r:
		case <-ctx.Done():
		}
	}
}

func (k *worker) handle(ctx context.Context, j job) result {
	if j.claimed {
		return k.importClaimed(ctx, j.name)
	}
	w := k.w
	src := filepath.Join(w.set.Dir, j.name)
	fi, err := os.Lstat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return result{kind: gone}
	case err != nil:
		return result{kind: claimFail, err: err}
	case fi.Size() != j.size || !fi.ModTime().Equal(j.mod):
		return result{kind: changed}
	}
	if err := w.probe(src); err != nil {
		return k.claimError(j.name, err)
	}
	if err := moveFile(src, filepath.Join(w.set.Dir, processingDir, j.name)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return result{kind: waitTurn}
		}
		return k.claimError(j.name, err)
	}
	w.log.Debug().Str("file", j.name).Int64("size", fi.Size()).Msg("file is complete; moved to processing/")
	r := k.importClaimed(ctx, j.name)
	r.taken = true
	return r
}

func (k *worker) claimError(name string, err error) result {
	switch {
	case inUse(err):
		return result{kind: inUseNow, owner: excelOwner(k.w.set.Dir, name)}
	case errors.Is(err, fs.ErrNotExist):
		return result{kind: gone}
	default:
		return result{kind: claimFail, err: err}
	}
}

// importClaimed imports processing/<name> and puts it away.
func (k *worker) importClaimed(ctx context.Context, name string) result {
	w := k.w
	res := k.unfinished[name]
	if res == nil {
		var err error
		res, err = w.imp.Import(ctx, Request{Path: filepath.Join(w.set.Dir, processingDir, name), Name: name, Place: k.place(name)})
		if err != nil {
			return result{kind: retryLater, err: fmt.Errorf("import of %s failed: %w", name, err)}
		}
		if res.Applied > 0 {
			w.changed()
		}
	}
	if err := k.putAway(name, res); err != nil {
		k.unfinished[name] = res
		return result{kind: retryLater, unfinished: true, err: fmt.Errorf("%s is imported, but it could not be put away: %w", name, err)}
	}
	delete(k.unfinished, name)
	defer res.Close()
	ev := w.log.Info()
	msg := fmt.Sprintf("imported %s: %d applied, %d unchanged, %d rejected; moved to %s", name, res.Applied, res.Unchanged, res.Rejected, res.StoredAs)
	if res.Outcome == Failed {
		ev = w.log.Warn()
		msg = fmt.Sprintf("rejected %s: %s; moved to %s with a report", name, res.Reason(), res.StoredAs)
	}
	ev.Str("file", name).Str("outcome", res.Outcome.String()).Str("stored_as", res.StoredAs).
		Int("rows", res.RowsRead).Int("applied", res.Applied).Int("unchanged", res.Unchanged).
		Int("rejected", res.Rejected).Int("replaced", res.Replaced).Dur("duration", res.Elapsed).Msg(msg)
	summary := fmt.Sprintf("%s at %s, %d applied, %d rejected", name, res.At.In(w.set.location()).Format("15:04"), res.Applied, res.Rejected)
	if res.Outcome == Failed {
		summary = fmt.Sprintf("%s at %s, rejected", name, res.At.In(w.set.location()).Format("15:04"))
	}
	return result{kind: done, summary: summary}
}

// place returns the function that picks, before the commit, where name will be kept:
// processed/ or failed/, in a folder per day, under a name not used yet.
func (k *worker) place(name string) func(Outcome) (string, error) {
	return func(o Outcome) (string, error) {
		set := &k.w.set
		top := processedDir
		if o == Failed {
			top = failedDir
		}
		now := set.now().In(set.location())
		rel := path.Join(top, now.Format("2006-01-02"))
		dir := filepath.Join(set.Dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("creating %s: %w", dir, err)
		}
		return path.Join(rel, uniqueName(dir, name, now)), nil
	}
}

// putAway moves the file to where the import record says and writes the report beside
// it. If that name was taken meanwhile (someone copied a file there), it takes the next
// free name: a file is never overwritten.
func (k *worker) putAway(name string, res *Result) error {
	set := &k.w.set
	src := filepath.Join(set.Dir, processingDir, name)
	dst := filepath.Join(set.Dir, filepath.FromSlash(res.StoredAs))
	err := moveFile(src, dst)
	if errors.Is(err, fs.ErrExist) {
		dir := filepath.Dir(dst)
		dst = filepath.Join(dir, uniqueName(dir, filepath.Base(dst), set.now()))
		res.StoredAs = path.Join(path.Dir(res.StoredAs), filepath.Base(dst))
		err = moveFile(src, dst)
	}
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && exists(dst)) {
		return err
	}
	return writeReport(dst+reportSuffix, res)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// writeReport writes the report to a temporary file and renames it into place, so staff
// never open half a report.
func writeReport(p string, res *Result) error {
	if exists(p) {
		return nil // written by an earlier attempt
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".report-*.tmp")
	if err != nil {
		return fmt.Errorf("writing the report %s: %w", p, err)
	}
	err = res.WriteReport(f, FileReport)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = renameNoReplace(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing the report %s: %w", p, err)
	}
	return nil
}

// finish applies the worker's result to the tracker.
func (l *loop) finish(r result) {
	w := l.w
	l.current = ""
	now := time.Now()
	e := l.t.files[r.name]
	if r.claimed {
		e = l.t.claimed[r.name]
	}
	if r.taken {
		delete(l.t.files, r.name)
		e = &entry{}
		l.t.claimed[r.name] = e
	}
	if e == nil {
		return
	}
	e.busy, e.ready, e.keep = false, false, r.unfinished
	retry := func() time.Duration {
		e.tries++
		wait := retryPolicy(w.set.quiet()).Nominal(e.tries)
		e.due = now.Add(wait)
		l.arm(e.due)
		return wait
	}
	switch r.kind {
	case done:
		delete(l.t.claimed, r.name)
		delete(l.t.files, r.name)
		l.last = r.summary
		l.hl.set(true, w.state(l), l.detail())
	case gone:
		delete(l.t.files, r.name)
		delete(l.t.claimed, r.name)
	case changed:
		if fi := l.stat(r.name); fi != nil {
			e.size = -1
			l.arm(l.t.observe(r.name, fi, now))
		} else {
			delete(l.t.files, r.name)
		}
	case waitTurn:
		wait := retry()
		w.log.Debug().Str("file", r.name).Msgf("a file named %s is still in processing/; taking this one after it, in %s", r.name, wait)
	case inUseNow:
		wait := retry()
		who := ""
		if r.owner != "" {
			who = fmt.Sprintf(" (Excel: user %q)", r.owner)
		}
		ev := w.log.Debug()
		if !e.noted {
			ev, e.noted = w.log.Warn(), true
		}
		ev.Str("file", r.name).Str("locked_by", r.owner).Int("attempt", e.tries).
			Msgf("%s is open in another program%s; trying again in %s", r.name, who, wait)
	case claimFail, retryLater:
		wait := retry()
		ev := w.log.Warn()
		if r.kind == retryLater && !e.noted {
			ev, e.noted = w.log.Error(), true
		}
		ev.Err(r.err).Str("file", r.name).Int("attempt", e.tries).Msgf("%s was not imported; trying again in %s", r.name, wait)
		l.hl.set(false, w.state(l), r.err.Error())
	}
}
