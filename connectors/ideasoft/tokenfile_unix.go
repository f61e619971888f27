//go:build !windows

package ideasoft

import (
	"os"
	"path/filepath"
	"syscall"
)

// prepareDir makes the tokens folder for this account only (0700). When the agent runs
// as root (syncagent authorize by an administrator) beside a service that runs as its
// own account, the folder goes to the owner of the data dir, the service account.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	return chownToDataDir(dir, dir)
}

// restrict makes the file readable and writable by its owner only (0600), and hands it
// to the data dir's owner when root writes it.
func restrict(f *os.File, path string) error {
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	return chownToDataDir(path, filepath.Dir(path))
}

// chownToDataDir gives path to the owner of the data dir (the parent of the tokens
// folder) when root writes it for a service account.
func chownToDataDir(path, tokensDir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(filepath.Dir(tokensDir))
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil
	}
	return os.Lchown(path, int(st.Uid), int(st.Gid))
}

func replaceFile(from, to string) error { return os.Rename(from, to) }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
