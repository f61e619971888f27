//go:build !windows

package dropfolder

import "io/fs"

// hiddenAttr: outside Windows a hidden file is a dot file, which candidate rejects by name.
func hiddenAttr(fs.FileInfo) bool { return false }
