//go:build !linux && !windows

package dropfolder

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// renameNoReplace: without an atomic no-replace rename, link-then-unlink refuses an
// existing target; a check followed by a rename is the last resort.
func renameNoReplace(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return os.Remove(src)
	} else if errors.Is(err, fs.ErrExist) {
		return err
	} else if errors.Is(err, syscall.EXDEV) {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: errCrossDevice}
	}
	if _, err := os.Lstat(dst); err == nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: fs.ErrExist}
	}
	return os.Rename(src, dst)
}
