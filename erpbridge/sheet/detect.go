package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// kind is what the bytes of a file are, whatever its name says.
type kind int

const (
	kindText      kind = iota // CSV or other delimited text
	kindXLSX                  // Office Open XML package (xlsx, xlsm)
	kindEncrypted             // OLE container holding an encrypted xlsx
)

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06"), []byte("PK\x07\x08")}
	// "EncryptedPackage" as an OLE directory entry name (UTF-16LE): Excel's
	// password-protected xlsx is an OLE file with this stream.
	encryptedPackage = utf16le("EncryptedPackage")
)

const saveAsXLSX = "save it as .xlsx (Excel Workbook) and drop it again"

// sniff decides the format from the content, which is what matters: ERPs export
// "Excel" files that are really HTML or tab-separated text, and users rename files.
func sniff(src Source, o options, lim limits) (kind, error) {
	size := src.Size()
	if size <= 0 {
		return 0, fileErr(o.Name, ErrEmpty, "is empty (0 bytes); export the stock list again", nil)
	}
	head, err := readHead(src)
	if err != nil {
		return 0, fmt.Errorf("sheet: reading %s: %w", o.Name, err)
	}
	switch {
	case hasAnyPrefix(head, zipMagic):
		return sniffZip(src, o, lim)
	case bytes.HasPrefix(head, oleMagic):
		return sniffOLE(src, o)
	case isBIFF(head):
		return 0, legacyXLS(o.Name)
	}
	if err := markup(head, o.Name); err != nil {
		return 0, err
	}
	if isWorkbookName(o.Name) && !looksLikeText(head) {
		return 0, fileErr(o.Name, ErrDamaged, "is not a valid Excel workbook: it is damaged, or another kind of file was renamed; "+saveAsXLSX, nil)
	}
	return kindText, nil
}

func sniffZip(src Source, o options, lim limits) (kind, error) {
	zr, err := zip.NewReader(src, src.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return 0, damaged(o.Name, err)
	}
	var total uint64
	ooxml := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		switch {
		case name == "mimetype":
			if kindErr := openDocument(f, o.Name); kindErr != nil {
				return 0, kindErr
			}
		case name == "[content_types].xml", strings.HasPrefix(name, "xl/"):
			ooxml = true
		case strings.HasPrefix(name, "word/"):
			return 0, fileErr(o.Name, ErrUnsupported, "is a Word document, not a spreadsheet; drop the stock list as .xlsx or .csv", nil)
		}
	}
	if len(zr.File) == 0 {
		return 0, damaged(o.Name, errors.New("empty zip archive"))
	}
	if total > uint64(lim.unzipTotal) {
		return 0, fileErr(o.Name, ErrTooLarge, fmt.Sprintf(
			"unpacks to %d MB, more than the %d MB a stock list may use; it is damaged or not a stock list. Split it into smaller files",
			total>>20, lim.unzipTotal>>20), nil)
	}
	if !ooxml {
		return 0, fileErr(o.Name, ErrUnsupported, "is a zip archive, not an Excel workbook; unpack it, or "+saveAsXLSX, nil)
	}
	return kindXLSX, nil
}

// openDocument rejects LibreOffice/OpenOffice files, which name their type in a
// "mimetype" entry.
func openDocument(f *zip.File, name string) error {
	rc, err := f.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 128))
	switch mt := string(b); {
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.spreadsheet"):
		return fileErr(name, ErrUnsupported, "is an OpenDocument spreadsheet (.ods); open it in LibreOffice or Excel, "+saveAsXLSX, nil)
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument"):
		return fileErr(name, ErrUnsupported, "is an OpenDocument file, not a spreadsheet; drop the stock list as .xlsx or .csv", nil)
	}
	return nil
}

// sniffOLE tells an encrypted xlsx from a legacy .xls: both are OLE compound files.
// The stream names sit in directory sectors anywhere in the file, so the whole file
// is searched (a few milliseconds even for large files).
func sniffOLE(src Source, o options) (kind, error) {
	found, err := contains(src, encryptedPackage)
	if err != nil {
		return 0, fmt.Errorf("sheet: reading %s: %w", o.Name, err)
	}
	if found {
		return kindEncrypted, nil
	}
	return 0, legacyXLS(o.Name)
}

func legacyXLS(name string) error {
	return fileErr(name, ErrUnsupported, "is an old Excel 97-2003 workbook (.xls), which the agent cannot read; open it in Excel, "+saveAsXLSX, nil)
}

func damaged(name string, cause error) error {
	return fileErr(name, ErrDamaged, "is damaged and cannot be opened as an Excel workbook; open it in Excel (it may offer to repair it), "+saveAsXLSX, cause)
}

// isBIFF matches the BOF record that opens a BIFF2-4 workbook saved without an OLE
// container (Excel 2.x-4.x, some database exports).
func isBIFF(b []byte) bool {
	return len(b) >= 4 && b[0] == 0x09 && (b[1] == 0x00 || b[1] == 0x02 || b[1] == 0x04 || b[1] == 0x08) &&
		b[3] == 0 && (b[2] == 4 || b[2] == 6 || b[2] == 8 || b[2] == 16)
}

// markup rejects HTML tables and Excel 2003 XML saved under a spreadsheet name.
func markup(head []byte, name string) error {
	s := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	lower := strings.ToLower(string(s[:min(len(s), 512)]))
	switch {
	case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"), strings.HasPrefix(lower, "<table"):
		return fileErr(name, ErrUnsupported, "is a web page (HTML), not a spreadsheet, although its name says otherwise; open it in Excel, "+saveAsXLSX, nil)
	case strings.HasPrefix(lower, "<?xml"):
		if bytes.Contains(head, []byte("urn:schemas-microsoft-com:office:spreadsheet")) {
			return fileErr(name, ErrUnsupported, "is an Excel 2003 XML spreadsheet; open it in Excel, "+saveAsXLSX, nil)
		}
		return fileErr(name, ErrUnsupported, "is an XML file, not a spreadsheet; drop the stock list as .xlsx or .csv", nil)
	}
	return nil
}

func isWorkbookName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods":
		return true
	}
	return false
}

// looksLikeText is true when the first bytes start with a UTF-16 byte-order mark or
// hold no control characters other than tab, CR and LF.
func looksLikeText(b []byte) bool {
	if len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return true
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// readHead returns the first 4 KB of src (less for a smaller file).
func readHead(src Source) ([]byte, error) {
	head := make([]byte, min(src.Size(), 4096))
	n, err := src.ReadAt(head, 0)
	if n == len(head) {
		return head, nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

func hasAnyPrefix(b []byte, prefixes [][]byte) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(b, p) {
			return true
		}
	}
	return false
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// contains searches src for pat in overlapping blocks.
func contains(src Source, pat []byte) (bool, error) {
	const block = 64 << 10
	buf := make([]byte, block+len(pat))
	size := src.Size()
	for off := int64(0); off < size; off += block {
		n, err := src.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		if bytes.Contains(buf[:n], pat) {
			return true, nil
		}
	}
	return false, nil
}
