package fold

import "testing"

// The spreadsheet headers' cases (moved here from erpbridge/sheet with the function).
func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"BİRİM FİYATI":        "birim fiyati",
		"ŞĞÜÖÇ şğüöç":         "sguoc sguoc",
		"  Stok__Kodu:  ":     "stok kodu",
		"Fiyat (TL, KDV'li)":  "fiyat",
		"i\u0307ndirim":       "indirim", // "İndirim" lower-cased by strings.ToLower
		"Fiyat [₺]":           "fiyat",
		"(boş)":               "",
		"Âdet":                "adet",
		"Stok Kodu\nKalın":    "stok kodu kalin",
		"STOK KODU (zorunlu)": "stok kodu",
	} {
		if got := Words(in); got != want {
			t.Errorf("Words(%q) = %q; want %q", in, got, want)
		}
	}
}

// The result columns' cases: one key however the words are joined.
func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"STOK_KODU":    "stokkodu",
		"Stok Kodu":    "stokkodu",
		"stokkodu":     "stokkodu",
		"MİKTAR":       "miktar",
		"Satış Fiyatı": "satisfiyati",
		"list_price":   "listprice",
		"Fiyat (TL)":   "fiyat",
		"RV":           "rv",
		"ROWVERSION1":  "rowversion1",
		"__":           "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q; want %q", in, got, want)
		}
	}
}

// BenchmarkWords folds a row of headers the size of a wide ERP export.
func BenchmarkWords(b *testing.B) {
	headers := []string{"Stok Kodu", "BARKOD", "Ürün Adı", "Miktar", "Satış Fiyatı (TL)", "Liste Fiyatı", "Depo Kodu", "Fiyat Listesi"}
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range headers {
			Words(h)
		}
	}
	b.ReportMetric(float64(b.N*len(headers))/b.Elapsed().Seconds(), "headers/s")
}
