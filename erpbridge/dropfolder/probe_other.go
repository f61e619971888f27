//go:build !linux && !windows

package dropfolder

import (
	"errors"
	"os"
)

// probe checks that path can be opened for reading; this system offers no portable
// way to see other writers, so the quiet period is the guard.
func probe(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

func inUse(err error) bool { return errors.Is(err, errInUse) }
