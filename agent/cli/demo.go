package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"syncagent/agent/demo"
)

func init() {
	register(&command{name: "demo", summary: "run the agent against simulated Trendyol, PazarSync and Giyim Moda stores on this computer and watch changes arrive", run: runDemo})
}

func runDemo(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("demo"), env)
	dur := fs.Duration("for", 0, "stop after this long (for CI: exit 1 when no change arrived); default: until Ctrl-C")
	dir := fs.String("dir", "", "working folder for the demo's config, data and drop folder (default: a new temporary folder)")
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err := demo.Run(ctx, demo.Options{Out: env.Stdout, Dir: *dir, For: *dur, Command: selfCommand()})
	if err != nil {
		fmt.Fprintf(env.Stderr, "syncagent: %v\n", err)
		return exitError
	}
	return exitOK
}

// selfCommand is how the user can run this program again, for the demo's hints: "go run ."
// when it was started by go run (the binary lives in a go-build temporary folder).
func selfCommand() string {
	exe, err := os.Executable()
	if err == nil && strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ."
	}
	return "syncagent"
}
