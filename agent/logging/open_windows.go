//go:build windows

package logging

import (
	"os"

	"golang.org/x/sys/windows"
)

// Windows refuses to rename or delete a file while any handle on it lacks
// FILE_SHARE_DELETE, and os.OpenFile never asks for it. Every handle this package opens
// shares read, write and delete, so our own writer and `syncagent logs -f` never block
// a rotation, and staff can open the file in Notepad while the agent writes.
const shareAll = windows.FILE_SHARE_READ | windows.FILE_SHARE_WRITE | windows.FILE_SHARE_DELETE

// The permission bits only matter on Unix; on Windows the folder's ACL applies.
const (
	filePerm = 0o640
	dirPerm  = 0o750
)

func createFile(path string, access, disposition uint32) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, access, shareAll, nil, disposition, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// openAppend opens (creating) path for appending lines. FILE_APPEND_DATA without
// FILE_WRITE_DATA makes every write land at the end, like O_APPEND.
func openAppend(path string) (*os.File, error) {
	return createFile(path,
		windows.FILE_APPEND_DATA|windows.FILE_WRITE_ATTRIBUTES|windows.FILE_READ_ATTRIBUTES|windows.SYNCHRONIZE,
		windows.OPEN_ALWAYS)
}

// openRead opens path for reading without getting in the way of the writer's rotation.
func openRead(path string) (*os.File, error) {
	return createFile(path, windows.GENERIC_READ, windows.OPEN_EXISTING)
}

// openWrite opens an existing path for writing at chosen offsets (truncation).
func openWrite(path string) (*os.File, error) {
	return createFile(path, windows.GENERIC_WRITE, windows.OPEN_EXISTING)
}
