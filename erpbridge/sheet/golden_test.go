package sheet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var (
	update   = flag.Bool("update", false, "rewrite testdata/golden/*/expected.json from the parser's output (review the diff by eye)")
	generate = flag.Bool("generate", false, "rewrite the golden input files and options.json from goldenCases")
)

// goldenResult is what expected.json holds: everything Parse reported, in order, plus
// the duplicate report an importer would build with Dedup.
type goldenResult struct {
	Header   Header    `json:"header"`
	Error    string    `json:"error,omitempty"`
	Kind     string    `json:"error_kind,omitempty"`
	Rows     []Row     `json:"rows"`
	Rejected []Problem `json:"rejected"`
	Replaced []string  `json:"replaced,omitempty"`
}

var errorKinds = []error{ErrOptions, ErrEmpty, ErrUnsupported, ErrWrongFormat, ErrEncrypted, ErrDamaged, ErrTooLarge, ErrNoSheet, ErrNoHeader, ErrNoValues, ErrColumns}

func runGolden(t *testing.T, input []byte, opts Options) goldenResult {
	t.Helper()
	res := goldenResult{Rows: []Row{}, Rejected: []Problem{}}
	d := NewDedup()
	h, err := Parse(context.Background(), bytes.NewReader(input), opts, func(r Row) error {
		res.Rows = append(res.Rows, r)
		if rep, dup := d.Add(r); dup {
			res.Replaced = append(res.Replaced, rep.String())
		}
		return nil
	}, func(p Problem) error {
		res.Rejected = append(res.Rejected, p)
		return nil
	})
	res.Header = h
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("error is not a *FileError: %v", err)
		}
		res.Error = err.Error()
		for _, k := range errorKinds {
			if errors.Is(err, k) {
				res.Kind = k.Error()
			}
		}
	}
	return res
}

func TestGolden(t *testing.T) {
	if *generate {
		writeGoldenInputs(t)
	}
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases under testdata/golden (run with -generate): %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			input, opts := loadGoldenCase(t, dir)
			got, err := json.MarshalIndent(runGolden(t, input, opts), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(dir, "expected.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update and review the diff):\n%s", path, firstDiff(string(want), string(got)))
			}
		})
	}
}

func loadGoldenCase(t *testing.T, dir string) ([]byte, Options) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "input.*"))
	if len(matches) != 1 {
		t.Fatalf("want exactly one input.* in %s, found %v", dir, matches)
	}
	input, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	var opts Options
	if b, err := os.ReadFile(filepath.Join(dir, "options.json")); err == nil {
		if err := json.Unmarshal(b, &opts); err != nil {
			t.Fatalf("options.json: %v", err)
		}
	}
	if opts.Name == "" {
		opts.Name = filepath.Base(matches[0])
	}
	return input, opts
}

// TestGoldenInputsUpToDate keeps the committed inputs equal to what goldenCases
// makes, so the generator stays the one place that says what each case holds.
func TestGoldenInputsUpToDate(t *testing.T) {
	for _, c := range goldenCases() {
		dir := filepath.Join("testdata", "golden", c.name)
		input, opts := loadGoldenCase(t, dir)
		if !c.fresh && !bytes.Equal(input, c.data()) {
			t.Errorf("%s: committed input differs from goldenCases (run go test -run TestGolden -generate -update)", c.name)
		}
		want := c.opts
		if want.Name == "" {
			want.Name = c.file
		}
		a, _ := json.Marshal(opts)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: options.json is %s, goldenCases says %s", c.name, a, b)
		}
	}
}

func writeGoldenInputs(t *testing.T) {
	t.Helper()
	for _, c := range goldenCases() {
		dir := filepath.Join("testdata", "golden", c.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "input.*"))
		for _, o := range old {
			_ = os.Remove(o)
		}
		name := "input" + filepath.Ext(c.file)
		if err := os.WriteFile(filepath.Join(dir, name), c.data(), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := c.opts
		opts.Name = c.file
		b, err := json.MarshalIndent(opts, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "options.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// firstDiff shows the first differing line with a little context.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no line differs)"
}
