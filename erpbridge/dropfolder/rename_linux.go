//go:build linux

package dropfolder

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames atomically without replacing an existing target
// (renameat2 RENAME_NOREPLACE). File systems without it (some network shares) fall
// back to link-then-unlink, which also refuses an existing target, and failing that to
// a check followed by a plain rename.
func renameNoReplace(src, dst string) error {
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EXDEV):
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: errCrossDevice}
	case errors.Is(err, unix.EEXIST):
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: fs.ErrExist}
	case !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS):
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
	}
	if err := os.Link(src, dst); err == nil {
		return os.Remove(src)
	} else if errors.Is(err, fs.ErrExist) {
		return err
	} else if errors.Is(err, unix.EXDEV) {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: errCrossDevice}
	}
	if _, err := os.Lstat(dst); err == nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: fs.ErrExist}
	}
	return os.Rename(src, dst)
}
