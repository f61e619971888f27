package dropfolder

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// The report is for warehouse staff, who read Turkish: every heading and fixed sentence
// is Turkish with the English in parentheses, so an integrator who reads no Turkish can
// follow it too. The reasons for rejected rows are the parser's, which are English
// only; the row, column and value beside them make them clear.

// ReportFormat says how a report's bytes are written.
type ReportFormat struct {
	BOM  bool // start with a UTF-8 byte order mark, so Notepad and Excel read Turkish letters right
	CRLF bool // end lines with CR LF, as Windows tools expect
}

// FileReport is the format of the report put beside a file: Notepad on any Windows
// version shows it correctly.
var FileReport = ReportFormat{BOM: true, CRLF: true}

// Terminal is the format for printing a report to a console.
var Terminal = ReportFormat{}

var fieldNames = map[sheet.Field]string{
	sheet.FieldSKU:       "stok kodu (SKU)",
	sheet.FieldBarcode:   "barkod (barcode)",
	sheet.FieldQuantity:  "miktar (quantity)",
	sheet.FieldPrice:     "fiyat (price)",
	sheet.FieldListPrice: "liste fiyatı (list price)",
	sheet.FieldWarehouse: "depo (warehouse)",
	sheet.FieldPriceList: "fiyat listesi (price list)",
}

// WriteReport writes the report of r to w.
func (r *Result) WriteReport(w io.Writer, f ReportFormat) error {
	bw := bufio.NewWriter(w)
	rw := &reportWriter{w: bw, eol: "\n"}
	if f.CRLF {
		rw.eol = "\r\n"
	}
	if f.BOM {
		rw.raw("\ufeff")
	}
	r.writeHead(rw)
	r.writeSummary(rw)
	if err := r.writeLists(rw); err != nil {
		return err
	}
	if rw.err != nil {
		return rw.err
	}
	return bw.Flush()
}

func (r *Result) writeHead(w *reportWriter) {
	w.line("SYNCAGENT İÇE AKTARMA RAPORU (IMPORT REPORT)")
	w.line("")
	w.pair("Dosya (File)", r.File)
	w.pair("Klasör (Folder)", r.Source)
	w.pair("Zaman (Time)", r.At.Format("02.01.2006 15:04:05"))
	w.pair("Sonuç (Result)", r.resultText())
	if r.Outcome == Failed {
		w.pair("Neden (Reason)", r.failureText())
	}
	if r.StoredAs != "" && !r.DryRun {
		w.pair("Dosyanın yeri (Stored as)", r.StoredAs)
	}
	w.pair("Kural (Policy)", policyText(r.Policy))
	if r.FileError != "" {
		w.line("")
		w.line("Dosyayı düzeltip klasöre yeniden bırakın. (Fix the file and drop it into the folder again.)")
		return
	}
	h := r.Header
	switch h.Format {
	case "xlsx":
		w.pair("Biçim (Format)", fmt.Sprintf("Excel, sayfa (sheet) %q, başlık satırı (header row) %d", h.Sheet, h.Line))
	case "csv":
		w.pair("Biçim (Format)", fmt.Sprintf("CSV, %s, ayraç (delimiter) %q, başlık satırı (header row) %d", h.Encoding, h.Delimiter, h.Line))
	}
	var cols []string
	for _, f := range sheet.Fields {
		if c, ok := h.Columns[f]; ok {
			cols = append(cols, fmt.Sprintf("%q = %s", c, fieldNames[f]))
		}
	}
	if len(cols) > 0 {
		w.pair("Sütunlar (Columns)", strings.Join(cols, ", "))
	}
}

func (r *Result) resultText() string {
	switch {
	case r.DryRun && r.Outcome == Failed:
		return "DENEME: DOSYA REDDEDİLİRDİ, hiçbir şey kaydedilmedi (DRY RUN: THE FILE WOULD BE REJECTED, nothing was saved)"
	case r.DryRun:
		return "DENEME: hiçbir şey kaydedilmedi (DRY RUN: nothing was saved)"
	case r.FileError != "":
		return "DOSYA OKUNAMADI, hiçbir değişiklik uygulanmadı (FILE COULD NOT BE READ, no change was applied)"
	case r.Outcome == Failed:
		return "REDDEDİLDİ, hiçbir değişiklik uygulanmadı (REJECTED, no change was applied)"
	case r.Rejected > 0:
		return "KISMEN İÇE AKTARILDI, hatalı satırlar atlandı (PARTLY IMPORTED, rows with errors were skipped)"
	default:
		return "İÇE AKTARILDI (IMPORTED)"
	}
}

func (r *Result) failureText() string {
	switch {
	case r.FileError != "":
		return r.FileError
	case r.Policy == AllOrNothing && r.Rejected > 0:
		return fmt.Sprintf("%d satır hatalı; bu klasörün kuralı \"hepsi ya da hiçbiri\" (%d rows have errors; this folder's policy is all-or-nothing)", r.Rejected, r.Rejected)
	default:
		return fmt.Sprintf("kullanılabilir satır yok, %d satır hatalı (no usable row, %d rows have errors)", r.Rejected, r.Rejected)
	}
}

func policyText(p Policy) string {
	if p == AllOrNothing {
		return "hepsi ya da hiçbiri: bir satır hatalıysa dosyanın hiçbir satırı uygulanmaz (all-or-nothing: one bad row stops the whole file)"
	}
	return "kısmi: hatalı satırlar atlanır, diğerleri uygulanır (partial: bad rows are skipped, the others applied)"
}

func (r *Result) writeSummary(w *reportWriter) {
	if r.FileError != "" {
		return
	}
	w.line("")
	w.line("ÖZET (SUMMARY)")
	w.count("Okunan satır (Rows read)", r.RowsRead)
	if r.Outcome == Failed {
		w.count("Uygulanmayan geçerli satır (Valid rows not applied)", r.Valid())
	} else {
		w.count("Uygulanan (Applied)", r.Applied)
		w.count("Değişmeyen (Unchanged)", r.Unchanged)
	}
	w.count("Reddedilen (Rejected)", r.Rejected)
	if r.Replaced > 0 {
		w.count("Sonraki satırla değişen (Replaced by a later row)", r.Replaced)
	}
	if r.Warned > 0 {
		w.count("Uyarılı satır (Rows with warnings)", r.Warned)
	}
}

func (r *Result) writeLists(w *reportWriter) error {
	if r.details == nil {
		return nil
	}
	problem := func(f []string) error {
		if len(f) < 4 {
			return nil
		}
		s := "Satır (Row) " + f[0]
		if f[1] != "" {
			s += fmt.Sprintf(", sütun (column) %q", f[1])
		}
		if f[2] != "" {
			s += fmt.Sprintf(", değer (value) %q", f[2])
		}
		w.line("  " + s + ": " + f[3])
		return nil
	}
	if r.Rejected > 0 {
		w.line("")
		w.line("REDDEDİLEN SATIRLAR (REJECTED ROWS)")
		if err := r.details.each(kindProblem, problem); err != nil {
			return err
		}
	}
	if r.Replaced > 0 {
		w.line("")
		w.line("TEKRARLANAN STOK KODLARI, sonraki satır geçerli (REPEATED SKUS, the later row wins)")
		err := r.details.each(kindReplacement, func(f []string) error {
			if len(f) < 5 {
				return nil
			}
			where := ""
			if f[3] != "" {
				where += fmt.Sprintf(", depo (warehouse) %q", f[3])
			}
			if f[4] != "" {
				where += fmt.Sprintf(", fiyat listesi (price list) %q", f[4])
			}
			w.line(fmt.Sprintf("  Satır (Row) %s, satır %s yerine geçti (replaced row %s): stok kodu (SKU) %q%s", f[1], f[0], f[0], f[2], where))
			return nil
		})
		if err != nil {
			return err
		}
	}
	if r.Warned > 0 {
		w.line("")
		w.line("UYARILAR, bu satırlar yine de uygulandı (WARNINGS, these rows were applied anyway)")
		if err := r.details.each(kindWarning, problem); err != nil {
			return err
		}
	}
	return nil
}

// EachChange calls fn for every value a dry run would change, in file order.
func (r *Result) EachChange(fn func(queue.FieldDiff) error) error {
	if r.details == nil {
		return nil
	}
	return r.details.each(kindDiff, func(f []string) error {
		if len(f) < 5 {
			return nil
		}
		row, _ := strconv.Atoi(f[0])
		return fn(queue.FieldDiff{SKU: f[1], Field: f[2], Old: f[3], New: f[4], Source: queue.Source{Kind: "file", Ref: r.File, Row: row}})
	})
}

// reportWriter writes lines with the chosen line end and keeps the first error.
type reportWriter struct {
	w   *bufio.Writer
	eol string
	err error
}

func (w *reportWriter) raw(s string) {
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

func (w *reportWriter) line(s string) { w.raw(s + w.eol) }

func (w *reportWriter) pair(k, v string) { w.line(fmt.Sprintf("%-28s: %s", k, v)) }

func (w *reportWriter) count(k string, n int) { w.line(fmt.Sprintf("  %-52s: %d", k, n)) }
