//go:build windows

package dropfolder

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// probe opens path for reading: a workbook open in Excel, or a copy still being
// written by Explorer, refuses with a sharing violation.
func probe(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if inUse(err) {
			return errInUse
		}
		return err
	}
	return f.Close()
}

// inUse reports whether err from opening or renaming a file means another program
// holds it.
func inUse(err error) bool {
	return errors.Is(err, errInUse) || errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
