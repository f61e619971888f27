//go:build !windows

package logging

import "os"

// Unix lets other processes read, rename and delete a file that is open, so plain
// os.OpenFile already gives the sharing the Windows variants have to ask for.

// filePerm keeps the log readable by the agent's account and its group (admins), not by
// everyone: lines may name customers from orders.
const (
	filePerm = 0o640
	dirPerm  = 0o750
)

// openAppend opens (creating) path for appending lines.
func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, filePerm)
}

// openRead opens path for reading without getting in the way of the writer's rotation.
func openRead(path string) (*os.File, error) {
	return os.Open(path)
}

// openWrite opens an existing path for writing at chosen offsets (truncation).
func openWrite(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY, 0)
}
