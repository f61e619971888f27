package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strings"
	"time"
)

// A tiny workbook writer for tests. It writes the XML by hand so a test controls
// exactly what Excel would store: cell types (shared string, inline string, number,
// formula with a cached value, error), styles (a date format on a number), row
// numbers with gaps, the 1904 date system and hidden sheets.

type xcell struct {
	col   int    // 1-based; 0 = no r attribute (position implied, as some exporters write)
	t     string // "", "n", "s" (shared string), "inlineStr", "str", "e", "b"
	v     string // value, or the text for s/inlineStr
	f     string // formula text, if any
	style int    // index into cellXfs: 0 general, 1 date (id 14), 2 text (@), 3 dd.mm.yyyy
}

type xrow struct {
	r     int // 0 = no r attribute
	cells []xcell
}

type xsheet struct {
	name   string
	hidden bool
	rows   []xrow
}

type xbook struct {
	sheets   []xsheet
	date1904 bool
}

// Cell constructors: the column is the position in the row unless set with at().
func xnum(v string) xcell         { return xcell{v: v} }
func xsst(v string) xcell         { return xcell{t: "s", v: v} }
func xinl(v string) xcell         { return xcell{t: "inlineStr", v: v} }
func xfstr(f, v string) xcell     { return xcell{t: "str", f: f, v: v} }
func xfnum(f, v string) xcell     { return xcell{f: f, v: v} }
func xferr(f, v string) xcell     { return xcell{t: "e", f: f, v: v} }
func styled(c xcell, s int) xcell { c.style = s; return c }
func blankCell() xcell            { return xcell{t: "blank"} }

// xr numbers cells A, B, C… in order; blank cells are skipped (Excel omits them).
func xr(r int, cells ...xcell) xrow {
	out := xrow{r: r}
	for i, c := range cells {
		if c.t == "blank" {
			continue
		}
		if c.col == 0 {
			c.col = i + 1
		}
		out.cells = append(out.cells, c)
	}
	return out
}

// textRow gives a row of shared strings, the way Excel stores typed text.
func textRow(r int, texts ...string) xrow {
	cells := make([]xcell, len(texts))
	for i, s := range texts {
		if s == "" {
			cells[i] = blankCell()
		} else {
			cells[i] = xsst(s)
		}
	}
	return xr(r, cells...)
}

func (b xbook) bytes() []byte {
	var strs []string
	sstIndex := map[string]int{}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			panic(err)
		}
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	var ct, rels, sheets strings.Builder
	for i, s := range b.sheets {
		n := i + 1
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		state := ""
		if s.hidden {
			state = ` state="hidden"`
		}
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, html.EscapeString(s.name), n, state, n)

		var sd strings.Builder
		for _, r := range s.rows {
			if r.r > 0 {
				fmt.Fprintf(&sd, `<row r="%d">`, r.r)
			} else {
				sd.WriteString(`<row>`)
			}
			for _, c := range r.cells {
				sd.WriteString(`<c`)
				if c.col > 0 && r.r > 0 {
					fmt.Fprintf(&sd, ` r="%s%d"`, colName(c.col-1), r.r)
				}
				if c.style > 0 {
					fmt.Fprintf(&sd, ` s="%d"`, c.style)
				}
				if c.t != "" && c.t != "n" {
					fmt.Fprintf(&sd, ` t="%s"`, c.t)
				}
				sd.WriteString(`>`)
				if c.f != "" {
					fmt.Fprintf(&sd, `<f>%s</f>`, html.EscapeString(c.f))
				}
				switch c.t {
				case "s":
					idx, ok := sstIndex[c.v]
					if !ok {
						idx = len(strs)
						sstIndex[c.v] = idx
						strs = append(strs, c.v)
					}
					fmt.Fprintf(&sd, `<v>%d</v>`, idx)
				case "inlineStr":
					fmt.Fprintf(&sd, `<is><t xml:space="preserve">%s</t></is>`, html.EscapeString(c.v))
				default:
					fmt.Fprintf(&sd, `<v>%s</v>`, html.EscapeString(c.v))
				}
				sd.WriteString(`</c>`)
			}
			sd.WriteString(`</row>`)
		}
		add(fmt.Sprintf("xl/worksheets/sheet%d.xml", n), `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
			`<worksheet `+ns+`><sheetData>`+sd.String()+`</sheetData></worksheet>`)
	}
	n := len(b.sheets)
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, n+1)
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, n+2)

	var ss strings.Builder
	for _, s := range strs {
		fmt.Fprintf(&ss, `<si><t xml:space="preserve">%s</t></si>`, html.EscapeString(s))
	}
	add("xl/sharedStrings.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst %s count="%d" uniqueCount="%d">%s</sst>`, ns, len(strs), len(strs), ss.String()))
	add("xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet `+ns+`>`+
		`<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\.mm\.yyyy"/></numFmts>`+
		`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>`+
		`<fills count="1"><fill><patternFill patternType="none"/></fill></fills>`+
		`<borders count="1"><border/></borders>`+
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`+
		`<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`+
		`<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`+
		`<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`+
		`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>`+
		`</styleSheet>`)
	pr := ""
	if b.date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook `+ns+`>`+pr+`<sheets>`+sheets.String()+`</sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels.String()+`</Relationships>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+ct.String()+
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`+
		`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
