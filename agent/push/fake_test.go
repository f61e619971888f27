package push

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
)

// fakeMarket is an in-package marketplace behind the connector contract, with fault
// injection, for testing the push loop before (and besides) the real simulators. It keeps
// what the store shows per SKU, counts requests, and enforces a duplicate-body rule like
// Trendyol's when dupWindow is set.
type fakeMarket struct {
	mu   sync.Mutex
	caps connectors.Features
	now  func() time.Time

	shown    map[string]connectors.Observed
	requests int        // Push calls
	reads    int        // CheckResults + ReadBack calls
	pushed   [][]string // SKUs of every Push, in order
	values   []map[string]connectors.Item

	// faults
	errs      []error           // returned by the next Push calls, one each (nil: no fault)
	applyErr  bool              // the errors in errs are returned after applying (a lost answer)
	reject    map[string]string // SKU → reason, per item
	retryOnce map[string]string // SKU → reason, once
	poison    string            // a request holding this SKU fails as a whole with 400
	status404 bool              // every Push fails with 404
	readErrs  []error           // returned by the next CheckResults/ReadBack calls
	block     chan struct{}     // when set, Push waits for it to close (or ctx)
	entered   chan struct{}     // when set, Push signals it on entry
	panicNext bool              // the next Push panics (after counting the request)
	notSent   bool              // a Push cut while blocked reports "not sent" (Transient), not Unknown
	delay     time.Duration     // each Push takes this long (wall time), as a slow marketplace

	// async
	batches   map[string]*fakeBatch
	nextBatch int
	pendingN  int  // CheckResults answers Pending this many times per batch first
	expire    bool // CheckResults answers Expired

	dupWindow  time.Duration
	bodies     map[string]time.Time
	duplicates int
}

type fakeBatch struct {
	items  []connectors.Item
	checks int
	out    connectors.Outcomes
}

func newFakeMarket(caps connectors.Features, now func() time.Time) *fakeMarket {
	if now == nil {
		now = time.Now
	}
	return &fakeMarket{
		caps: caps, now: now,
		shown:     map[string]connectors.Observed{},
		reject:    map[string]string{},
		retryOnce: map[string]string{},
		batches:   map[string]*fakeBatch{},
		bodies:    map[string]time.Time{},
		dupWindow: caps.DuplicateWindow,
	}
}

func (f *fakeMarket) Features() connectors.Features { return f.caps }

func (f *fakeMarket) Test(ctx context.Context) error { return nil }

func body(items []connectors.Item) string {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s;", it.SKU, it.Barcode, optI(it.Qty), optK(it.Price), optK(it.ListPrice))
	}
	return b.String()
}

func optI(v *int64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}

func optK(v *money.Kurus) string {
	if v == nil {
		return "-"
	}
	return v.String()
}

func (f *fakeMarket) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	f.mu.Lock()
	entered, block, delay := f.entered, f.block, f.delay
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if entered != nil {
		entered <- struct{}{}
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			f.mu.Lock()
			notSent := f.notSent
			f.mu.Unlock()
			if notSent {
				return nil, &connectors.Error{Kind: connectors.Transient, Message: "request not sent", Err: ctx.Err()}
			}
			return nil, &connectors.Error{Kind: connectors.Unknown, Message: "request cut", Err: ctx.Err()}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	skus := make([]string, len(items))
	vals := map[string]connectors.Item{}
	for i, it := range items {
		skus[i] = it.SKU
		vals[it.SKU] = it
	}
	f.pushed = append(f.pushed, skus)
	f.values = append(f.values, vals)
	if f.panicNext {
		f.panicNext = false
		panic("fake connector bug")
	}
	if len(items) > f.caps.MaxBatch && f.caps.MaxBatch > 0 {
		return nil, &connectors.Error{Kind: connectors.Permanent, Status: 400, Message: "too many items"}
	}
	if f.status404 {
		return nil, &connectors.Error{Kind: connectors.Permanent, Status: http.StatusNotFound, Message: "no such endpoint"}
	}
	now := f.now()
	if f.dupWindow > 0 {
		key := body(items)
		if at, ok := f.bodies[key]; ok && now.Sub(at) < f.dupWindow {
			f.duplicates++
			return nil, &connectors.Error{Kind: connectors.Permanent, Status: 400, Message: "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"}
		}
		f.bodies[key] = now
	}
	var fault error
	if len(f.errs) > 0 {
		fault, f.errs = f.errs[0], f.errs[1:]
	}
	if fault != nil && !f.applyErr {
		return nil, fault
	}
	if f.poison != "" {
		if _, ok := vals[f.poison]; ok {
			return nil, &connectors.Error{Kind: connectors.Permanent, Status: 400, Message: "item " + f.poison + " is invalid"}
		}
	}
	out := connectors.Outcomes{}
	for _, it := range items {
		out[it.SKU] = f.fateLocked(it)
	}
	if f.caps.Async {
		f.nextBatch++
		ref := fmt.Sprintf("batch-%d", f.nextBatch)
		f.batches[ref] = &fakeBatch{items: items, out: out}
		pend := connectors.Outcomes{}
		for _, it := range items {
			pend[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
		}
		out = pend
	}
	if fault != nil {
		return nil, fault
	}
	return out, nil
}

// fateLocked decides an item's outcome and applies it when it succeeds.
func (f *fakeMarket) fateLocked(it connectors.Item) connectors.Outcome {
	if r, ok := f.reject[it.SKU]; ok {
		return connectors.Outcome{Status: connectors.Rejected, Reason: r}
	}
	if r, ok := f.retryOnce[it.SKU]; ok {
		delete(f.retryOnce, it.SKU)
		return connectors.Outcome{Status: connectors.Retry, Reason: r}
	}
	o := f.shown[it.SKU]
	o.Found = true
	if it.Qty != nil {
		v := *it.Qty
		o.Qty = &v
	}
	if it.Price != nil {
		v := *it.Price
		o.Price = &v
	}
	if it.ListPrice != nil {
		v := *it.ListPrice
		o.ListPrice = &v
	}
	f.shown[it.SKU] = o
	return connectors.Outcome{Status: connectors.Confirmed}
}

func (f *fakeMarket) readFault() error {
	if len(f.readErrs) == 0 {
		return nil
	}
	err := f.readErrs[0]
	f.readErrs = f.readErrs[1:]
	return err
}

func (f *fakeMarket) CheckResults(ctx context.Context, ref string, items []connectors.Item) (connectors.Outcomes, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if err := f.readFault(); err != nil {
		return nil, err
	}
	b, ok := f.batches[ref]
	if !ok || f.expire {
		return nil, &connectors.Error{Kind: connectors.Expired, Status: 404, Message: "batch result not found"}
	}
	b.checks++
	out := connectors.Outcomes{}
	for _, it := range items {
		if b.checks <= f.pendingN {
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
			continue
		}
		out[it.SKU] = b.out[it.SKU]
	}
	return out, nil
}

func (f *fakeMarket) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if err := f.readFault(); err != nil {
		return nil, err
	}
	out := map[string]connectors.Observed{}
	for _, it := range items {
		if o, ok := f.shown[it.SKU]; ok {
			out[it.SKU] = o
		}
	}
	return out, nil
}

// list makes skus known to the marketplace (listed, no stock, no price).
func (f *fakeMarket) list(skus ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range skus {
		zero := int64(0)
		f.shown[s] = connectors.Observed{Found: true, Qty: &zero}
	}
}

// set changes the faults under the lock.
func (f *fakeMarket) set(fn func(f *fakeMarket)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeMarket) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// state renders what the store shows for skus, sorted, for comparisons.
func (f *fakeMarket) state(skus ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(skus) == 0 {
		for k := range f.shown {
			skus = append(skus, k)
		}
	}
	sort.Strings(skus)
	var b strings.Builder
	for _, s := range skus {
		o, ok := f.shown[s]
		if !ok {
			fmt.Fprintf(&b, "%s: none\n", s)
			continue
		}
		fmt.Fprintf(&b, "%s: %s %s %s\n", s, optI(o.Qty), optK(o.Price), optK(o.ListPrice))
	}
	return b.String()
}

// sentValues returns every value pushed for sku, in order.
func (f *fakeMarket) sentValues(sku string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, v := range f.values {
		if it, ok := v[sku]; ok {
			out = append(out, optI(it.Qty)+" "+optK(it.Price))
		}
	}
	return out
}

var (
	_ connectors.Connector     = (*fakeMarket)(nil)
	_ connectors.ResultChecker = (*fakeMarket)(nil)
	_ connectors.ReadBacker    = (*fakeMarket)(nil)
)
