package cli

import (
	"context"
	"fmt"

	"syncagent/config"
	"syncagent/connectors"
	_ "syncagent/connectors/all" // every marketplace of the build
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
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%v\n\nconfig is NOT valid\n", err)
		return exitError
	}
	// What the config package cannot know: each marketplace's own requirements
	// (credentials present, a price scope the marketplace can serve).
	if err := connectors.ValidateStores(cfg.Stores); err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n\nconfig is NOT valid\n", cfg.File, err)
		return exitError
	}
	cfg.WriteSummary(env.Stdout)
	fmt.Fprintf(env.Stdout, "\nconfig is valid\n")
	return exitOK
}
