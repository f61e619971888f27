package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at build time with -ldflags "-X syncagent/agent/cli.Version=1.2.3 -X syncagent/agent/cli.Commit=abc".
var (
	Version = "dev"
	Commit  = ""
)

func init() {
	register(&command{name: "version", summary: "print the version, commit, Go version and OS/arch", run: runVersion})
}

// VersionInfo returns the one-line version used by `version` and the log's first line.
func VersionInfo() (version, commit string) {
	commit = Commit
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					commit = s.Value
				}
				if s.Key == "vcs.modified" && s.Value == "true" && commit != "" {
					commit += "-dirty"
				}
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return Version, commit
}

func runVersion(_ context.Context, env *Env, args []string) int {
	c := lookup("version")
	fs := flags(c, env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	v, commit := VersionInfo()
	fmt.Fprintf(env.Stdout, "syncagent %s (commit %s, %s, %s/%s)\n", v, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
