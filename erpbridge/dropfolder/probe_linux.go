//go:build linux

package dropfolder

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// probe checks that path can be read and that no program has it open for writing. A
// read lease is granted only when no one has the file open for writing, so it tells a
// copy still in progress from a finished file even when the copy pauses longer than
// the quiet period. Where leases are unavailable (another user's file without
// CAP_LEASE, network file systems) the quiet period is the only guard.
func probe(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = unix.FcntlInt(f.Fd(), unix.F_SETLEASE, unix.F_RDLCK)
	switch {
	case err == nil:
		_, _ = unix.FcntlInt(f.Fd(), unix.F_SETLEASE, unix.F_UNLCK)
		return nil
	case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EBUSY):
		return errInUse
	default:
		return nil
	}
}

// inUse reports whether err from opening or renaming a file means another program
// holds it.
func inUse(err error) bool { return errors.Is(err, errInUse) }
