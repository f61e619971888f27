package dropfolder

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// errInUse means another program has the file open (Excel, a copy still running); the
// agent tries again later.
var errInUse = errors.New("file is in use by another program")

// excelOwner returns the user Excel's owner file names for name in dir, or "" when
// there is no owner file or it cannot be read. Excel writes "~$stok.xlsx" beside
// stok.xlsx while it is open (Word-style names drop the first two letters of long
// names, so "~$ok.xlsx" is tried too); the owner file may linger after a crash, so the
// name is only ever used in messages.
func excelOwner(dir, name string) string {
	cands := []string{"~$" + name}
	if r := []rune(name); len(r) > 2 {
		cands = append(cands, "~$"+string(r[2:]))
	}
	for _, c := range cands {
		f, err := os.Open(filepath.Join(dir, c))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 512))
		f.Close()
		if err == nil {
			if u := ownerName(b); u != "" {
				return u
			}
		}
	}
	return ""
}

// ownerName parses an owner file (Office 2016 layout, as LibreOffice reads it): byte 0
// is the length of the user name (at most 52), then the name in the ANSI code page
// (Windows-1254 on Turkish systems) padded with spaces; at offset 55 (Excel; 54 in
// Word's files) a 2-byte little-endian length and the same name in UTF-16. The UTF-16
// copy is preferred, as it spells Turkish letters right on any system; every length is
// checked against the data, so a damaged or foreign file yields "".
func ownerName(b []byte) string {
	if len(b) < 2 {
		return ""
	}
	n := int(b[0])
	if n == 0 || n > 52 || 1+n > len(b) {
		return ""
	}
	for _, at := range []int{55, 54} {
		if at+2 > len(b) {
			continue
		}
		m := int(b[at]) | int(b[at+1])<<8
		if m != n || at+2+2*m > len(b) {
			continue
		}
		units := make([]uint16, m)
		for i := range units {
			units[i] = uint16(b[at+2+2*i]) | uint16(b[at+3+2*i])<<8
		}
		if s := cleanOwner(string(utf16.Decode(units))); s != "" {
			return s
		}
	}
	s, err := charmap.Windows1254.NewDecoder().Bytes(b[1 : 1+n])
	if err != nil {
		return ""
	}
	return cleanOwner(string(s))
}

// cleanOwner accepts a plausible user name only: printable, not blank.
func cleanOwner(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return ""
		}
	}
	return s
}
