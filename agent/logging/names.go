package logging

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LiveName is the file the agent writes; rotated files sit beside it as
// syncagent-20261123T071500.123Z.log. The stamp is UTC so names sort in time order
// across DST changes and time-zone edits; the lines inside carry the local offset.
const LiveName = "syncagent.log"

const (
	backupPrefix = "syncagent-"
	backupSuffix = ".log"
	// tmpSuffix marks a copy in progress during copy-then-truncate rotation. It does not
	// match the backup pattern, so readers only ever see a complete rotated file.
	tmpSuffix   = ".tmp"
	stampLayout = "20060102T150405.000"
	stampLen    = len(stampLayout) + 1 // trailing "Z"
)

// backupName names a rotated file for the moment t.
func backupName(t time.Time) string {
	return backupPrefix + t.UTC().Format(stampLayout) + "Z" + backupSuffix
}

// parseBackupName reports the rotation time in a rotated file's name, and false for any
// other file (the live file, copies staff made, temporary files).
func parseBackupName(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, backupPrefix)
	if !ok {
		return time.Time{}, false
	}
	s, ok = strings.CutSuffix(s, backupSuffix)
	if !ok || len(s) != stampLen || s[stampLen-1] != 'Z' {
		return time.Time{}, false
	}
	t, err := time.Parse(stampLayout, s[:stampLen-1])
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// listBackups returns the names of the rotated files in dir, oldest first. Because the
// writer never reuses or goes back on a stamp, name order is rotation order.
func listBackups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if _, ok := parseBackupName(e.Name()); ok && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	// os.ReadDir sorts by name already.
	return names, nil
}

// firstAfter returns the oldest rotated file newer than after ("" for none).
func firstAfter(names []string, after string) string {
	for _, n := range names {
		if n > after {
			return n
		}
	}
	return ""
}

// copyInProgress reports whether a copy-then-truncate rotation has a copy under its
// temporary name in dir.
func copyInProgress(dir string) (bool, error) {
	temps, err := listTemps(dir)
	return len(temps) > 0, err
}

// listTemps returns copies left behind by a copy-then-truncate rotation that was cut
// short (power loss, kill), as full paths.
func listTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), tmpSuffix)
		if _, isBackup := parseBackupName(base); ok && isBackup {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return paths, nil
}
