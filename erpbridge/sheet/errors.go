package sheet

import (
	"errors"
	"fmt"
)

// Kinds of whole-file failure. Test with errors.Is; the *FileError carrying them has
// the message for the user.
var (
	ErrOptions     = errors.New("invalid options")            // a programming or config error, not the file's fault
	ErrEmpty       = errors.New("file is empty")              // no bytes, or no non-empty row
	ErrUnsupported = errors.New("unsupported file format")    // .xls, .ods, HTML or XML saved as a spreadsheet
	ErrWrongFormat = errors.New("file format does not match") // Options.Format says one thing, the content another
	ErrEncrypted   = errors.New("workbook is password-protected")
	ErrDamaged     = errors.New("file is damaged")
	ErrTooLarge    = errors.New("file unpacks to too much data") // zip bomb or a workbook beyond what a stock list needs
	ErrNoSheet     = errors.New("sheet not found")
	ErrNoHeader    = errors.New("no stock-code column")
	ErrNoValues    = errors.New("no quantity or price column")
	ErrColumns     = errors.New("column mapping is ambiguous or incomplete")
)

// FileError is a whole-file failure. Error() is the sentence shown to the user; it
// names the file and says what to do.
type FileError struct {
	File string // Options.Name
	Kind error  // one of the Err* kinds above
	Msg  string // the sentence after the file name
	Err  error  // the underlying library error, if any (for logs, not for users)
	// Headers holds, for ErrNoHeader, ErrNoValues and ErrColumns, the cells of the row
	// taken as (or closest to) the header, so a settings screen can offer them.
	Headers []string
}

func (e *FileError) Error() string { return fmt.Sprintf("%s %s", e.File, e.Msg) }

// Unwrap lets errors.Is see both the kind and the cause.
func (e *FileError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func fileErr(name string, kind error, msg string, cause error) *FileError {
	return &FileError{File: name, Kind: kind, Msg: msg, Err: cause}
}

// withHeaders attaches the trimmed, non-empty cells of a header candidate (at most
// 256: a row of 16,384 filled cells is no header worth listing in full).
func (e *FileError) withHeaders(cells []string) *FileError {
	for _, c := range cells {
		if c = trimCell(c); c != "" {
			e.Headers = append(e.Headers, c)
			if len(e.Headers) == 256 {
				break
			}
		}
	}
	return e
}
