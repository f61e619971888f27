package dropfolder

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// errCrossDevice means a rename cannot cross volumes; moveFile then copies.
var errCrossDevice = errors.New("source and target are on different volumes")

// moveFile moves src to dst and never replaces an existing dst (it returns an error
// matching fs.ErrExist instead). Within one volume it is a rename; across volumes
// (a drop folder whose processed/ is a mount of its own) it copies, syncs the copy to
// disk and only then removes src, so a power cut leaves at worst two copies, never none.
func moveFile(src, dst string) error {
	err := renameNoReplace(src, dst)
	if !errors.Is(err, errCrossDevice) {
		return err
	}
	return copyThenRemove(src, dst)
}

func copyThenRemove(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(dst)
		}
	}()
	if _, err = io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	if err = out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("writing %s to disk: %w", dst, err)
	}
	if err = out.Close(); err != nil {
		return err
	}
	syncDir(filepath.Dir(dst))
	in.Close()
	return os.Remove(src)
}

// syncDir makes a new directory entry durable where the system allows it (not on
// Windows, where directories cannot be opened for syncing; NTFS journals them).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// uniqueName returns a name in dir for name that is free both for the file and for its
// report: stok.xlsx, then stok-2.xlsx … stok-999.xlsx, then a time suffix
// (stok-20250314T102205.123.xlsx) and a counter after that.
func uniqueName(dir, name string, now time.Time) string {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	free := func(n string) bool {
		for _, p := range []string{n, n + reportSuffix} {
			if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
				return false
			}
		}
		return true
	}
	if free(name) {
		return name
	}
	for i := 2; i < 1000; i++ {
		if n := fmt.Sprintf("%s-%d%s", stem, i, ext); free(n) {
			return n
		}
	}
	stamp := now.Format("20060102T150405.000")
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s-%s%s", stem, stamp, ext)
		if i > 1 {
			n = fmt.Sprintf("%s-%s-%d%s", stem, stamp, i, ext)
		}
		if free(n) {
			return n
		}
	}
}
