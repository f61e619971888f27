package sheet

import (
	"archive/zip"
	"bytes"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// goldenCase is one folder under testdata/golden: an input file made here (there are
// no public Turkish-locale exports to borrow, see corpus/spreadsheets/SOURCES.md) and
// the Options to read it with. TestGoldenInputsUpToDate keeps the committed files
// equal to what this code makes; go test -run TestGolden -generate rewrites them.
type goldenCase struct {
	name  string
	file  string
	opts  Options
	data  func() []byte
	fresh bool // output differs on every run (encryption salt): not compared byte for byte
}

// ean completes a 12-digit (or 7-digit) body with its check digit.
func ean(body string) string {
	_, _, want := checkDigit(body + "0")
	return body + string(want)
}

// badEAN is ean(body) with a wrong last digit.
func badEAN(body string) string {
	good := ean(body)
	last := good[len(good)-1]
	return good[:len(good)-1] + string('0'+(last-'0'+1)%10)
}

func cp1254(s string) []byte {
	b, err := charmap.Windows1254.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return []byte(b)
}

func utf16Text(s string, e unicode.Endianness) []byte {
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return []byte(b)
}

func lines(ls ...string) string { return strings.Join(ls, "\r\n") + "\r\n" }

func text(s string) func() []byte { return func() []byte { return []byte(s) } }

func encryptedXLSX(password string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Stok Kodu", "Miktar", "Fiyat"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"GİZLİ-1", 7, 99.9})
	var buf bytes.Buffer
	if err := f.Write(&buf, excelize.Options{Password: password}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func zipOf(files ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: files[i], Method: zip.Store})
		_, _ = w.Write([]byte(files[i+1]))
	}
	_ = zw.Close()
	return buf.Bytes()
}

// fakeOLE is the start of an OLE compound file with one directory entry name: enough
// for the format check, which is all these cases exercise.
func fakeOLE(stream string) []byte {
	b := make([]byte, 1024)
	copy(b, oleMagic)
	copy(b[512:], utf16le(stream))
	return b
}

var trHeader = []string{"Stok Kodu", "Ürün Adı", "Barkod", "Miktar", "Fiyat", "Liste Fiyatı", "Depo"}

func goldenCases() []goldenCase {
	return []goldenCase{
		// --- CSV: encodings and dialects ---
		{name: "csv-tr-1254-semicolon", file: "stok.csv", data: func() []byte {
			return cp1254(lines(
				strings.Join(trHeader, ";"),
				"ÇAY-001;Çaykur Rize Turist Çayı 1 kg;"+ean("869000000001")+";25;1.249,90;1.499,90;MERKEZ",
				"ŞEKER-02;Şeker 5 kg;"+ean("869000000002")+";120;149,99 TL;TL 179,99;İZMİR",
				`KHV-3;"Kahve; Türk Kahvesi ""Özel"" 100 g";`+ean("869000000003")+";0;89,5;;MERKEZ",
				"FİYAT-4;Belirsiz sayılar;"+ean("869000000004")+";1.000;1.249;;MERKEZ",
				"ADET-5;Düz tam sayı;;12;1249;1.249.000,00;ĞÜŞİÖÇ",
			))
		}},
		{name: "csv-tr-locale", file: "stok-tr.csv", opts: Options{Locale: "tr"}, data: func() []byte {
			return cp1254(lines(
				"Stok Kodu;Miktar;Fiyat",
				"A-1;1.000;1.249",
				"A-2;12;1.249,9",
				"A-3;5;1249.90",
				"A-4;5;12,345",
				"A-5;1,249;1,249",
			))
		}},
		{name: "csv-en-locale", file: "stock-en.csv", opts: Options{Locale: "en"}, data: text(lines(
			"SKU,Barcode,Quantity,Price,List Price,Warehouse",
			`E-1,,"1,000","1,249","1,249.90",MAIN`,
			`E-2,,5,1.249,,MAIN`,
			`E-3,,12.5,10,,MAIN`,
			`E-4,,"2,500",$10,,MAIN`,
		))},
		{name: "csv-utf8-bom", file: "bom.csv", data: func() []byte {
			return append([]byte("\xEF\xBB\xBF"), lines("Stok Kodu,Miktar,Fiyat", "BOM-1,3,₺12,50", "BOM-2,4,13.75")...)
		}},
		{name: "csv-utf16le-bom-tab", file: "unicode.txt", data: func() []byte {
			return utf16Text(lines("Stok Kodu\tÜrün Adı\tMiktar\tFiyat", "U16-İ\tİğne ipliği\t7\t12,90", "U16-ş\tŞiş\t8\t1.249,90"), unicode.LittleEndian)
		}},
		{name: "csv-utf16be-bom", file: "unicode-be.csv", data: func() []byte {
			return utf16Text(lines("Stok Kodu;Miktar", "BE-1;1", "BE-ğ;2"), unicode.BigEndian)
		}},
		{name: "csv-quoted-newlines", file: "quoted.csv", data: text(lines(
			`"Stok Kodu";"Ürün Adı";"Miktar";"Fiyat"`,
			`"Q-1";"Çok satırlı`,
			`ürün adı";"5";"10,00"`,
			`"Q-2";"24"" monitör";"6";"20,00"`,
			`Q-3;Tırnaksız 27" ekran;7;30,00`,
			`"Q-4";"kapanmayan tırnak;8;40,00`,
			`Q-5;kayıp;9;50,00`,
		))},
		{name: "csv-unbalanced-quote", file: "tirnak.csv", data: text(lines(
			"Stok Kodu;Ürün Adı;Miktar",
			`U-1;"Monitör 24"" ekran";1`,
			`U-2;"Monitör 27" ekran;2`,
			`U-3;"Kablo";3`,
			`U-4;normal;4`,
		))},
		{name: "csv-mac-cr", file: "mac.csv", data: func() []byte {
			return cp1254(strings.ReplaceAll(lines("Stok Kodu;Ürün Adı;Miktar", `M-1;"iki`, `satır";1`, "M-2;tek;2"), "\r\n", "\r"))
		}},
		{name: "csv-sep-line", file: "sep.csv", data: text(lines("sep=;", "Stok Kodu;Miktar;Fiyat", "S-1;1;1,50", "S-2;2;2,50"))},
		{name: "csv-comma-quoted", file: "comma.csv", data: text(lines(
			`Stok Kodu,Ürün Adı,Miktar,Fiyat`,
			`C-1,"Kalem, mavi",10,"1.249,90"`,
			`C-2,"Defter, çizgili",20,"12,5"`,
		))},
		// --- header row ---
		{name: "csv-title-rows", file: "baslikli.csv", data: func() []byte {
			return cp1254(lines(
				"DEPO STOK LİSTESİ;;;;;",
				"Tarih: 01.02.2024;;;;;",
				";;;;;",
				"STOK KODU;BARKOD;MİKTAR;BİRİM FİYATI (TL);DEPO KODU;FİYAT LİSTESİ",
				"T-1;;3;10,00;D1;PERAKENDE",
				"T-2;;4;11,00;D2;TOPTAN",
			))
		}},
		{name: "csv-header-variants-en", file: "variants.csv", data: text(lines(
			"Product Code,EAN,Qty,Sale Price,PSF,Warehouse,Price List",
			"V-1,"+ean("400638133393")+",3,10.50,12.00,W1,retail",
		))},
		{name: "csv-header-fiyat-dotless", file: "fiyat.csv", data: text(lines("ürün kodu;fıyat", "F-1;5,00"))},
		{name: "csv-explicit-columns", file: "explicit.csv", opts: Options{Columns: map[Field]string{FieldSKU: "Kod", FieldQuantity: "Mevcut", FieldPrice: "SATIŞ"}},
			data: text(lines("Kod;Stok;Mevcut;Fiyat;Satış", "X-1;999;4;1,00;2,00", "X-2;999;5;1,00;3,00"))},
		// --- numbers ---
		{name: "csv-prices-auto", file: "fiyatlar.csv", data: text(lines(
			"Stok Kodu;Fiyat;Not",
			"P-01;1.249;thousands or decimal?",
			"P-02;1,249;thousands or decimal?",
			"P-03;12.500;either is a valid price",
			"P-04;1.249,90;Turkish",
			"P-05;1,249.90;English",
			"P-06;1249.9;plain",
			"P-07;1249,9;plain",
			"P-08;₺1.249,90;currency prefix",
			"P-09;1.249,90 TL;currency suffix",
			"P-10;TRY 5;currency code",
			"P-11;(12,50);accounting negative",
			"P-12;-5;negative",
			"P-13;0,125;three decimals",
			"P-14;1249.905;three decimals",
			"P-15;1.24.9;bad grouping",
			"P-16;abc;not a number",
			"P-17;1.249.000;grouped",
			"P-18;12.;trailing separator",
			"P-19;,5;leading separator",
			"P-20;0;zero",
			"P-21;1,5E+3;scientific",
			"P-22;#YOK;Turkish Excel error",
			"P-23;19.899999999999999;float residue",
			"P-24;2.2000000000000002;float residue",
		))},
		{name: "csv-quantities", file: "miktar.csv", data: text(lines(
			"Stok Kodu;Miktar",
			"Q-01;12", "Q-02;12,0", "Q-03;12.0", "Q-04;12.5", "Q-05;-3", "Q-06;1.000", "Q-07;abc",
			"Q-08;0", "Q-09;-0", "Q-10;1.000.000", "Q-11;1.249", "Q-12;#N/A", "Q-13; 7 ",
		))},
		// --- codes ---
		{name: "csv-codes", file: "kodlar.csv", data: text(lines(
			"Stok Kodu;Barkod;Miktar",
			"000123;"+ean("001234567890")+";1",
			"C-2;8,68E+12;2",
			"1,23457E+15;"+ean("869000000005")+";3",
			"C-4;"+badEAN("869000000006")+";4",
			"C-5;ABC-123;5",
			"C-6;"+ean("03600029145")+";6",
			"C-7;"+ean("9638507")+";7",
			"C-8;"+badEAN("9638507")+";8",
		))},
		{name: "csv-barcode-reject", file: "barkod.csv", opts: Options{BarcodeCheck: "reject"}, data: text(lines(
			"Stok Kodu;Barkod;Miktar", "B-1;"+ean("869000000007")+";1", "B-2;"+badEAN("869000000008")+";2",
		))},
		{name: "csv-barcode-off", file: "barkod-off.csv", opts: Options{BarcodeCheck: "off"}, data: text(lines(
			"Stok Kodu;Barkod;Miktar", "B-1;"+badEAN("869000000008")+";2",
		))},
		// --- rows ---
		{name: "csv-duplicates", file: "tekrar.csv", data: text(lines(
			"Stok Kodu;Depo;Miktar", "A-1;D1;1", "B-2;D1;2", "B-2;D2;3", "A-1;D1;4", "A-1;D1;5",
		))},
		{name: "csv-row-problems", file: "satirlar.csv", data: text(lines(
			"Stok Kodu;Ürün Adı;Miktar;Fiyat",
			"R-1;normal;1;1,00",
			";;;",
			"",
			";ürün adı var ama kod yok;2;2,00",
			"Stok Kodu;Ürün Adı;Miktar;Fiyat",
			"R-2;kısa satır",
			"R-3;sıfır fiyat;3;0",
			";TOPLAM;6;",
			"R-4;iki hata;-1;abc",
		))},
		// --- whole-file errors ---
		{name: "csv-no-sku", file: "kodsuz.csv", data: text(lines("Ürün Adı;Miktar;Fiyat", "Kalem;1;1,00"))},
		{name: "csv-no-values", file: "degersiz.csv", data: text(lines("Stok Kodu;Barkod;Ürün Adı", "N-1;;Kalem"))},
		{name: "csv-two-prices", file: "iki-fiyat.csv", data: text(lines("Stok Kodu;Fiyat;Satış Fiyatı", "D-1;1;2"))},
		{name: "csv-explicit-missing", file: "eksik.csv", opts: Options{Columns: map[Field]string{FieldPrice: "Tutar"}}, data: text(lines("Stok Kodu;Fiyat", "M-1;1"))},
		{name: "empty", file: "bos.csv", data: text("")},
		{name: "only-blank-lines", file: "bosluk.csv", data: text("\r\n;;\r\n  \r\n")},
		{name: "html-named-xls", file: "rapor.xls", data: text("<html><body><table><tr><td>Stok Kodu</td></tr></table></body></html>")},
		{name: "xls-legacy", file: "eski.xls", data: func() []byte { return fakeOLE("Workbook") }},
		{name: "ods", file: "stok.ods", data: func() []byte {
			return zipOf("mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<office:document-content/>")
		}},
		{name: "xlsx-corrupt", file: "bozuk.xlsx", data: func() []byte { b := basicBook().bytes(); return b[:len(b)/2] }},
		{name: "xlsx-encrypted", file: "sifreli.xlsx", fresh: true, data: func() []byte { return encryptedXLSX("gizli") }},
		{name: "xlsx-encrypted-default-password", file: "velvet.xlsx", fresh: true, data: func() []byte { return encryptedXLSX(excelDefaultPassword) }},
		{name: "xlsx-wrong-format-option", file: "stok.xlsx", opts: Options{Format: "csv"}, data: func() []byte { return basicBook().bytes() }},
		// --- XLSX ---
		{name: "xlsx-basic", file: "stok.xlsx", data: func() []byte { return basicBook().bytes() }},
		{name: "xlsx-numbers-as-text", file: "metin.xlsx", data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Sayfa1", rows: []xrow{
				textRow(1, "Stok Kodu", "Miktar", "Fiyat"),
				xr(2, styled(xsst("001"), 2), styled(xsst("12"), 2), styled(xsst("1.249,90"), 2)),
				xr(3, styled(xsst("002"), 2), styled(xsst("7"), 2), styled(xsst("1249,9"), 2)),
				xr(4, styled(xsst("003"), 2), styled(xsst("1.000"), 2), styled(xsst("1.249"), 2)),
				xr(5, styled(xsst("004"), 2), styled(xsst("3"), 2), styled(xsst("1,249"), 2)),
			}}}}.bytes()
		}},
		{name: "xlsx-dates", file: "tarih.xlsx", data: func() []byte { return datesBook(false).bytes() }},
		{name: "xlsx-1904", file: "mac.xlsx", data: func() []byte { return datesBook(true).bytes() }},
		{name: "xlsx-formulas", file: "formul.xlsx", data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Sayfa1", rows: []xrow{
				textRow(1, "Stok Kodu", "Miktar", "Fiyat", "Liste Fiyatı"),
				xr(2, xfstr(`"F-"&ROW()`, "F-2"), xfnum("SUM(1,2)", "3"), xnum("1249.9"), xfnum("C2*1.2", "1499.8800000000001")),
				xr(3, xsst("F-3"), xnum("4"), xferr("VLOOKUP(A3,Fiyatlar!A:B,2,0)", "#N/A"), xfnum("C3*1.2", "12")),
				xr(4, xsst("F-4"), xfstr(`TEXT(5,"0")`, "5"), xfnum("ROUND(10/3,2)", "3.33"), xfnum("10/3", "3.3333333333333335")),
			}}}}.bytes()
		}},
		{name: "xlsx-inline-strings", file: "inline.xlsx", data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Export", rows: []xrow{
				xr(1, xinl("Stok Kodu"), xinl("Barkod"), xinl("Miktar")),
				xr(2, xinl("I-1"), xinl(ean("869000000009")), xnum("4")),
				xr(3, xinl(" I-2 "), xinl(""), xnum("5")),
			}}}}.bytes()
		}},
		{name: "xlsx-named-sheet", file: "sayfalar.xlsx", opts: Options{Sheet: "STOK"}, data: func() []byte { return twoSheets().bytes() }},
		{name: "xlsx-first-visible-sheet", file: "gizli-sayfa.xlsx", data: func() []byte {
			b := twoSheets()
			b.sheets[0].hidden = true
			b.sheets[0].rows = []xrow{textRow(1, "Stok Kodu", "Miktar"), xr(2, xsst("HIDDEN"), xnum("1"))}
			return b.bytes()
		}},
		{name: "xlsx-missing-sheet", file: "sayfalar.xlsx", opts: Options{Sheet: "Fiyatlar"}, data: func() []byte { return twoSheets().bytes() }},
		{name: "xlsx-sparse-rows", file: "seyrek.xlsx", data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Sayfa1", rows: []xrow{
				textRow(1, "Stok Listesi"),
				textRow(2, "", "", "Hazırlayan: Depo"),
				textRow(4, "", "Stok Kodu", "", "Miktar"),
				xr(5, blankCell(), xsst("S-5"), blankCell(), xnum("5")),
				xr(9, blankCell(), xsst("S-9"), blankCell(), xnum("9")),
				xr(12, blankCell(), blankCell(), blankCell(), xnum("12")),
			}}}}.bytes()
		}},
		{name: "xlsx-no-cell-refs", file: "refsiz.xlsx", data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Data", rows: []xrow{
				xr(0, xfstr("", "Stok Kodu"), xfstr("", "Miktar")),
				xr(0, xfstr("", "NR-1"), xnum("1")),
				xr(0, xfstr("", "NR-2"), xnum("2")),
			}}}}.bytes()
		}},
		{name: "xlsx-codes", file: "kodlar.xlsx", data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Sayfa1", rows: []xrow{
				textRow(1, "Stok Kodu", "Barkod", "Miktar", "Depo"),
				xr(2, xnum("123.0"), xnum(ean("400638133393")), xnum("1"), xnum("7.0")),
				xr(3, xsst("K-3"), xnum("8.68E+12"), xnum("2")),
				xr(4, xnum("1.2345678901234567E+19"), xsst(ean("869000000010")), xnum("3")),
				xr(5, styled(xsst("00042"), 2), styled(xsst(ean("001234567890")), 2), xnum("4")),
			}}}}.bytes()
		}},
		{name: "xlsx-locale-tr", file: "tr.xlsx", opts: Options{Locale: "tr"}, data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Sayfa1", rows: []xrow{
				textRow(1, "Stok Kodu", "Miktar", "Fiyat"),
				xr(2, xsst("L-1"), xnum("1000"), xnum("1249.9")),
				xr(3, xsst("L-2"), xsst("1.000"), xsst("1.249,90")),
				xr(4, xsst("L-3"), xnum("1"), xsst("1.249")),
				xr(5, xsst("L-4"), xnum("1"), xnum("1.5")),
			}}}}.bytes()
		}},
		{name: "xlsx-locale-en", file: "en.xlsx", opts: Options{Locale: "en"}, data: func() []byte {
			return xbook{sheets: []xsheet{{name: "Sheet1", rows: []xrow{
				textRow(1, "SKU", "Quantity", "Price"),
				xr(2, xsst("L-1"), xsst("1,000"), xsst("1,249.90")),
				xr(3, xsst("L-2"), xnum("1"), xnum("1.249")),
			}}}}.bytes()
		}},
	}
}

func basicBook() xbook {
	return xbook{sheets: []xsheet{{name: "Stok", rows: []xrow{
		textRow(1, trHeader...),
		xr(2, xsst("X-1"), xsst("Çay"), xnum(ean("869000000011")), xnum("25"), xnum("1249.9"), xnum("1499.9"), xsst("MERKEZ")),
		xr(3, xsst("X-2"), xsst("Şeker"), xsst(ean("869000000012")), xnum("3"), xnum("19.899999999999999"), xnum("2.2000000000000002"), xsst("MERKEZ")),
		xr(4, xsst("X-3"), xsst("Üç ondalık"), blankCell(), xnum("-3"), xnum("12.345"), blankCell(), xsst("MERKEZ")),
		xr(5, xsst("X-4"), xsst("Kesirli"), blankCell(), xnum("2.5"), xnum("1249.905"), blankCell(), xsst("MERKEZ")),
		xr(6, xsst("X-5"), xsst("Küçük"), blankCell(), xnum("0"), xnum("1.5"), xnum("3.1415926535897903E-300"), xsst("İZMİR")),
	}}}}
}

// datesBook has numbers wearing date formats where a SKU or quantity belongs: the raw
// serial must come through, not "02-01-24".
func datesBook(date1904 bool) xbook {
	return xbook{date1904: date1904, sheets: []xsheet{{name: "Sayfa1", rows: []xrow{
		textRow(1, "Stok Kodu", "Miktar", "Fiyat"),
		xr(2, styled(xnum("45323"), 1), styled(xnum("45"), 3), xnum("10")),
		xr(3, xsst("D-3"), styled(xnum("12"), 1), styled(xnum("45323.5"), 3)),
	}}}}
}

func twoSheets() xbook {
	return xbook{sheets: []xsheet{
		{name: "Notlar", rows: []xrow{textRow(1, "Bu sayfada veri yok")}},
		{name: "Stok", rows: []xrow{textRow(1, "Stok Kodu", "Miktar"), xr(2, xsst("N-1"), xnum("1"))}},
	}}
}
