package service

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	kservice "github.com/kardianos/service"
)

var update = flag.Bool("update", false, "rewrite installer/linux/syncagent.service from the unit kardianos renders")

// packagedUnit is the unit the Linux packages ship; it must be what `syncagent
// install` would write for the packaged paths, so both ways of installing behave alike.
const packagedUnit = "../../installer/linux/syncagent.service"

func systemdSystem(t *testing.T) kservice.System {
	t.Helper()
	for _, s := range kservice.AvailableSystems() {
		if s.String() == "linux-systemd" {
			return s
		}
	}
	t.Fatal("kardianos has no linux-systemd system")
	return nil
}

// renderUnit installs the service through kardianos' systemd backend as a user
// service, with HOME in a temporary folder and a fake systemctl on PATH, and returns
// the unit file it wrote and the systemctl calls it made.
func renderUnit(t *testing.T, o Options) (unit string, calls string) {
	t.Helper()
	home := t.TempDir()
	bin := t.TempDir()
	log := filepath.Join(bin, "calls")
	fake := "#!/bin/sh\necho \"$@\" >> " + strconv.Quote(log) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("PATH", bin)
	c, err := Config(o)
	if err != nil {
		t.Fatal(err)
	}
	c.Option["UserService"] = true // writes below HOME instead of /etc/systemd/system
	s, err := systemdSystem(t).New(idle{}, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Install(); err != nil {
		t.Fatalf("kardianos Install: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(home, ".config/systemd/user", Name+".service"))
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := os.ReadFile(log)
	return string(b), string(cb)
}

func TestKardianosRendersOurSystemdUnit(t *testing.T) {
	unit, calls := renderUnit(t, Options{
		ConfigPath: "/etc/syncagent/config.yaml",
		Executable: "/usr/bin/syncagent",
		UserName:   "syncagent",
	})
	for _, want := range []string{
		"\nExecStart=/usr/bin/syncagent \"run-service\" \"--config\" \"/etc/syncagent/config.yaml\"\n",
		"\nUser=syncagent\n",
		"\nRestart=on-failure\n",
		"\nRestartSec=5\n",
		"\nTimeoutStopSec=15\n",
		"\nRestartPreventExitStatus=" + strconv.Itoa(ExitConfig) + "\n",
		"\nWorkingDirectory=/etc/syncagent\n",
		"\nWantedBy=multi-user.target\n",
		"\nDescription=" + Description + "\n",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", strings.TrimSpace(want), unit)
		}
	}
	for _, bad := range []string{"RestartSec=120", "{{", "}}", "\n\n\n"} {
		if strings.Contains(unit, bad) {
			t.Errorf("unit holds %q:\n%s", bad, unit)
		}
	}
	if RestartDelay.String() != "5s" || StopWait.Seconds() >= 15 {
		t.Errorf("RestartSec=5 and TimeoutStopSec=15 no longer match RestartDelay %s and StopWait %s", RestartDelay, StopWait)
	}
	if !strings.Contains(calls, "enable --user "+Name+".service") {
		t.Errorf("systemctl calls: %q", calls)
	}

	// What the unit runs reads back as what was installed.
	in := &Installation{Args: unitExecStart(strings.NewReader(unit))}
	if !in.same("/usr/bin/syncagent", "/etc/syncagent/config.yaml") {
		t.Errorf("ExecStart read back as %q", in.Args)
	}

	if *update {
		if err := os.WriteFile(packagedUnit, []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shipped, err := os.ReadFile(packagedUnit)
	if err != nil {
		t.Fatal(err)
	}
	if string(shipped) != unit {
		t.Errorf("%s differs from the unit kardianos renders for the packaged paths (go test ./agent/service -run KardianosRenders -update rewrites it):\n%s", packagedUnit, unit)
	}
}

func TestUnitWithoutUserOrWithSpacesInPaths(t *testing.T) {
	unit, _ := renderUnit(t, Options{ConfigPath: "/srv/sync agent/config.yaml", Executable: "/opt/sync agent/syncagent"})
	if strings.Contains(unit, "User=") {
		t.Errorf("no account given, yet the unit sets one:\n%s", unit)
	}
	in := &Installation{Args: unitExecStart(strings.NewReader(unit))}
	if !in.same("/opt/sync agent/syncagent", "/srv/sync agent/config.yaml") {
		t.Errorf("ExecStart read back as %q:\n%s", in.Args, unit)
	}
}

// TestRunThroughKardianos runs the program the way systemd does (kardianos' systemd
// Run), with RunWait standing in for SIGTERM.
func TestRunThroughKardianos(t *testing.T) {
	stop := make(chan struct{})
	started := make(chan struct{})
	sys := &sysLog{}
	errc := make(chan error, 1)
	go func() {
		errc <- runOn(systemdSystem(t), kservice.KeyValue{"RunWait": func() { <-stop }}, sys, func(Logger) (func(context.Context) error, error) {
			return func(ctx context.Context) error { close(started); <-ctx.Done(); return nil }, nil
		})
	}()
	<-started
	close(stop)
	if err := <-errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(sys.all(), "SyncAgent stopped") {
		t.Fatalf("system log: %q", sys.all())
	}

	// A start-up failure comes back from Run (for the exit status) and is written once.
	sys = &sysLog{}
	ce := &ConfigError{Path: "/etc/syncagent/config.yaml", Err: errors.New("line 3: bad")}
	err := runOn(systemdSystem(t), kservice.KeyValue{"RunWait": func() { t.Error("RunWait after a failed Start") }}, sys, func(Logger) (func(context.Context) error, error) {
		return nil, ce
	})
	if !errors.Is(err, ce) {
		t.Fatalf("Run = %v, want the ConfigError", err)
	}
	if n := strings.Count(sys.all(), "line 3: bad"); n != 1 {
		t.Fatalf("the failure was written %d times:\n%s", n, sys.all())
	}
}

func TestInstalledFindsTheUnitSystemdWouldUse(t *testing.T) {
	root := t.TempDir()
	write := func(dir, execStart string) {
		t.Helper()
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, Name+".service"), []byte("[Service]\nExecStart="+execStart+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if in, err := installedIn(root); err != nil || in != nil {
		t.Fatalf("empty root: %v, %v", in, err)
	}
	write("lib/systemd/system", `/usr/bin/syncagent "run-service" "--config" "/etc/syncagent/config.yaml"`)
	in, err := installedIn(root)
	if err != nil || in == nil || !in.Packaged || in.ConfigPath() != "/etc/syncagent/config.yaml" {
		t.Fatalf("packaged unit: %+v, %v", in, err)
	}
	mask := filepath.Join(root, "etc/systemd/system", Name+".service")
	if err := os.MkdirAll(filepath.Dir(mask), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.DevNull, mask); err != nil {
		t.Fatal(err)
	}
	if in, err := installedIn(root); err != nil || in == nil || !in.Masked {
		t.Fatalf("a unit linked to /dev/null is a mask: %+v, %v", in, err)
	}
	if err := os.Remove(mask); err != nil {
		t.Fatal(err)
	}
	write("etc/systemd/system", `/opt/syncagent/syncagent run-service --config=/opt/syncagent/config.yaml`)
	in, err = installedIn(root)
	if err != nil || in == nil || in.Packaged || in.Where != "/etc/systemd/system/syncagent.service" || in.ConfigPath() != "/opt/syncagent/config.yaml" {
		t.Fatalf("an /etc unit overrides the packaged one: %+v, %v", in, err)
	}
}
