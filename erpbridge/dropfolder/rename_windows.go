//go:build windows

package dropfolder

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// renameNoReplace renames with MoveFileEx without MOVEFILE_REPLACE_EXISTING, which
// refuses an existing target.
func renameNoReplace(src, dst string) error {
	from, err := windows.UTF16PtrFromString(src)
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(dst)
	if err != nil {
		return err
	}
	err = windows.MoveFileEx(from, to, 0)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, windows.ERROR_NOT_SAME_DEVICE):
		err = errCrossDevice
	case errors.Is(err, windows.ERROR_ALREADY_EXISTS), errors.Is(err, windows.ERROR_FILE_EXISTS):
		err = fs.ErrExist
	}
	return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
}
