// Package cli is syncagent's command line: one function per subcommand, each with its
// own flags and --help. main.go only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"

	"syncagent/agent/service"
	"syncagent/config"
	_ "syncagent/connectors/all" // every marketplace of the build, for config's checks
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed (store unreachable, file unreadable)
	exitUsage = 2 // the command line itself is wrong
	// exitConfig: the config file is missing or not valid (EX_CONFIG of sysexits.h), for
	// every command and for the service, whose systemd unit does not restart on it.
	exitConfig = service.ExitConfig
)

// command is one subcommand.
type command struct {
	name    string
	args    string // shown after the name in usage, e.g. "FILE"
	summary string
	run     func(ctx context.Context, env *Env, args []string) int
}

// Env is the process environment of a command, replaceable in tests.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	// Interactive reports whether stdout is a terminal (colours, console logs).
	Interactive bool
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				return c.run(ctx, env, []string{"--help"})
			}
		}
		usage(env.Stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(env.Stderr, "syncagent: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return exitUsage
	}
	return c.run(ctx, env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "syncagent keeps marketplace stores in step with the ERP: stock and prices out, orders in.\n\nUsage: syncagent COMMAND [options]\n\nCommands:\n")
	cs := append([]*command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'syncagent COMMAND --help' for a command's options.\n")
}

// flags makes a FlagSet for c whose --help prints the command's usage to stdout.
func flags(c *command, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "Usage: syncagent %s [options] %s\n\n%s\n", c.name, c.args, c.summary)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(env.Stderr)
		if b.Len() > 0 {
			fmt.Fprintf(env.Stdout, "\nOptions:\n%s", b.String())
		}
	}
	return fs
}

// parse parses flags that may stand before or after positional arguments
// ("import FILE --config C" as well as "import --config C FILE"). It returns the
// positional arguments, or a non-negative exit code when the command should end now.
func parse(fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), -1
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// configFlag adds --config with its default: $SYNCAGENT_CONFIG, else the platform's
// standard location.
func configFlag(fs *flag.FlagSet, env *Env) *string {
	def := env.Getenv("SYNCAGENT_CONFIG")
	if def == "" {
		def = DefaultConfigPath()
	}
	return fs.String("config", def, "config file (default from $SYNCAGENT_CONFIG or the platform's standard location)")
}

// DefaultConfigPath is where an installed agent keeps its config.
func DefaultConfigPath() string {
	if runtime.GOOS == "windows" {
		base := os.Getenv("ProgramData")
		if base == "" {
			base = `C:\ProgramData`
		}
		return base + `\SyncAgent\config.yaml`
	}
	return "/etc/syncagent/config.yaml"
}

// loadConfig loads the config at path, as every command does: the file is decoded and
// every store is checked against its marketplace's registration (connectors/all is
// linked into this package for that). On a problem it prints every error with its
// file:line:column and returns exitConfig; otherwise the code is -1.
func loadConfig(env *Env, path string) (*config.Config, int) {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%v\n", err)
		return nil, exitConfig
	}
	return cfg, -1
}

func fail(env *Env, format string, args ...any) int {
	fmt.Fprintf(env.Stderr, "syncagent: "+format+"\n", args...)
	return exitError
}
