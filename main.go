// Command syncagent keeps a merchant's marketplace stores in step with the ERP: it reads
// stock and price changes from drop folders and the ERP database, pushes them to the
// stores, and writes the stores' orders back into the ERP. See README.md.
package main

import (
	"context"
	"os"

	"syncagent/agent/cli"
	"syncagent/agent/logging"
)

func main() {
	env := &cli.Env{
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Stdin:       os.Stdin,
		Getenv:      os.Getenv,
		Interactive: logging.IsTerminal(os.Stdout),
	}
	os.Exit(cli.Main(context.Background(), env, os.Args[1:]))
}
