package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/xuri/excelize/v2"

	"syncagent/connectors/money"
)

// article is one SKU of the demo catalogue, as the ERP sees it.
type article struct {
	SKU, Barcode, Name string
	Qty                int64
	Price, ListPrice   money.Kurus
}

// catalogue is a dozen items of a small clothing shop; barcodes are valid EAN-13.
var catalogue = []article{
	{"SKU-001", "", "Pamuklu Tişört Beyaz M", 12, 14990, 19990},
	{"SKU-002", "", "Pamuklu Tişört Siyah L", 8, 14990, 19990},
	{"SKU-003", "", "Kot Pantolon Slim 32", 25, 64950, 79900},
	{"SKU-004", "", "Kot Pantolon Regular 34", 3, 64950, 79900},
	{"SKU-005", "", "Triko Kazak Lacivert", 0, 89900, 119900},
	{"SKU-006", "", "Keten Gömlek Bej", 17, 54990, 0},
	{"SKU-007", "", "Spor Çorap 3'lü", 140, 12450, 14900},
	{"SKU-008", "", "Deri Kemer Kahve", 6, 34900, 44900},
	{"SKU-009", "", "Şişme Mont Haki", 60, 249900, 299900},
	{"SKU-010", "", "Eşofman Altı Gri", 21, 44990, 0},
	{"SKU-011", "", "Yün Bere Bordo", 9, 7990, 12990},
	{"SKU-012", "", "Şal Desenli", 1, 19900, 24900},
}

func init() {
	for i := range catalogue {
		catalogue[i].Barcode = ean13(fmt.Sprintf("869123456%03d", i+1))
	}
}

// ean13 appends the check digit to 12 digits.
func ean13(d12 string) string {
	sum := 0
	for i, c := range d12 {
		n := int(c - '0')
		if i%2 == 1 {
			n *= 3
		}
		sum += n
	}
	return d12 + string(rune('0'+(10-sum%10)%10))
}

// headers are the Turkish column names staff use; the drop folder's parser knows them.
var headers = []any{"Stok Kodu", "Barkod", "Ürün Adı", "Miktar", "Fiyat", "Liste Fiyatı", "Depo"}

// writeStockList writes an .xlsx stock list of rows to dir/name, atomically: it is
// written beside the folder and renamed in, so the agent never sees half a file.
func writeStockList(dir, name string, rows []article) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Stok Listesi"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // Text: barcodes keep every digit
	if err != nil {
		return err
	}
	if err := f.SetColStyle(sheet, "A:B", text); err != nil {
		return err
	}
	if err := f.SetSheetRow(sheet, "A1", &headers); err != nil {
		return err
	}
	for i, a := range rows {
		row := []any{a.SKU, a.Barcode, a.Name, a.Qty, amount(a.Price), nil, "MERKEZ"}
		if a.ListPrice > 0 {
			row[5] = amount(a.ListPrice)
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	tmp := filepath.Join(filepath.Dir(dir), "."+name+".tmp")
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

// amount is the workbook number of an amount, as Excel stores it: the double nearest
// to the decimal, which reads back as the same short decimal.
func amount(k money.Kurus) float64 {
	v, _ := strconv.ParseFloat(k.String(), 64)
	return v
}
