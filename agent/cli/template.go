package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"syncagent/erpbridge/sheet"
)

func init() {
	register(&command{name: "template", args: "OUT.xlsx",
		summary: "write an Excel stock list to fill in, with headers the drop folder recognises (--lang tr or en)",
		run:     runTemplate})
}

func runTemplate(_ context.Context, env *Env, args []string) int {
	fs := flags(lookup("template"), env)
	lang := fs.String("lang", "tr", "language of the headers and the example row: tr or en")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(env.Stderr, "syncagent template: give exactly one OUT.xlsx (got %d)\n", len(pos))
		fs.Usage()
		return exitUsage
	}
	if *lang != "tr" && *lang != "en" {
		fmt.Fprintf(env.Stderr, "syncagent template: --lang %q: choose tr or en\n", *lang)
		return exitUsage
	}
	out, err := filepath.Abs(pos[0])
	if err != nil {
		return fail(env, "%v", err)
	}
	if err := writeTemplate(out, *lang); err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "wrote %s\n", out)
	return exitOK
}

// writeTemplate creates out and never replaces an existing file: a user who types the
// name of the list they are editing keeps it.
func writeTemplate(out, lang string) (err error) {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; choose another name or remove it first (nothing was written)", out)
	}
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", out, unwrapPath(err))
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing %s: %w", out, cerr)
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	if err := sheet.WriteTemplate(f, lang); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}
