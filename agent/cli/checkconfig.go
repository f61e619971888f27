package cli

import (
	"context"
	"fmt"
)

func init() {
	register(&command{name: "check-config", summary: "validate a config file and print what the agent would do (secrets masked)", run: runCheckConfig})
}

func runCheckConfig(_ context.Context, env *Env, args []string) int {
	fs := flags(lookup("check-config"), env)
	path := configFlag(fs, env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		fmt.Fprintf(env.Stderr, "\nconfig is NOT valid\n")
		return code
	}
	cfg.WriteSummary(env.Stdout)
	fmt.Fprintf(env.Stdout, "\nconfig is valid\n")
	return exitOK
}
