package service

import (
	"strings"
	"testing"
)

// TestStateWithoutAServiceManagerSaysSoInPlainWords: on a machine with neither systemd
// nor the Windows SCM (a container, an old init), status used to print "not installed
// (no supported service manager here: unix-systemv)", a name from kardianos that says
// nothing to the person reading it.
func TestStateWithoutAServiceManagerSaysSoInPlainWords(t *testing.T) {
	if supported() == nil {
		t.Skip("this machine has a supported service manager (" + Platform() + ")")
	}
	got, err := State("/etc/syncagent/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, Platform()) || !strings.Contains(got, "neither systemd nor the Windows service manager") ||
		!strings.Contains(got, "syncagent run") {
		t.Fatalf("state %q", got)
	}
}
