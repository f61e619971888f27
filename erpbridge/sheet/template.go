package sheet

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"syncagent/connectors/money"
)

// template is the content of a blank stock list in one language.
type template struct {
	sheet     string
	headers   [6]string // SKU, barcode, quantity, price, list price, warehouse
	sku       string
	warehouse string
}

var templates = map[string]template{
	"tr": {sheet: "Stok Listesi", headers: [6]string{"Stok Kodu", "Barkod", "Miktar", "Fiyat", "Liste Fiyatı", "Depo"}, sku: "ÖRNEK-001", warehouse: "MERKEZ"},
	"en": {sheet: "Stock List", headers: [6]string{"SKU", "Barcode", "Quantity", "Price", "List Price", "Warehouse"}, sku: "EXAMPLE-001", warehouse: "MAIN"},
}

// WriteTemplate writes an .xlsx stock list to start from, with headers in lang ("tr"
// or "en") that the parser recognises, one example row, and the SKU and barcode
// columns formatted as Text so Excel keeps leading zeros and never shows a barcode as
// 8,68E+12.
func WriteTemplate(w io.Writer, lang string) (err error) {
	tp, ok := templates[lang]
	if !ok {
		return fmt.Errorf("sheet: %w: template language %q is not tr or en", ErrOptions, lang)
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", tp.sheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@", Text
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	amount, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return f.SetColStyle(tp.sheet, "A:B", text) },
		func() error { return f.SetColStyle(tp.sheet, "D:E", amount) },
		func() error { return f.SetColWidth(tp.sheet, "A", "B", 18) },
		func() error { return f.SetColWidth(tp.sheet, "C", "F", 14) },
		func() error { headers := tp.headers[:]; return f.SetSheetRow(tp.sheet, "A1", &headers) },
		func() error { return f.SetCellStyle(tp.sheet, "A1", "F1", bold) },
		func() error { return f.SetSheetRow(tp.sheet, "A2", exampleRow(tp)) },
		func() error {
			return f.SetPanes(tp.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("sheet: writing template: %w", err)
		}
	}
	return f.Write(w)
}

func exampleRow(tp template) *[]any {
	barcode := "869000000001"
	_, _, check := checkDigit(barcode + "0")
	row := []any{tp.sku, barcode + string(check), 25, cellAmount(124990), cellAmount(149990), tp.warehouse}
	return &row
}

// cellAmount gives a workbook number for an amount. Excel stores numbers as doubles;
// parsing the decimal text yields the double nearest to it, which Excel writes back
// as the same short decimal.
func cellAmount(k money.Kurus) float64 {
	v, _ := strconv.ParseFloat(k.String(), 64)
	return v
}
