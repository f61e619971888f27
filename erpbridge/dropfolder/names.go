package dropfolder

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// Sub-folders of a drop folder.
const (
	processingDir = "processing"
	processedDir  = "processed"
	failedDir     = "failed"
	reportSuffix  = ".report.txt"
)

// candidate reports whether name, a plain file in the drop folder, is a stock list to
// take. Office and editors leave helper files beside the real one; none of them is
// ever taken:
//
//	~$stok.xlsx    Excel's owner file (names the user who has stok.xlsx open)
//	~WRL0001.tmp   Office temp files, and any *.tmp
//	.~lock.x.csv#  LibreOffice lock files, and any hidden (dot) file
//	A1B2C3D4       Excel's save-in-progress file: 8 hex digits, no extension
//	x.report.txt   one of our own reports copied back by someone
func (s *Settings) candidate(name string) bool {
	if name == "" || name[0] == '.' || name[0] == '~' {
		return false
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, reportSuffix) || excelTempName(name) {
		return false
	}
	for _, p := range s.Patterns {
		if ok, _ := filepath.Match(strings.ToLower(p), lower); ok {
			return true
		}
	}
	return false
}

// excelTempName recognises the random name Excel writes a workbook to before it
// replaces the original: eight hex digits and no extension.
func excelTempName(name string) bool {
	if len(name) != 8 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// takeable reports whether fi describes a file that may be taken: a regular file (not
// a folder, not a link) that the system does not mark hidden.
func takeable(fi fs.FileInfo) bool {
	return fi.Mode().IsRegular() && !hiddenAttr(fi)
}
