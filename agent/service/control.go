package service

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	kservice "github.com/kardianos/service"
)

// Installation is what the service manager has registered under Name.
type Installation struct {
	// Args is the registered command line, the program first.
	Args []string
	// Where names the registration: the unit file, or "Windows service syncagent".
	Where string
	// Packaged is true for the unit the .deb/.rpm package ships
	// (/lib/systemd/system/syncagent.service): the package manager owns it.
	Packaged bool
	// Masked is true when systemd has the unit masked (linked to /dev/null).
	Masked bool
}

// ConfigPath is the --config value of the registered command line ("" if none).
func (in *Installation) ConfigPath() string {
	for i, a := range in.Args {
		if a == "--config" || a == "-config" {
			if i+1 < len(in.Args) {
				return in.Args[i+1]
			}
		}
		for _, p := range []string{"--config=", "-config="} {
			if v, ok := strings.CutPrefix(a, p); ok {
				return v
			}
		}
	}
	return ""
}

// same reports whether the registration runs exe with cfg.
func (in *Installation) same(exe, cfg string) bool {
	return len(in.Args) > 0 && samePath(in.Args[0], exe) && samePath(in.ConfigPath(), cfg)
}

func samePath(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Install registers the service for o. It reports already=true, and changes nothing,
// when the same program and config are registered; a different registration is an
// error, so an upgrade never silently points the service at another config (and a
// service account set in services.msc survives a reinstall of the program).
func Install(o Options) (already bool, err error) {
	c, err := Config(o)
	if err != nil {
		return false, err
	}
	s, err := newService(c)
	if err != nil {
		return false, err
	}
	in, err := Installed()
	if err != nil {
		return false, plain("inspect", err)
	}
	if in != nil {
		cfg := c.Arguments[len(c.Arguments)-1]
		switch {
		case in.Masked:
			return false, fmt.Errorf("%s is masked (%s links to /dev/null, as removing the package leaves it); unmask it first: systemctl unmask %s", Name+".service", in.Where, Name)
		case in.Packaged:
			return false, fmt.Errorf("the service comes with the syncagent package (%s; it runs %s); turn it on with: systemctl enable --now %s", in.Where, strings.Join(in.Args, " "), Name)
		case in.same(c.Executable, cfg):
			return true, nil
		default:
			return false, fmt.Errorf("the service is already installed with another command line (%s); remove it first with `syncagent uninstall`", strings.Join(in.Args, " "))
		}
	}
	return false, plain("install", s.Install())
}

// Uninstall stops and removes the service. It reports removed=false when nothing was
// installed. Config, data and logs stay where they are.
func Uninstall() (removed bool, err error) {
	s, err := controller()
	if err != nil {
		return false, err
	}
	in, err := Installed()
	if err != nil {
		return false, plain("inspect", err)
	}
	if in == nil || in.Masked {
		return false, nil
	}
	if in.Packaged {
		return false, fmt.Errorf("the service comes with the syncagent package (%s); remove the package instead (apt remove syncagent, or dnf remove syncagent); config and data are kept", in.Where)
	}
	if st, err := s.Status(); err == nil && st == kservice.StatusRunning {
		if err := s.Stop(); err != nil {
			return false, plain("stop", err)
		}
	}
	return true, plain("uninstall", s.Uninstall())
}

// Start asks the service manager to start the service and waits up to settle for it
// to stay running: a service that stops at once (a broken config) is reported with
// where its reason was written. It reports already=true when it was running.
func Start(settle time.Duration) (already bool, err error) {
	s, err := controller()
	if err != nil {
		return false, err
	}
	if st, err := s.Status(); err == nil && st == kservice.StatusRunning {
		return true, nil
	}
	if err := s.Start(); err != nil {
		return false, plain("start", err)
	}
	return false, checkRunning(s, settle)
}

// Stop asks the service manager to stop the service and waits until it has. It
// reports wasRunning=false, and does nothing, when the service was not running.
func Stop() (wasRunning bool, err error) {
	s, err := controller()
	if err != nil {
		return false, err
	}
	st, err := s.Status()
	if err != nil && !strings.Contains(err.Error(), "failed state") {
		return false, plain("stop", err)
	}
	if st != kservice.StatusRunning {
		return false, nil
	}
	return true, plain("stop", s.Stop())
}

// Restart stops the service, starts it again, and checks it as Start does.
func Restart(settle time.Duration) error {
	s, err := controller()
	if err != nil {
		return err
	}
	if err := s.Restart(); err != nil {
		return plain("restart", err)
	}
	return checkRunning(s, settle)
}

// checkRunning polls the state for settle and fails if the service stopped.
func checkRunning(s kservice.Service, settle time.Duration) error {
	deadline := time.Now().Add(settle)
	for {
		st, err := s.Status()
		if err != nil || st != kservice.StatusRunning {
			return fmt.Errorf("the service stopped right after it started; the reason is in %s", SystemLogHint())
		}
		if !time.Now().Before(deadline) {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// State describes the service for `syncagent status`: "running", "stopped", "not
// installed", "failed (...)". When the registered config is not cfgPath, it says which
// one the service uses, so the report below it is not mistaken for the service's.
func State(cfgPath string) (string, error) {
	if err := supported(); err != nil {
		return "none: this machine has neither systemd nor the Windows service manager, the two syncagent installs into; the agent runs only as `syncagent run` here (start it from your own init system to keep it running)", nil
	}
	s, err := controller()
	if err != nil {
		return "", err
	}
	var state string
	st, err := s.Status()
	switch {
	case errors.Is(err, kservice.ErrNotInstalled):
		return "not installed", nil
	case err != nil && strings.Contains(err.Error(), "failed state"):
		state = "failed (it stopped with an error; see " + SystemLogHint() + ")"
	case err != nil:
		return "unknown", plain("query", err)
	case st == kservice.StatusRunning:
		state = "running"
	default:
		state = "stopped"
	}
	in, err := Installed()
	if err != nil || in == nil {
		return state, nil
	}
	if in.Masked {
		return "masked (systemd will not start it; systemctl unmask " + Name + ")", nil
	}
	if abs, err := filepath.Abs(cfgPath); err == nil {
		if used := in.ConfigPath(); used != "" && !samePath(used, abs) {
			state += fmt.Sprintf(" (the service uses %s, not %s)", used, abs)
		}
	}
	return state, nil
}

// SystemLogHint says where start-up failures are written.
func SystemLogHint() string {
	if runtime.GOOS == "windows" {
		return `the Windows Event Log (Event Viewer > Windows Logs > Application, source "` + Name + `")`
	}
	return "the journal (journalctl -u " + Name + ")"
}

// controller builds a service object for sending control requests.
func controller() (kservice.Service, error) {
	return newService(&kservice.Config{Name: Name, DisplayName: DisplayName})
}

func newService(c *kservice.Config) (kservice.Service, error) {
	if err := supported(); err != nil {
		return nil, err
	}
	return kservice.New(idle{}, c)
}

// idle is the program of a service object that only sends control requests.
type idle struct{}

func (idle) Start(kservice.Service) error { return nil }
func (idle) Stop(kservice.Service) error  { return nil }
