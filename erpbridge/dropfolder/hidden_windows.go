//go:build windows

package dropfolder

import (
	"io/fs"
	"syscall"
)

// hiddenAttr reports Windows' hidden attribute; Office marks its owner and temp files
// hidden, and staff hide files they do not want processed.
func hiddenAttr(fi fs.FileInfo) bool {
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return d.FileAttributes&syscall.FILE_ATTRIBUTE_HIDDEN != 0
	}
	return false
}
