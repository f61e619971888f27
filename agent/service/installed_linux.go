package service

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// unitDirs are where systemd looks for system units, most important first. The first
// two hold units an administrator (or `syncagent install`) wrote; the others hold
// units packages ship.
var unitDirs = []struct {
	dir      string
	packaged bool
}{
	{"/etc/systemd/system", false},
	{"/run/systemd/system", false},
	{"/usr/local/lib/systemd/system", false},
	{"/usr/lib/systemd/system", true},
	{"/lib/systemd/system", true},
}

// Installed finds the unit systemd would use for syncagent.service. It returns nil
// when there is none.
func Installed() (*Installation, error) {
	return installedIn("")
}

// installedIn is Installed below root (a test's folder; "" is the real root).
func installedIn(root string) (*Installation, error) {
	for _, d := range unitDirs {
		path := filepath.Join(root, d.dir, Name+".service")
		if target, err := os.Readlink(path); err == nil && target == os.DevNull {
			// A mask (left behind by removing the Debian package): systemd will not
			// start the unit, whatever else is installed.
			return &Installation{Where: filepath.Join(d.dir, Name+".service"), Masked: true}, nil
		}
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		args := unitExecStart(f)
		f.Close()
		return &Installation{Args: args, Where: filepath.Join(d.dir, Name+".service"), Packaged: d.packaged}, nil
	}
	return nil, nil
}
