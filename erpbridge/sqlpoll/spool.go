package sqlpoll

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"syncagent/connectors/money"
)

// spool keeps a reading's parsed rows in a temporary file between the two phases of a
// reading. The ERP phase only reads and parses, as fast as the network allows, and then
// ends its statement and transaction; the comparison with SQLite runs afterwards. So
// the ERP's statement never waits on the agent's disk (on SQL Server a client that
// consumes slowly keeps the server in ASYNC_NETWORK_IO, holding the locks of the
// current page), the source's timeout bounds the ERP work alone, and the agent's
// database is not held while the ERP is still sending. Memory stays flat: rows go
// through a buffered file, never a slice.
type spool struct {
	f    *os.File
	w    *bufio.Writer
	r    *bufio.Reader
	buf  []byte
	rows int
}

// spoolPattern names spool files; a crash leaves one behind, which the next Poller of the
// same source removes.
func spoolPattern(source string) string { return "sqlpoll-" + safeName(source) + "-*.spool" }

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

func newSpool(dir, source string) (*spool, error) {
	f, err := os.CreateTemp(dir, spoolPattern(source))
	if err != nil {
		return nil, err
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// removeStaleSpools deletes spool files a crashed reading of source left in dir.
func removeStaleSpools(dir, source string) {
	old, _ := filepath.Glob(filepath.Join(dir, spoolPattern(source)))
	for _, f := range old {
		_ = os.Remove(f)
	}
}

func (s *spool) close() {
	s.f.Close()
	_ = os.Remove(s.f.Name())
}

const (
	hasKey = 1 << iota
	hasQty
	hasPrice
	hasList
	hasMark
)

func (s *spool) put(row *Row) error {
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(row.Line))
	var flags byte
	for _, f := range []struct {
		on  bool
		bit byte
	}{{row.keyOK, hasKey}, {row.Qty != nil, hasQty}, {row.Price != nil, hasPrice}, {row.ListPrice != nil, hasList}, {row.hasMark, hasMark}} {
		if f.on {
			flags |= f.bit
		}
	}
	b = append(b, flags)
	for _, str := range []string{row.SKU, row.Barcode, row.Warehouse, row.PriceList, row.Reject, row.Change} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	if row.Qty != nil {
		b = binary.AppendVarint(b, *row.Qty)
	}
	if row.Price != nil {
		b = binary.AppendVarint(b, int64(*row.Price))
	}
	if row.ListPrice != nil {
		b = binary.AppendVarint(b, int64(*row.ListPrice))
	}
	if row.hasMark {
		m := row.mark.String()
		b = binary.AppendUvarint(b, uint64(len(m)))
		b = append(b, m...)
	}
	s.buf = b
	var n [binary.MaxVarintLen64]byte
	if _, err := s.w.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))]); err != nil {
		return err
	}
	_, err := s.w.Write(b)
	s.rows++
	return err
}

// rewind ends writing and starts reading from the first row.
func (s *spool) rewind() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	s.r = bufio.NewReaderSize(s.f, 256<<10)
	return nil
}

var errSpoolCorrupt = errors.New("spool file is damaged")

// next reads the next row into row; it returns false at the end.
func (s *spool) next(row *Row) (bool, error) {
	size, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if cap(s.buf) < int(size) {
		s.buf = make([]byte, size)
	}
	b := s.buf[:size]
	if _, err := io.ReadFull(s.r, b); err != nil {
		return false, err
	}
	d := decoder{b: b}
	*row = Row{Line: int(d.uvarint())}
	flags := d.byte()
	row.keyOK = flags&hasKey != 0
	for _, dst := range []*string{&row.SKU, &row.Barcode, &row.Warehouse, &row.PriceList, &row.Reject, &row.Change} {
		*dst = d.str()
	}
	if flags&hasQty != 0 {
		q := d.varint()
		row.Qty = &q
	}
	if flags&hasPrice != 0 {
		k := money.Kurus(d.varint())
		row.Price = &k
	}
	if flags&hasList != 0 {
		k := money.Kurus(d.varint())
		row.ListPrice = &k
	}
	if flags&hasMark != 0 {
		m, err := parseMark(d.str())
		if err != nil {
			return false, err
		}
		row.mark, row.hasMark = m, true
	}
	if d.bad {
		return false, fmt.Errorf("%w at row %d", errSpoolCorrupt, row.Line)
	}
	return true, nil
}

// decoder reads the fields of one spooled row; a short record sets bad.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) str() string {
	n := d.uvarint()
	if uint64(len(d.b)) < n {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
