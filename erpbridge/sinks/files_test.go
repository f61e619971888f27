package sinks

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"syncagent/config"
)

func fileSink(t *testing.T, format string) (*FileSink, string) {
	t.Helper()
	dir := t.TempDir()
	f, err := NewFiles(config.FileSink{Name: "erp-files", Dir: config.Path(filepath.Join(dir, "in")), Format: format},
		filepath.Join(dir, "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	return f, filepath.Join(dir, "in")
}

func write(t *testing.T, s Sink, j *Job) Outcome {
	t.Helper()
	o, err := s.Write(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestFileSinkWritesOnce(t *testing.T) {
	for _, format := range []string{"csv", "xlsx", "json"} {
		t.Run(format, func(t *testing.T) {
			f, dir := fileSink(t, format)
			j := sampleJob()
			name := "trendyol-main_10654411111." + format
			// A temporary file left by a crash is no obstacle and never looks written.
			os.MkdirAll(dir, 0o750)
			os.WriteFile(filepath.Join(dir, "."+name+".tmp"), []byte("half"), 0o640)
			if o := write(t, f, j); o != Written {
				t.Fatalf("first write: %v", o)
			}
			if o := write(t, f, j); o != AlreadyThere {
				t.Fatalf("second write: %v", o)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 || ents[0].Name() != name {
				t.Fatalf("folder holds %v", ents)
			}
			rows := readRows(t, filepath.Join(dir, name), format)
			if len(rows) != 2 || rows[0]["order_number"] != "10654411111" || rows[0]["sku"] != "A1" ||
				rows[0]["unit_price"] != "1249.90" || rows[0]["total"] != "2624.77" || rows[1]["customer_name"] != "Ayşe Yılmaz" {
				t.Fatalf("content: %v", rows)
			}
			// The ERP imported the file and moved it away: the ledger still says written.
			os.Remove(filepath.Join(dir, name))
			if o := write(t, f, j); o != AlreadyThere {
				t.Fatalf("after the ERP took the file: %v", o)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("rewritten: %v", ents)
			}
			// A cancellation goes to the cancel folder, once per export.
			j.Cancel = &Cancellation{Seq: 1, Units: map[string]int64{"A2": 3}, At: time.Now()}
			if o := write(t, f, j); o != Written {
				t.Fatal(o)
			}
			if o := write(t, f, j); o != AlreadyThere {
				t.Fatal(o)
			}
			c := readRows(t, filepath.Join(dir, "cancelled", "trendyol-main_10654411111_cancel-1."+format), format)
			if len(c) != 1 || c[0]["sku"] != "A2" || c[0]["quantity"] != "3" || c[0]["cancel_seq"] != "1" {
				t.Fatalf("cancellation: %v", c)
			}
		})
	}
}

func readRows(t *testing.T, path, format string) []map[string]string {
	t.Helper()
	var recs [][]string
	switch format {
	case "csv":
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		recs, err = csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
	case "xlsx":
		x, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		recs, err = x.GetRows(x.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
	case "json":
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Order map[string]any   `json:"order"`
			Lines []map[string]any `json:"lines"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		var out []map[string]string
		for _, l := range doc.Lines {
			row := map[string]string{}
			for _, m := range []map[string]any{doc.Order, l} {
				for k, v := range m {
					switch x := v.(type) {
					case string:
						row[k] = x
					case float64:
						row[k] = strings.TrimSuffix(strings.TrimRight(jsonNum(x), "0"), ".")
					}
				}
			}
			out = append(out, row)
		}
		return out
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, c := range recs[0] {
			if i < len(r) {
				row[c] = r[i]
			}
		}
		out = append(out, row)
	}
	return out
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b) + "."
}
