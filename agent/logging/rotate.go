package logging

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// rotate moves the live file aside under a new stamped name and starts an empty one.
// It runs under the lock, between two lines, so no line is split across files.
//
// Rename is tried first. On Windows it fails while any reader holds the file without
// FILE_SHARE_DELETE (PowerShell's Get-Content -Wait does), and then the live file is
// copied aside and truncated instead, as log4js does: the write path never fails and
// nothing is lost. When both fail the agent keeps writing to the big file and tries
// again after another eighth of MaxSize, rather than on every line.
func (f *File) rotate(now time.Time) []error {
	stamp := now.UTC().Truncate(time.Millisecond)
	if !stamp.After(f.lastStamp) {
		// Same millisecond as the last rotation, or the clock went back: keep names
		// unique and in rotation order.
		stamp = f.lastStamp.Add(time.Millisecond)
	}
	dst := filepath.Join(f.dir, backupName(stamp))
	var errs []error
	fail := func(err error) {
		errs = append(errs, err)
		f.stats.Errors++
	}
	if err := f.f.Close(); err != nil {
		fail(fileError(opWrite, f.path, err))
	}
	f.f = nil

	rotated := false
	if err := f.rename(f.path, dst); err == nil {
		rotated = true
	} else if errors.Is(err, fs.ErrNotExist) {
		// Someone removed the live file; there is nothing to move aside.
	} else if copied, cerr := copyTruncate(f.path, dst); cerr != nil {
		rotated = copied
		fail(&FileError{Op: opRotate, Path: f.path, Err: cerr, Reason: fmt.Sprintf(
			"renaming it failed (%v), and so did copying it aside (%v); the agent keeps writing to it and tries again later", err, cerr)})
	} else {
		rotated = true
		f.stats.CopyFallbacks++
	}
	if rotated {
		f.lastStamp = stamp
		f.stats.Rotations++
	}
	if err := f.open(); err != nil {
		fail(err)
		return errs
	}
	f.limit = f.opts.MaxSize
	if !rotated {
		f.limit = f.size + max(f.opts.MaxSize/8, 1)
		return errs
	}
	for _, err := range f.prune() {
		fail(err)
	}
	return errs
}

// copyTruncate rotates live into dst without renaming live. The copy goes to a
// temporary name first and takes dst's name only after live is truncated, so a reader
// that sees dst may trust that it is complete and that live no longer holds its lines.
// copied reports whether live was emptied (its lines are then in dst, or in the
// temporary copy that OpenFile recovers at the next start).
func copyTruncate(live, dst string) (copied bool, err error) {
	tmp := dst + tmpSuffix
	if err := copyFile(live, tmp); err != nil {
		_ = os.Remove(tmp)
		return false, err
	}
	if err := truncateTo(live, 0); err != nil {
		_ = os.Remove(tmp)
		return false, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return true, err
	}
	return true, nil
}

// copyFile copies src to a new file dst and syncs it, so truncating src afterwards
// cannot lose lines to a power cut.
func copyFile(src, dst string) error {
	in, err := openRead(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// prune removes the oldest rotated files beyond MaxFiles.
func (f *File) prune() []error {
	names, err := listBackups(f.dir)
	if err != nil {
		return []error{fileError(opRemove, f.dir, err)}
	}
	var errs []error
	for _, n := range names[:max(len(names)-f.opts.MaxFiles, 0)] {
		p := filepath.Join(f.dir, n)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fileError(opRemove, p, err))
		}
	}
	return errs
}

// recoverTemps deals with copies left by a copy-then-truncate rotation that was cut
// short. A copy that is a prefix of the live file was interrupted before the truncation
// and is only a duplicate: it is removed. Any other copy holds lines that exist nowhere
// else: it gets the name it was meant to have.
func (f *File) recoverTemps() []error {
	temps, err := listTemps(f.dir)
	if err != nil {
		return []error{fileError(opOpen, f.dir, err)}
	}
	var errs []error
	for _, tmp := range temps {
		dup, err := isPrefixOf(tmp, f.path)
		if err == nil {
			if dup {
				err = os.Remove(tmp)
			} else {
				err = os.Rename(tmp, strings.TrimSuffix(tmp, tmpSuffix))
			}
		}
		if err != nil {
			errs = append(errs, fileError(opRotate, tmp, err))
		}
	}
	return errs
}

// isPrefixOf reports whether the content of a is where b begins.
func isPrefixOf(a, b string) (bool, error) {
	ra, err := openRead(a)
	if err != nil {
		return false, err
	}
	defer ra.Close()
	rb, err := openRead(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer rb.Close()
	bufA, bufB := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, errA := io.ReadFull(ra, bufA)
		if na > 0 {
			nb, _ := io.ReadFull(rb, bufB[:na])
			if nb < na || !bytes.Equal(bufA[:na], bufB[:na]) {
				return false, nil
			}
		}
		if errA == io.EOF || errA == io.ErrUnexpectedEOF {
			return true, nil
		}
		if errA != nil {
			return false, errA
		}
	}
}
