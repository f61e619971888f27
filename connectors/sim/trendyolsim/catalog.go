package trendyolsim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Product is one approved listing, keyed by barcode.
type Product struct {
	Barcode       string
	StockCode     string // the seller's SKU; order lines carry it as stockCode
	Title         string
	ProductMainID string
	Brand         string
	ContentID     int64
	VatRate       int // percent
	Size, Color   string

	Quantity  int64 // sellable stock: orders decrement it
	SalePrice money.Kurus
	ListPrice money.Kurus

	Updates    int       // batch items applied with SUCCESS
	LastUpdate time.Time // when the last one was applied
}

// ErrExists and ErrNotFound are returned (wrapped) by the seeding and order hooks.
var (
	ErrExists     = errors.New("already exists")
	ErrNotFound   = errors.New("not found")
	ErrOutOfStock = errors.New("not enough sellable stock")
	ErrState      = errors.New("not allowed in this status")
)

// AddProduct seeds the catalogue with an approved product.
func (s *Server) AddProduct(p Product) error {
	if p.Barcode == "" {
		return fmt.Errorf("add product: barcode is required: %w", ErrNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.products[p.Barcode]; ok {
		return fmt.Errorf("add product %q: %w", p.Barcode, ErrExists)
	}
	if p.ContentID == 0 {
		p.ContentID = 9_000_000 + int64(len(s.st.catalogue)+1)
	}
	if p.VatRate == 0 {
		p.VatRate = 20
	}
	if p.ListPrice == 0 {
		p.ListPrice = p.SalePrice
	}
	if p.StockCode == "" {
		p.StockCode = p.Barcode
	}
	if p.Title == "" {
		p.Title = "Ürün " + p.Barcode
	}
	cp := p
	s.st.products[p.Barcode] = &cp
	s.st.catalogue = append(s.st.catalogue, &cp)
	return nil
}

// Product returns the current state of one product, after finishing every batch that
// is due on the simulator's clock.
func (s *Server) Product(barcode string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.opt.Clock.Now())
	p, ok := s.st.products[barcode]
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// Snapshot returns every product by barcode, after finishing due batches.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.opt.Clock.Now())
	out := make(map[string]Product, len(s.st.products))
	for k, p := range s.st.products {
		out[k] = *p
	}
	return out
}

// handleApproved serves GET .../products/approved/inventory-and-price.
func (s *Server) handleApproved(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	var barcodes []string
	if v := q.Get("barcodes"); v != "" {
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				barcodes = append(barcodes, b)
			}
		}
		if len(barcodes) > 50 {
			if !s.opt.ClampOversize {
				return badRequest("barcodes.size", "at most 50 barcodes can be queried at once")
			}
			barcodes = barcodes[:50]
		}
	}
	if v := q.Get("barcode"); v != "" {
		barcodes = append(barcodes, v)
	}
	stockCode := q.Get("stockCode")
	size, err := simkit.QueryInt(q, "size", 50)
	if err != nil || size < 1 {
		return badRequest("size.invalid", "size must be a whole number of at least 1")
	}
	if size > 100 {
		if !s.opt.ClampOversize {
			return badRequest("size.invalid", "size must be at most 100")
		}
		size = 100
	}
	filter := "b=" + strings.Join(barcodes, ",") + "&s=" + stockCode
	var offset int
	page := 0
	if tok := q.Get("nextPageToken"); tok != "" {
		off, f, ok := decodePageToken(tok)
		if !ok || f != filter {
			return badRequest("nextPageToken.invalid", "nextPageToken does not belong to this query")
		}
		offset = off
		page = off / size
	} else {
		page, err = simkit.QueryInt(q, "page", 0)
		if err != nil || page < 0 {
			return badRequest("page.invalid", "page must be a whole number of at least 0")
		}
		if page*size > 10000 {
			return badRequest("page.window", "page×size may not exceed 10000; continue with nextPageToken")
		}
		offset = page * size
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	want := map[string]bool{}
	for _, b := range barcodes {
		want[b] = true
	}
	var match []*Product
	for _, p := range s.st.catalogue {
		if len(want) > 0 && !want[p.Barcode] {
			continue
		}
		if stockCode != "" && p.StockCode != stockCode {
			continue
		}
		match = append(match, p)
	}
	content := []map[string]any{}
	for i := offset; i < len(match) && i < offset+size; i++ {
		p := match[i]
		content = append(content, map[string]any{
			"barcode": p.Barcode, "stockCode": p.StockCode, "productMainId": p.ProductMainID,
			"contentId": p.ContentID, "quantity": p.Quantity,
			"salePrice": p.SalePrice, "listPrice": p.ListPrice,
		})
	}
	body := map[string]any{
		"page": page, "size": size, "totalElements": len(match),
		"totalPages": (len(match) + size - 1) / size, "content": content,
	}
	if offset+size < len(match) {
		body["nextPageToken"] = encodePageToken(offset+size, filter)
	}
	return simkit.JSON(http.StatusOK, body)
}

func encodePageToken(offset int, filter string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "|" + filter))
}

func decodePageToken(tok string) (int, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, "", false
	}
	off, filter, ok := strings.Cut(string(b), "|")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 {
		return 0, "", false
	}
	return n, filter, true
}
