package hepsiburadasim

import (
	"fmt"
	"slices"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// AddListing seeds one listing; MerchantSku is required, HBSku is generated when empty.
func (s *Server) AddListing(l Listing) (Listing, error) {
	if l.MerchantSku == "" {
		return Listing{}, fmt.Errorf("add listing: merchant SKU is required: %w", simkit.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.HBSku == "" {
		l.HBSku = fmt.Sprintf("HBV%011d", s.st.next())
	}
	if s.st.listings.Get(l.HBSku) != nil || s.st.bySKU[l.MerchantSku] != "" {
		return Listing{}, fmt.Errorf("add listing %s / %s: %w", l.HBSku, l.MerchantSku, simkit.ErrExists)
	}
	if l.Title == "" {
		l.Title = "Ürün " + l.MerchantSku
	}
	if l.VATRate == 0 {
		l.VATRate = 20
	}
	if l.DispatchTime == 0 {
		l.DispatchTime = 2
	}
	if l.ProductID == "" {
		l.ProductID = "P" + l.HBSku
	}
	if l.Category == "" {
		l.Category = "Genel"
	}
	l.LockReasons = slices.Clone(l.LockReasons)
	l.Updated = s.Now()
	cp := l
	s.st.listings.Add(l.HBSku, &cp)
	s.st.bySKU[l.MerchantSku] = l.HBSku
	return cp, nil
}

func view(l *Listing) Listing {
	v := *l
	v.LockReasons = slices.Clone(l.LockReasons)
	return v
}

// Listing returns one listing by merchant SKU as it is now, after finishing every upload
// that is due on the simulator's clock.
func (s *Server) Listing(merchantSku string) (Listing, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	l := s.st.listings.Get(s.st.bySKU[merchantSku])
	if l == nil {
		return Listing{}, false
	}
	return view(l), true
}

// Snapshot returns every listing by merchant SKU, after finishing due uploads.
func (s *Server) Snapshot() map[string]Listing {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	out := make(map[string]Listing, s.st.listings.Len())
	for _, l := range s.st.listings.All() {
		out[l.MerchantSku] = view(l)
	}
	return out
}

func (s *Server) listingBySKU(merchantSku string) (*Listing, error) {
	l := s.st.listings.Get(s.st.bySKU[merchantSku])
	if l == nil {
		return nil, fmt.Errorf("listing %s: %w", merchantSku, simkit.ErrNotFound)
	}
	return l, nil
}

// SetBand sets a listing's category price band (0: no limit on that side).
func (s *Server) SetBand(merchantSku string, min, max money.Kurus, category string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.listingBySKU(merchantSku)
	if err != nil {
		return err
	}
	l.MinPrice, l.MaxPrice = min, max
	if category != "" {
		l.Category = category
	}
	return nil
}

// Lock locks a listing as Hepsiburada does on its own (ByCheckoutPriceAnomaly, or
// OrderCancellation, which also sets its stock to 0).
func (s *Server) Lock(merchantSku, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.listingBySKU(merchantSku)
	if err != nil {
		return err
	}
	l.lock(reason)
	if reason == LockCancellation {
		l.Stock = 0
	}
	l.Updated = maxTime(l.Updated, s.Now())
	return nil
}

// PendingUploads counts uploads still processing.
func (s *Server) PendingUploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	return s.pendingUploads()
}

// CompleteUploads finishes every upload still processing, as if its delay had passed.
func (s *Server) CompleteUploads() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	for _, u := range s.st.uploads.All() {
		if !u.done() {
			s.finish(u, now)
		}
	}
}

// FailNextUploads makes the next n uploads end Failed with nothing applied.
func (s *Server) FailNextUploads(n int) {
	s.mu.Lock()
	s.st.failNext = n
	s.mu.Unlock()
}

// UploadView is a read-back view of one upload.
type UploadView struct {
	ID, Kind, Status string
	Rows             int
	Errors           int
	Locks            int
}

// Uploads lists the uploads whose results are still kept, in arrival order.
func (s *Server) Uploads() []UploadView {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	var out []UploadView
	for _, u := range s.st.uploads.All() {
		out = append(out, UploadView{ID: u.id, Kind: string(u.kind), Status: u.status, Rows: len(u.rows), Errors: len(u.errors), Locks: len(u.checks)})
	}
	return out
}

// OrderView is a read-back view of an order.
type OrderView struct {
	Number, ID string
	Lines      []LineView
}

// LineView is one line of an OrderView.
type LineView struct {
	ID, MerchantSku, HBSku string
	Quantity               int
	State                  string // the simulator's line state: which feed the line is in
	Package                string
}

func orderView(o *order) OrderView {
	v := OrderView{Number: o.number, ID: o.id}
	for _, l := range o.lines {
		lv := LineView{ID: l.id, MerchantSku: l.listing.MerchantSku, HBSku: l.listing.HBSku, Quantity: l.qty, State: l.state}
		if l.pkg != nil {
			lv.Package = l.pkg.number
		}
		v.Lines = append(v.Lines, lv)
	}
	return v
}

// AddOrder places an order now; its units leave the listings' stock at once (unpaid
// ones too), and it fails without changing anything when a SKU is unknown or short.
func (s *Server) AddOrder(o Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	s.advance(now)
	if len(o.Lines) == 0 {
		return OrderView{}, fmt.Errorf("add order: no lines: %w", simkit.ErrInvalid)
	}
	need := map[string]int64{}
	for _, ol := range o.Lines {
		l, err := s.listingBySKU(ol.MerchantSku)
		if err != nil {
			return OrderView{}, fmt.Errorf("add order: %w", err)
		}
		if ol.Quantity < 1 {
			return OrderView{}, fmt.Errorf("add order: %s quantity %d: %w", ol.MerchantSku, ol.Quantity, simkit.ErrInvalid)
		}
		need[ol.MerchantSku] += int64(ol.Quantity)
		if need[ol.MerchantSku] > l.Stock {
			return OrderView{}, fmt.Errorf("add order: %s wants %d, %d in stock: %w", ol.MerchantSku, need[ol.MerchantSku], l.Stock, simkit.ErrOutOfStock)
		}
	}
	if o.Number == "" {
		o.Number = fmt.Sprintf("42%08d", s.st.next()%100_000_000)
	}
	if s.st.orders.Get(o.Number) != nil {
		return OrderView{}, fmt.Errorf("add order %s: %w", o.Number, simkit.ErrExists)
	}
	if o.Date.IsZero() {
		o.Date = now
	}
	ord := &order{number: o.Number, id: newUUID(), date: o.Date, customer: sampleCustomer(o.Customer, s.st.seq)}
	state := lineOpen
	if o.Unpaid {
		state = lineAwaiting
	}
	for _, ol := range o.Lines {
		l, _ := s.listingBySKU(ol.MerchantSku)
		l.Stock -= int64(ol.Quantity)
		l.Updated = maxTime(l.Updated, now)
		unit := ol.UnitPrice
		if unit == 0 {
			unit = l.Price
		}
		ln := &line{id: newUUID(), order: ord, listing: view(l), qty: ol.Quantity, unit: unit,
			hbDisc: ol.HBDiscount, mDisc: ol.MerchDisc}
		setLine(ln, state, now)
		ord.lines = append(ord.lines, ln)
		s.st.lines[ln.id] = ln
	}
	s.st.orders.Add(ord.number, ord)
	return orderView(ord), nil
}

func sampleCustomer(c Customer, n int64) Customer {
	if c.Name == "" {
		c.Name = "Ayşe Yılmaz"
	}
	if c.ID == "" {
		c.ID = fmt.Sprintf("c-%06d", n%1_000_000)
	}
	if c.Email == "" {
		c.Email = "musteri@example.com"
	}
	if c.City == "" {
		c.City, c.Town, c.District, c.Address, c.PostalCode = "İstanbul", "Kadıköy", "Caferağa Mah.", "Moda Cad. No:12 D:3", "34710"
	}
	if c.Phone == "" {
		c.Phone = "05XXXXXXXXX"
	}
	return c
}

func (s *Server) order(number string) (*order, error) {
	o := s.st.orders.Get(number)
	if o == nil {
		return nil, fmt.Errorf("order %s: %w", number, simkit.ErrNotFound)
	}
	return o, nil
}

// Order returns an order as it is now.
func (s *Server) Order(number string) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(number)
	if o == nil {
		return OrderView{}, false
	}
	return orderView(o), true
}

// Pay confirms an unpaid order's payment: its lines move to /orders.
func (s *Server) Pay(number string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(number)
	if err != nil {
		return err
	}
	paid := false
	for _, l := range o.lines {
		if l.state == lineAwaiting {
			setLine(l, lineOpen, s.Now())
			paid = true
		}
	}
	if !paid {
		return fmt.Errorf("order %s has no unpaid line: %w", number, simkit.ErrState)
	}
	return nil
}

// CancelOrder cancels every line of an order still unpaid or unpacked, as a customer
// would; their units go back to stock once.
func (s *Server) CancelOrder(number string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(number)
	if err != nil {
		return err
	}
	n := 0
	for _, l := range o.lines {
		if s.cancelLine(l, "Customer", "CustomerRequest", s.Now()) == nil {
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("order %s has nothing left to cancel: %w", number, simkit.ErrState)
	}
	return nil
}

// CancelLine cancels the (first unpaid or unpacked) line of merchantSku of an order, whole.
func (s *Server) CancelLine(number, merchantSku string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(number)
	if err != nil {
		return err
	}
	for _, l := range o.lines {
		if l.listing.MerchantSku == merchantSku && (l.state == lineAwaiting || l.state == lineOpen) {
			return s.cancelLine(l, "Customer", "CustomerRequest", s.Now())
		}
	}
	return fmt.Errorf("order %s has no cancellable line of %s: %w", number, merchantSku, simkit.ErrState)
}

// PackOrder packs every open line of an order into one new package and returns its number.
func (s *Server) PackOrder(number string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(number)
	if err != nil {
		return "", err
	}
	want := map[string]int{}
	for _, l := range o.lines {
		if l.state == lineOpen {
			want[l.id] = l.qty
		}
	}
	if len(want) == 0 {
		return "", fmt.Errorf("order %s has no open line: %w", number, simkit.ErrState)
	}
	return s.pack(o, want, "", s.Now()).number, nil
}

// PackLine packs qty units of one open line (a partial pack splits the line).
func (s *Server) PackLine(lineID string, qty int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.lines[lineID]
	if l == nil || l.state != lineOpen || qty < 1 || qty > l.qty {
		return "", fmt.Errorf("pack line %s × %d: %w", lineID, qty, simkit.ErrState)
	}
	return s.pack(l.order, map[string]int{lineID: qty}, "", s.Now()).number, nil
}

// Unpack unpacks a packed package: its lines are open again.
func (s *Server) Unpack(packageNumber string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(packageNumber)
	if p == nil || p.status != linePacked {
		return fmt.Errorf("unpack %s: %w", packageNumber, simkit.ErrState)
	}
	s.unpack(p, s.Now())
	return nil
}

// Ship, Deliver and Undeliver move a package as the carrier does.
func (s *Server) Ship(packageNumber string) error { return s.moveHook(packageNumber, lineShipped, "") }

// Deliver marks a shipped package delivered.
func (s *Server) Deliver(packageNumber string) error {
	return s.moveHook(packageNumber, lineDelivered, "")
}

// Undeliver marks a shipped package undeliverable.
func (s *Server) Undeliver(packageNumber, reason string) error {
	return s.moveHook(packageNumber, lineUndelivered, reason)
}

func (s *Server) moveHook(number, to, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(number)
	if p == nil {
		return fmt.Errorf("package %s: %w", number, simkit.ErrNotFound)
	}
	if err := s.move(p, to, reason, s.Now()); err != nil {
		return fmt.Errorf("package %s from %s to %s: %w", number, p.status, to, err)
	}
	return nil
}

// InvoiceOf returns a package's invoice link ("" when none).
func (s *Server) InvoiceOf(packageNumber string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.st.packages.Get(packageNumber); p != nil {
		return p.invoice
	}
	return ""
}

// PendingTickets counts product-information tickets not done yet.
func (s *Server) PendingTickets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	n := 0
	for _, t := range s.st.tickets.All() {
		if !t.done {
			n++
		}
	}
	return n
}

// PeakPendingUploads is the most uploads that were pending at once; RefusedUploads
// counts uploads answered with the "too many ongoing uploads" message.
func (s *Server) PeakPendingUploads() (peak, refused int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.peakPending, s.st.refused
}
