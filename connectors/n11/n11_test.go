package n11_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/n11"
	"syncagent/connectors/sim/n11sim"
	"syncagent/connectors/sim/simkit"
)

// env is a simulator on a fake clock and a connector built through the registry that
// shares the clock (rate-limit waits move it instead of sleeping).
type env struct {
	t     *testing.T
	sim   *n11sim.Server
	clock *simkit.FakeClock
	c     *n11.Client
	log   *strings.Builder
}

func newEnv(t *testing.T, opt n11sim.Options, mod func(*connectors.Store)) *env {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	opt.AppKey, opt.AppSecret, opt.Clock = appKey, appSecret, clock
	s := n11sim.New(opt)
	t.Cleanup(s.Close)
	st := storeAt(s.URL)
	if mod != nil {
		mod(&st)
	}
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	log := &strings.Builder{}
	conn, err := connectors.New(&st, connectors.Deps{Log: zerolog.New(log), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sim: s, clock: clock, c: conn.(*n11.Client), log: log}
}

func (e *env) seed(n int) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		if err := e.sim.AddProduct(n11sim.Product{StockCode: sku(i), Quantity: 10, SalePrice: 10000, ListPrice: 12000}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func sku(i int) string { return fmt.Sprintf("SKU-%03d", i) }

func (e *env) push(items ...connectors.Item) connectors.Outcomes {
	e.t.Helper()
	out, err := e.c.Push(context.Background(), items)
	if err != nil {
		e.t.Fatalf("push: %v", err)
	}
	return out
}

func (e *env) requests(endpoint string) int { return e.sim.Stats().Endpoints[endpoint].Requests }

func wantKind(t *testing.T, err error, kind connectors.ErrorKind) *connectors.Error {
	t.Helper()
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != kind {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	return ce
}

func TestRegistration(t *testing.T) {
	info, ok := connectors.Find(n11.Marketplace)
	if !ok {
		t.Fatal("n11 is not registered")
	}
	for _, name := range []string{"appkey", "appsecret"} {
		if o, _ := info.Option(name); !o.Required || !o.Secret {
			t.Fatalf("%s must be a required secret: %+v", name, o)
		}
	}
	if o, _ := info.Option("integrator"); o.Default != "SyncAgent" || o.Secret {
		t.Fatalf("integrator %+v", o)
	}
	f := info.Features
	if f.Key != connectors.KeySKU || f.MaxBatch != 1000 || f.TestMode != connectors.NoSandbox || !f.Async || !f.ListPrice ||
		f.PushRate != (connectors.Rate{Requests: 1000, Per: time.Minute}) || !f.Updates.Has(connectors.ScopeInfo) {
		t.Fatalf("features %+v", f)
	}
	st := connectors.Store{Name: "n", Marketplace: "n11", TestMode: true, Credentials: connectors.Credentials{"appkey": "k", "appsecret": "s"},
		Settings: map[string]string{"order_dates": "istanbul"}, Scope: connectors.ScopeStock}
	errs := connectors.Check(&st)
	text := fmt.Sprint(errs)
	if len(errs) != 2 || !strings.Contains(text, "test_mode") || !strings.Contains(text, "settings.order_dates") {
		t.Fatalf("test_mode without base_url and a bad setting: %v", errs)
	}
	st = connectors.Store{Name: "n", Marketplace: "n11", TestMode: true, BaseURL: "http://127.0.0.1:1",
		Credentials: connectors.Credentials{"appkey": "k", "appsecret": "s"}, Scope: connectors.ScopeStock}
	if errs := connectors.Check(&st); len(errs) != 0 || st.Credentials.Get("integrator") != "SyncAgent" ||
		st.Settings["order_dates"] != n11.DatesGMT3 || st.Settings["split_packages"] != n11.SplitParent {
		t.Fatalf("defaults: %v %v %v", errs, st.Credentials, st.Settings)
	}
}

// TestPushSendsOnlyWhatChanged: unchanged items cost no request; a price change sends
// both prices with the currency; a stock-only change sends the quantity alone.
func TestPushSendsOnlyWhatChanged(t *testing.T) {
	e := newEnv(t, n11sim.Options{TaskDelay: time.Second}, nil)
	e.seed(3)
	q10, q7 := int64(10), int64(7)
	sale, list := money.Kurus(10000), money.Kurus(12000)
	out := e.push(connectors.Item{SKU: sku(0), Qty: &q10, ConfQty: &q10, Price: &sale, ConfPrice: &sale, ListPrice: &list, ConfListPrice: &list})
	if out[sku(0)].Status != connectors.Confirmed || e.requests("price-stock-update") != 0 {
		t.Fatalf("an unchanged item: %+v, %d requests", out, e.requests("price-stock-update"))
	}
	newSale := money.Kurus(9990)
	items := []connectors.Item{
		{SKU: sku(1), Qty: &q7, ConfQty: &q10},
		{SKU: sku(2), Price: &newSale, ConfPrice: &sale, ConfListPrice: &list}, // sale only: the confirmed list goes with it
	}
	out = e.push(items...)
	e.clock.Advance(time.Second)
	res, err := e.c.CheckResults(context.Background(), out[sku(1)].Ref, items)
	if err != nil || res[sku(1)].Status != connectors.Confirmed || res[sku(2)].Status != connectors.Confirmed {
		t.Fatalf("%+v %v", res, err)
	}
	p1, _ := e.sim.Product(sku(1))
	p2, _ := e.sim.Product(sku(2))
	if p1.Quantity != 7 || p1.SalePrice != 10000 || p2.Quantity != 10 || p2.SalePrice != 9990 || p2.ListPrice != 12000 || p2.Currency != "TL" {
		t.Fatalf("%+v %+v", p1, p2)
	}
}

func TestPushRefusesWhatBreaksARule(t *testing.T) {
	e := newEnv(t, n11sim.Options{}, nil)
	e.seed(1)
	big, neg := int64(1_000_000), int64(-1)
	sale, low, zero := money.Kurus(10000), money.Kurus(9000), money.Kurus(0)
	out := e.push(
		connectors.Item{SKU: "A", Qty: &big},
		connectors.Item{SKU: "B", Qty: &neg},
		connectors.Item{SKU: "C", Price: &sale, ListPrice: &low},
		connectors.Item{SKU: "D", ListPrice: &sale},
		connectors.Item{SKU: "E", Price: &zero, ListPrice: &sale},
		connectors.Item{Qty: &neg},
	)
	for s, want := range map[string]string{"A": "999999", "B": "negative", "C": "below sale price", "D": "together", "E": "not above zero", "": "no SKU"} {
		if o := out[s]; o.Status != connectors.Rejected || !strings.Contains(o.Reason, want) {
			t.Fatalf("%s: %+v, want Rejected with %q", s, o, want)
		}
	}
	if e.requests("price-stock-update") != 0 {
		t.Fatal("refused items were sent")
	}
	if _, err := e.c.Push(context.Background(), []connectors.Item{{SKU: "A", Qty: &big}, {SKU: "A", Qty: &neg}}); err == nil {
		t.Fatal("a SKU twice in one push")
	}
}

// TestRejectNamingItems: a REJECT whose reasons name items rejects those with n11's
// words and sends the others again; one that names none fails the push as Permanent.
func TestRejectNamingItems(t *testing.T) {
	// The simulator caps quantities at 100 and refuses the whole task for an item over it.
	e2 := newEnv(t, n11sim.Options{ItemRules: n11sim.RuleReject, MaxQuantity: 100}, nil)
	e2.seed(2)
	many, few := int64(500), int64(5)
	out := e2.push(connectors.Item{SKU: sku(0), Qty: &many}, connectors.Item{SKU: sku(1), Qty: &few})
	if o := out[sku(0)]; o.Status != connectors.Rejected || o.Reason != sku(0)+": "+n11sim.ReasonQuantity {
		t.Fatalf("named item: %+v", o)
	}
	if o := out[sku(1)]; o.Status != connectors.Retry || !strings.Contains(o.Reason, n11sim.ReasonQuantity) {
		t.Fatalf("the other item: %+v", o)
	}
	// More items than the simulator takes: a REJECT that names none of them.
	e3 := newEnv(t, n11sim.Options{MaxSKUs: 1}, nil)
	e3.seed(2)
	_, err := e3.c.Push(context.Background(), []connectors.Item{{SKU: sku(0), Qty: &few}, {SKU: sku(1), Qty: &few}})
	ce := wantKind(t, err, connectors.Permanent)
	if ce.Status != 0 || !strings.Contains(ce.Message, "en fazla 1 sku") {
		t.Fatalf("%+v", ce)
	}
}

// TestFailReasonsVerbatim: per-SKU FAILs keep n11's Turkish reasons word for word; a
// reason that says to try again is Retry.
func TestFailReasonsVerbatim(t *testing.T) {
	e := newEnv(t, n11sim.Options{TaskDelay: time.Second}, nil)
	e.seed(3)
	e.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{sku(0): "Ürün satışa kapalı olduğu için güncellenemez.",
		sku(1): "Sistem yoğunluğu nedeniyle işlem yapılamadı, lütfen daha sonra tekrar deneyin."}})
	q := int64(1)
	items := []connectors.Item{{SKU: sku(0), Qty: &q}, {SKU: sku(1), Qty: &q}, {SKU: "YOK", Qty: &q}}
	out := e.push(items...)
	e.clock.Advance(time.Second)
	res, err := e.c.CheckResults(context.Background(), out[sku(0)].Ref, items)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]connectors.Outcome{
		sku(0): {Status: connectors.Rejected, Reason: "Ürün satışa kapalı olduğu için güncellenemez."},
		sku(1): {Status: connectors.Retry, Reason: "Sistem yoğunluğu nedeniyle işlem yapılamadı, lütfen daha sonra tekrar deneyin."},
		"YOK":  {Status: connectors.Rejected, Reason: n11sim.ReasonUnknownSKU},
	}
	for k, w := range want {
		if res[k] != w {
			t.Fatalf("%s: %+v, want %+v", k, res[k], w)
		}
	}
}

// TestTaskStuckOrVanished: a task that stays IN_QUEUE is waited for, then Expired; a
// vanished task is Pending while young (an empty page may be a throttled answer), then
// Expired; the read-back that follows shows the truth.
func TestTaskStuckOrVanished(t *testing.T) {
	e := newEnv(t, n11sim.Options{TaskDelay: 2 * time.Hour}, nil)
	e.seed(2)
	q := int64(4)
	items := []connectors.Item{{SKU: sku(0), Qty: &q}}
	ref := e.push(items...)[sku(0)].Ref
	e.clock.Advance(n11.StuckAfter - time.Minute)
	res, err := e.c.CheckResults(context.Background(), ref, items)
	if err != nil || res[sku(0)].Status != connectors.Pending || res[sku(0)].Ref != ref {
		t.Fatalf("a queued task: %+v %v", res, err)
	}
	e.clock.Advance(2 * time.Minute)
	_, err = e.c.CheckResults(context.Background(), ref, items)
	if ce := wantKind(t, err, connectors.Expired); !strings.Contains(ce.Message, "in its queue") {
		t.Fatal(ce)
	}

	items = []connectors.Item{{SKU: sku(1), Qty: &q}}
	ref = e.push(items...)[sku(1)].Ref
	id, _, _ := strings.Cut(ref, "@")
	var n int64
	fmt.Sscan(id, &n)
	e.sim.ForgetTask(n)
	res, err = e.c.CheckResults(context.Background(), ref, items)
	if err != nil || res[sku(1)].Status != connectors.Pending {
		t.Fatalf("a young vanished task: %+v %v", res, err)
	}
	e.clock.Advance(3 * time.Minute)
	_, err = e.c.CheckResults(context.Background(), ref, items)
	wantKind(t, err, connectors.Expired)
	got, err := e.c.ReadBack(context.Background(), items)
	if err != nil || !got[sku(1)].Found || *got[sku(1)].Qty != 10 {
		t.Fatalf("read-back of the lost task: %+v %v", got, err)
	}
}

// TestTaskDetailsPaged: a task's details are read page by page.
func TestTaskDetailsPaged(t *testing.T) {
	e := newEnv(t, n11sim.Options{TaskDelay: time.Second, TaskPageMax: 100}, nil)
	e.seed(250)
	var items []connectors.Item
	for i := 0; i < 250; i++ {
		q := int64(i)
		items = append(items, connectors.Item{SKU: sku(i), Qty: &q})
	}
	out := e.push(items...)
	e.clock.Advance(time.Second)
	res, err := e.c.CheckResults(context.Background(), out[sku(0)].Ref, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if res[it.SKU].Status != connectors.Confirmed {
			t.Fatalf("%s: %+v", it.SKU, res[it.SKU])
		}
	}
	if n := e.requests("task-details"); n != 3 {
		t.Fatalf("%d task-details requests for 250 items of 100 a page", n)
	}
}

// TestThrottledEmptyAnswers: with n11 answering an empty page over its limit, a young
// task stays Pending and a read-back fails rather than calling products missing.
func TestThrottledEmptyAnswers(t *testing.T) {
	e := newEnv(t, n11sim.Options{TaskDelay: time.Second, OverLimit: n11sim.OverEmptyPage, GlobalPerMinute: 2}, nil)
	e.seed(3)
	q := int64(2)
	items := []connectors.Item{{SKU: sku(0), Qty: &q}}
	ref := e.push(items...)[sku(0)].Ref // 1 of 2
	e.clock.Advance(time.Second)
	if _, err := e.c.ReadBack(context.Background(), []connectors.Item{{SKU: sku(1)}}); err != nil { // 2 of 2
		t.Fatal(err)
	}
	res, err := e.c.CheckResults(context.Background(), ref, items) // throttled: an empty page
	if err != nil || res[sku(0)].Status != connectors.Pending {
		t.Fatalf("a throttled task-details answer: %+v %v", res, err)
	}
	_, err = e.c.ReadBack(context.Background(), []connectors.Item{{SKU: sku(2)}})
	if ce := wantKind(t, err, connectors.Transient); !strings.Contains(ce.Message, "throttling") {
		t.Fatal(ce)
	}
	if e.sim.Throttled() != 2 {
		t.Fatalf("throttled answers: %d", e.sim.Throttled())
	}
}

// TestReadBackChoosesTheCheaperWay: few items in a large catalogue are asked for by
// stockCode; many are read by paging.
func TestReadBackChoosesTheCheaperWay(t *testing.T) {
	e := newEnv(t, n11sim.Options{}, nil)
	e.seed(1000)
	got, err := e.c.ReadBack(context.Background(), []connectors.Item{{SKU: sku(999)}, {SKU: "YOK"}})
	if err != nil || !got[sku(999)].Found || got["YOK"].Found {
		t.Fatalf("%+v %v", got, err)
	}
	// The first page, one request per SKU still missing (2, fewer than the 3 pages
	// left), and the check that the list still answers after an empty answer.
	if n := e.requests("product-query"); n != 4 {
		t.Fatalf("%d product-query requests", n)
	}
	e.sim.ResetStats()
	var many []connectors.Item
	for i := 0; i < 1000; i += 2 {
		many = append(many, connectors.Item{SKU: sku(i)})
	}
	got, err = e.c.ReadBack(context.Background(), many)
	if err != nil || len(got) != 500 || !got[sku(998)].Found {
		t.Fatal(err)
	}
	if n := e.requests("product-query"); n != 4 {
		t.Fatalf("%d product-query requests to page 1000 products", n)
	}
}

func TestUpdateInfo(t *testing.T) {
	e := newEnv(t, n11sim.Options{TaskDelay: time.Second}, nil)
	e.seed(2)
	if err := e.sim.AddProduct(n11sim.Product{StockCode: "KAT-1", Catalog: true, Quantity: 1, SalePrice: 100}); err != nil {
		t.Fatal(err)
	}
	desc, oldDesc, vat, vat18, off, title := "<p>Pamuklu</p>", "eski", 10, 18, false, "Yeni başlık"
	items := []connectors.Item{
		{SKU: sku(0), Info: connectors.Info{Description: &desc, VATRate: &vat}, ConfInfo: connectors.Info{Description: &oldDesc}},
		{SKU: sku(1), Info: connectors.Info{Active: &off}},
		{SKU: "KAT-1", Info: connectors.Info{Description: &desc}},
		{SKU: "T", Info: connectors.Info{Title: &title}},
		{SKU: "V", Info: connectors.Info{VATRate: &vat18}},
		{SKU: "SAME", Info: connectors.Info{Description: &desc}, ConfInfo: connectors.Info{Description: &desc}},
	}
	out, err := e.c.UpdateInfo(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if out["T"].Status != connectors.Rejected || out["V"].Status != connectors.Rejected || out["SAME"].Status != connectors.Confirmed ||
		out[sku(0)].Status != connectors.Pending {
		t.Fatalf("%+v", out)
	}
	e.clock.Advance(time.Second)
	res, err := e.c.CheckResults(context.Background(), out[sku(0)].Ref, items[:3])
	if err != nil {
		t.Fatal(err)
	}
	if res[sku(0)].Status != connectors.Confirmed || res[sku(1)].Status != connectors.Confirmed ||
		res["KAT-1"] != (connectors.Outcome{Status: connectors.Rejected, Reason: n11sim.ReasonCatalog}) {
		t.Fatalf("%+v", res)
	}
	p0, _ := e.sim.Product(sku(0))
	p1, _ := e.sim.Product(sku(1))
	if p0.Description != desc || p0.VatRate != 10 || p1.Status != "Suspended" || p0.Quantity != 10 {
		t.Fatalf("%+v %+v", p0, p1)
	}
	got, err := e.c.ReadBack(context.Background(), []connectors.Item{{SKU: sku(0)}, {SKU: sku(1)}})
	if err != nil || *got[sku(0)].Info.Description != desc || *got[sku(1)].Info.Active {
		t.Fatalf("read-back of the information: %+v %v", got, err)
	}
}

// TestShouldRetry: n11's refusals per path family.
func TestShouldRetry(t *testing.T) {
	e := newEnv(t, n11sim.Options{RestAuth403: true}, func(s *connectors.Store) { s.Credentials["appsecret"] = "wrong-secret-1" })
	err := e.c.Test(context.Background())
	ce := wantKind(t, err, connectors.Auth)
	if ce.Status != 401 || !strings.Contains(ce.Message, "credentials.appkey and credentials.appsecret") || strings.ContainsAny(ce.Message, "{}") {
		t.Fatal(ce)
	}
	_, err = e.c.FetchOrders(context.Background(), connectors.OrderQuery{Since: e.clock.Now().Add(-time.Hour)})
	if ce := wantKind(t, err, connectors.Auth); ce.Status != 403 || !strings.Contains(ce.Message, "Authentication failed") {
		t.Fatal(ce)
	}
	e = newEnv(t, n11sim.Options{}, func(s *connectors.Store) { s.Credentials["appsecret"] = "wrong-secret-1" })
	_, err = e.c.FetchOrders(context.Background(), connectors.OrderQuery{Since: e.clock.Now().Add(-time.Hour)})
	if ce := wantKind(t, err, connectors.Auth); ce.Status != 400 {
		t.Fatal(ce)
	}
	e = newEnv(t, n11sim.Options{}, func(s *connectors.Store) { s.BaseURL += "/ms" })
	err = e.c.Test(context.Background())
	if ce := wantKind(t, err, connectors.Transient); ce.Status != 503 {
		t.Fatal(ce)
	}
}
