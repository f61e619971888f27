package dropfolder

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

var gen = flag.Bool("gen", false, "regenerate the golden test inputs that are built by code (workbooks)")

// TestGenerateInputs writes the workbook inputs of the golden tests. They are checked
// in; run with -gen only to change them.
func TestGenerateInputs(t *testing.T) {
	if !*gen {
		t.Skip("run with -gen to regenerate the golden workbooks")
	}
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sayfa1"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"Mağaza stok listesi, 14.03.2025"},
		{},
		{"STOK KODU", "BARKOD", "MİKTAR", "SATIŞ FİYATI", "LİSTE FİYATI", "DEPO"},
		{"ÇRP-01", 8690000000012, 15, 1249.9, 1499.9, "MERKEZ"},
		{"ÇRP-02", "", "7", "1.249,90", "", ""},
		{"ÇRP-03", "", 2.5, 10, "", ""},
		{"ÇRP-04", "", 0, "149,99", "", "MAĞAZA"},
		{"ÇRP-01", "", 16, 1249.9, 1499.9, "MERKEZ"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join("testdata", "golden", "xlsx-turkish", "Stok Listesi.xlsx")); err != nil {
		t.Fatal(err)
	}
}
