package sheet

import (
	"errors"
	"testing"
)

func TestHeaderVariantsMapToPrice(t *testing.T) {
	m := newMatcher(nil)
	for _, h := range []string{"FİYAT", "Fiyat", "FIYAT", "fıyat", "fiyat", "Birim Fiyatı", "BİRİM FİYATI", "birim fiyati", " Fiyat: ", "Fiyat (TL)", "Satış_Fiyatı", "SATIŞ-FİYATI", "Price", "SALE PRICE"} {
		if f, ok := m.fieldOf(h); !ok || f != FieldPrice {
			t.Errorf("fieldOf(%q) = %q, %v; want price", h, f, ok)
		}
	}
}

func TestAliases(t *testing.T) {
	m := newMatcher(nil)
	want := map[string]Field{
		"Stok Kodu": FieldSKU, "STOK KOD": FieldSKU, "sku": FieldSKU, "ÜRÜN KODU": FieldSKU, "Malzeme Kodu": FieldSKU,
		"Stock Code": FieldSKU, "product code": FieldSKU,
		"Barkod": FieldBarcode, "BARCODE": FieldBarcode, "EAN": FieldBarcode, "gtin": FieldBarcode,
		"Miktar": FieldQuantity, "STOK": FieldQuantity, "Adet": FieldQuantity, "Quantity": FieldQuantity, "QTY": FieldQuantity, "Stock": FieldQuantity,
		"Liste Fiyatı": FieldListPrice, "PSF": FieldListPrice, "List Price": FieldListPrice, "LİSTE FİYAT": FieldListPrice,
		"Birim Fiyat": FieldPrice, "Satış Fiyat": FieldPrice,
		"Depo": FieldWarehouse, "Warehouse": FieldWarehouse, "DEPO KODU": FieldWarehouse,
		"Fiyat Listesi": FieldPriceList, "Price List": FieldPriceList,
	}
	for h, f := range want {
		if got, ok := m.fieldOf(h); !ok || got != f {
			t.Errorf("fieldOf(%q) = %q, %v; want %q", h, got, ok, f)
		}
	}
	for _, h := range []string{"Ürün Adı", "Stok Listesi", "Fiyat Farkı", "", "   ", "Kodu"} {
		if f, ok := m.fieldOf(h); ok {
			t.Errorf("fieldOf(%q) = %q; want no field", h, f)
		}
	}
}

func TestExplicitColumnsOverrideAliases(t *testing.T) {
	m := newMatcher(map[Field]string{FieldPrice: "Satış", FieldSKU: "KOD"})
	cols, err := m.mapColumns("f.csv", []string{"kod", "Stok Kodu", "Fiyat", "SATIŞ", "Miktar"})
	if err != nil {
		t.Fatal(err)
	}
	if cols[iSKU].idx != 0 || cols[iPrice].idx != 3 || cols[iQuantity].idx != 4 {
		t.Errorf("columns = %+v; want sku 0 (configured), price 3 (configured), quantity 4 (alias)", cols)
	}
	if !m.isHeader([]string{"x", "Kod"}) || m.isHeader([]string{"Stok Kodu"}) {
		t.Error("with a configured SKU header, only that header marks the header row")
	}
}

func TestMapColumnsErrors(t *testing.T) {
	tests := []struct {
		cfg   map[Field]string
		cells []string
		kind  error
	}{
		{nil, []string{"Stok Kodu", "Fiyat", "Birim Fiyatı"}, ErrColumns},
		{nil, []string{"Stok Kodu", "Stok", "Miktar"}, ErrColumns},
		{nil, []string{"Stok Kodu", "Barkod"}, ErrNoValues},
		{map[Field]string{FieldWarehouse: "Şube"}, []string{"Stok Kodu", "Miktar"}, ErrColumns},
	}
	for _, tc := range tests {
		_, err := newMatcher(tc.cfg).mapColumns("f.csv", tc.cells)
		var fe *FileError
		if !errors.Is(err, tc.kind) || !errors.As(err, &fe) || len(fe.Headers) == 0 {
			t.Errorf("mapColumns(%q) = %v; want %v with headers", tc.cells, err, tc.kind)
		}
	}
}

func TestColName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := colName(i); got != want {
			t.Errorf("colName(%d) = %q; want %q", i, got, want)
		}
	}
}
