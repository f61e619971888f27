package sheet

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteTemplateParsesBack(t *testing.T) {
	for lang, tp := range templates {
		var buf bytes.Buffer
		if err := WriteTemplate(&buf, lang); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		h, rows, probs, err := parseAll(t, buf.Bytes(), Options{Name: "sablon.xlsx", BarcodeCheck: "reject"})
		if err != nil || len(probs) != 0 || len(rows) != 1 {
			t.Fatalf("%s: rows %+v problems %+v err %v", lang, rows, probs, err)
		}
		wantCols := map[Field]string{FieldSKU: tp.headers[0], FieldBarcode: tp.headers[1], FieldQuantity: tp.headers[2],
			FieldPrice: tp.headers[3], FieldListPrice: tp.headers[4], FieldWarehouse: tp.headers[5]}
		for f, want := range wantCols {
			if h.Columns[f] != want {
				t.Errorf("%s: column for %s = %q; want %q", lang, f, h.Columns[f], want)
			}
		}
		r := rows[0]
		if r.SKU != tp.sku || r.Warehouse != tp.warehouse || *r.Quantity != 25 || *r.Price != 124990 || *r.ListPrice != 149990 || len(r.Warnings) != 0 {
			t.Errorf("%s: example row %+v", lang, r)
		}
		if ok, applies, _ := checkDigit(r.Barcode); !ok || !applies {
			t.Errorf("%s: example barcode %q has no valid check digit", lang, r.Barcode)
		}
		assertTextColumns(t, buf.Bytes(), tp.sheet)
	}
	if err := WriteTemplate(&bytes.Buffer{}, "de"); err == nil {
		t.Error("WriteTemplate(de) succeeded; want an error")
	}
}

// assertTextColumns checks that SKU and barcode cells are formatted as Text, so
// Excel keeps what users type there as typed.
func assertTextColumns(t *testing.T, book []byte, sheet string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, col := range []string{"A", "B"} {
		id, err := f.GetColStyle(sheet, col)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.NumFmt != 49 {
			t.Errorf("column %s: number format %v, %v; want 49 (Text)", col, st, err)
		}
	}
	if v, _ := f.GetCellValue(sheet, "B2"); len(v) != 13 {
		t.Errorf("example barcode %q is not 13 digits as text", v)
	}
	if typ, _ := f.GetCellType(sheet, "B2"); typ == excelize.CellTypeNumber {
		t.Error("example barcode is stored as a number; it must be text")
	}
}
