package logging

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNoLogDir is returned by Print when the log folder does not exist.
var ErrNoLogDir = errors.New("log folder not found")

// FileError is a failure on one log file or folder: creating it, writing a line,
// rotating, removing an old file, or reading it back. Reason says in plain words what
// went wrong and what to do; Err is the operating system's error.
type FileError struct {
	Op     string // "create log folder", "open log file", "write", "rotate", ...
	Path   string
	Reason string
	Err    error
}

func (e *FileError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("cannot %s %s: %s", e.Op, e.Path, e.Reason)
	}
	return fmt.Sprintf("cannot %s %s: %v", e.Op, e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// Operations named in FileError.Op.
const (
	opCreateDir = "create log folder"
	opOpen      = "open log file"
	opWrite     = "write to log file"
	opRotate    = "rotate log file"
	opRemove    = "remove old log file"
)

// fileError builds a FileError whose Reason explains the common causes a warehouse PC
// or a server meets: no permission, or a file standing where a folder should be.
func fileError(op, path string, err error) *FileError {
	e := &FileError{Op: op, Path: path, Err: err}
	folder := path
	if op != opCreateDir {
		folder = filepath.Dir(path)
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		e.Reason = fmt.Sprintf("permission denied; the account the agent runs as needs write access to %s (or set log.dir to a folder it may write)", folder)
	default:
		if f := fileInTheWay(folder); f != "" {
			e.Reason = fmt.Sprintf("%s is a file, not a folder; move it away or set log.dir elsewhere", f)
		} else {
			e.Reason = err.Error()
		}
	}
	return e
}

// fileInTheWay returns the nearest existing ancestor of folder (or folder itself) when it
// is a regular file, which is why creating or using the folder failed. It works the same
// on every OS, unlike ENOTDIR.
func fileInTheWay(path string) string {
	for p := filepath.Clean(path); ; {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return p
			}
			return ""
		}
		parent := filepath.Dir(p)
		if parent == p {
			return ""
		}
		p = parent
	}
}

// readError explains a failure to read a log file back for `syncagent logs`.
func readError(path string, err error) *FileError {
	e := &FileError{Op: "read log file", Path: path, Err: err}
	if errors.Is(err, fs.ErrPermission) {
		e.Reason = "permission denied; run the command as the account the agent runs as, or as an administrator"
	}
	return e
}
