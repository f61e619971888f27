package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/rs/zerolog"

	"syncagent/agent"
	"syncagent/agent/instance"
	"syncagent/agent/logging"
	"syncagent/config"
)

func init() {
	register(&command{name: "run", summary: "run the agent in the foreground until Ctrl-C (SIGINT/SIGTERM)", run: runRun})
}

func runRun(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("run"), env)
	path := configFlag(fs, env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	// The data folder first: a second agent is refused before it touches the log or
	// the database of the one running.
	lock, err := agent.TakeDataDir(cfg, instance.ModeForeground)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer lock.Release()
	log, file, err := openLog(cfg, env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer file.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// A second Ctrl-C while stopping means "now": the store is crash-safe.
		<-ctx.Done()
		stop()
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		<-again
		fmt.Fprintln(env.Stderr, "syncagent: second interrupt; exiting without waiting")
		os.Exit(exitError)
	}()
	if err := RunAgent(ctx, cfg, log, agent.Options{Lock: lock}); err != nil {
		log.Error().Str(logging.FieldComponent, logging.CompAgent).Err(err).Msg("agent stopped with an error")
		return fail(env, "%v", err)
	}
	return exitOK
}

// RunAgent logs the start banner and runs the agent until ctx ends.
func RunAgent(ctx context.Context, cfg *config.Config, log zerolog.Logger, opts agent.Options) error {
	v, commit := VersionInfo()
	log.Info().Str(logging.FieldComponent, logging.CompAgent).Str("version", v).Str("commit", commit).Str("go", runtime.Version()).
		Str("config", cfg.File).Str("data_dir", string(cfg.DataDir)).Str("time_zone", cfg.TimeZone).Msg("syncagent starting")
	return agent.New(cfg, log, opts).Run(ctx)
}

// openLog opens the agent's log file, with readable console output when run in a
// terminal (or when the config says always).
func openLog(cfg *config.Config, env *Env) (zerolog.Logger, *logging.File, error) {
	opts := logging.Options{
		Dir:       string(cfg.Log.Dir),
		Level:     cfg.Log.Level,
		MaxSizeMB: cfg.Log.MaxSizeMB,
		MaxFiles:  cfg.Log.MaxFiles,
	}
	switch cfg.Log.Console {
	case "always":
		opts.Console = env.Stderr
	case "auto":
		if env.Interactive {
			opts.Console = env.Stderr
			opts.ConsoleColor = true
		}
	}
	return logging.New(opts)
}
