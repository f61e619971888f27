// Package service runs syncagent as an operating-system service and manages its
// registration, through kardianos/service: the Windows Service Control Manager and
// systemd on Linux.
//
// A service starts in C:\Windows\System32 (Windows) or wherever systemd puts it, with no
// console and no user environment, so every path comes from the config file, whose
// absolute path is part of the registered command line. Start does only local, quick
// work (read the config, open the log file) and never fails because an ERP database
// or a marketplace is unreachable: the agent retries those inside. Stop returns within
// StopWait. Start-up failures and log-file failures go to the system log (the Windows
// Event Log, the journal), because the agent's own log may be what is broken.
package service

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	kservice "github.com/kardianos/service"
)

const (
	// Name is the Windows service name, the Event Log source and the systemd unit
	// (syncagent.service).
	Name = "syncagent"
	// DisplayName is what services.msc shows.
	DisplayName = "SyncAgent"
	// Description is shown beside it.
	Description = "Keeps marketplace stores in step with the ERP: stock and prices out, orders in."

	// EntryCommand is the subcommand the service manager runs: syncagent run-service
	// --config FILE.
	EntryCommand = "run-service"

	// ExitConfig is the exit status of the entry when the config cannot be used
	// (EX_CONFIG from sysexits.h). The systemd unit lists it in RestartPreventExitStatus
	// so a broken config is reported once instead of restarting every few seconds.
	ExitConfig = 78

	// StopWait bounds Stop: the agent stops within its own 8 s budget, and a service
	// manager allows more (systemd TimeoutStopSec=15, the SCM about 20 s).
	StopWait = 9 * time.Second

	// RestartDelay is how long the service manager waits before restarting a crashed
	// agent (systemd RestartSec, the SCM's recovery delay).
	RestartDelay = 5 * time.Second
)

// Logger writes to the system log: the Windows Event Log (source "syncagent") or, on
// Linux, syslog, which the journal files under the unit. In a terminal it is stderr.
type Logger = kservice.Logger

// Options describe the service to register or control.
type Options struct {
	// ConfigPath is the config file the service runs with; it is made absolute.
	ConfigPath string
	// Executable is the program the service runs; default: this program.
	Executable string
	// UserName is the Linux account the service runs as ("" runs it as root). On
	// Windows the service runs as LocalSystem; set another account in services.msc.
	UserName string
}

// Config builds the kardianos configuration for o: the entry command with the absolute
// config path, automatic start, restart on failure, and on Linux the unit from
// SystemdUnit.
func Config(o Options) (*kservice.Config, error) {
	if o.ConfigPath == "" {
		return nil, errors.New("no config file given (pass --config FILE)")
	}
	cfgPath, err := filepath.Abs(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	exe := o.Executable
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("cannot find this program's own path: %w", err)
		}
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return nil, err
	}
	c := &kservice.Config{
		Name:        Name,
		DisplayName: DisplayName,
		Description: Description,
		Executable:  exe,
		Arguments:   []string{EntryCommand, "--config", cfgPath},
		// Systemd needs some folder; the agent itself never uses it.
		WorkingDirectory: filepath.Dir(cfgPath),
		UserName:         o.UserName,
		Option: kservice.KeyValue{
			// Windows: start at boot; restart after a crash. kardianos sets recovery
			// actions only when OnFailure is present. The last action repeats, so
			// every crash is followed by a restart; the count resets after a day.
			"StartType":              "automatic",
			"OnFailure":              "restart",
			"OnFailureDelayDuration": RestartDelay.String(),
			"OnFailureResetPeriod":   int((24 * time.Hour).Seconds()),
			// Linux (systemd).
			"SystemdScript": SystemdUnit,
			"Restart":       "on-failure",
		},
	}
	if runtime.GOOS == "windows" {
		// The SCM runs services as LocalSystem unless told otherwise; an account
		// needs a password, which belongs in services.msc, not on a command line.
		c.UserName = ""
	}
	return c, nil
}

// Interactive reports whether this process runs in a terminal rather than under the
// service manager.
func Interactive() bool { return kservice.Interactive() }

// Platform names the service manager found on this machine ("windows-service",
// "linux-systemd", ...).
func Platform() string { return kservice.Platform() }

// supported reports whether this machine's service manager is one syncagent installs
// into, and says what to do otherwise.
func supported() error {
	switch p := kservice.Platform(); {
	case runtime.GOOS == "windows", p == "linux-systemd":
		return nil
	default:
		return fmt.Errorf("this machine's service manager (%s) is not supported: syncagent installs as a Windows service or a systemd unit; elsewhere run `syncagent run --config FILE` from your init system", p)
	}
}

// plain turns the service manager's terse failures into what to do about them.
func plain(action string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case errors.Is(err, os.ErrPermission), strings.Contains(low, "access is denied"),
		strings.Contains(low, "permission denied"), strings.Contains(low, "interactive authentication required"),
		strings.Contains(low, "access denied"):
		if runtime.GOOS == "windows" {
			return fmt.Errorf("cannot %s the service: %s; run the command from a prompt opened with \"Run as administrator\"", action, msg)
		}
		return fmt.Errorf("cannot %s the service: %s; run the command as root (sudo)", action, msg)
	case errors.Is(err, kservice.ErrNotInstalled), strings.Contains(low, "does not exist"), strings.Contains(low, "not loaded"),
		strings.Contains(low, "not found"):
		return fmt.Errorf("cannot %s the service: it is not installed (install it with `syncagent install --config FILE`): %s", action, msg)
	}
	return fmt.Errorf("cannot %s the service: %s", action, msg)
}
