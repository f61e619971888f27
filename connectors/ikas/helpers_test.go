package ikas_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/ikas"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// world is one test's simulator and connector on a shared fake clock.
type world struct {
	t     *testing.T
	clock *simkit.FakeClock
	sim   *ikassim.Server
	store connectors.Store
	log   *logBuffer
	conn  *ikas.Client
}

func newWorld(t *testing.T, opt ikassim.Options) *world {
	clock := simkit.NewFakeClock(time.Time{})
	w := &world{t: t, clock: clock, sim: newSim(t, clock, opt), log: &logBuffer{}}
	w.store = storeAt(w.sim.URL)
	return w
}

func (w *world) deps() connectors.Deps {
	return connectors.Deps{
		Log: zerolog.New(w.log).Level(zerolog.DebugLevel),
		Now: w.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			w.clock.Advance(d)
			return nil
		},
	}
}

// connector builds the connector once, through the registration's checks.
func (w *world) connector() *ikas.Client {
	w.t.Helper()
	return w.tuned(ikas.DefaultTuning)
}

func (w *world) tuned(tune ikas.Tuning) *ikas.Client {
	w.t.Helper()
	if w.conn != nil {
		return w.conn
	}
	if errs := connectors.Check(&w.store); len(errs) > 0 {
		w.t.Fatalf("store does not pass Check: %v", errs)
	}
	c, err := ikas.NewTuned(&w.store, w.deps(), tune)
	if err != nil {
		w.t.Fatal(err)
	}
	w.conn = c
	return c
}

func k(s string) money.Kurus {
	v, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func kp(s string) *money.Kurus { v := k(s); return &v }

func ip(n int64) *int64 { return &n }

// product seeds a one-variant product: sell/discount/buy, qty at the first location.
func (w *world) product(sku, sell, discount, buy string, qty float64) ikassim.Product {
	w.t.Helper()
	pr := ikassim.Price{Sell: k(sell)}
	if discount != "" {
		pr.Discount = kp(discount)
	}
	if buy != "" {
		pr.Buy = kp(buy)
	}
	p, err := w.sim.AddProduct(ikassim.Product{Name: "Ürün " + sku, Brand: "Marka", Description: "<p>eski</p>",
		Variants: []ikassim.Variant{{SKU: sku, Barcodes: []string{"869" + sku}, Active: true, Prices: []ikassim.Price{pr},
			Stock: map[string]float64{w.sim.Locations()[0].ID: qty}}}})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) push(items ...connectors.Item) connectors.Outcomes {
	w.t.Helper()
	out, err := w.connector().Push(context.Background(), items)
	if err != nil {
		w.t.Fatalf("push: %v", err)
	}
	return out
}

func (w *world) variant(sku string) ikassim.Variant {
	w.t.Helper()
	_, v, ok := w.sim.VariantBySKU(sku)
	if !ok {
		w.t.Fatalf("no variant %s", sku)
	}
	return v
}

func str(k *money.Kurus) string {
	if k == nil {
		return "nil"
	}
	return k.String()
}
