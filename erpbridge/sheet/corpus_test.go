package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"syncagent/erpbridge/erpdb/fold"
)

// corpusDir is the shared corpus of real-world spreadsheets, next to the repository.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "spreadsheets")

// corpusWant pins the outcome for files whose kind of failure (or success) is known.
var corpusWant = map[string]error{
	"calamine__sst_continue.xls":                           ErrUnsupported,
	"edr__Test_Excel_OpenOffice.xls":                       ErrUnsupported,
	"edr__Test_Issue_12556_corrupt.xls":                    ErrUnsupported,
	"edr__as3xls_BIFF2.xls":                                ErrUnsupported,
	"edr__as3xls_BIFF5.xls":                                ErrUnsupported,
	"edr__xls_rc4_pw-password.xls":                         ErrUnsupported,
	"edr__xls_xor_pw-password.xls":                         ErrUnsupported,
	"excelize__encryptAES_pw-password.xlsx":                ErrEncrypted,
	"edr__standard_AES128_pw-password.xlsx":                ErrEncrypted,
	"edr__encrypted_default_password_VelvetSweatshop.xlsx": ErrNoHeader, // opened: Excel's default password
	"excelize__BadWorkbook.xlsx":                           ErrNoSheet,
	"tealeg__badfile_noWorksheets.xlsx":                    ErrDamaged,
	"poi__xlsx-corrupted.xlsx":                             ErrDamaged,
	"edr__EmptyZipFile.xlsx":                               ErrUnsupported,
	"poi__poc-xmlbomb.xlsx":                                ErrDamaged,
	"woocommerce__sample_products.csv":                     nil,
}

type corpusOutcome struct {
	header Header
	rows   []Row
	probs  []Problem
	err    error
	panic  string
}

// parseGuarded runs Parse in its own goroutine so a panic or a hang is reported
// against the file instead of killing or stalling the whole test run.
func parseGuarded(t *testing.T, data []byte, opts Options, limit time.Duration) corpusOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	done := make(chan corpusOutcome, 1)
	go func() {
		var out corpusOutcome
		defer func() {
			if r := recover(); r != nil {
				out.panic = fmt.Sprintf("%v\n%s", r, debug.Stack())
			}
			done <- out
		}()
		out.header, out.err = Parse(ctx, bytes.NewReader(data), opts, func(r Row) error {
			out.rows = append(out.rows, r)
			return nil
		}, func(p Problem) error {
			out.probs = append(out.probs, p)
			return nil
		})
	}()
	select {
	case out := <-done:
		return out
	case <-time.After(limit + 30*time.Second):
		t.Fatalf("%s: Parse did not return %v after its context ended: it hangs", opts.Name, 30*time.Second)
		return corpusOutcome{}
	}
}

// needCorpus skips a test when the shared corpus is not beside the repository, except
// under CI=true, where a missing corpus would silently drop the real-world files from
// the run and so fails it.
func needCorpus(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared corpus not found at %s (CI=true: the corpus tests must run): %v", corpusDir, err)
		}
		t.Skipf("shared corpus not found at %s: %v", corpusDir, err)
	}
}

func TestCorpus(t *testing.T) {
	needCorpus(t)
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out := parseGuarded(t, data, Options{Name: name, TempDir: t.TempDir()}, time.Minute)
			checkOutcome(t, name, out)
			if want, ok := corpusWant[name]; ok {
				seen++
				if (want == nil) != (out.err == nil) || want != nil && !errors.Is(out.err, want) {
					t.Errorf("err = %v; want %v", out.err, want)
				}
			}
			// Most corpus files are not stock lists. Read them again with their own
			// headers mapped, so their cells go through the number and code readers.
			var fe *FileError
			if errors.As(out.err, &fe) && errors.Is(out.err, ErrNoHeader) {
				if cols := mapAnyHeaders(fe.Headers); cols != nil {
					again := parseGuarded(t, data, Options{Name: name, Columns: cols, TempDir: t.TempDir()}, time.Minute)
					checkOutcome(t, name+" (mapped)", again)
					t.Logf("mapped %v: %d rows, %d problems, err %v", cols, len(again.rows), len(again.probs), again.err)
				}
			}
			t.Logf("%d rows, %d problems, err %v", len(out.rows), len(out.probs), out.err)
		})
	}
	if seen != len(corpusWant) {
		t.Errorf("checked %d of the %d pinned corpus files; is the corpus complete?", seen, len(corpusWant))
	}
}

// mapAnyHeaders maps the first three distinct headers to SKU, quantity and price.
func mapAnyHeaders(headers []string) map[Field]string {
	var picked []string
	used := map[string]bool{}
	for _, h := range headers {
		if k := fold.Words(h); k != "" && !used[k] {
			used[k] = true
			picked = append(picked, h)
		}
		if len(picked) == 3 {
			break
		}
	}
	if len(picked) < 2 {
		return nil
	}
	cols := map[Field]string{FieldSKU: picked[0], FieldQuantity: picked[1]}
	if len(picked) == 3 {
		cols[FieldPrice] = picked[2]
	}
	return cols
}

// checkOutcome holds for every file: no panic, failures are *FileError naming the
// file, and what is delivered respects the Row contract.
func checkOutcome(t *testing.T, name string, out corpusOutcome) {
	t.Helper()
	if out.panic != "" {
		t.Fatalf("%s: panic: %s", name, out.panic)
	}
	if out.err != nil {
		var fe *FileError
		if !errors.As(out.err, &fe) {
			t.Errorf("%s: error is not a *FileError: %v", name, out.err)
		} else if !strings.HasPrefix(out.err.Error(), fe.File+" ") || len(fe.Msg) < 20 {
			t.Errorf("%s: unclear error %q", name, out.err)
		}
	}
	for _, r := range out.rows {
		switch {
		case r.SKU == "" || r.Line <= out.header.Line:
			t.Errorf("%s: bad row %+v (header on line %d)", name, r, out.header.Line)
		case r.Quantity != nil && *r.Quantity < 0, r.Price != nil && *r.Price < 0, r.ListPrice != nil && *r.ListPrice < 0:
			t.Errorf("%s: negative value delivered: %+v", name, r)
		}
	}
	for _, p := range out.probs {
		if p.Line <= 0 || p.Reason == "" {
			t.Errorf("%s: problem without line or reason: %+v", name, p)
		}
	}
}
