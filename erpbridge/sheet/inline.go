package sheet

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// errNotInlined means the workbook is read as it is, with its shared-string table:
// the rewrite met something it would not reproduce exactly, or would unpack to more
// than a workbook may.
var errNotInlined = errors.New("shared strings not inlined")

// emptySharedStrings replaces the table in a rewritten workbook, so the package stays
// consistent with its content types and relationships.
const emptySharedStrings = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
	`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>`

// inlineSharedStrings writes to tmp a copy of a workbook with a large shared-string
// table in which every cell that refers to the table holds its text inline, and
// returns the copy's path. It returns "" when the workbook is better read as it is:
// its table is small, or the rewrite would not reproduce it exactly (excelize then
// reads the original, as it always has, at the cost of the memory of its index).
//
// Excel keeps all text in the table; a list of a million unique SKUs gives excelize
// an index of a million strings, about 200 MB of memory, while the copy is read in
// the 25 MB of a workbook with inline text. The rewrite streams: the table goes to a
// file, and only 4 bytes per string stay in memory.
func inlineSharedStrings(ctx context.Context, src Source, lim limits, tmp string) (string, error) {
	zr, err := zip.NewReader(src, src.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return "", nil // excelize reports the damage
	}
	sst := sharedStringsPart(zr.File)
	// Above the spill limit excelize reads the table from disk, which is the reading
	// readSharedStrings follows; below it, differently (see readSharedStrings).
	above := max(lim.sstInlineAbove, min(lim.unzipSpill, lim.unzipTotal))
	if sst == nil || sst.UncompressedSize64 <= uint64(above) {
		return "", nil
	}
	path := filepath.Join(tmp, "inlined.xlsx")
	err = writeInlined(ctx, zr, sst, lim.unzipTotal, path, filepath.Join(tmp, "strings.bin"))
	if err == nil {
		return path, nil
	}
	if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return "", rerr
	}
	if errors.Is(err, errNotInlined) {
		return "", nil
	}
	return "", err
}

// sharedStringsPart returns the part excelize takes as the shared-string table (the
// name compared without case, backslashes as slashes), or nil when there is none or
// more than one.
func sharedStringsPart(files []*zip.File) *zip.File {
	var found *zip.File
	for _, f := range files {
		if strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), "xl/sharedStrings.xml") {
			if found != nil {
				return nil
			}
			found = f
		}
	}
	return found
}

func writeInlined(ctx context.Context, zr *zip.Reader, sst *zip.File, budget int64, path, stringsPath string) (err error) {
	rc, err := sst.Open()
	if err != nil {
		return err
	}
	table, err := readSharedStrings(ctx, rc, stringsPath, int64(sst.UncompressedSize64))
	_ = rc.Close()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := table.close(); err == nil {
			err = cerr
		}
	}()

	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(out, 256<<10)
	zw := zip.NewWriter(bw)
	left := &budgetWriter{left: budget}
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := copyPart(ctx, zw, f, f == sst, table, left); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// copyPart adds one part to the rewritten package: the table emptied, a part with
// cells to rewrite rewritten (stored: the copy is read once, by excelize, which
// unpacks large sheets to disk anyway), any other part copied compressed as it was.
func copyPart(ctx context.Context, zw *zip.Writer, f *zip.File, isTable bool, table *sharedStrings, left *budgetWriter) error {
	if isTable {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return err
		}
		left.w = w
		_, err = io.WriteString(left, emptySharedStrings)
		return err
	}
	rewrite := false
	if f.UncompressedSize64 > 0 && !strings.HasSuffix(f.Name, "/") {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		rewrite, err = inlineCells(ctx, rc, nil, table)
		_ = rc.Close()
		if err != nil {
			return err
		}
	}
	if !rewrite {
		if err := left.take(int64(f.UncompressedSize64)); err != nil {
			return err
		}
		return zw.Copy(f)
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store, Modified: f.Modified})
	if err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	left.w = w
	bw := bufio.NewWriterSize(left, 64<<10)
	if _, err := inlineCells(ctx, rc, bw, table); err != nil {
		return err
	}
	return bw.Flush()
}

// budgetWriter counts what the rewritten package unpacks to against the limit every
// workbook has (limits.unzipTotal): inlining repeated strings can only grow a sheet,
// and a sheet that repeats one long string a million times must not become a zip bomb.
type budgetWriter struct {
	w    io.Writer
	left int64
}

func (b *budgetWriter) take(n int64) error {
	if b.left -= n; b.left < 0 {
		return fmt.Errorf("%w: the rewritten workbook would unpack to more than the limit", errNotInlined)
	}
	return nil
}

func (b *budgetWriter) Write(p []byte) (int, error) {
	if err := b.take(int64(len(p))); err != nil {
		return 0, err
	}
	return b.w.Write(p)
}
