package dropfolder

import (
	"archive/zip"
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Big test files are generated, never checked in.

// writeBigXLSX writes a workbook of rows data rows and 6 columns. With shared, text
// cells (stock code, barcode, warehouse) go to the shared-string table as Excel saves
// them; every stock code and barcode is unique, so the table is as large as a real
// export's can be. Without, text is written inline in the cells, as many ERP exporters
// and excelize's StreamWriter do.
func writeBigXLSX(path string, rows int, shared bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(bufio.NewWriterSize(f, 1<<20))
	put := func(name, body string) error {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(body))
		}
		return err
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	parts := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ` + ns + ` xmlns:r="` + rel + `"><sheets><sheet name="Stok" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + rel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
	}
	for _, p := range parts {
		if err := put(p[0], p[1]); err != nil {
			return err
		}
	}
	headers := []string{"Stok Kodu", "Barkod", "Miktar", "Fiyat", "Liste Fiyatı", "Depo"}
	if !shared {
		return writeInlineSheet(zw, headers, rows)
	}
	// Shared strings: 0-5 the headers, 6-7 the warehouses, then per row its stock code
	// and its barcode.
	sst, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	sw := bufio.NewWriterSize(sst, 1<<20)
	n := len(headers) + 2 + 2*rows
	fmt.Fprintf(sw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst %s count="%d" uniqueCount="%d">`, ns, n, n)
	for _, h := range append(headers, "MERKEZ", "MAĞAZA") {
		fmt.Fprintf(sw, "<si><t>%s</t></si>", h)
	}
	for i := 0; i < rows; i++ {
		fmt.Fprintf(sw, "<si><t>STK-%07d</t></si><si><t>%s</t></si>", i, bigBarcode(i))
	}
	sw.WriteString("</sst>")
	if err := sw.Flush(); err != nil {
		return err
	}
	ws, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	sw = bufio.NewWriterSize(ws, 1<<20)
	fmt.Fprintf(sw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet %s><sheetData>`, ns)
	sw.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>`)
	for i := 0; i < rows; i++ {
		r := i + 2
		price := 1000 + i%50000
		fmt.Fprintf(sw, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d"><v>%d</v></c><c r="D%d"><v>%d.%02d</v></c><c r="E%d"><v>%d.90</v></c><c r="F%d" t="s"><v>%d</v></c></row>`,
			r, r, 8+2*i, r, 9+2*i, r, i%500, r, price/100, price%100, r, price/100+10, r, 6+i%2)
	}
	sw.WriteString("</sheetData></worksheet>")
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return nil
}

func writeInlineSheet(zw *zip.Writer, headers []string, rows int) error {
	ws, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	sw := bufio.NewWriterSize(ws, 1<<20)
	fmt.Fprintf(sw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`)
	for i, h := range headers {
		fmt.Fprintf(sw, `<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, h)
	}
	sw.WriteString("</row>")
	for i := 0; i < rows; i++ {
		r := i + 2
		price := 1000 + i%50000
		fmt.Fprintf(sw, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>STK-%07d</t></is></c><c r="B%d" t="inlineStr"><is><t>%s</t></is></c><c r="C%d"><v>%d</v></c><c r="D%d"><v>%d.%02d</v></c><c r="E%d"><v>%d.90</v></c><c r="F%d" t="inlineStr"><is><t>%s</t></is></c></row>`,
			r, r, i, r, bigBarcode(i), r, i%500, r, price/100, price%100, r, price/100+10, r, []string{"MERKEZ", "MAĞAZA"}[i%2])
	}
	sw.WriteString("</sheetData></worksheet>")
	if err := sw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// bigBarcode is a valid EAN-13 for row i.
func bigBarcode(i int) string {
	s := "869" + fmt.Sprintf("%09d", i)
	sum := 0
	for j, c := range s {
		d := int(c - '0')
		if j%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

// writeBigCSV1254 writes a Turkish Excel "CSV (Comma delimited)" export: Windows-1254,
// ';' between fields, decimal commas, CR LF line ends.
func writeBigCSV1254(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(charmap.Windows1254.NewEncoder().Writer(f), 1<<20)
	w.WriteString("Stok Kodu;Barkod;Ürün Adı;Miktar;Satış Fiyatı;Depo\r\n")
	for i := 0; i < rows; i++ {
		price := 1000 + i%50000
		fmt.Fprintf(w, "STK-%07d;%s;Örnek ürün %d, çeşit ğüşıöç;%d;%s;%s\r\n",
			i, bigBarcode(i), i, i%500, strings.Replace(fmt.Sprintf("%d.%02d", price/100, price%100), ".", ",", 1), []string{"MERKEZ", "MAĞAZA"}[i%2])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
