package hepsiburada

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
	"syncagent/connectors/order"
)

// Orders come from every feed of oms-external, one page per FetchOrders call, in a
// fixed round: paid lines (/orders, the only feed with a date filter: yyyy-MM-dd HH:mm
// Turkey time, from the store's look-back), unpaid lines (/paymentawaiting), packed
// packages (/packages, paged by a capital Offset, 10 a page), cancelled lines, and the
// shipped, delivered and undelivered packages; then the orders that were unpaid in the
// previous round and are no longer (their detail says what became of them). A round
// ends with More false; the next call starts the next round.
//
// The full feeds (/orders, /packages) carry lines with amounts and are taken as they
// are. The thin ones (unpaid, cancelled, tracking) carry no amounts, so each order they
// name is read in detail, but only when the feed says something new about it: the
// order's Version is the set of fingerprints of the thin rows already applied, and the
// queue hands it back through OrderQuery.Known.
const (
	feedOrders = iota
	feedAwaiting
	feedPackages
	feedCancelled
	feedShipped
	feedDelivered
	feedUndelivered
	feedVanished
	feedCount
)

// Page sizes: the documented maximum of each feed.
const (
	ordersPage   = 100
	thinPage     = 50
	packagesPage = 10
	// vanishedPerCall bounds the detail reads of one call of the last step.
	vanishedPerCall = 50
)

var feedPaths = [feedCount]string{"", "/paymentawaiting", "", "/cancelled", "/shipped", "/delivered", "/undelivered", ""}

// Feed names: each line's RawStatus says which feed it was found in.
var feedWords = [feedCount]string{"Open", "PaymentAwaiting", "Packed", "Cancelled", "Shipped", "Delivered", "Undelivered", ""}

var feedStatus = [feedCount]order.Status{order.New, order.Awaiting, order.Processing, order.Cancelled, order.Shipped,
	order.Delivered, order.Returned, ""}

// roundCursor is the agent's cursor: where the round stands, and the unpaid orders of
// the previous round and of this one so far.
type roundCursor struct {
	Feed   int      `json:"f"`
	Offset int      `json:"o,omitempty"`
	Prev   []string `json:"prev,omitempty"` // unpaid in the last complete reading of the feed
	Seen   []string `json:"seen,omitempty"` // unpaid so far in this reading
	Gone   []string `json:"gone,omitempty"` // unpaid before, not now: read in detail at the end of the round
}

// orderFeeds reads the feeds for one Client.
type orderFeeds struct{ c *Client }

// FetchOrders implements connectors.OrderFetcher: one page of the current feed.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	var cur roundCursor
	if q.Cursor != "" && json.Unmarshal([]byte(q.Cursor), &cur) != nil || cur.Feed < 0 || cur.Feed >= feedCount {
		cur = roundCursor{}
	}
	known := q.Known
	if known == nil {
		known = func(context.Context, []string) (map[string]string, error) { return map[string]string{}, nil }
	}
	var (
		page []order.Order
		next int // the next offset in this feed; -1: the feed is done
		err  error
	)
	f := c.feeds
	switch cur.Feed {
	case feedOrders:
		page, next, err = f.orders(ctx, q.Since, cur.Offset, known)
	case feedAwaiting:
		page, next, err = f.awaiting(ctx, &cur, known)
	case feedPackages:
		page, next, err = f.packages(ctx, q.Since, cur.Offset, known)
	case feedCancelled:
		page, next, err = f.cancelled(ctx, q.Since, cur.Offset, known)
	case feedShipped, feedDelivered, feedUndelivered:
		page, next, err = f.tracking(ctx, cur.Feed, q.Since, cur.Offset, known)
	case feedVanished:
		page, next, err = f.vanished(ctx, &cur, known)
	}
	if err != nil {
		return connectors.OrderPage{Cursor: q.Cursor}, err
	}
	for i := range page {
		page[i].Derive()
	}
	if next >= 0 {
		cur.Offset = next
		return connectors.OrderPage{Orders: page, Cursor: mustJSON(cur), More: true}, nil
	}
	cur.Offset = 0
	cur.Feed++
	if cur.Feed == feedCount {
		return connectors.OrderPage{Orders: page, Cursor: mustJSON(roundCursor{Prev: cur.Prev})}, nil
	}
	return connectors.OrderPage{Orders: page, Cursor: mustJSON(cur), More: true}, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (f *orderFeeds) path(p string) string { return "/orders/merchantid/" + f.c.merchant + p }

func (f *orderFeeds) get(ctx context.Context, path string, q url.Values, out any) error {
	_, err := f.c.oms.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Bucket: bucket}, out)
	return err
}

func nextOffset(offset, got, total, limit int) int {
	offset += got
	if got == 0 || (total > 0 && offset >= total) || (total == 0 && got < limit) {
		return -1
	}
	return offset
}

func unreadable(err error) error {
	return &connectors.Error{Kind: connectors.Permanent, Err: err, Message: "Hepsiburada sent an order line the agent cannot read"}
}

// orders reads one page of /orders: paid lines not packed yet, placed since the look-back.
func (f *orderFeeds) orders(ctx context.Context, since time.Time, offset int, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, int, error) {
	q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(ordersPage)}}
	if !since.IsZero() {
		q.Set("begindate", since.In(turkey).Format(filterLayout))
		// The end is exclusive and has minute resolution: an hour ahead lets no line of
		// this minute slip, whatever the PC's clock.
		q.Set("enddate", f.c.clock.Now().Add(time.Hour).In(turkey).Format(filterLayout))
	}
	var p api.LinesPage
	if err := f.get(ctx, f.path(""), q, &p); err != nil {
		return nil, 0, err
	}
	byNumber := map[string]*order.Order{}
	var numbers []string
	for i := range p.Items {
		l := &p.Items[i]
		o := byNumber[l.OrderNumber]
		if o == nil {
			no := newOrder(l.OrderNumber, l.OrderDate)
			o = &no
			byNumber[l.OrderNumber] = o
			numbers = append(numbers, l.OrderNumber)
		}
		fromLine(o, l)
		line, err := lineOf(l)
		if err != nil {
			return nil, 0, unreadable(lineErr(l.OrderNumber, l.ID, err))
		}
		addLine(o, line, order.New, rawOr(l.Status, feedWords[feedOrders]), omsTime(l.LastStatusUpdateDate))
	}
	out, err := f.keepVersions(ctx, numbers, byNumber, known)
	return out, nextOffset(offset, len(p.Items), p.TotalCount, ordersPage), err
}

func rawOr(s, def string) string {
	if strings.TrimSpace(s) != "" {
		return s
	}
	return def
}

// keepVersions hands back the orders in order, each with the Version the queue holds:
// a full feed says nothing about the thin rows already applied.
func (f *orderFeeds) keepVersions(ctx context.Context, numbers []string, byNumber map[string]*order.Order, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	versions, err := known(ctx, numbers)
	if err != nil {
		return nil, &connectors.Error{Kind: connectors.Transient, Err: err, Message: "reading the stored versions of Hepsiburada orders failed"}
	}
	out := make([]order.Order, 0, len(numbers))
	for _, n := range numbers {
		o := byNumber[n]
		o.Version = versions[n]
		out = append(out, *o)
	}
	return out, nil
}

// packages reads one page of /packages: packed lines awaiting shipment. The page is a
// bare array, paged by a capital Offset (a lower-case offset is ignored there).
func (f *orderFeeds) packages(ctx context.Context, since time.Time, offset int, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, int, error) {
	q := url.Values{"Offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(packagesPage)}}
	if ts := f.timespan(since); ts != "" {
		q.Set("timespan", ts)
	}
	var p []api.Package
	if err := f.get(ctx, "/packages/merchantid/"+f.c.merchant, q, &p); err != nil {
		return nil, 0, err
	}
	byNumber := map[string]*order.Order{}
	var numbers []string
	for i := range p {
		pk := &p[i]
		for j := range pk.Items {
			l := &pk.Items[j]
			o := byNumber[l.OrderNumber]
			if o == nil {
				no := newOrder(l.OrderNumber, firstNonEmpty(l.OrderDate, pk.OrderDate))
				o = &no
				fromPackage(o, pk)
				byNumber[l.OrderNumber] = o
				numbers = append(numbers, l.OrderNumber)
			}
			line, err := packageLineOf(l)
			if err != nil {
				return nil, 0, unreadable(lineErr(l.OrderNumber, l.LineItemID, err))
			}
			addLine(o, line, order.Processing, rawOr(pk.Status, feedWords[feedPackages]), time.Time{})
		}
	}
	out, err := f.keepVersions(ctx, numbers, byNumber, known)
	next := offset + len(p)
	if len(p) < packagesPage {
		next = -1
	}
	return out, next, err
}

// timespan is /packages' look-back in the configured unit: minutes reach as far as
// hours would, and farther, so the default is safe under either reading.
func (f *orderFeeds) timespan(since time.Time) string {
	d := f.c.clock.Now().Sub(since)
	if since.IsZero() || d <= 0 {
		return ""
	}
	switch f.c.set.timespan {
	case "none":
		return ""
	case "hours":
		return strconv.FormatInt(int64((d+time.Hour-1)/time.Hour), 10)
	}
	return strconv.FormatInt(int64((d+time.Minute-1)/time.Minute), 10)
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// fingerprint names one thin row as applied to an order's Version.
func fingerprint(parts ...string) string {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%08x", h.Sum32())
}

// versionHas reports whether version holds every fingerprint of fps, and returns the
// union.
func versionHas(version string, fps []string) (bool, string) {
	set := map[string]bool{}
	for _, v := range strings.Split(version, ",") {
		if v != "" {
			set[v] = true
		}
	}
	all := true
	for _, fp := range fps {
		if !set[fp] {
			all = false
			set[fp] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return all, strings.Join(keys, ",")
}

// thinRows are the rows of a thin feed for one order: their fingerprints and which of
// the detail's lines they name.
type thinRows struct {
	fps   []string
	ids   map[string]int64 // line id → units named (unpaid, cancelled rows)
	pkgs  map[string]bool  // package numbers (tracking rows)
	st    order.Status
	raw   string
	since bool // a row is within the look-back (or undated)
}

func newThin(feed int) *thinRows {
	r := &thinRows{st: feedStatus[feed], raw: feedWords[feed]}
	if feed == feedShipped || feed == feedDelivered || feed == feedUndelivered {
		r.pkgs = map[string]bool{}
	} else {
		r.ids = map[string]int64{}
	}
	return r
}

func (r *thinRows) within(date string, since time.Time) {
	t := omsTime(date)
	if t.IsZero() || !t.Before(since) {
		r.since = true
	}
}

// pick chooses the detail lines the rows name. A tracking row names a package: its
// lines are those with its package number; should the detail carry no package numbers
// at all (UNCONFIRMED), the lines that are neither open, unpaid nor cancelled are taken.
func (r *thinRows) pick(l *api.Line, anyPkg bool) (order.Status, string, int64, bool) {
	if r.pkgs != nil {
		if anyPkg {
			return r.st, r.raw, 0, r.pkgs[l.PackageNumber]
		}
		c := classify(l)
		return r.st, r.raw, 0, c == order.Processing || c.HasShipped()
	}
	q, ok := r.ids[l.ID]
	if r.st != order.Cancelled {
		q = 0
	}
	return r.st, r.raw, q, ok
}

// classify guesses a detail line's state from what it says of itself, for the lines no
// feed names (an unpaid order that left the unpaid feed): the reference enumerates no
// status words, so only the plain cases are taken.
func classify(l *api.Line) order.Status {
	w := strings.ToLower(l.Status)
	switch {
	case strings.Contains(w, "cancel") || strings.Contains(w, "iptal"):
		return order.Cancelled
	case strings.Contains(w, "undeliver"):
		return order.Returned
	case strings.Contains(w, "deliver"):
		return order.Delivered
	case strings.Contains(w, "transit") || strings.Contains(w, "ship") || strings.Contains(w, "kargo"):
		return order.Shipped
	case l.PackageNumber != "":
		return order.Processing
	case l.CanCreatePackage:
		return order.New
	case strings.Contains(w, "await") || strings.Contains(w, "payment") || strings.Contains(w, "ödeme"):
		return order.Awaiting
	}
	return ""
}

// details reads the detail of every order whose rows say something new and returns the
// orders with the lines the rows name, in the feed's status, their Version grown by the
// rows.
func (f *orderFeeds) details(ctx context.Context, numbers []string, rows map[string]*thinRows, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	versions, err := known(ctx, numbers)
	if err != nil {
		return nil, &connectors.Error{Kind: connectors.Transient, Err: err, Message: "reading the stored versions of Hepsiburada orders failed"}
	}
	var out []order.Order
	for _, n := range numbers {
		r := rows[n]
		has, version := versionHas(versions[n], r.fps)
		_, stored := versions[n]
		if has || (!stored && !r.since) {
			continue // nothing new, or an order that ended before the look-back
		}
		o, ok, err := f.detail(ctx, n, r.pick)
		if err != nil {
			return nil, err
		}
		if ok {
			o.Version = version
			out = append(out, o)
		}
	}
	return out, nil
}

// detail reads one order and keeps the lines pick chooses, in the status it gives, cut to
// the units it gives (0: the line's own).
func (f *orderFeeds) detail(ctx context.Context, number string, pick func(l *api.Line, anyPkg bool) (order.Status, string, int64, bool)) (order.Order, bool, error) {
	var d api.OrderDetail
	if err := f.get(ctx, f.path("/ordernumber/"+url.PathEscape(number)), nil, &d); err != nil {
		return order.Order{}, false, err
	}
	o := newOrder(firstNonEmpty(d.OrderNumber, number), firstNonEmpty(d.OrderDate, d.CreatedDate))
	fromDetail(&o, &d)
	anyPkg := false
	for i := range d.Items {
		anyPkg = anyPkg || d.Items[i].PackageNumber != ""
	}
	for i := range d.Items {
		l := &d.Items[i]
		st, raw, qty, ok := pick(l, anyPkg)
		if !ok || st == "" {
			continue
		}
		if qty > 0 && qty != l.Quantity {
			l = scaled(l, qty)
		}
		line, err := lineOf(l)
		if err != nil {
			return order.Order{}, false, unreadable(lineErr(number, l.ID, err))
		}
		addLine(&o, line, st, rawOr(l.Status, raw), omsTime(l.LastStatusUpdateDate))
	}
	return o, len(o.Packages) > 0, nil
}

// scaled is a detail line cut to qty units (a cancelled row naming fewer units than the
// line holds), its discounts by the unit.
func scaled(l *api.Line, qty int64) *api.Line {
	cp := *l
	cp.Quantity = qty
	cp.HBDiscount = unitOnly(l.HBDiscount)
	cp.MerchantDiscount = unitOnly(l.MerchantDiscount)
	cp.VAT = nil
	return &cp
}

func unitOnly(d *api.Discount) *api.Discount {
	if d == nil {
		return nil
	}
	return &api.Discount{UnitPrice: d.UnitPrice}
}

// awaiting reads one page of /paymentawaiting: unpaid lines, PascalCase and without
// amounts, so their orders are read in detail. When the feed is done, the orders unpaid
// in its previous reading and not in this one are kept for the round's last step.
func (f *orderFeeds) awaiting(ctx context.Context, cur *roundCursor, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, int, error) {
	if cur.Offset == 0 {
		cur.Seen = nil
	}
	q := url.Values{"offset": {strconv.Itoa(cur.Offset)}, "limit": {strconv.Itoa(thinPage)}}
	var p api.AwaitingPage
	if err := f.get(ctx, f.path(feedPaths[feedAwaiting]), q, &p); err != nil {
		return nil, 0, err
	}
	rows := map[string]*thinRows{}
	var numbers []string
	for _, a := range p.Items {
		r := rows[a.OrderNumber]
		if r == nil {
			r = newThin(feedAwaiting)
			r.since = true // an unpaid order is current whatever its date
			rows[a.OrderNumber] = r
			numbers = append(numbers, a.OrderNumber)
		}
		r.ids[a.ID] = a.Quantity
		r.fps = append(r.fps, fingerprint("a", a.ID, strconv.FormatInt(a.Quantity, 10)))
		if !slices.Contains(cur.Seen, a.OrderNumber) {
			cur.Seen = append(cur.Seen, a.OrderNumber)
		}
	}
	out, err := f.details(ctx, numbers, rows, known)
	if err != nil {
		return nil, 0, err
	}
	next := nextOffset(cur.Offset, len(p.Items), p.TotalCount, thinPage)
	if next < 0 {
		cur.Gone = nil
		for _, n := range cur.Prev {
			if !slices.Contains(cur.Seen, n) {
				cur.Gone = append(cur.Gone, n)
			}
		}
		cur.Prev, cur.Seen = cur.Seen, nil
	}
	return out, next, nil
}

// cancelled reads one page of /cancelled (no date filter: any is 400 WrongDateFormat).
// Rows cancelled before the look-back are skipped unless the order is known.
func (f *orderFeeds) cancelled(ctx context.Context, since time.Time, offset int, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, int, error) {
	q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(thinPage)}}
	var p api.CancelledPage
	if err := f.get(ctx, f.path(feedPaths[feedCancelled]), q, &p); err != nil {
		return nil, 0, err
	}
	rows := map[string]*thinRows{}
	var numbers []string
	for _, cl := range p.Items {
		r := rows[cl.OrderNumber]
		if r == nil {
			r = newThin(feedCancelled)
			rows[cl.OrderNumber] = r
			numbers = append(numbers, cl.OrderNumber)
		}
		r.ids[cl.LineItemID] = cl.Quantity
		r.fps = append(r.fps, fingerprint("c", cl.LineItemID, strconv.FormatInt(cl.Quantity, 10)))
		r.within(cl.CancelDate, since)
	}
	out, err := f.details(ctx, numbers, rows, known)
	return out, nextOffset(offset, len(p.Items), p.TotalCount, thinPage), err
}

// tracking reads one page of the shipped, delivered or undelivered feed: thin
// PascalCase rows naming a package; their orders are read in detail.
func (f *orderFeeds) tracking(ctx context.Context, feed int, since time.Time, offset int, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, int, error) {
	q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(thinPage)}}
	var p api.TrackingPage
	if err := f.get(ctx, "/packages/merchantid/"+f.c.merchant+feedPaths[feed], q, &p); err != nil {
		return nil, 0, err
	}
	rows := map[string]*thinRows{}
	var numbers []string
	for _, t := range p.Items {
		orders := t.OrderNumbers
		if len(orders) == 0 && t.OrderNumber != "" {
			orders = []string{t.OrderNumber}
		}
		for _, n := range orders {
			r := rows[n]
			if r == nil {
				r = newThin(feed)
				rows[n] = r
				numbers = append(numbers, n)
			}
			r.pkgs[t.PackageNumber] = true
			r.fps = append(r.fps, fingerprint(feedWords[feed], t.PackageNumber))
			r.within(firstNonEmpty(t.ShippedDate, t.DeliveredDate, t.UndeliveredDate), since)
		}
	}
	out, err := f.details(ctx, numbers, rows, known)
	return out, nextOffset(offset, len(p.Items), p.TotalCount, thinPage), err
}

// vanished reads the orders that were unpaid in the previous reading of the unpaid feed
// and are not any more. Paid ones are on /orders, and unpaid ones that were cancelled are
// expected on /cancelled (UNCONFIRMED); this catches an order that was dropped without
// showing there, by what its detail says of each line.
func (f *orderFeeds) vanished(ctx context.Context, cur *roundCursor, known func(context.Context, []string) (map[string]string, error)) ([]order.Order, int, error) {
	from := min(cur.Offset, len(cur.Gone))
	batch := cur.Gone[from:min(from+vanishedPerCall, len(cur.Gone))]
	var out []order.Order
	for _, n := range batch {
		o, ok, err := f.detail(ctx, n, func(l *api.Line, _ bool) (order.Status, string, int64, bool) {
			st := classify(l)
			return st, string(st), 0, st != ""
		})
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			continue
		}
		versions, err := known(ctx, []string{n})
		if err != nil {
			return nil, 0, &connectors.Error{Kind: connectors.Transient, Err: err, Message: "reading the stored versions of Hepsiburada orders failed"}
		}
		o.Version = versions[n]
		out = append(out, o)
	}
	next := from + len(batch)
	if next >= len(cur.Gone) {
		cur.Gone = nil
		return out, -1, nil
	}
	return out, next, nil
}
