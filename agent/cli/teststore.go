package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	_ "syncagent/connectors/all" // every marketplace of the build
)

func init() {
	register(&command{name: "test-store", args: "NAME",
		summary: "check that a store's credentials are accepted by its marketplace (the \"test API\" button); exit 0 OK, 1 failed",
		run:     runTestStore})
}

func runTestStore(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("test-store"), env)
	path := configFlag(fs, env)
	timeout := fs.Duration("timeout", 30*time.Second, "give up when the marketplace has not answered within this time")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "syncagent test-store: name one store: syncagent test-store NAME --config FILE")
		return exitUsage
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	store, ok := cfg.Store(pos[0])
	if !ok {
		return fail(env, "no store named %q in %s; the stores are: %s", pos[0], cfg.File, storeNames(cfg))
	}
	return TestStore(ctx, env.Stdout, store, *timeout)
}

// TestStore builds the store's connector, runs its Test and prints one plain verdict.
// It returns the exit code. Nothing it prints holds a credential: connector errors never
// do, and only the seller id (not a secret) is named.
func TestStore(ctx context.Context, w io.Writer, store *config.Store, timeout time.Duration) int {
	who := store.Marketplace
	if id := storeIdentity(store); id != "" {
		who += " (" + id + ")"
	}
	note := ""
	if !store.Active {
		note = "\n  note: the store is passive (active: false); the agent sends nothing to it and fetches nothing from it"
	}
	cs := store.Connector()
	conn, err := connectors.New(&cs, connectors.Deps{Log: zerolog.Nop(), Now: time.Now})
	if err != nil {
		fmt.Fprintf(w, "FAILED: %v\n  what to check: the store's entry in the config (run 'syncagent check-config')%s\n", err, note)
		return exitError
	}
	tester := connectors.AbilitiesOf(conn).Test
	if tester == nil {
		fmt.Fprintf(w, "FAILED: this version cannot test %s credentials%s\n", who, note)
		return exitError
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	err = tester.Test(ctx)
	took := seconds(time.Since(start))
	if err == nil {
		fmt.Fprintf(w, "OK: credentials accepted by %s, %s%s\n", who, took, note)
		return exitOK
	}
	if ctx.Err() != nil {
		fmt.Fprintf(w, "FAILED: %s did not answer within %s\n  what to check: %s%s\n", who, timeout, hint(store, nil), note)
		return exitError
	}
	fmt.Fprintf(w, "FAILED: %s for store %s, %s: %v\n  what to check: %s%s\n", who, store.Name, took, err, hint(store, err), note)
	return exitError
}

// storeIdentity names the account without any secret: the value of the option the
// marketplace declares as naming the account (a seller id, a shop name).
func storeIdentity(s *config.Store) string {
	info, ok := connectors.Find(s.Marketplace)
	if !ok {
		return ""
	}
	for _, o := range info.Options {
		if v := s.Credentials[o.Name]; o.Identity && !o.Secret && v.IsSet() {
			return strings.ReplaceAll(o.Name, "_id", "") + " " + v.Value()
		}
	}
	return ""
}

// hint says what to look at for a failure of kind.
func hint(s *config.Store, err error) string {
	var ce *connectors.Error
	if errors.As(err, &ce) && ce.Hint != "" {
		return ce.Hint
	}
	kind := connectors.KindOf(err)
	where := "base_url " + s.BaseURL
	if s.BaseURL == "" {
		where = "the marketplace's address"
		if s.TestMode {
			where += " (test_mode is on: the sandbox)"
		}
	}
	switch kind {
	case connectors.Auth:
		return fmt.Sprintf("the credentials of store %s in the config (%s); keys are per environment, so check test_mode too", s.Name, credentialKeys(s))
	case connectors.RetryAfter:
		return "the marketplace is throttling this account right now; try again in a minute (the agent may be running and using the budget)"
	case connectors.Permanent:
		return fmt.Sprintf("%s and test_mode of store %s; the marketplace refused the request itself", where, s.Name)
	}
	return fmt.Sprintf("that this PC reaches %s (network, proxy, firewall); the marketplace may also be down for a while", where)
}

// credentialKeys lists the credential keys of the store's marketplace.
func credentialKeys(s *config.Store) string {
	info, ok := connectors.Find(s.Marketplace)
	if !ok || len(info.Options) == 0 {
		return "credentials"
	}
	keys := make([]string, len(info.Options))
	for i, name := range info.OptionNames() {
		keys[i] = "credentials." + name
	}
	return strings.Join(keys, ", ")
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func storeNames(cfg *config.Config) string {
	if len(cfg.Stores) == 0 {
		return "(none)"
	}
	names := make([]string, len(cfg.Stores))
	for i, s := range cfg.Stores {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}
