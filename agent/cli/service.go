package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"time"

	"syncagent/agent"
	"syncagent/agent/instance"
	"syncagent/agent/logging"
	"syncagent/agent/service"
	"syncagent/config"
)

// startSettle is how long start and restart watch the service after asking for it,
// so a service that stops at once (a broken config) is reported instead of "started".
const startSettle = 3 * time.Second

func init() {
	register(&command{name: "install", summary: "register the agent as a service that starts at boot and restarts after a crash (needs administrator/root)", run: runInstall})
	register(&command{name: "uninstall", summary: "stop and remove the service; config, data and logs are kept", run: runUninstall})
	register(&command{name: "start", summary: "start the installed service", run: runServiceStart})
	register(&command{name: "stop", summary: "stop the installed service (it finishes within 10 s)", run: runServiceStop})
	register(&command{name: "restart", summary: "stop and start the installed service, e.g. after editing the config", run: runServiceRestart})
	register(&command{name: service.EntryCommand, summary: "what the installed service runs; in a terminal it behaves like run (use run)", run: runService})
}

func runInstall(_ context.Context, env *Env, args []string) int {
	fs := flags(lookup("install"), env)
	path := configFlag(fs, env)
	var account *string
	if runtime.GOOS != "windows" {
		account = fs.String("user", defaultServiceUser(), "account the service runs as (\"\" for root); default: syncagent when that account exists")
	}
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	abs, err := filepath.Abs(*path)
	if err != nil {
		return fail(env, "%v", err)
	}
	if _, err := os.Stat(abs); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fail(env, "config file %s does not exist; the service was not installed (pass --config FILE)", abs)
		}
		return fail(env, "config file %s: %v; the service was not installed", abs, err)
	}
	if _, err := config.Load(abs); err != nil {
		// Still installed: the missing piece may be an environment variable that only
		// the service's environment holds (/etc/default/syncagent, system variables).
		fmt.Fprintf(env.Stderr, "warning: the config does not load in this shell:\n%v\nThe service will not start until it does (ignore this if the missing values come from the service's environment).\n\n", err)
	}
	o := service.Options{ConfigPath: abs}
	if account != nil {
		o.UserName = *account
	}
	already, err := service.Install(o)
	if err != nil {
		return fail(env, "%v", err)
	}
	if already {
		fmt.Fprintf(env.Stdout, "the service %q is already installed with this program and %s; nothing changed\n", service.Name, abs)
		return exitOK
	}
	who := "LocalSystem"
	if runtime.GOOS != "windows" {
		who = "root"
		if o.UserName != "" {
			who = o.UserName
		}
	}
	fmt.Fprintf(env.Stdout, "installed the service %q: it runs as %s with %s, starts at boot and restarts %s after a crash\nstart it now with: syncagent start\n", service.Name, who, abs, service.RestartDelay)
	return exitOK
}

// defaultServiceUser is the account the Linux packages create, when it exists.
func defaultServiceUser() string {
	if _, err := user.Lookup(service.Name); err == nil {
		return service.Name
	}
	return ""
}

func runUninstall(_ context.Context, env *Env, args []string) int {
	fs := flags(lookup("uninstall"), env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	removed, err := service.Uninstall()
	if err != nil {
		return fail(env, "%v", err)
	}
	if !removed {
		fmt.Fprintf(env.Stdout, "the service %q is not installed; nothing to do\n", service.Name)
		return exitOK
	}
	fmt.Fprintf(env.Stdout, "removed the service %q; its config, data and logs are kept\n", service.Name)
	return exitOK
}

func runServiceStart(_ context.Context, env *Env, args []string) int {
	return control(env, "start", args, func() (string, error) {
		already, err := service.Start(startSettle)
		if already {
			return "is already running", err
		}
		return "started", err
	})
}

func runServiceStop(_ context.Context, env *Env, args []string) int {
	return control(env, "stop", args, func() (string, error) {
		was, err := service.Stop()
		if !was && err == nil {
			return "is not running", nil
		}
		return "stopped", err
	})
}

func runServiceRestart(_ context.Context, env *Env, args []string) int {
	return control(env, "restart", args, func() (string, error) {
		return "restarted", service.Restart(startSettle)
	})
}

// control runs one service-manager request and says what became of the service.
func control(env *Env, name string, args []string, do func() (string, error)) int {
	fs := flags(lookup(name), env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	done, err := do()
	if err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "the service %q %s\n", service.Name, done)
	return exitOK
}

// runService is the service's entry. Under the service manager there is no console:
// the agent logs to its file only, and what stops it from starting goes to the system
// log (Event Log, journal) in plain words.
func runService(_ context.Context, env *Env, args []string) int {
	fs := flags(lookup(service.EntryCommand), env)
	path := configFlag(fs, env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	abs, err := filepath.Abs(*path)
	if err != nil {
		return fail(env, "%v", err)
	}
	interactive := service.Interactive()
	err = service.Run(func(sys service.Logger) (func(context.Context) error, error) {
		cfg, err := config.Load(abs)
		if err != nil {
			return nil, &service.ConfigError{Path: abs, Err: err}
		}
		mode := instance.ModeService
		if interactive {
			mode = instance.ModeForeground
		}
		// Taken while the service starts, so a second agent on the data folder is
		// refused before the service manager reports it running.
		lock, err := agent.TakeDataDir(cfg, mode)
		if err != nil {
			return nil, err
		}
		logCfg := *cfg
		if !interactive {
			logCfg.Log.Console = "never"
		}
		log, file, err := openLog(&logCfg, env)
		if err != nil {
			lock.Release()
			return nil, err
		}
		file.OnError(service.ForwardErrors(sys, service.LogFileErrorEvery, time.Now))
		v, commit := VersionInfo()
		_ = sys.Infof("%s %s (commit %s) started with config %s; its log is %s", service.DisplayName, v, commit, abs, file.Path())
		return func(ctx context.Context) error {
			defer file.Close()
			err := RunAgent(ctx, cfg, log, agent.Options{Lock: lock, Mode: mode})
			if err != nil {
				log.Error().Str(logging.FieldComponent, logging.CompAgent).Err(err).Msg("agent stopped with an error")
			}
			return err
		}, nil
	})
	if err != nil {
		// The reason is already in the system log (on a terminal: stderr).
		var ce *service.ConfigError
		if errors.As(err, &ce) {
			return service.ExitConfig
		}
		return exitError
	}
	return exitOK
}
