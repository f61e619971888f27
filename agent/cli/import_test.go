package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"

	_ "syncagent/connectors/trendyol" // registers the connector the import computes store rules with
)

// importConfig writes a config with the given stores and drop folders sections.
func importConfig(t *testing.T, body string) (file, dir string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(file, []byte("log:\n  console: never\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, dir
}

const oneFolder = `sources:
  drop_folders:
    - name: stok
      path: drop
`

func writeList(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openQueue(t *testing.T, dir string) *queue.Store {
	t.Helper()
	st, err := queue.Open(context.Background(), filepath.Join(dir, "data", "syncagent.db"), queue.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestImportCommitsAndLeavesTheFile(t *testing.T) {
	cfg, dir := importConfig(t, `stores:
  - name: ty
    marketplace: trendyol
    credentials:
      seller_id: "42"
      api_key: k
      api_secret: s
`+oneFolder)
	file := writeList(t, dir, "liste.csv", "Stok Kodu;Barkod;Miktar;Fiyat\nA-1;;5;10,00\nA-2;;7;12,50\n")
	// Flags after the file, as staff type it.
	code, out, errOut := runCLI(t, context.Background(), "import", file, "--config", cfg)
	if code != exitOK {
		t.Fatalf("code %d: %s\n%s", code, errOut, out)
	}
	for _, want := range []string{"İÇE AKTARILDI (IMPORTED)", "Uygulanan (Applied)", ": 2", "Dosyanın yeri (Stored as)   : " + file} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.HasPrefix(out, "\ufeff") || strings.Contains(out, "\r\n") {
		t.Errorf("the console report has a BOM or CR LF line ends")
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the user's file was moved: %v", err)
	}
	st := openQueue(t, dir)
	ims, err := st.RecentImports(context.Background(), 10)
	if err != nil || len(ims) != 1 || ims[0].Status != "imported" || ims[0].Source != "stok" || ims[0].StoredAs != file {
		t.Fatalf("import records: %+v %v", ims, err)
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := stats["ty"]; s == nil || s.Dirty != 2 {
		t.Fatalf("the active store's outbox was not updated: %+v", s)
	}
}

func TestImportDryRunPrintsChangesAndSavesNothing(t *testing.T) {
	cfg, dir := importConfig(t, oneFolder)
	first := writeList(t, dir, "ilk.csv", "Stok Kodu;Miktar\nA-1;5\n")
	if code, out, errOut := runCLI(t, context.Background(), "import", "--config", cfg, first); code != exitOK {
		t.Fatalf("code %d: %s %s", code, errOut, out)
	}
	second := writeList(t, dir, "ikinci.csv", "Stok Kodu;Miktar\nA-1;8\nB-1;3\n")
	code, out, errOut := runCLI(t, context.Background(), "import", second, "--dry-run", "--config", cfg)
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	for _, want := range []string{"CHANGES THIS FILE WOULD MAKE", "A-1  qty:default  5    →  8", "B-1  qty:default  -    →  3", "DRY RUN: nothing was saved"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	st := openQueue(t, dir)
	if ims, _ := st.RecentImports(context.Background(), 10); len(ims) != 1 {
		t.Fatalf("%d import records after a dry run, want 1", len(ims))
	}
	if j, _ := st.Journal(context.Background(), "A-1", 10); len(j) != 1 || j[0].New != "5" {
		t.Fatalf("journal of A-1: %+v", j)
	}
}

func TestImportRejectedFileExitsOne(t *testing.T) {
	cfg, dir := importConfig(t, oneFolder)
	file := writeList(t, dir, "bozuk.csv", "Stok Kodu;Miktar\nA-1;-4\n;3\n")
	code, out, _ := runCLI(t, context.Background(), "import", file, "--config", cfg)
	if code != exitError || !strings.Contains(out, "REDDEDİLDİ") || !strings.Contains(out, `Satır (Row) 2, sütun (column) "Miktar", değer (value) "-4"`) {
		t.Fatalf("code %d:\n%s", code, out)
	}
	old := writeList(t, dir, "eski.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"+strings.Repeat("\x00", 600))
	code, out, _ = runCLI(t, context.Background(), "import", old, "--config", cfg)
	if code != exitError || !strings.Contains(out, "DOSYA OKUNAMADI") || !strings.Contains(out, "Excel 97-2003") {
		t.Fatalf("code %d:\n%s", code, out)
	}
}

func TestImportChoosesTheFolder(t *testing.T) {
	cfg, dir := importConfig(t, `sources:
  drop_folders:
    - name: depo
      path: d1
    - name: magaza
      path: d2
      warehouse: MAGAZA
`)
	file := writeList(t, dir, "liste.csv", "Stok Kodu;Miktar\nA-1;5\n")
	code, _, errOut := runCLI(t, context.Background(), "import", file, "--config", cfg)
	if code != exitError || !strings.Contains(errOut, "2 drop folders (depo, magaza); choose whose settings to use with --source NAME") {
		t.Fatalf("code %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, context.Background(), "import", file, "--config", cfg, "--source", "yok")
	if code != exitError || !strings.Contains(errOut, `no drop folder named "yok"`) {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, context.Background(), "import", file, "--config", cfg, "--source", "magaza"); code != exitOK {
		t.Fatalf("code %d: %s %s", code, errOut, out)
	}
	if j, _ := openQueue(t, dir).Journal(context.Background(), "A-1", 10); len(j) != 1 || j[0].Field != "qty:MAGAZA" {
		t.Fatalf("journal: %+v", j)
	}
}

// A store whose marketplace this build has no connector for is a config error (exit 78,
// the line named) for import as for every command: nothing is imported, so no store's
// outbox is left behind.
func TestImportRefusesAStoreWithoutConnector(t *testing.T) {
	cfg, dir := importConfig(t, `stores:
  - name: yeni
    marketplace: nowhere
    credentials:
      api_key: k
      api_secret: s
`+oneFolder)
	file := writeList(t, dir, "liste.csv", "Stok Kodu;Miktar\nA-1;5\n")
	for _, args := range [][]string{{"import", file, "--config", cfg}, {"import", file, "--config", cfg, "--dry-run"}} {
		code, _, errOut := runCLI(t, context.Background(), args...)
		if code != exitConfig || !strings.Contains(errOut, `config.yaml:5:18: stores[0].marketplace: "nowhere" has no connector in this version`) {
			t.Fatalf("%v: code %d: %s", args, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "syncagent.db")); err == nil {
		if j, _ := openQueue(t, dir).Journal(context.Background(), "A-1", 10); len(j) != 0 {
			t.Fatalf("imported despite the config error: %+v", j)
		}
	}
}

func TestImportUsage(t *testing.T) {
	if code, _, _ := runCLI(t, context.Background(), "import"); code != exitUsage {
		t.Fatalf("no file: code %d", code)
	}
	cfg, dir := importConfig(t, oneFolder)
	code, _, errOut := runCLI(t, context.Background(), "import", filepath.Join(dir, "yok.csv"), "--config", cfg)
	if code != exitError || !strings.Contains(errOut, "yok.csv") {
		t.Fatalf("missing file: code %d: %s", code, errOut)
	}
}

func TestTemplate(t *testing.T) {
	dir := t.TempDir()
	for _, lang := range []string{"tr", "en"} {
		out := filepath.Join(dir, "sablon-"+lang+".xlsx")
		if code, _, errOut := runCLI(t, context.Background(), "template", "--lang", lang, out); code != exitOK {
			t.Fatalf("%s: code %d: %s", lang, code, errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		_, err = sheet.Parse(context.Background(), bytes.NewReader(b), sheet.Options{Name: out},
			func(sheet.Row) error { rows++; return nil },
			func(p sheet.Problem) error { t.Errorf("%s: %s", lang, p); return nil })
		if err != nil || rows != 1 {
			t.Fatalf("%s: the template reads as %d rows, %v", lang, rows, err)
		}
		code, _, errOut := runCLI(t, context.Background(), "template", out, "--lang", lang)
		if code != exitError || !strings.Contains(errOut, "already exists") {
			t.Fatalf("%s over an existing file: code %d: %s", lang, code, errOut)
		}
		if after, _ := os.ReadFile(out); !bytes.Equal(after, b) {
			t.Fatalf("%s: the existing file was changed", lang)
		}
	}
	if code, _, _ := runCLI(t, context.Background(), "template", "--lang", "de", filepath.Join(dir, "x.xlsx")); code != exitUsage {
		t.Fatalf("--lang de: code %d", code)
	}
}
